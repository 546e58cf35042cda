// The facilitator's pages: notes that are never lost, who is at the table, photo checks.
//
// Notes: every keystroke is kept in localStorage at once, and sent to the server about
// 800 ms after typing stops, with the version it was based on and an id made here (the
// server answers a repeated id with its recorded answer, so sending twice saves once).
// Unsent notes are sent again on load, when the network comes back, and every 5 s.

const SAVE_DELAY_MS = 800;
const RETRY_EVERY_MS = 5000;
const REFRESH_EVERY_MS = 10000;
const ROSTER_EVERY_MS = 20000;

// ---- Talking to the server -------------------------------------------------------------

class SignedOut extends Error {}
class HttpError extends Error {
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

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  return readJson(response);
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" });
  return readJson(response);
}

// crypto.randomUUID() needs a secure context; phones on the venue's network may use http.
function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

function readStorage(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function writeStorage(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch (error) {
    console.warn("Could not keep the notes on this device", error);
  }
}

// ---- Notes ------------------------------------------------------------------------------

function splitTags(value) {
  return value.split(",").map((tag) => tag.trim()).filter(Boolean);
}

// Every line of both versions, theirs first, each line once.
function mergeLines(theirs, mine) {
  const seen = new Set();
  const lines = [];
  for (const line of [...theirs.split("\n"), ...mine.split("\n")]) {
    const key = line.trim();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    lines.push(line);
  }
  return lines.join("\n");
}

function initNotes(root) {
  const text = JSON.parse(root.dataset.messages);
  const server = JSON.parse(root.dataset.state);
  const key = root.dataset.storageKey;
  const form = document.getElementById("notes-form");
  const fields = [...form.querySelectorAll("textarea[data-kind]")];
  const kinds = fields.map((field) => field.dataset.kind);
  const tagsInput = document.getElementById("note-tags");
  const finishedBox = document.getElementById("note-finished");
  const statusLine = document.getElementById("save-status");

  const canonical = (content) => {
    const out = {};
    for (const kind of kinds) out[kind] = content?.[kind] || "";
    out.tags = [...(content?.tags || [])];
    out.finished = Boolean(content?.finished);
    return out;
  };
  const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

  // version: the server version the editor is based on; acked: the text saved at that
  // version; draft: the editor; sent: a save not yet answered (resent with the same id);
  // conflict: the server's version when a save met someone else's; resolves: conflict
  // revisions the next save settles.
  let state = loadState();
  let inflight = false;
  let problem = null;
  let savedAt = null;
  let timer = null;

  function loadState() {
    const stored = readStorage(key);
    const fresh = { version: server.version, acked: canonical(server.content), draft: canonical(server.content), sent: null, conflict: null, resolves: [] };
    if (!stored) return fresh;
    const unsent = stored.sent || stored.conflict || stored.resolves?.length || !same(stored.draft, stored.acked);
    return unsent ? { ...fresh, ...stored } : fresh;
  }

  const pending = () => Boolean(state.sent) || state.resolves.length > 0 || !same(state.draft, state.acked);

  function persist() {
    writeStorage(key, pending() || state.conflict ? state : null);
  }

  function readEditor() {
    const content = {};
    for (const field of fields) content[field.dataset.kind] = field.value;
    content.tags = splitTags(tagsInput.value);
    content.finished = finishedBox ? finishedBox.checked : Boolean(state.draft.finished);
    return canonical(content);
  }

  function writeEditor(content) {
    const focused = document.activeElement;
    const caret = fields.includes(focused) ? [focused.selectionStart, focused.selectionEnd] : null;
    for (const field of fields) field.value = content[field.dataset.kind];
    if (document.activeElement !== tagsInput || splitTags(tagsInput.value).join() !== content.tags.join()) {
      tagsInput.value = content.tags.join(", ");
    }
    if (finishedBox) finishedBox.checked = content.finished;
    if (caret) focused.setSelectionRange(...caret.map((at) => Math.min(at, focused.value.length)));
  }

  function render() {
    let name = "saved";
    let label = savedAt ? fill(text.savedAt, { time: savedAt.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }) : text.saved;
    if (state.conflict) [name, label] = ["conflict", text.conflict];
    else if (problem?.kind === "signedOut") [name, label] = ["error", text.signedOut];
    else if (problem?.kind === "failed") [name, label] = ["error", fill(text.failed, { status: problem.status })];
    else if (pending() && (problem?.kind === "offline" || !navigator.onLine)) [name, label] = ["offline", text.offline];
    else if (inflight || pending()) [name, label] = ["saving", text.saving];
    statusLine.dataset.state = name;
    statusLine.textContent = label;
  }

  function renderConflict() {
    const conflict = state.conflict;
    document.getElementById("conflict").hidden = !conflict;
    for (const box of form.querySelectorAll("[data-theirs]")) {
      const kind = box.dataset.theirs;
      if (!conflict) {
        box.hidden = true;
        continue;
      }
      const show = (content) => (kind === "tags" ? content.tags.join(", ") : content[kind]);
      const theirs = show(conflict.content);
      box.hidden = theirs === show(state.draft);
      box.querySelector(".theirs-label").textContent = fill(text.theirs, { author: conflict.author || text.someoneElse });
      box.querySelector(".theirs-text").textContent = theirs || text.empty;
    }
  }

  async function flush() {
    clearTimeout(timer);
    if (inflight || state.conflict || !pending()) return render();
    if (!state.sent) {
      state.sent = { save_id: newId(), base_version: state.version, content: canonical(state.draft), resolves: [...state.resolves] };
      persist();
    }
    const sent = state.sent;
    inflight = true;
    render();
    try {
      const { status, body } = await postJson(root.dataset.saveUrl, {
        ...sent.content,
        base_version: sent.base_version,
        save_id: sent.save_id,
        resolves: sent.resolves,
      });
      problem = null;
      if (status === 200) {
        state.version = body.version;
        state.acked = sent.content;
        state.resolves = state.resolves.filter((id) => !sent.resolves.includes(id));
        state.sent = null;
        savedAt = new Date();
      } else if (status === 409) {
        state.conflict = { revision_id: body.revision_id, version: body.version, content: canonical(body.content), author: body.updated_by };
        state.sent = null;
      } else {
        problem = { kind: "failed", status };
        if (status === 400) state.sent = null; // refused as sent: the next try sends the editor's text
      }
    } catch (error) {
      if (error instanceof SignedOut) problem = { kind: "signedOut" };
      else if (error instanceof HttpError) problem = { kind: "failed", status: error.status };
      else problem = { kind: "offline" }; // no answer: the save stays queued, with its id
    } finally {
      inflight = false;
      persist();
      renderConflict();
      render();
    }
    if (!problem && !state.conflict && pending()) flush(); // typed while that save was on its way
  }

  function resolve(how) {
    const conflict = state.conflict;
    if (!conflict) return;
    const mine = readEditor();
    const theirs = conflict.content;
    let merged = how === "theirs" ? theirs : mine;
    if (how === "both") {
      merged = canonical({});
      for (const kind of kinds) merged[kind] = mergeLines(theirs[kind], mine[kind]);
      merged.tags = [...new Set([...theirs.tags, ...mine.tags])];
      merged.finished = theirs.finished || mine.finished;
    }
    Object.assign(state, { version: conflict.version, acked: theirs, draft: merged, conflict: null });
    state.resolves = [...new Set([...state.resolves, conflict.revision_id])];
    writeEditor(merged);
    persist();
    renderConflict();
    flush();
  }

  // Someone else's saves show up here while this editor has nothing unsent.
  async function refresh() {
    if (inflight || state.conflict || pending() || document.hidden) return;
    try {
      const { status, body } = await getJson(root.dataset.stateUrl);
      if (status !== 200 || body.version <= state.version || inflight || pending()) return;
      state.version = body.version;
      state.acked = state.draft = canonical(body.content);
      writeEditor(state.draft);
      render();
    } catch {
      // offline: nothing to refresh
    }
  }

  form.addEventListener("input", () => {
    state.draft = readEditor();
    persist();
    if (state.conflict) renderConflict();
    render();
    clearTimeout(timer);
    timer = setTimeout(flush, SAVE_DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.draft = readEditor();
    persist();
    flush();
  });
  document.getElementById("conflict").addEventListener("click", (event) => {
    const button = event.target.closest("[data-merge]");
    if (button) resolve(button.dataset.merge);
  });
  document.getElementById("open-conflicts")?.addEventListener("click", (event) => {
    const button = event.target.closest("[data-resolve]");
    if (!button) return;
    state.resolves = [...new Set([...state.resolves, Number(button.dataset.resolve)])];
    button.closest("details").hidden = true;
    persist();
    flush();
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  setInterval(() => pending() && flush(), RETRY_EVERY_MS);
  setInterval(refresh, REFRESH_EVERY_MS);

  writeEditor(state.draft);
  renderConflict();
  render();
  root.dataset.ready = "true";
  flush();
  registerServiceWorker(root);
}

// A copy of the notes page and its files, so that a reload without network still opens it.
async function registerServiceWorker(root) {
  if (!("serviceWorker" in navigator) || !root.dataset.serviceWorker) return;
  try {
    await navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: root.dataset.serviceWorkerScope });
    const registration = await navigator.serviceWorker.ready;
    await new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = resolve;
      registration.active.postMessage({ type: "keep", path: location.pathname }, [channel.port2]);
      setTimeout(resolve, 5000);
    });
    root.dataset.offlineReady = "true";
  } catch (error) {
    console.warn("The notes cannot be reopened offline:", error);
  }
}

