// The desk API, authenticated by this device's bearer token (no cookies, so no CSRF).
// Every call ends in one of four ways the page treats differently:
//   an answer (JSON with HTTP 200)      -> show it
//   NetworkError (no answer, timeout,   -> keep the scan and send it again later;
//     5xx, 408, 429, non-JSON reply)       the server de-duplicates by request_id
//   Unauthorized (401)                  -> the device needs pairing again
//   HttpError (any other 4xx)           -> the server refused it for good

import { fetchWithTimeout, HttpError, NetworkError, readJsonOrNull, Unauthorized } from "../../shared/common.js";

// One token per event (the page is /<event-slug>/desk/): a laptop paired for one event's
// desk is not paired for another's. Before events had their own address there was one key.
const EVENT_SLUG = location.pathname.split("/")[1];
const TOKEN_KEY = `noiday.deskToken.${EVENT_SLUG}`;
const KEY_BEFORE_EVENTS = "noiday.deskToken";
// A request that has not answered in this time is treated as lost: a desk must not wait.
const REQUEST_TIMEOUT_MS = 6000;

function tokenPairedBeforeEvents() {
  const token = localStorage.getItem(KEY_BEFORE_EVENTS);
  if (token) {
    localStorage.setItem(TOKEN_KEY, token); // that instance had one event: this one
    localStorage.removeItem(KEY_BEFORE_EVENTS);
  }
  return token;
}

export const deskToken = {
  get: () => localStorage.getItem(TOKEN_KEY) ?? tokenPairedBeforeEvents(),
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
    const response = await fetchWithTimeout(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    }, { timeoutMs: REQUEST_TIMEOUT_MS, signal });
    if (response.status === 401) throw new Unauthorized("unauthorized");
    const data = await readJsonOrNull(response);
    if (response.ok && data !== null) return data;
    if (response.status >= 500 || response.status === 408 || response.status === 429 || data === null) {
      throw new NetworkError(`HTTP ${response.status}`);
    }
    throw new HttpError(response.status, data);
  }

  return {
    me: () => call("GET", "/me"),
    // point: where the desk scans (app/checkin/points.py); absent, the door.
    scan: ({ code, request_id, scanned_at, point }) =>
      call("POST", "/scan", point && point !== "door" ? { code, request_id, scanned_at, point } : { code, request_id, scanned_at }),
    checkIn: ({ attendee_id, request_id, scanned_at }) =>
      call("POST", "/checkins", { attendee_id, request_id, scanned_at }),
    reinstate: ({ attendee_id, reason, request_id, scanned_at }) =>
      call("POST", `/attendees/${encodeURIComponent(attendee_id)}/reinstate`, { reason, request_id, scanned_at }),
    undo: (checkInId) => call("POST", `/checkins/${encodeURIComponent(checkInId)}/undo`, {}),
    undoPointScan: (scanId) => call("POST", `/point-scans/${encodeURIComponent(scanId)}/undo`, {}),
    search: (query, signal) =>
      call("GET", `/attendees?${new URLSearchParams({ q: query, limit: "20" })}`, undefined, signal),
    counters: () => call("GET", "/counters"),
  };
}
