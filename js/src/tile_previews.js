// Small copies for grid tiles: a 16-tile grid of 1080p results must not make
// the browser download and decode 16 full-resolution streams. Each tile asks
// the kernel for a copy about as wide as it is drawn ({"type": "need_preview",
// "key", "width"}; wan_notebook/widgets/seed_grid.py answers "preview_pending",
// then "preview" with the copy's URLs, or "no_preview"), and plays that; the
// enlarged tile plays the original. Until an answer comes the tile waits
// rather than load the original; with no kernel to answer (a reopened
// notebook) it gives up after a moment and plays the original.
//
// Copies are silent: the grid is heard through one sound element
// (grid_sound.js), and a tile with a sound track of its own falls out of step.

import { ANSWER_TIMEOUT_MS, KernelAsks, MAKE_TIMEOUT_MS } from "./kernel_asks.js";

/** Widths copies are made at (px); a tile wider than the last plays the original. */
export const PREVIEW_WIDTHS = Object.freeze([320, 480, 640, 960]);
export { ANSWER_TIMEOUT_MS, MAKE_TIMEOUT_MS };

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

/** @extends {KernelAsks<Preview>} */
export class TilePreviews extends KernelAsks {
  /**
   * @param {(msg: {type: "need_preview", key: string, width: number}) => void} send
   * @param {() => void} onChange  an answer (or a timeout) changed what a tile should play
   * @param {import("./kernel_asks.js").Timers} [timers]
   */
  constructor(send, onChange, timers = {}) {
    super("preview", onChange, timers);
    this.send = send;
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
    if (!this.asked.has(tile.key)) {
      this.waitFor(tile.key, ANSWER_TIMEOUT_MS, { width: wanted, of: tile.src });
      this.send({ type: "need_preview", key: tile.key, width: wanted });
    }
    return known ? withCopy(tile, known) : null; // a smaller copy meanwhile
  }

  /**
   * @param {any} msg
   * @param {{width: number, of: string}} asked
   * @returns {Preview}
   */
  fromAnswer(msg, asked) {
    return { width: Number(msg.width) || 0, src: String(msg.src ?? ""), fallback_src: String(msg.fallback_src ?? ""), of: asked.of };
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
