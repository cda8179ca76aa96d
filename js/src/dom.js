// Tiny DOM helpers, and the few model helpers every view uses. Text always
// goes in through textContent: prompts and error messages are untrusted and
// must never be parsed as HTML.

import { truncate } from "./format.js";

/** @import { AnyModel } from "./types.js" */

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
 * Show `text` cut to `max` characters with the whole of it as the tooltip;
 * hide `el` when there is no text.
 * @param {HTMLElement} el
 * @param {string} text
 * @param {number} max
 */
export function setClippedText(el, text, max) {
  setText(el, truncate(text, max));
  el.title = text;
  show(el, Boolean(text));
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

/**
 * Undoes one subscription. Views collect these and run them all on cleanup
 * (see disposeAll) instead of pairing add/removeEventListener by hand.
 * @typedef {() => void} Disposer
 */

/**
 * addEventListener that returns its own removal.
 * @template {keyof HTMLElementEventMap} K
 * @param {EventTarget} target
 * @param {K} type
 * @param {(event: HTMLElementEventMap[K]) => void} handler
 * @param {boolean | AddEventListenerOptions} [options]
 * @returns {Disposer}
 */
export function on(target, type, handler, options) {
  // The event map ties `type` to the handler's event type; EventTarget's own
  // signature only knows Event.
  const listener = /** @type {EventListener} */ (handler);
  target.addEventListener(type, listener, options);
  return () => target.removeEventListener(type, listener, options);
}

/**
 * Run every disposer once, in order, and empty the list.
 * @param {Disposer[]} disposers
 */
export function disposeAll(disposers) {
  for (const dispose of disposers.splice(0)) dispose();
}

/**
 * Call video.play() and swallow the promise rejection browsers use for
 * blocked autoplay; report it instead.
 * @param {HTMLMediaElement} video
 * @param {(error: unknown) => void} [onBlocked]
 * @returns {Promise<boolean>} whether playback started
 */
export function safePlay(video, onBlocked) {
  try {
    const result = video.play();
    if (!result || typeof result.then !== "function") return Promise.resolve(true);
    return result.then(
      () => true,
      (error) => {
        // AbortError: a newer load()/pause() interrupted this play(); harmless.
        if (error?.name !== "AbortError") onBlocked?.(error);
        return false;
      },
    );
  } catch (error) {
    onBlocked?.(error);
    return Promise.resolve(false);
  }
}

/**
 * Set a trait and send it to the kernel.
 * @template {object} [T=Record<string, any>]  the model's traits (any for an untyped model)
 * @template {keyof T & string} [K=keyof T & string]
 * @param {AnyModel<T>} model
 * @param {K} key
 * @param {T[K]} value
 */
export function saveTrait(model, key, value) {
  model.set(key, value);
  model.save_changes();
}

/**
 * Subscribe to model events and return one function that unsubscribes all.
 * @param {Pick<AnyModel, "on" | "off">} model
 * @param {Record<string, (...args: any[]) => void>} handlers  event name -> callback
 * @returns {Disposer}
 */
export function listen(model, handlers) {
  for (const [name, cb] of Object.entries(handlers)) model.on(name, cb);
  return () => {
    for (const [name, cb] of Object.entries(handlers)) model.off(name, cb);
  };
}
