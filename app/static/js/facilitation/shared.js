// What the facilitators' pages share: talking to the server, keeping things on the device,
// filling in the page's messages.

export class SignedOut extends Error {}
export class HttpError extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

async function readJson(response) {
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
  return readJson(response);
}

export async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" });
  return readJson(response);
}

// crypto.randomUUID() needs a secure context; phones on the venue's network may use http.
export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

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
