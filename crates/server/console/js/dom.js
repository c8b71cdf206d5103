// Building the page: elements from data, never from HTML strings, so nothing a bucket name,
// object key, policy or event contains can become markup.

/** An element: h("a", {href: "#/x", onclick: f}, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children; a placeholder made by `loading` is then loaded. */
export function fill(el, ...children) {
  el.replaceChildren();
  if (el.hasAttribute("aria-busy")) {
    el.removeAttribute("aria-busy");
    el.classList.remove("loading");
  }
  append(el, children);
  return el;
}

/**
 * A placeholder for what is loading: it keeps the room a short list takes, so the page does not
 * jump when the list arrives, and says it is busy (aria-busy) until `fill` replaces it.
 */
export function loading(text = "Loading…") {
  return h("div", { class: "loading", "aria-busy": "true" }, h("span", { class: "muted" }, text));
}

/** Text with a run this long (ARNs, ids, times, keys) may break anywhere; other text at spaces. */
const LONG_RUN = /\S{15,}/;

const cellText = (c) => (c instanceof Node ? c.textContent : Array.isArray(c) ? c.map(cellText).join(" ") : String(c ?? ""));

/**
 * A table: headings and rows of cells; `empty` when there are no rows. Each cell carries its
 * heading (data-label), which a narrow screen shows beside it when rows are drawn as cards; the
 * explicit roles keep it a table for assistive technology however it is drawn.
 */
export function table(headings, rows, empty = "None.") {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("table", { role: "table" },
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, headings.map((t) => h("th", { scope: "col", role: "columnheader" }, t)))),
    h("tbody", { role: "rowgroup" }, rows.map((r) => h("tr", { role: "row" }, r.map((c, i) => h("td", {
      role: "cell", "data-label": headings[i] || null, class: LONG_RUN.test(cellText(c)) ? "long" : null }, c))))));
}

/** A definition list from [term, value] pairs (values may be nodes). */
export function facts(pairs) {
  return h("dl", { class: "facts" },
    pairs.filter((p) => p).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

/** A labelled form control. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control,
    hint ? h("small", { class: "muted" }, hint) : null);
}

/** A <select> from [value, label] pairs. */
export function select(options, value, attrs = {}) {
  return h("select", attrs, options.map(([v, t]) => h("option", { value: v, selected: v === value }, t)));
}

/** The AWS error box: code and message, as the server answered them. */
export function errorBox(e) {
  if (e && e.code) {
    return h("div", { class: "error", role: "alert" },
      h("strong", { class: "code" }, e.code), ": ", e.message || "",
      e.status ? h("span", { class: "muted" }, ` (HTTP ${e.status})`) : null);
  }
  return h("div", { class: "error", role: "alert" }, String(e && e.message ? e.message : e));
}

/** A panel with a heading. */
export function panel(title, ...body) {
  return h("section", { class: "panel" }, h("h2", {}, title), body);
}

/** Human bytes. */
export function bytes(n) {
  n = Number(n);
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return `${n.toFixed(1)} ${units[i]}`;
}

/** Runs an async action from a button: disables it meanwhile, shows its error in `out`. */
export function action(button, out, fn) {
  busy(button, "click", button, out, fn);
  return button;
}

/** Runs an async action when `form` is submitted, as `action` does for a button: `button` (its
 * submit button) is disabled meanwhile, `out` cleared first and then showing the error. */
export function submitted(form, button, out, fn) {
  busy(form, "submit", button, out, fn);
  return form;
}

// What a button's click and a form's submit share: the default action prevented, the button
// disabled while `fn` runs (no second request from a double click), its error in `out`.
function busy(el, event, button, out, fn) {
  el.addEventListener(event, async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    if (out) fill(out);
    try {
      await fn();
    } catch (e) {
      if (out) fill(out, errorBox(e));
      else throw e;
    } finally {
      button.disabled = false;
    }
  });
}
