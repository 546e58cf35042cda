// Live counters: checked in against expected, in total and per table, polled every few
// seconds so that each desk sees the others' check-ins.

import { el, fill, localTime, NetworkError, Unauthorized } from "../../shared/common.js";

const POLL_EVERY_MS = 3000;

// onReachable(true/false) tells the page whether the server answers: the poll doubles as
// the desk's connection probe.
export function createCounters({ root, api, text, onReachable, onUnauthorized }) {
  const total = root.querySelector("[data-counter-total]");
  const expected = root.querySelector("[data-counter-expected]");
  const bar = root.querySelector("[data-counter-bar]");
  const tables = root.querySelector("[data-counter-tables]");
  const updated = root.querySelector("[data-counter-updated]");
  let inFlight = false;

  function render(counters) {
    total.textContent = counters.checked_in;
    expected.textContent = fill(text.ofExpected, { expected: counters.expected });
    bar.max = Math.max(counters.expected, 1);
    bar.value = Math.min(counters.checked_in, bar.max);
    tables.replaceChildren(
      ...(counters.tables || []).map((table) =>
        el("tr", {}, [
          el("th", { text: table.name, attrs: { scope: "row" } }),
          el("td", { className: "counter-number", text: `${table.checked_in} / ${table.expected}` }),
          el("td", {}, [el("progress", { attrs: { max: Math.max(table.expected, 1), value: Math.min(table.checked_in, table.expected) } })]),
        ]),
      ),
    );
    tables.closest("table").hidden = !(counters.tables || []).length;
    updated.textContent = fill(text.updatedAt, { time: localTime(new Date(), { seconds: true }) });
    root.classList.remove("counters-stale");
  }

  async function refresh() {
    if (inFlight || document.hidden) return;
    inFlight = true;
    try {
      render(await api.counters());
      onReachable(true);
    } catch (error) {
      root.classList.add("counters-stale"); // keep the last figures, greyed
      if (error instanceof NetworkError) onReachable(false);
      else if (error instanceof Unauthorized) onUnauthorized();
    } finally {
      inFlight = false;
    }
  }

  function start() {
    refresh();
    setInterval(refresh, POLL_EVERY_MS);
    document.addEventListener("visibilitychange", refresh);
  }

  return { start, refresh };
}
