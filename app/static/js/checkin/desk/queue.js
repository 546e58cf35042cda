// The offline queue: scans and manual check-ins that could not reach the server, kept in
// localStorage so that they survive a reload or a crash, and sent again in order.
// An item leaves the queue only once the server has answered it; sending one twice is
// harmless because the server de-duplicates by request_id.

import { HttpError, NetworkError, Unauthorized } from "../../shared/common.js";

const QUEUE_KEY = "noiday.deskQueue";
const REPLAY_EVERY_MS = 5000;

export function queuedItems() {
  try {
    const items = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function saveQueue(items) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
}

export function enqueue(item) {
  saveQueue([...queuedItems(), { ...item, queued_at: new Date().toISOString() }]);
}

// Re-read before writing: another tab of the desk may have changed the queue meanwhile.
function removeFromQueue(requestId) {
  saveQueue(queuedItems().filter((item) => item.request_id !== requestId));
}

// onAnswer(item, answer) for each item the server answered, onChange() whenever the
// queue may have changed, onUnauthorized() when the device lost its pairing.
export function createReplayer({ api, onAnswer, onChange, onUnauthorized, onNetworkDown }) {
  let replaying = false;

  async function sendItem(item) {
    if (item.type === "manual") return api.checkIn(item);
    return api.scan(item);
  }

  async function replayAll() {
    for (const item of queuedItems()) {
      let answer;
      try {
        answer = await sendItem(item);
      } catch (error) {
        if (error instanceof NetworkError) {
          onNetworkDown();
          return;
        }
        if (error instanceof Unauthorized) {
          onUnauthorized();
          return;
        }
        if (!(error instanceof HttpError)) throw error;
        // Refused for good (a 4xx): keeping it would block the queue for ever.
        answer = { result: "red", reason: "refused", message: error.body?.error || error.message, attendee: null };
      }
      removeFromQueue(item.request_id);
      onChange();
      onAnswer(item, answer);
    }
  }

  async function replay() {
    if (replaying || queuedItems().length === 0 || !navigator.onLine) return;
    replaying = true;
    try {
      // One tab at a time sends (two would only cost duplicate requests, but why).
      if (navigator.locks) {
        await navigator.locks.request("noiday-desk-replay", { ifAvailable: true }, (lock) => lock && replayAll());
      } else {
        await replayAll();
      }
    } finally {
      replaying = false;
    }
  }

  function start() {
    window.addEventListener("online", replay);
    window.addEventListener("storage", (event) => event.key === QUEUE_KEY && onChange());
    setInterval(replay, REPLAY_EVERY_MS);
    replay();
  }

  return { start, replay };
}
