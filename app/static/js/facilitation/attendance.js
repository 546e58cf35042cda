// Who is at the table: ticking names, scanning badges (camera or scanner). Every change
// is queued on the device first and sent in order, so a dropped connection loses nothing.

import { HttpError, SignedOut, fill as fillKeepingPlaceholders, getJson, postJson, readStorage, writeStorage } from "../shared/common.js";

// An empty value leaves no "{placeholder}" on the page.
const fill = (template, values) => fillKeepingPlaceholders(template, values, "");

const RETRY_EVERY_MS = 5000;
const ROSTER_EVERY_MS = 20000;

// A badge's QR token (app/checkin/badges.py), or the code under it, typed: 3 letters and
// 3 digits, spaces and dashes dropped (app/checkin/badge_codes.py).
const BADGE_SHAPE = /^(?:[A-Z2-7]{24}|[A-Z]{3}[0-9]{3})$/;

function normaliseCode(raw) {
  const code = String(raw).trim().toUpperCase();
  const typed = code.replace(/[\s\-\u2010-\u2015\u2212]/g, "");
  return typed.length === 6 ? typed : code;
}

function initAttendance(root) {
  const text = JSON.parse(root.dataset.messages);
  const round = Number(root.dataset.round);
  const queueKey = `noiday.attendance.t${root.dataset.table}`;
  const result = document.getElementById("scan-result");
  const roster = document.getElementById("roster");
  const statusLine = document.getElementById("attendance-status");
  let sending = false;

  function show(kind, message) {
    result.dataset.result = kind;
    result.textContent = message;
  }

  function updateCount() {
    document.getElementById("present-count").textContent = roster.querySelectorAll("input[type=checkbox]:checked").length;
  }

  function tick(attendee) {
    let box = roster.querySelector(`input[data-attendee-id="${attendee.id}"]`);
    if (!box) {
      roster.querySelector(".roster-empty")?.remove();
      const item = document.createElement("li");
      item.className = "roster-entry off-roster";
      box = document.createElement("input");
      Object.assign(box, { type: "checkbox", id: `present-${attendee.id}` });
      box.dataset.attendeeId = attendee.id;
      const label = document.createElement("label");
      label.htmlFor = box.id;
      const name = document.createElement("span");
      name.className = "roster-name";
      name.textContent = attendee.name;
      const meta = document.createElement("span");
      meta.className = "roster-meta";
      meta.textContent = text.notOnRoster;
      label.append(name, meta);
      item.append(box, label);
      roster.append(item);
    }
    box.checked = true;
    updateCount();
  }

  // Requests waiting for the network, in order. Each one sets a state (present or not),
  // so sending one twice does no harm.
  const queued = () => readStorage(queueKey) || [];

  async function send(request) {
    writeStorage(queueKey, [...queued(), request]);
    await drain();
  }

  async function drain() {
    if (sending) return;
    sending = true;
    try {
      let waiting = queued();
      while (waiting.length) {
        const request = waiting[0];
        let answer;
        try {
          answer = await postJson(root.dataset[request.kind === "scan" ? "scanUrl" : "markUrl"], request.body);
        } catch (error) {
          if (!(error instanceof HttpError && error.status < 500)) throw error;
          answer = { status: error.status, body: {} }; // refused for good (403, 404...): dropped
        }
        const { status, body } = answer;
        waiting = queued().slice(1);
        writeStorage(queueKey, waiting.length ? waiting : null);
        const message = body.message || fill(text.failed, { status });
        if (request.kind === "scan") {
          show(body.marked ? (body.result === "present" ? "ok" : "warn") : "bad", message);
          if (body.marked && request.body.round === round) tick(body.attendee);
        } else if (status !== 200) {
          // Refused (not on this table's list...): the box shows what the server holds.
          const box = roster.querySelector(`input[data-attendee-id="${request.body.attendee_id}"]`);
          if (box && request.body.round === round) box.checked = !request.body.present;
          updateCount();
          show("bad", message);
        }
      }
      statusLine.textContent = "";
    } catch (error) {
      statusLine.textContent = error instanceof SignedOut ? text.signedOut : error instanceof HttpError ? fill(text.failed, { status: error.status }) : text.offline;
    } finally {
      sending = false;
    }
  }

  function scan(raw) {
    const code = normaliseCode(raw);
    if (!code) return;
    if (!BADGE_SHAPE.test(code)) return show("bad", text.malformed);
    send({ kind: "scan", body: { code, round } });
  }

  roster.addEventListener("change", (event) => {
    const box = event.target.closest("input[data-attendee-id]");
    if (!box) return;
    updateCount();
    send({ kind: "mark", body: { attendee_id: Number(box.dataset.attendeeId), round, present: box.checked } });
  });

  const input = document.getElementById("scan-code");
  document.getElementById("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value;
    input.value = "";
    scan(value);
  });

  // Ticks made on another device at this table, and people checked in at the desk since.
  async function refreshRoster() {
    if (sending || queued().length || document.hidden) return;
    try {
      const { status, body } = await getJson(root.dataset.rosterUrl);
      if (status !== 200 || sending || queued().length) return;
      for (const person of body.people) {
        const box = roster.querySelector(`input[data-attendee-id="${person.id}"]`);
        if (!box) {
          if (person.present) tick(person);
          continue;
        }
        box.checked = person.present;
        const notYet = box.closest("li").querySelector(".not-checked-in");
        if (person.checked_in && notYet) {
          notYet.className = "checked-in";
          notYet.textContent = `✓ ${text.checkedIn}`;
        }
      }
      updateCount();
    } catch {
      // offline: the list stays as it is
    }
  }

  setupCamera(root, text, scan);
  setInterval(refreshRoster, ROSTER_EVERY_MS);
  window.addEventListener("online", drain);
  setInterval(() => queued().length && drain(), RETRY_EVERY_MS);
  root.dataset.ready = "true";
  drain();
}

// The shared scanner module (camera, and keyboard-wedge scanners typing with nothing focused).
async function setupCamera(root, text, onCode) {
  const button = document.getElementById("camera-toggle");
  const video = document.getElementById("camera-video");
  const status = document.getElementById("camera-status");
  let scanner;
  try {
    scanner = await import(root.dataset.scannerModule);
  } catch {
    button.disabled = true;
    status.textContent = text.cameraUnavailable;
    return;
  }
  const isTextEntry = (node) => node && ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName) && node.type !== "checkbox";
  scanner.listenForScannerBursts(onCode, isTextEntry);
  const camera = scanner.createCamera({
    video,
    vendorBase: new URL(root.dataset.vendorBase, location.href),
    onCode,
    onState(state, detail) {
      const on = state === "on" || state === "starting";
      video.hidden = !on;
      button.textContent = on ? text.cameraStop : text.cameraStart;
      button.setAttribute("aria-pressed", String(on));
      const messages = { off: "", starting: text.cameraStarting, on: text.cameraOn, error: fill(text.cameraError, { error: text.cameraErrors[detail] || text.cameraErrors.failed }) };
      status.textContent = messages[state] ?? "";
    },
  });
  button.addEventListener("click", () => (camera.isRunning() ? camera.stop() : camera.start()));
}

const root = document.getElementById("attendance");
if (root) initAttendance(root);
