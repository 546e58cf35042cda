// The arrivals list follows the desks by itself: it asks list.json every few seconds (with the
// form's filters) and redraws the count and the names. Changing a filter asks at once and
// keeps the filters in the address, so a reload or a shared link shows the same list.

import { SignedOut, el, fill, getJson, localTime } from "../shared/common.js";

function initArrivals(root) {
  const text = JSON.parse(root.dataset.messages);
  const form = document.getElementById("arrivals-filters");
  const title = document.getElementById("arrivals-title");
  const count = document.getElementById("arrivals-count");
  const list = document.getElementById("arrivals-list");
  const updated = document.getElementById("arrivals-updated");
  const more = document.getElementById("arrivals-more");
  const parts = document.getElementById("arrivals-parts-list");
  let asked = 0; // the latest request's number: an older answer arriving late is dropped
  let lastAnswerAt = new Date();

  const filters = () => new URLSearchParams(new FormData(form));

  function tablesOf(person) {
    if (person.tables.length < 2) return person.tables[0] || "";
    return person.tables.map((name, index) => fill(text.round, { round: index + 1, name })).join(" · ");
  }

  function row(person) {
    const name = person.url ? el("a", { text: person.name, attrs: { href: person.url } }) : document.createTextNode(person.name);
    const tr = el("tr", {}, [el("td", {}, [name]), el("td", { text: person.organisation || "" }), el("td", { text: tablesOf(person) })]);
    tr.dataset.attendeeId = person.id;
    return tr;
  }

  function emptyRow(answer) {
    const message = !answer.expected ? text.noneExpected : answer.after_the_day ? text.emptyAfter : text.emptyLive;
    return el("tr", { className: "arrivals-empty" }, [el("td", { text: message, attrs: { colspan: "3" } })]);
  }

  // Per part of the day: expected, arrived at its point (or the door), not yet.
  function partRow(part) {
    const name = [document.createTextNode(part.name)];
    if (!part.own_check_in) name.push(el("span", { className: "muted", text: ` (${text.atTheDoor})` }));
    const tr = el("tr", {}, [
      el("th", { attrs: { scope: "row" } }, name),
      el("td", { text: String(part.expected), attrs: { "data-expected": "" } }),
      el("td", { text: String(part.arrived), attrs: { "data-arrived": "" } }),
      el("td", { text: String(part.not_yet), attrs: { "data-not-yet": "" } }),
    ]);
    tr.dataset.part = part.key;
    return tr;
  }

  function show(answer) {
    if (parts) parts.replaceChildren(...answer.parts.map(partRow));
    const after = answer.after_the_day;
    title.textContent = after ? text.titleAfter : text.titleLive;
    const numbers = { count: answer.not_arrived, expected: answer.expected, arrived: answer.arrived };
    count.textContent = fill(after ? text.countAfter : text.countLive, numbers);
    Object.assign(count.dataset, numbers);
    list.replaceChildren(...(answer.people.length ? answer.people.map(row) : [emptyRow(answer)]));
    // The server names the first few hundred; the counts above are everyone's.
    const hidden = answer.not_arrived - answer.people.length;
    more.hidden = hidden <= 0;
    more.textContent = fill(text.more, { shown: answer.people.length, more: hidden });
    lastAnswerAt = new Date();
    updated.textContent = fill(text.updatedAt, { time: localTime(lastAnswerAt, { seconds: true }) });
  }

  async function refresh() {
    const number = ++asked;
    try {
      const { status, body } = await getJson(`${root.dataset.listUrl}?${filters()}`);
      if (number !== asked) return;
      if (status === 200) show(body);
      else updated.textContent = fill(text.stale, { time: localTime(lastAnswerAt, { seconds: true }) });
    } catch (error) {
      if (number !== asked) return;
      updated.textContent = error instanceof SignedOut ? text.signedOut : fill(text.stale, { time: localTime(lastAnswerAt, { seconds: true }) });
    }
  }

  function filtersChanged(event) {
    event?.preventDefault();
    history.replaceState(null, "", `${location.pathname}?${filters()}`);
    refresh();
  }

  form.addEventListener("submit", filtersChanged);
  form.addEventListener("change", filtersChanged);
  document.addEventListener("visibilitychange", () => document.hidden || refresh());
  setInterval(refresh, Number(root.dataset.pollEveryMs) || 4000);
  updated.textContent = fill(text.updatedAt, { time: localTime(lastAnswerAt, { seconds: true }) });
  root.dataset.ready = "true";
}

const root = document.getElementById("arrivals");
if (root) initArrivals(root);
