// Forgotten badge: search by name, e-mail or organisation as the staff types, then check
// in (or undo a check-in) from the result. Someone who cancelled is reinstated and checked
// in, with a reason (./reinstate.js).

import { el, fill, NetworkError } from "../../shared/common.js";

const TYPING_PAUSE_MS = 200;
const MIN_QUERY_LENGTH = 2;

export function createSearch({ form, input, list, status, api, text, onCheckIn, onUndo, onScan, looksLikeBadge, reinstater }) {
  let pending = null; // the AbortController of the search in flight
  let timer = null;
  let lastQuery = "";

  async function run(query) {
    lastQuery = query;
    pending?.abort();
    if (query.length < MIN_QUERY_LENGTH) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    pending = new AbortController();
    status.textContent = text.searching;
    try {
      const { results } = await api.search(query, pending.signal);
      render(results);
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = error instanceof NetworkError ? text.searchOffline : text.searchFailed;
    }
  }

  function render(results) {
    status.textContent = results.length ? "" : text.noResults;
    list.replaceChildren(...results.map(resultItem));
  }

  function resultItem(person) {
    const checkedIn = person.check_in;
    const state = checkedIn
      ? el("p", { className: "search-checked-in", text: fill(text.checkedInAt, { time: checkedIn.at_local, desk: checkedIn.desk }) })
      : null;
    const button = checkedIn
      ? el("button", { className: "button danger", text: text.undo, attrs: { type: "button", "data-undo": checkedIn.id } })
      : person.status === "cancelled"
        ? el("button", { className: "button primary", text: text.reinstate, attrs: { type: "button", "data-reinstate": person.id } })
        : el("button", { className: "button primary", text: text.checkIn, attrs: { type: "button", "data-check-in": person.id } });
    return el("li", { className: `search-result search-result-${person.status}`, attrs: { "data-attendee-id": person.id } }, [
      el("div", { className: "search-person" }, [
        el("p", { className: "search-name", text: person.name }),
        el("p", { className: "muted", text: [person.organisation, person.email].filter(Boolean).join(" · ") }),
        person.status === "confirmed"
          ? null
          : el("p", { className: `status-tag status-${person.status}`, text: text.statuses[person.status] || person.status }),
        state,
      ]),
      button,
    ]);
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const item = button.closest("li");
    const name = item.querySelector(".search-name").textContent;
    if (button.dataset.checkIn) onCheckIn(Number(button.dataset.checkIn), name);
    if (button.dataset.undo) onUndo(Number(button.dataset.undo), { id: Number(item.dataset.attendeeId), name });
    if (button.dataset.reinstate) askWhy(button, { attendeeId: Number(button.dataset.reinstate), name });
  });

  // The button gives way to the form asking why; "Back" brings it back.
  function askWhy(button, person) {
    const { form: why, focus } = reinstater.reasonForm(person, () => {
      why.replaceWith(button);
      button.focus();
    });
    button.replaceWith(why);
    focus();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value.trim()), TYPING_PAUSE_MS);
  });

  // A scanner may fire into the search box too: a badge code there is a scan.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const value = input.value.trim();
    if (looksLikeBadge(value)) {
      input.value = "";
      run("");
      onScan(value);
    } else {
      run(value);
    }
  });

  return { refresh: () => lastQuery && run(lastQuery) };
}
