// Tiny helpers to build elements. Text always goes in as textContent, never as HTML:
// names and notes come from the public registration form.

export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

// fill("Checked in at {time}", {time: "10:05"}) -> "Checked in at 10:05"
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

export function localTime(date = new Date(), { seconds = false } = {}) {
  const options = { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) };
  return date.toLocaleTimeString(document.documentElement.lang || undefined, options);
}
