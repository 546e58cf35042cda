// The desk API, authenticated by this device's bearer token (no cookies, so no CSRF).
// Every call ends in one of four ways the page treats differently:
//   an answer (JSON with HTTP 200)      -> show it
//   NetworkError (no answer, timeout,   -> keep the scan and send it again later;
//     5xx, 408, 429, non-JSON reply)       the server de-duplicates by request_id
//   Unauthorized (401)                  -> the device needs pairing again
//   HttpError (any other 4xx)           -> the server refused it for good

const TOKEN_KEY = "noiday.deskToken";
// A request that has not answered in this time is treated as lost: a desk must not wait.
const REQUEST_TIMEOUT_MS = 6000;

export class NetworkError extends Error {}
export class Unauthorized extends Error {}
export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const deskToken = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (token) => localStorage.setItem(TOKEN_KEY, token),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

// Answers' sentences come in the page's language (the API sees no session cookie).
export function createApi(base, language) {
  async function call(method, path, body, signal) {
    const token = deskToken.get();
    if (!token) throw new Unauthorized("no token");
    const url = new URL(base + path, location.href);
    if (language) url.searchParams.set("lang", language);
    const response = await send(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    }, signal);
    if (response.status === 401) throw new Unauthorized("unauthorized");
    const data = await readJson(response);
    if (response.ok && data !== null) return data;
    if (response.status >= 500 || response.status === 408 || response.status === 429 || data === null) {
      throw new NetworkError(`HTTP ${response.status}`);
    }
    throw new HttpError(response.status, data);
  }

  return {
    me: () => call("GET", "/me"),
    scan: ({ code, request_id, scanned_at }) => call("POST", "/scan", { code, request_id, scanned_at }),
    checkIn: ({ attendee_id, request_id, scanned_at }) =>
      call("POST", "/checkins", { attendee_id, request_id, scanned_at }),
    undo: (checkInId) => call("POST", `/checkins/${encodeURIComponent(checkInId)}/undo`, {}),
    search: (query, signal) =>
      call("GET", `/attendees?${new URLSearchParams({ q: query, limit: "20" })}`, undefined, signal),
    counters: () => call("GET", "/counters"),
  };
}

// fetch with a timeout; a caller's signal (a newer search) aborts with AbortError as usual.
async function send(url, options, callerSignal) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
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
async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// A v4 UUID; crypto.randomUUID exists only in secure contexts (HTTPS or localhost).
export function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
