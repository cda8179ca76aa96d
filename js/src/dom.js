// Tiny DOM helpers. Text always goes in through textContent: prompts and
// error messages are untrusted and must never be parsed as HTML.

/**
 * @typedef {object} ElementSpec
 * @property {string} [className]
 * @property {string} [text]                           set as textContent
 * @property {Record<string, string | number | boolean | null | undefined>} [attrs]
 *   attributes; false/null/undefined leave the attribute out, true sets ""
 */

/**
 * Create an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElementSpec} [spec]
 * @param {(Node | null | undefined | false)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, spec = {}, children = []) {
  const el = document.createElement(tag);
  if (spec.className) el.className = spec.className;
  if (spec.text !== undefined) el.textContent = spec.text;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/**
 * Set textContent only when it changed (avoids needless layout work when a
 * ticking value is rewritten every 100 ms).
 * @param {Element} el
 * @param {string} text
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Show or hide with the `hidden` attribute.
 * @param {HTMLElement} el
 * @param {boolean} visible
 */
export function show(el, visible) {
  el.hidden = !visible;
}

/**
 * A <select> of numeric choices, e.g. playback speeds.
 * @param {readonly number[]} values
 * @param {(v: number) => string} label
 * @param {ElementSpec} [spec]
 * @returns {HTMLSelectElement}
 */
export function numberSelect(values, label, spec = {}) {
  const select = h("select", spec);
  for (const v of values) select.append(h("option", { text: label(v), attrs: { value: String(v) } }));
  return select;
}

/**
 * Select the option closest to `value` (adds one if `value` is not offered,
 * e.g. a rate of 0.75 set from Python).
 * @param {HTMLSelectElement} select
 * @param {number} value
 * @param {(v: number) => string} label
 */
export function selectNumber(select, value, label) {
  const key = String(value);
  if (![...select.options].some((o) => o.value === key)) {
    const option = h("option", { text: label(value), attrs: { value: key } });
    const after = [...select.options].find((o) => Number(o.value) > value);
    select.insertBefore(option, after ?? null);
  }
  select.value = key;
}

/** Playback speeds offered by the players and the grid. */
export const SPEEDS = Object.freeze([0.25, 0.5, 1, 1.5, 2]);

/**
 * @param {number} v
 * @returns {string}
 */
export const speedLabel = (v) => `${v}×`;

/**
 * Subscribe to model events and return one function that unsubscribes all.
 * @param {import("./types.js").AnyModel} model
 * @param {Record<string, (...args: any[]) => void>} handlers  event name -> callback
 * @returns {() => void}
 */
export function listen(model, handlers) {
  for (const [name, cb] of Object.entries(handlers)) model.on(name, cb);
  return () => {
    for (const [name, cb] of Object.entries(handlers)) model.off(name, cb);
  };
}
