// A table's notes, never lost: every keystroke is kept in localStorage at once, and sent
// to the server about 800 ms after typing stops, with the version it was based on and an
// id made here (the server answers a repeated id with its recorded answer, so sending
// twice saves once). Unsent notes are sent again on load, when the network comes back,
// and every 5 s.

import { HttpError, SignedOut, fill as fillKeepingPlaceholders, getJson, localTime, newId, postJson, readStorage, writeStorage } from "../shared/common.js";

// An empty value leaves no "{placeholder}" on the page.
const fill = (template, values) => fillKeepingPlaceholders(template, values, "");

const SAVE_DELAY_MS = 800;
const RETRY_EVERY_MS = 5000;
const REFRESH_EVERY_MS = 10000;

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
    let label = savedAt ? fill(text.savedAt, { time: localTime(savedAt) }) : text.saved; // in the page's language
    if (state.conflict) [name, label] = ["conflict", text.conflict];
    else if (problem?.kind === "signedOut") [name, label] = ["error", text.signedOut];
    else if (problem?.kind === "failed") [name, label] = ["error", fill(text.failed, { status: problem.status })];
    else if (pending() && (problem?.kind === "offline" || !navigator.onLine)) [name, label] = ["offline", text.offline];
    else if (inflight || pending()) [name, label] = ["saving", text.saving];
    statusLine.dataset.state = name;
    statusLine.textContent = label;
  }

  // "Marta Rossi saved a newer version at 11:42": who, by name, and when, in the page's language.
  const conflictHeading = document.getElementById("conflict-title").textContent;
  function conflictTitle(conflict) {
    if (!conflict.at) return conflictHeading;
    const time = localTime(new Date(conflict.at));
    return conflict.authorName ? fill(text.conflictBy, { author: conflict.authorName, time }) : fill(text.conflictBySomeone, { time });
  }

  function renderConflict() {
    const conflict = state.conflict;
    document.getElementById("conflict").hidden = !conflict;
    if (conflict) document.getElementById("conflict-title").textContent = conflictTitle(conflict);
    for (const box of form.querySelectorAll("[data-theirs]")) {
      const kind = box.dataset.theirs;
      if (!conflict) {
        box.hidden = true;
        continue;
      }
      const show = (content) => (kind === "tags" ? content.tags.join(", ") : content[kind]);
      const theirs = show(conflict.content);
      box.hidden = theirs === show(state.draft);
      box.querySelector(".theirs-label").textContent = fill(text.theirs, { author: conflict.authorName || text.someoneElse });
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
        state.conflict = {
          revision_id: body.revision_id,
          version: body.version,
          content: canonical(body.content),
          authorName: body.updated_by_name,
          at: body.updated_at,
        };
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

const root = document.getElementById("notes");
if (root) initNotes(root);
