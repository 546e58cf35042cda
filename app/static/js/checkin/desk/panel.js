// The big result panel: it fills the screen with the answer, green, amber, red or blue
// (saved offline), then goes back to "ready" by itself, so the desk never needs a click.

import { el, fill } from "../../shared/common.js";

const CLEAR_AFTER_MS = 4000;
const LONG_NAME = 22; // characters: longer names get a smaller size so that they fit
const SYMBOLS = { green: "✓", amber: "!", red: "✕", blue: "⇡", info: "i" }; // colour is not the only cue

export function createResultPanel(element, text, { onUndo, onDismiss, reinstater }) {
  let timer = null;
  let readyHint = text.readyHint;

  function render({ kind, reason = "", headline, name, subtitle, details = [], message, go = null, actions = [] }) {
    clearTimeout(timer);
    element.dataset.result = kind;
    element.dataset.reason = reason;
    element.className = `result result-${kind} result-active`;
    // Red: the headline says what to do; why (a check that failed) is for the staff, in small print.
    const messageClass = kind === "red" ? "result-message result-fine-print" : "result-message";
    const messageLine = message ? el("p", { className: messageClass, text: message }) : null;
    // Green: who and what they need. Amber and red: why first (when, where, what is wrong).
    const parts = [
      el("p", { className: "result-headline" }, [
        el("span", { className: "result-symbol", text: SYMBOLS[kind], attrs: { "aria-hidden": "true" } }),
        el("span", { text: headline }),
      ]),
      name ? el("p", { className: `result-name${name.length > LONG_NAME ? " result-name-long" : ""}`, text: name }) : null,
      go ? el("p", { className: "result-go", text: go }) : null, // the world café: where to go
      kind === "green" ? null : messageLine,
      subtitle ? el("p", { className: "result-subtitle", text: subtitle }) : null,
      details.length ? el("ul", { className: "result-details" }, details) : null,
      kind === "green" && !go ? messageLine : null,
      actions.length ? el("div", { className: "result-actions" }, actions) : null,
      el("div", { className: "result-timer", attrs: { "aria-hidden": "true" } }),
    ];
    element.replaceChildren(...parts.filter(Boolean));
    timer = setTimeout(showReady, CLEAR_AFTER_MS);
  }

  function showReady() {
    clearTimeout(timer);
    element.dataset.result = "ready";
    element.dataset.reason = "";
    element.className = "result result-ready";
    element.replaceChildren(
      el("p", { className: "result-headline", text: text.ready }),
      el("p", { className: "result-hint", text: readyHint }),
    );
  }

  // What is listening (camera and scanner, or the scanner alone) changes the ready hint.
  function setReadyHint(hint) {
    readyHint = hint;
    if (element.dataset.result === "ready") showReady();
  }

  function showAnswer(answer) {
    const kind = ["green", "amber", "red"].includes(answer.result) ? answer.result : "red";
    const attendee = answer.attendee;
    const actions = [];
    if (attendee?.badge_pdf_url && (kind !== "red" || answer.reason === "revoked")) {
      actions.push(printLink(attendee.badge_pdf_url));
    }
    if (kind === "red" && answer.reason === "cancelled" && attendee?.id) actions.push(reinstateButton(attendee));
    if (kind === "green" && answer.check_in?.id) {
      const undo = el("button", { className: "button danger", text: text.undo, attrs: { type: "button" } });
      undo.addEventListener("click", () => onUndo(answer.check_in.id, attendee, answer.point));
      actions.push(undo);
    }
    render({
      kind,
      reason: answer.reason,
      headline: answer.point ? pointHeadline(kind, answer) : headlineFor(kind, answer.reason),
      go: kind === "green" && answer.seat ? answer.message : null,
      name: attendee?.name,
      subtitle: attendee && [attendee.organisation, attendee.participant_type_label].filter(Boolean).join(" · "),
      details: kind === "red" ? [] : attendeeDetails(attendee),
      message: answer.message || checkedInText(answer.check_in),
      actions,
    });
  }

  // At lunch, the world café or the exit: the headline names the point.
  function pointHeadline(kind, answer) {
    if (kind === "green") return fill(text.atPoint, { point: answer.point.name });
    if (kind === "amber") return fill(text.alreadyAtPoint, { point: answer.point.name });
    return headlineFor(kind, answer.reason);
  }

  function headlineFor(kind, reason) {
    if (kind === "green") return text.green;
    if (kind === "amber") return text.amber;
    return text.reasons[reason] || text.red;
  }

  function checkedInText(checkIn) {
    return checkIn ? fill(text.checkedInAt, { time: checkIn.at_local, desk: checkIn.desk }) : "";
  }

  function attendeeDetails(attendee) {
    if (!attendee) return [];
    const details = (attendee.tables || []).map((table) => el("li", { className: "result-table", text: tableText(table) }));
    if (attendee.lunch !== undefined && attendee.lunch !== null) {
      details.push(el("li", { text: attendee.lunch ? text.lunchYes : text.lunchNo }));
    }
    if (attendee.dietary_needs) {
      details.push(el("li", { className: "result-attention", text: `${text.dietary}: ${attendee.dietary_needs}` }));
    }
    if (attendee.accessibility_needs) {
      details.push(el("li", { className: "result-attention", text: `${text.accessibility}: ${attendee.accessibility_needs}` }));
    }
    return details;
  }

  function tableText(table) {
    const place = table.small_table ? `${table.name} · ${fill(text.smallTable, { letter: table.small_table })}` : table.name;
    return table.round ? fill(text.round, { round: table.round, name: place }) : fill(text.table, { name: place });
  }

  // A cancelled badge: they came anyway. The screen stays (no timer) while the desk says why.
  function reinstateButton(attendee) {
    const button = el("button", { className: "button", text: text.reinstate, attrs: { type: "button" } });
    button.addEventListener("click", () => {
      clearTimeout(timer);
      const { form, focus } = reinstater.reasonForm({ attendeeId: attendee.id, name: attendee.name }, showReady);
      element.querySelector(".result-actions").replaceChildren(form);
      element.querySelector(".result-timer")?.remove();
      focus();
    });
    return button;
  }

  function printLink(url) {
    return el("a", { className: "button primary", text: text.printBadge, attrs: { href: url, target: "_blank", rel: "noopener" } });
  }

  // Clicking the panel (not one of its buttons) clears it at once.
  element.addEventListener("click", (event) => {
    if (element.dataset.result === "ready" || event.target.closest("a, button, form")) return;
    showReady();
    onDismiss();
  });

  return {
    showAnswer,
    showReady,
    setReadyHint,
    showNotABadge: () => render({ kind: "red", reason: "malformed", headline: text.reasons.malformed, message: text.notABadgeDetail }),
    showSavedOffline: (duplicateAt) =>
      render({
        kind: "blue",
        reason: "queued",
        headline: text.savedOffline,
        message: duplicateAt ? fill(text.alreadyScannedHere, { time: duplicateAt }) : text.savedOfflineDetail,
      }),
    showNotice: (kind, headline, message, name) => render({ kind, headline, message, name }),
    isShowingResult: () => element.dataset.result !== "ready",
  };
}
