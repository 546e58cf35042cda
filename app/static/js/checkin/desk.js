// The check-in desk: scan a badge (camera, scanner or typed code), show who it is at a
// glance, keep going offline. Pieces live in ./desk/; this file wires them to the page.

import { el, fill, HttpError, localTime, NetworkError, newRequestId, Unauthorized } from "../shared/common.js";
import { createCamera, listenForScannerBursts } from "../shared/scanner.js";
import { createApi, deskToken } from "./desk/api.js";
import { createCounters } from "./desk/counters.js";
import { keepFocusOn } from "./desk/focus.js";
import { enableOfflineReload } from "./desk/offline-reload.js";
import { createResultPanel } from "./desk/panel.js";
import { createReplayer, enqueue, queuedItems } from "./desk/queue.js";
import { createSearch } from "./desk/search.js";
import { createReinstater } from "./desk/reinstate.js";
import { createBeeper } from "./desk/sound.js";

// A badge token: 24 characters of base32 (see app/checkin/badges.py), or the code printed
// under the QR, typed: 3 letters and 3 digits (app/checkin/badge_codes.py). Anything else
// is "not a badge" at once, even offline, and is never queued.
const BADGE_SHAPE = /^(?:[A-Z2-7]{24}|[A-Z]{3}[0-9]{3})$/;
const DESK_NAME_KEY = "noiday.deskName";
// The check-in point this device scans for (door, lunch, world café, exit), per event.
const POINT_KEY = `noiday.deskPoint.${location.pathname.split("/")[1]}`;
const REPLAYED_KEPT = 20;

const root = document.getElementById("desk");
const text = JSON.parse(root.dataset.messages);
const api = createApi(root.dataset.apiBase, document.documentElement.lang);
const byId = (id) => document.getElementById(id);
const scanInput = byId("scan-code");
const deskMain = byId("desk-main");
const pairingSection = byId("pairing");

let reachable = navigator.onLine; // false after a request got no answer, until one does
const recentlyAdmitted = new Map(); // "point:code" -> {id, name, time}: lets the desk judge repeats offline

const focusScanner = keepFocusOn(scanInput, { isActive: () => !deskMain.hidden });
const beeper = createBeeper();
// Someone who cancelled and came anyway: reinstated and checked in, online only.
const reinstater = createReinstater({
  api,
  text,
  isOnline: () => navigator.onLine && reachable,
  onAnswer: (answer) => {
    setReachable(true);
    showAnswer(answer, {});
  },
  onNetworkDown: () => setReachable(false),
  onUnauthorized: () => showPairing(text.pairingRevoked),
  onRefused: (headline, message, name) => {
    panel.showNotice("red", headline, message, name);
    beeper.play("red");
  },
});
const panel = createResultPanel(byId("result"), text, { onUndo: undoCheckIn, onDismiss: focusScanner, reinstater });
const replayer = createReplayer({
  api,
  onAnswer: showReplayed,
  onChange: renderNetworkStatus,
  onUnauthorized: deviceRefused,
  onNetworkDown: () => setReachable(false),
});
const counters = createCounters({
  root: byId("counters"),
  api,
  text,
  onReachable: setReachable,
  onUnauthorized: deviceRefused,
});
const search = createSearch({
  form: byId("search-form"),
  input: byId("search-input"),
  list: byId("search-results"),
  status: byId("search-status"),
  api,
  text,
  onCheckIn: checkInFromSearch,
  onUndo: undoCheckIn,
  onScan: handleScan,
  looksLikeBadge: (value) => BADGE_SHAPE.test(normaliseCode(value)),
  reinstater,
});
const camera = createCamera({
  video: byId("camera-video"),
  vendorBase: new URL(root.dataset.vendorBase, location.href),
  onCode: handleScan,
  onState: renderCameraState,
});

// ---- The check-in point ----------------------------------------------------------------

const pointSection = byId("desk-point");
const pointChoice = byId("desk-point-choice");

function currentPoint() {
  return pointChoice ? pointChoice.value : "door";
}

