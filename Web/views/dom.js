// A small element builder: text goes in with textContent only, never as HTML.

/**
 * Makes an element: `el("p", {class: "note", text: "Hi"})`, `el("ul", {}, [el("li", {text: "a"})])`.
 * Options: `class`, `text`, `attrs` (set with setAttribute), `on` ({event: handler}), `hidden`.
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  if (options.attrs) for (const [name, value] of Object.entries(options.attrs)) if (value !== undefined && value !== null) node.setAttribute(name, value);
  if (options.on) for (const [name, handler] of Object.entries(options.on)) node.addEventListener(name, handler);
  if (options.hidden) node.hidden = true;
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Sets text only when it changed (keeps screen readers and layout calm). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Shows or hides a node. */
export function show(node, visible) {
  if (node.hidden === visible) node.hidden = !visible;
}

/** A span only screen readers read. */
export function srOnly(text) {
  return el("span", { class: "visually-hidden", text });
}
