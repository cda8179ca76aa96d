// When a grid tile may change what it plays.
//
// A new source reloads the element: it stops, shows nothing and reads time 0
// until its data comes, so a tile switched while the group plays falls out of
// step (0.2-0.7 s in Notebook 7 under load, when a tile that first measured
// wide started on its original and its copy came after Play). So while the
// group plays, a tile keeps what it plays, and a better source waits for the
// next start (the loop seam, a seek, Play), where every tile stops and aligns
// anyway. Only the tile just enlarged switches at once; the group restarts
// with it. A first start waits for copies on their way (SyncGroup holds).

/** @import { Tile } from "./types.js" */

/**
 * The key of what a tile plays: equal keys, same element source.
 * @param {Tile} tile
 * @returns {string}
 */
export function sourceKey(tile) {
  return [tile.src, tile.fallback_src, tile.remote_src, tile.remote_expires, tile.mime].join("\n");
}

/**
 * @typedef {object} TileNow
 * @property {Tile | null} wanted  what the tile should play; null: a copy is on its way
 * @property {string} playing      sourceKey of what its element plays ("" : no element)
 * @property {"paused" | "starting" | "playing"} phase  the group's
 * @property {boolean} firstStart  the group has not played yet
 * @property {boolean} enlarged    the tile is the enlarged one
 */

/**
 * - "play": give the element `wanted` (a no-op when it already plays it);
 * - "restart": the same, then restart the group where it is (the enlarged tile);
 * - "keep": leave the element as it is until the next start;
 * - "hold": the group's start waits for this tile's copy.
 * @param {TileNow} now
 * @returns {"play" | "restart" | "keep" | "hold"}
 */
export function tileSwitch({ wanted, playing, phase, firstStart, enlarged }) {
  if (!wanted) return !playing || (phase === "starting" && firstStart) ? "hold" : "keep";
  if (!playing || sourceKey(wanted) === playing || phase !== "playing") return "play";
  return enlarged ? "restart" : "keep";
}