function renderPoint() {
  if (!pointSection) return;
  pointSection.dataset.point = pointChoice.value;
  byId("desk-point-name").textContent = pointChoice.selectedOptions[0].textContent;
}

if (pointChoice) {
  const remembered = localStorage.getItem(POINT_KEY);
  if ([...pointChoice.options].some((option) => option.value === remembered)) pointChoice.value = remembered;
  renderPoint();
  pointChoice.addEventListener("change", () => {
    localStorage.setItem(POINT_KEY, pointChoice.value);
    renderPoint();
    panel.showReady();
    focusScanner();
  });
}

// What this desk has seen is judged per point: at lunch, the door's check-in is no repeat.
const seenKey = (item) => `${item.point || "door"}:${item.code}`;

// ---- Scanning -------------------------------------------------------------------------

// Scanners on other keyboard layouts may change the case; spaces and newlines creep in.
// A typed badge code loses its spaces and dashes too ("klm 479", "KLM-479": "KLM479").
function normaliseCode(raw) {
  const code = String(raw).trim().toUpperCase();
  const typed = code.replace(/[\s\-\u2010-\u2015\u2212]/g, "");
  return typed.length === 6 ? typed : code;
}

async function handleScan(raw) {
  const code = normaliseCode(raw);
  if (!code) return;
  if (!BADGE_SHAPE.test(code)) {
    panel.showNotABadge();
    beeper.play("red");
    return;
  }
  await send({ type: "scan", code, point: currentPoint(), request_id: newRequestId(), scanned_at: new Date().toISOString() });
}

async function checkInFromSearch(attendeeId, name) {
  await send({ type: "manual", attendee_id: attendeeId, name, request_id: newRequestId(), scanned_at: new Date().toISOString() });
}

// Send a scan or a manual check-in; without an answer it goes to the offline queue.
async function send(item) {
  if (!navigator.onLine || !reachable) return saveOffline(item);
  try {
    const answer = item.type === "manual" ? await api.checkIn(item) : await api.scan(item);
    setReachable(true);
    showAnswer(answer, item);
  } catch (error) {
    if (error instanceof NetworkError) {
      setReachable(false);
      saveOffline(item);
    } else if (error instanceof Unauthorized) {
      enqueue(item); // sent once the device is paired again
      showPairing(text.pairingRevoked);
    } else if (error instanceof HttpError) {
      panel.showNotice("red", text.reasons.refused, fill(text.serverError, { status: error.status }));
      beeper.play("red");
    } else {
      throw error;
    }
  }
}

function showAnswer(answer, item) {
  panel.showAnswer(answer);
  beeper.play(answer.result);
  if (item.code && answer.attendee && (answer.result === "green" || answer.result === "amber")) {
    const { id, name } = answer.attendee;
    recentlyAdmitted.set(seenKey(item), { id, name, time: answer.check_in?.at_local || localTime() });
  }
  counters.refresh();
  search.refresh();
}

// Offline the desk still judges what it can: the shape of the code (checked before), and
// repeats of badges this desk has seen. Everything well formed is kept and sent later.
function saveOffline(item) {
  const queuedTwin = item.code && queuedItems().find((queued) => seenKey(queued) === seenKey(item));
  const admitted = item.code && recentlyAdmitted.get(seenKey(item));
  enqueue(item);
  renderNetworkStatus();
  if (admitted) {
    panel.showNotice("amber", text.amber, fill(text.alreadyCheckedInHere, { time: admitted.time }), admitted.name);
    beeper.play("amber");
  } else {
    panel.showSavedOffline(queuedTwin ? localTime(new Date(queuedTwin.scanned_at)) : null);
    beeper.play("blue");
  }
}

