// Playable copies for grid tiles on a host that cannot decode the original
// (VS Code: no AAC, Opus or VP9; see media_caps.js). A tile that plays its
// original (the enlarged one, or any with previews off) asks the kernel for
// the player's H.264 + MP3 copy ({"type": "need_copy", "key", "reason"};
// wan_notebook/widgets/seed_grid.py answers "copy_pending", then "copy" with
// its URLs, or "no_copy") and plays that. Meanwhile a tile whose sound is the
// problem plays its original (picture, no sound); one whose picture is waits.
// With no kernel to answer it gives up after a moment: the original it is.

import { ANSWER_TIMEOUT_MS, KernelAsks } from "./kernel_asks.js";
import { copyReason } from "./media_caps.js";

/** @import { Caps } from "./media_caps.js" */
/** @import { Tile } from "./types.js" */

/**
 * @typedef {object} Copy
 * @property {string} src
 * @property {string} fallback_src
 * @property {string} note
 * @property {string} of   the original's src when the copy was asked for
 */

/** @extends {KernelAsks<Copy>} */
export class TileCompat extends KernelAsks {
  /**
   * @param {(msg: {type: "need_copy", key: string, reason: string}) => void} send
   * @param {() => void} onChange  an answer (or a timeout) changed what a tile should play
   * @param {Caps} caps  what the host decodes
   * @param {import("./kernel_asks.js").Timers} [timers]
   */
  constructor(send, onChange, caps, timers = {}) {
    super("copy", onChange, timers);
    this.send = send;
    this.caps = caps;
  }

  /**
   * Would a file of type `mime` need a copy on this host?
   * @param {string} mime
   * @returns {boolean}
   */
  wants(mime) {
    return copyReason(mime, this.caps) !== "";
  }

  /**
   * What a tile that plays its original should play: the tile itself, the
   * tile with its copy's URLs, or null: wait, a copy is on its way.
   * @param {Tile} tile
   * @returns {Tile | null}
   */
  sourcesFor(tile) {
    const reason = copyReason(tile.mime, this.caps);
    if (!reason || this.failed.has(tile.key)) return tile;
    const known = this.known.get(tile.key);
    if (known && known.of === tile.src) {
      return { ...tile, src: known.src, fallback_src: known.fallback_src, remote_src: "", remote_expires: 0, mime: "video/mp4" };
    }
    if (known) this.forget(tile.key); // a new result in this tile
    if (!this.asked.has(tile.key)) {
      this.waitFor(tile.key, ANSWER_TIMEOUT_MS, { of: tile.src });
      this.send({ type: "need_copy", key: tile.key, reason });
    }
    return reason === "audio" ? tile : null;
  }

  /**
   * Is `sources` this tile's copy (its bytes are the "copy" variant)?
   * @param {Tile} sources
   * @returns {boolean}
   */
  isCopy(sources) {
    const known = this.known.get(sources.key);
    return known !== undefined && known.src === sources.src && known.fallback_src === sources.fallback_src;
  }

  /**
   * The note of the copy tile `key` plays ("" for none).
   * @param {string} key
   * @returns {string}
   */
  noteFor(key) {
    return this.known.get(key)?.note ?? "";
  }

  /**
   * @param {any} msg
   * @param {{of: string}} asked
   * @returns {Copy}
   */
  fromAnswer(msg, asked) {
    const text = (/** @type {unknown} */ v) => String(v ?? "");
    return { src: text(msg.src), fallback_src: text(msg.fallback_src), note: text(msg.note), of: asked.of };
  }
}
