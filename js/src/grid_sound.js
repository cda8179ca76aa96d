// The grid's one sound. Tiles are silent: muted, and the kernel's tile copies
// carry no sound track at all. The tile you hear is heard through one hidden
// <audio> element playing that tile's original (or the host's playable copy),
// which the SyncGroup steers like a tile but never follows (a "follower").
//
// Why: in Chromium a playing element's clock follows its sound track, and a
// sound output takes 50-100 ms to start (at each Play, seek and loop) and may
// stall under load. A tile with sound fell that far out of step with the
// silent ones at every loop; sound a little late for a moment goes unnoticed.

import { h } from "./dom.js";
import { SourceChain, isJupyterPage, jupyterBaseUrl, sourceOrder } from "./video_source.js";

/** @import { SyncGroup } from "./sync_group.js" */
/** @import { Tile } from "./types.js" */

export class GridSound {
  /**
   * @param {SyncGroup} group
   * @param {HTMLElement} parent  where the (hidden) element lives
   */
  constructor(group, parent) {
    this.group = group;
    this.el = h("audio", { attrs: { "data-role": "grid-sound", "data-key": "", preload: "auto", hidden: true } });
    this.el.muted = true;
    parent.append(this.el);
    this.chain = new SourceChain(this.el);
    /** the key of the tile heard ("" for none) */
    this.key = "";
    this.sourceKey = "";
    group.add(this.el, { follower: true });
    group.setAudible(this.el);
  }

  /**
   * Hear tile `key` from `sources` (its original, or the host's copy); null: nobody.
   * @param {string} key
   * @param {Tile | null} sources
   */
  follow(key, sources) {
    this.key = sources ? key : "";
    this.el.dataset.key = this.key;
    const sourceKey = sources ? [sources.src, sources.fallback_src, sources.remote_src, sources.remote_expires].join("\n") : "";
    if (sourceKey === this.sourceKey) return;
    this.sourceKey = sourceKey;
    if (!sources) {
      this.el.pause();
      this.chain.dispose(); // unloads: a follower with nothing to play is not waited for
      this.chain = new SourceChain(this.el);
      return;
    }
    const where = { nowS: Date.now() / 1000, jupyter: isJupyterPage(), baseUrl: jupyterBaseUrl() };
    this.chain.setCandidates(sourceOrder(sources, where));
  }

  dispose() {
    this.group.remove(this.el);
    this.el.pause();
    this.chain.dispose();
    this.el.remove();
  }
}