async function undoCheckIn(checkInId, attendee, point) {
  try {
    await (point && point.kind !== "door" ? api.undoPointScan(checkInId) : api.undo(checkInId));
    panel.showNotice("info", text.undone, "", attendee?.name);
    for (const [code, seen] of recentlyAdmitted) if (seen.id === attendee?.id) recentlyAdmitted.delete(code);
    counters.refresh();
    search.refresh();
  } catch (error) {
    if (error instanceof Unauthorized) return showPairing(text.pairingRevoked);
    panel.showNotice("red", text.undoFailed, error instanceof NetworkError ? text.undoNeedsNetwork : error.message);
  }
  focusScanner();
}

// ---- Offline queue and connection status ----------------------------------------------

function setReachable(ok) {
  const cameBack = ok && !reachable;
  reachable = ok;
  renderNetworkStatus();
  if (cameBack) {
    replayer.replay();
    if (!localStorage.getItem(DESK_NAME_KEY)) loadDeskName();
  }
}

function renderNetworkStatus() {
  const online = navigator.onLine && reachable;
  const waiting = queuedItems().length;
  const status = byId("network-status");
  status.dataset.state = online ? "online" : "offline";
  status.querySelector("[data-network-label]").textContent = online ? text.online : text.offline;
  const count = status.querySelector("[data-queue-count]");
  count.dataset.count = waiting;
  count.textContent = waiting ? fill(text.waiting, { count: waiting }) : "";
}

function showReplayed(item, answer) {
  setReachable(true);
  const list = byId("replayed-list");
  const name = answer.attendee?.name || item.name || item.code;
  const reason = answer.result === "red" ? text.reasons[answer.reason] || text.red : text[answer.result];
  const entry = el("li", { className: `replayed replayed-${answer.result}`, attrs: { "data-result": answer.result } }, [
    el("strong", { text: name }),
    el("span", { text: ` · ${reason}` }),
    answer.message ? el("span", { className: "muted", text: ` · ${answer.message}` }) : null,
    el("span", { className: "muted", text: ` · ${fill(text.scannedAt, { time: localTime(new Date(item.scanned_at)) })}` }),
  ]);
  list.prepend(entry);
  while (list.children.length > REPLAYED_KEPT) list.lastElementChild.remove();
  byId("replayed").hidden = false;
  counters.refresh();
}

window.addEventListener("online", () => setReachable(true));
window.addEventListener("offline", () => renderNetworkStatus());

// ---- Camera and sound ----------------------------------------------------------------

function renderCameraState(state, detail) {
  const button = byId("camera-toggle");
  const on = state === "on" || state === "starting";
  button.textContent = on ? text.cameraStop : text.cameraStart;
  byId("camera").dataset.state = state;
  const messages = {
    off: text.cameraOff,
    starting: text.cameraStarting,
    on: text.cameraOn,
    error: fill(text.cameraError, { error: text.cameraErrors[detail] || text.cameraErrors.failed }),
  };
  byId("camera-status").textContent = messages[state];
  // The "ready" screen says which of camera and scanner are listening.
  panel.setReadyHint(state === "on" ? text.readyHint : text.readyHintNoCamera);
}

byId("camera-toggle").addEventListener("click", () => (camera.isRunning() ? camera.stop() : camera.start()));

function renderSound() {
  byId("sound-toggle").setAttribute("aria-pressed", String(beeper.isEnabled()));
}

byId("sound-toggle").addEventListener("click", () => {
  beeper.setEnabled(!beeper.isEnabled());
  renderSound();
  beeper.play("green");
});

// ---- The scan field and the scanner ---------------------------------------------------

byId("scan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = scanInput.value;
  scanInput.value = "";
  handleScan(value);
});

scanInput.addEventListener("keydown", (event) => {
  if (event.key === "Escape") panel.showReady();
});

byId("search-input").addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.target.value = "";
    event.target.dispatchEvent(new Event("input"));
    scanInput.focus();
  }
});

// The scan field has its own form; the pairing code may be pasted fast, but is no badge.
listenForScannerBursts(handleScan, (target) => deskMain.hidden || target === scanInput);

// ---- Pairing ---------------------------------------------------------------------------

