// The scan field keeps the focus, so that a scanner's keystrokes always land somewhere
// useful: it takes the focus back after anything else, except while someone is typing in
// another field (the search box).

export function isTextEntry(node) {
  if (!node || node === document.body) return false;
  if (node.isContentEditable || node.tagName === "TEXTAREA" || node.tagName === "SELECT") return true;
  const notTyping = ["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image"];
  return node.tagName === "INPUT" && !notTyping.includes(node.type);
}

// Returns focusField(), for the page to call after its own actions.
export function keepFocusOn(field, { isActive }) {
  function focusField() {
    const current = document.activeElement;
    if (!isActive() || current === field || isTextEntry(current)) return;
    field.focus({ preventScroll: true });
  }

  function focusFieldIfNothingFocused() {
    if (!document.activeElement || document.activeElement === document.body) focusField();
  }

  // A mouse or touch click (event.detail > 0) gives the focus back; keyboard users keep
  // theirs, and the burst listener still catches a scanner while a button has the focus.
  document.addEventListener("click", (event) => event.detail > 0 && setTimeout(focusField, 0));
  // A clicked button that disappears (a search result redrawn) leaves the focus nowhere.
  document.addEventListener("focusout", () => setTimeout(focusFieldIfNothingFocused, 0));
  window.addEventListener("focus", focusField); // back from the badge PDF's tab
  setInterval(focusFieldIfNothingFocused, 1000);
  return focusField;
}
