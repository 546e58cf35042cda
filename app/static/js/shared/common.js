// What the desk's and the facilitators' pages share: talking to the server, ids for
// requests, filling in the page's messages, building elements, keeping things on the device.
// Imported by app/static/js/checkin/ and app/static/js/facilitation/.

// ---- Errors a request can end in ------------------------------------------------------------

// No answer worth reading (offline, timeout, 5xx, non-JSON reply): try again later.
export class NetworkError extends Error {}
// The desk device's token is missing or refused: it needs pairing again.
export class Unauthorized extends Error {}
// A facilitator's session ended: the request was sent to the sign-in page.
export class SignedOut extends Error {}
// The server refused the request; `body` is its JSON answer when it gave one.
export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// ---- Requests -------------------------------------------------------------------------------

// fetch with a timeout: no answer in `timeoutMs` is a NetworkError, as is no network.
// A caller's signal (a newer search, say) aborts with AbortError as usual.
export async function fetchWithTimeout(url, options, { timeoutMs, signal: callerSignal } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const forward = () => controller.abort(callerSignal.reason);
  callerSignal?.addEventListener("abort", forward, { once: true });
  try {
    return await fetch(url, { ...options, signal: controller.signal });
  } catch (error) {
    if (callerSignal?.aborted) throw error;
    throw new NetworkError(error.message || "network error");
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", forward);
  }
}

// null when the body is not JSON: a captive portal or a proxy's error page is no answer.
export async function readJsonOrNull(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// The signed-in pages' CSRF token, from <meta name="csrf-token"> (sent as X-CSRFToken).
export const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

// The facilitators' pages use their session cookie; a redirect means it has ended.
async function readSessionJson(response) {
  if (response.redirected) throw new SignedOut(); // sent to the sign-in page
  if (!(response.headers.get("Content-Type") || "").includes("json")) throw new HttpError(response.status);
  return { status: response.status, body: await response.json() };
}

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  return readSessionJson(response);
}

export async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" });
  return readSessionJson(response);
}

// ---- Ids that let the server recognise a request sent twice ---------------------------------

// A v4 UUID; crypto.randomUUID exists only in secure contexts (HTTPS or localhost).
export function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// 32 hex digits (the notes' save_id), random even without a secure context.
export const newId = () => toHex(crypto.getRandomValues(new Uint8Array(16)));

const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// ---- Words and elements ---------------------------------------------------------------------

// fill("Checked in at {time}", {time: "10:05"}) -> "Checked in at 10:05". A placeholder
// without a value stays as written, or becomes `missing` when one is given.
export function fill(template, values, missing) {
  return template.replace(/\{(\w+)\}/g, (match, key) => {
    if (missing !== undefined) return values[key] ?? missing;
    return key in values ? String(values[key]) : match;
  });
}

// Text always goes in as textContent, never as HTML: names and notes come from the public
// registration form.
export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

export function localTime(date = new Date(), { seconds = false } = {}) {
  const options = { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) };
  return date.toLocaleTimeString(document.documentElement.lang || undefined, options);
}

// ---- Kept on the device ---------------------------------------------------------------------

export function readStorage(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

export function writeStorage(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch (error) {
    console.warn("Could not keep the notes on this device", error);
  }
}