// ---- Attendance -----------------------------------------------------------------------------

const BADGE_SHAPE = /^[A-Z2-7]{24}$/;

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
        if (request.kind === "scan") {
          const message = text[body.result] || fill(text.failed, { status });
          show(body.marked ? (body.result === "present" ? "ok" : "warn") : "bad", fill(message, { name: body.attendee?.name || "" }));
          if (body.marked && request.body.round === round) tick(body.attendee);
        } else if (status !== 200) {
          statusLine.textContent = fill(text.failed, { status });
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
    const code = String(raw).trim().toUpperCase();
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

// The desk's scanner module (camera, and keyboard-wedge scanners typing with nothing focused).
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
      const messages = { off: "", starting: text.cameraStarting, on: text.cameraOn, error: fill(text.cameraError, { error: detail }) };
      status.textContent = messages[state] ?? "";
    },
  });
  button.addEventListener("click", () => (camera.isRunning() ? camera.stop() : camera.start()));
}

// ---- Photos -------------------------------------------------------------------------------------

// Say at once that a photo is too large, instead of after a long upload.
function initPhotoForm(form) {
  const input = form.querySelector("input[type=file]");
  const error = document.createElement("p");
  error.className = "error";
  error.id = "photo-size-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  input.after(error);
  const check = () => {
    const file = input.files[0];
    const tooLarge = Boolean(file && file.size > Number(form.dataset.maxBytes));
    error.hidden = !tooLarge;
    error.textContent = tooLarge ? form.dataset.tooLarge : "";
    input.setAttribute("aria-invalid", String(tooLarge));
    return !tooLarge;
  };
  input.addEventListener("change", check);
  form.addEventListener("submit", (event) => {
    if (!check()) event.preventDefault();
  });
}

// ---- Start --------------------------------------------------------------------------------

const notesRoot = document.getElementById("notes");
if (notesRoot) initNotes(notesRoot);
const attendanceRoot = document.getElementById("attendance");
if (attendanceRoot) initAttendance(attendanceRoot);
const photoForm = document.getElementById("photo-form");
if (photoForm) initPhotoForm(photoForm);