// The admin's pairing link is /desk#pair=<token>: keep the token, drop it from the address
// bar (and so from the history and from anyone looking over a shoulder).
function takePairingTokenFromAddress() {
  const token = new URLSearchParams(location.hash.slice(1)).get("pair");
  if (!token) return false;
  deskToken.set(token.trim());
  localStorage.removeItem(DESK_NAME_KEY);
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}

// The pairing link opened in a tab already showing the desk changes only the hash.
window.addEventListener("hashchange", () => takePairingTokenFromAddress() && showDesk());

// Background calls (counters, replays) keep running; once the pairing screen is up their
// refusals would only overwrite what it says.
function deviceRefused() {
  if (pairingSection.hidden) showPairing(text.pairingRevoked);
}

function showPairing(message, { keepToken = false } = {}) {
  if (message && !keepToken) deskToken.clear();
  if (camera.isRunning()) camera.stop({ remember: false });
  const error = byId("pairing-error");
  error.textContent = message || "";
  error.hidden = !message;
  deskMain.hidden = true;
  pairingSection.hidden = false;
  const pairingInput = byId("pairing-token");
  // A scan half typed when this screen comes up goes on in the pairing field: carry over
  // what the scanner typed so far, so the whole badge arrives there and is kept as a scan.
  if (scanInput.value && !pairingInput.value) {
    pairingInput.value = scanInput.value;
    scanInput.value = "";
  }
  pairingInput.focus();
}

async function loadDeskName() {
  try {
    const me = await api.me();
    if (me.event.slug !== location.pathname.split("/")[1]) {
      showPairing(text.otherEventDevice); // paired for another event's desk: not this one
      return false;
    }
    localStorage.setItem(DESK_NAME_KEY, me.desk);
    setReachable(true);
    byId("desk-name").textContent = me.desk;
    return true;
  } catch (error) {
    if (error instanceof Unauthorized) {
      showPairing(text.pairingRevoked);
      return false;
    }
    setReachable(false); // offline: work with the name remembered from last time
    return true;
  }
}

let deskStarted = false;

async function showDesk() {
  byId("desk-name").textContent = localStorage.getItem(DESK_NAME_KEY) || "…";
  if (!(await loadDeskName())) return;
  pairingSection.hidden = true;
  deskMain.hidden = false;
  root.dataset.ready = "true";
  renderNetworkStatus();
  focusScanner();
  if (!deskStarted) {
    deskStarted = true;
    counters.start();
    replayer.start();
    camera.startIfAllowed();
  } else {
    counters.refresh();
    replayer.replay();
  }
}

byId("pairing-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId("pairing-token");
  const token = input.value.trim().replace(/^.*#pair=/, ""); // the whole link pasted works too
  if (!token) return;
  input.value = "";
  // A badge scanned while the device waits for pairing is a scan, not a pairing code:
  // keep it for when the desk is paired again.
  if (BADGE_SHAPE.test(normaliseCode(token))) {
    enqueue({ type: "scan", code: normaliseCode(token), point: currentPoint(), request_id: newRequestId(), scanned_at: new Date().toISOString() });
    showPairing(text.badgeWhilePairing, { keepToken: true });
    return;
  }
  deskToken.set(token);
  localStorage.removeItem(DESK_NAME_KEY);
  showDesk();
});

byId("unpair").addEventListener("click", () => {
  if (!window.confirm(text.confirmUnpair)) return;
  deskToken.clear();
  localStorage.removeItem(DESK_NAME_KEY);
  showPairing("");
});

// ---- Start -----------------------------------------------------------------------------

takePairingTokenFromAddress();
renderSound();
renderCameraState("off");
panel.showReady();
const firstScreen = deskToken.get() ? showDesk() : showPairing("");
// The offline copy once the first screen is up: its worker's install fetches every file
// the desk uses (the QR decoder's 1 MB too), which would otherwise compete with the page's
// own first requests and its first paint.
Promise.resolve(firstScreen).finally(() => whenIdle(() => enableOfflineReload(root)));

function whenIdle(task) {
  if ("requestIdleCallback" in window) requestIdleCallback(task, { timeout: 2000 });
  else setTimeout(task, 200);
}
