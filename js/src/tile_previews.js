// Small copies for grid tiles: a 16-tile grid of 1080p results must not make
// the browser download and decode 16 full-resolution streams. Each tile asks
// the kernel for a copy about as wide as it is drawn ({"type": "need_preview",
// "key", "width"}; wan_notebook/widgets/seed_grid.py answers "preview_pending",
// then "preview" with the copy's URLs, or "no_preview"), and plays that; the
// enlarged tile plays the original. Until an answer comes the tile waits
// rather than load the original; with no kernel to answer (a reopened
// notebook) it gives up after a moment and plays the original.

/** Widths copies are made at (px); a tile wider than the last plays the original. */
export const PREVIEW_WIDTHS = Object.freeze([320, 480, 640, 960]);
/** No word from the kernel after this long: there is none (ms). */
export const ANSWER_TIMEOUT_MS = 3000;
/** The kernel is making the copy: wait this long for it at most (ms). */
export const MAKE_TIMEOUT_MS = 120000;

/** @import { Tile } from "./types.js" */

/**
 * The copy width a tile drawn `cssWidth` px wide needs at `dpr`; 0 = the
 * original (wider than any copy), NaN = not known yet (not laid out).
 * @param {number} cssWidth
 * @param {number} dpr
 * @returns {number}
 */
export function previewWidth(cssWidth, dpr) {
  if (!(cssWidth > 0)) return Number.NaN;
  const needed = cssWidth * (dpr > 0 ? dpr : 1);
  return PREVIEW_WIDTHS.find((w) => w >= needed) ?? 0;
}

/**
 * @typedef {object} Preview
 * @property {number} width
 * @property {string} src
 * @property {string} fallback_src
 * @property {string} of   the original's src when the copy was asked for
 */

/**
 * @typedef {object} Where
 * @property {boolean} enabled   the grid's `previews` trait
 * @property {boolean} enlarged  this tile is the enlarged one
 * @property {number} cssWidth   the tile's media width in CSS px (0: unknown)
 * @property {number} dpr        devicePixelRatio
 */

export class TilePreviews {
  /**
   * @param {(msg: {type: "need_preview", key: string, width: number}) => void} send
   * @param {() => void} onChange  an answer (or a timeout) changed what a tile should play
   * @param {{setTimer?: (cb: () => void, ms: number) => any, clearTimer?: (id: any) => void}} [timers]
   */
  constructor(send, onChange, timers = {}) {
    this.send = send;
    this.onChange = onChange;
    this.setTimer = timers.setTimer ?? ((cb, ms) => setTimeout(cb, ms));
    this.clearTimer = timers.clearTimer ?? ((id) => clearTimeout(id));
    /** @type {Map<string, Preview>} */
    this.known = new Map();
    /** @type {Map<string, {width: number, timer: any, of: string}>} waiting for the kernel */
    this.asked = new Map();
    /** @type {Set<string>} tiles that play their original (no copy to be had) */
    this.failed = new Set();
  }

  /**
   * What `tile` should play: the tile itself (its original), the tile with a
   * copy's URLs, or null: wait, a copy is on its way.
   * @param {Tile} tile
   * @param {Where} where
   * @returns {Tile | null}
   */
  sourcesFor(tile, where) {
    if (!where.enabled || where.enlarged || this.failed.has(tile.key)) return tile;
    const width = previewWidth(where.cssWidth, where.dpr);
    if (width === 0) return tile;
    let known = this.known.get(tile.key);
    if (known && known.of !== tile.src) {
      this.forget(tile.key); // a new result in this tile
      known = undefined;
    }
    const wanted = Number.isNaN(width) ? (known?.width ?? PREVIEW_WIDTHS[1]) : width;
    if (known && known.width >= wanted) return withCopy(tile, known);
    if (!this.asked.has(tile.key)) this.ask(tile.key, wanted, tile.src);
    return known ? withCopy(tile, known) : null; // a smaller copy meanwhile
  }

  /**
   * @private
   * @param {string} key
   * @param {number} width
   * @param {string} of  the original's src
   */
  ask(key, width, of) {
    const timer = this.setTimer(() => this.giveUp(key), ANSWER_TIMEOUT_MS);
    this.asked.set(key, { width, timer, of });
    this.send({ type: "need_preview", key, width });
  }

  /**
   * @private
   * @param {string} key
   */
  giveUp(key) {
    this.asked.delete(key);
    if (!this.known.has(key)) this.failed.add(key);
    this.onChange();
  }

  /**
   * Take the kernel's answers; returns whether the message was one.
   * @param {any} msg
   * @returns {boolean}
   */
  handle(msg) {
    const key = typeof msg?.key === "string" ? msg.key : "";
    const waiting = this.asked.get(key);
    switch (msg?.type) {
      case "preview_pending":
        if (waiting) {
          this.clearTimer(waiting.timer);
          waiting.timer = this.setTimer(() => this.giveUp(key), MAKE_TIMEOUT_MS);
        }
        return true;
      case "preview":
        if (waiting) this.clearTimer(waiting.timer);
        this.asked.delete(key);
        if (!waiting) return true; // not (or no longer) asked for
        this.known.set(key, {
          width: Number(msg.width) || 0,
          src: String(msg.src ?? ""),
          fallback_src: String(msg.fallback_src ?? ""),
          of: waiting.of,
        });
        this.onChange();
        return true;
      case "no_preview":
        if (waiting) this.clearTimer(waiting.timer);
        this.asked.delete(key);
        if (!this.known.has(key)) this.failed.add(key);
        this.onChange();
        return true;
      default:
        return false;
    }
  }

  /** Forget a tile (it went away, or its file changed). @param {string} key */
  forget(key) {
    const waiting = this.asked.get(key);
    if (waiting) this.clearTimer(waiting.timer);
    this.asked.delete(key);
    this.known.delete(key);
    this.failed.delete(key);
  }

  dispose() {
    for (const key of [...this.asked.keys()]) this.forget(key);
  }
}

/**
 * @param {Tile} tile
 * @param {Preview} copy
 * @returns {Tile}
 */
function withCopy(tile, copy) {
  return { ...tile, src: copy.src, fallback_src: copy.fallback_src, remote_src: "", remote_expires: 0 };
}
