// The synthesis on the projector: every table's key insights and proposals, side by side,
// refreshed every 5 s, with the type as large as the screen allows.

import { fill as fillKeepingPlaceholders, localTime } from "../shared/common.js";

const POLL_EVERY_MS = 5000;
const SCALE_MIN = 0.6;
const SCALE_MAX = 2.4;

const root = document.getElementById("synthesis");
const grid = document.getElementById("synthesis-grid");
const updated = document.getElementById("synthesis-updated");
const fullscreenButton = document.getElementById("fullscreen-toggle");
const text = JSON.parse(root.dataset.messages);
const fill = (template, values) => fillKeepingPlaceholders(template, values, "");
const clock = (moment) => localTime(moment, { seconds: true }); // in the page's language, not the browser's

let lastSuccess = null;
let lastData = "";

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function renderColumn(table, previous) {
  const column = element("section", `synthesis-column${table.finished ? " is-finished" : ""}`);
  column.dataset.tableId = table.id;
  const heading = element("h2", "synthesis-table", table.name);
  heading.id = `synth-${table.id}`;
  column.setAttribute("aria-labelledby", heading.id);
  column.append(heading, element("p", "synthesis-state", table.finished ? text.finished : text.inProgress));
  for (const kind of ["insights", "proposals"]) {
    column.append(element("h3", "synthesis-kind", text[kind]));
    const list = element("ul", "synthesis-items");
    list.dataset.kind = kind;
    const known = new Set([...(previous?.querySelectorAll(`[data-kind="${kind}"] li`) || [])].map((li) => li.textContent));
    for (const item of table[kind]) {
      const li = element("li", previous && !known.has(item) ? "is-new" : "", item);
      list.append(li);
    }
    if (!table[kind].length) list.append(element("li", "synthesis-empty", text.nothingYet));
    column.append(list);
  }
  return column;
}

function render(tables) {
  const previous = new Map([...grid.children].map((column) => [column.dataset.tableId, column]));
  grid.replaceChildren(...tables.map((table) => renderColumn(table, previous.get(String(table.id)))));
  root.style.setProperty("--synth-columns", Math.min(tables.length, 6) || 1);
  fitType();
}

async function poll() {
  try {
    const response = await fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok || response.redirected) throw new Error(`HTTP ${response.status}`);
    const body = await response.text();
    if (body !== lastData) {
      lastData = body;
      render(JSON.parse(body).tables);
    }
    lastSuccess = new Date();
    updated.textContent = fill(text.updatedAt, { time: clock(lastSuccess) });
    root.dataset.updated = String(lastSuccess.getTime());
  } catch {
    updated.textContent = fill(text.offline, { time: lastSuccess ? clock(lastSuccess) : "–" });
  }
}

// The largest type at which everything fits on the screen (or, in a window, the window).
function overflows() {
  if (document.fullscreenElement === root) {
    return [...grid.children].some((column) => column.scrollHeight > column.clientHeight + 1);
  }
  return document.documentElement.scrollHeight > window.innerHeight;
}

function fitType() {
  let low = SCALE_MIN;
  let high = SCALE_MAX;
  for (let step = 0; step < 8; step += 1) {
    const middle = (low + high) / 2;
    root.style.setProperty("--synth-scale", middle.toFixed(3));
    if (overflows()) high = middle;
    else low = middle;
  }
  root.style.setProperty("--synth-scale", low.toFixed(3));
}

function renderFullscreenButton() {
  fullscreenButton.textContent = document.fullscreenElement ? text.exitFullScreen : text.enterFullScreen;
  fullscreenButton.hidden = !document.fullscreenEnabled;
}

fullscreenButton.addEventListener("click", async () => {
  try {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await root.requestFullscreen();
  } catch (error) {
    console.warn("Full screen refused", error);
  }
});
document.addEventListener("fullscreenchange", () => {
  renderFullscreenButton();
  fitType();
});
window.addEventListener("resize", fitType);

renderFullscreenButton();
fitType();
poll();
setInterval(poll, POLL_EVERY_MS);
