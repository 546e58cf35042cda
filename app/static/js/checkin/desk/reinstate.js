// Someone who cancelled and came anyway: the desk takes their registration back and checks
// them in, in one step, with a reason for the audit log (from the search, or from the red
// screen of their scanned badge). Only the server knows whether a place is free, so this
// is never queued offline: without the network it is refused, and the desk is told why.

import { el, fill, HttpError, NetworkError, newRequestId, Unauthorized } from "../../shared/common.js";

export function createReinstater({ api, text, isOnline, onAnswer, onNetworkDown, onUnauthorized, onRefused }) {
  // True once the server answered (green, or why not); false when the desk may try again.
  async function send({ attendeeId, name, reason, requestId }) {
    if (!isOnline()) {
      onRefused(text.reinstateFailed, text.reinstateNeedsNetwork, name);
      return false;
    }
    try {
      onAnswer(await api.reinstate({ attendee_id: attendeeId, reason, request_id: requestId, scanned_at: new Date().toISOString() }));
      return true;
    } catch (error) {
      if (error instanceof NetworkError) {
        onNetworkDown();
        onRefused(text.reinstateFailed, text.reinstateNeedsNetwork, name);
      } else if (error instanceof Unauthorized) {
        onUnauthorized();
      } else if (error instanceof HttpError) {
        onRefused(text.reinstateFailed, fill(text.serverError, { status: error.status }), name);
      } else {
        throw error;
      }
      return false;
    }
  }

  // The small form that asks why. One request id per form: a double click, or pressing
  // Enter twice, reinstates once (the server de-duplicates; the button is also disabled).
  function reasonForm({ attendeeId, name }, onBack) {
    const requestId = newRequestId();
    const id = `reinstate-reason-${requestId}`;
    const input = el("input", {
      attrs: { id, type: "text", required: "", maxlength: "200", autocomplete: "off", placeholder: text.reinstateReasonExample },
    });
    const confirm = el("button", { className: "button primary", text: text.reinstateConfirm, attrs: { type: "submit" } });
    const back = el("button", { className: "button secondary", text: text.reinstateBack, attrs: { type: "button" } });
    const form = el("form", { className: "reinstate-form", attrs: { autocomplete: "off", "data-reinstate-form": attendeeId } }, [
      el("label", { text: text.reinstateReason, attrs: { for: id } }),
      input,
      el("div", { className: "reinstate-form-buttons" }, [confirm, back]),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = input.value.trim();
      if (!reason || confirm.disabled) return input.focus();
      confirm.disabled = true;
      send({ attendeeId, name, reason, requestId }).then((answered) => {
        confirm.disabled = answered; // the same request id again: still reinstated once
      });
    });
    back.addEventListener("click", onBack);
    return { form, focus: () => input.focus() };
  }

  return { reasonForm };
}
