// One tile of the seed grid: its DOM (the video, or a placeholder with status
// and progress; seed, cost, Pick, prompt), the status shown on it, and its
// <video>, which joins the grid's SyncGroup when the job is done and leaves it
// when the tile goes away or its job is no longer done.

import { disposeAll, h, on, setText, show } from "./dom.js";
import { LIVE_STATUSES, formatCost, formatProgress, formatSeed, statusLabel, truncate } from "./format.js";
import { SourceChain, isJupyterPage, jupyterBaseUrl, sourceOrder } from "./video_source.js";
import { sourceKey } from "./tile_switch.js";

/** @import { Disposer } from "./dom.js" */
/** @import { SyncGroup } from "./sync_group.js" */
/** @import { Tile } from "./types.js" */


const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * A small line icon. SVG, not an emoji: hosts without an emoji font would
 * draw a box.
 * @param {string[][]} paths  [d, class] pairs
 * @returns {SVGSVGElement}
 */
function icon(paths) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "14");
  svg.setAttribute("height", "14");
  svg.setAttribute("aria-hidden", "true");
  for (const [d, cls] of paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("class", cls);
    svg.append(path);
  }
  return svg;
}

/** A speaker; its waves show (CSS) when the button is pressed. */
const speakerIcon = () =>
  icon([
    ["M2 6h3l4-3v10l-4-3H2z", "wan-icon__body"],
    ["M11 5.5a3.5 3.5 0 0 1 0 5M12.8 3.5a6 6 0 0 1 0 9", "wan-icon__waves"],
    ["M11 6l4 4M15 6l-4 4", "wan-icon__off"],
  ]);

/** An arrow into a tray. */
const downloadIcon = () => icon([["M8 2.5v7.5M4.5 6.5 8 10l3.5-3.5M3 13.5h10", ""]]);

/**
 * The file name at the end of a URL ("" for none).
 * @param {string} url
 * @returns {string}
 */
export function fileName(url) {
  const last = url.split(/[?#]/, 1)[0].split("/").pop() ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * Fill in defaults so the view never trips over a partial tile dict.
 * @param {Partial<Tile>} raw
 * @param {number} index
 * @returns {Tile}
 */
export function normalizeTile(raw, index) {
  const num = (/** @type {unknown} */ v, /** @type {number} */ d) => (typeof v === "number" && Number.isFinite(v) ? v : d);
  const str = (/** @type {unknown} */ v) => (typeof v === "string" ? v : "");
  return {
    key: str(raw?.key) || `tile-${index}`,
    seed: typeof raw?.seed === "number" ? raw.seed : null,
    prompt: str(raw?.prompt),
    status: str(raw?.status) || "queued",
    progress: num(raw?.progress, -1),
    cost: num(raw?.cost, -1),
    src: str(raw?.src),
    fallback_src: str(raw?.fallback_src),
    remote_src: str(raw?.remote_src),
    remote_expires: num(raw?.remote_expires, 0),
    mime: str(raw?.mime) || "video/mp4",
    error: str(raw?.error),
    row: num(raw?.row, 0),
    col: num(raw?.col, 0),
  };
}

/**
 * @typedef {object} TileView
 * @property {string} key
 * @property {HTMLElement} el
 * @property {HTMLElement} media
 * @property {HTMLElement} placeholder
 * @property {HTMLElement} phStatus
 * @property {HTMLElement} phBar
 * @property {HTMLElement} phFill
 * @property {HTMLElement} phText
 * @property {HTMLElement} seed
 * @property {HTMLElement} cost
 * @property {HTMLElement} prompt
 * @property {HTMLButtonElement} pick
 * @property {HTMLButtonElement} sound
 * @property {HTMLAnchorElement} download
 * @property {HTMLVideoElement | null} video
 * @property {SourceChain | null} chain
 * @property {string} sourceKey
 * @property {(() => void) | undefined} [onNoUrl]  every URL of the current sources failed
 * @property {boolean} unavailable
 * @property {Disposer[]} disposers   the tile's own listeners
 * @property {Disposer[]} videoDisposers  its video's listeners
 */

/**
 * Build a tile's elements; a click (or Enter) on the media enlarges, Pick
 * picks, the speaker (or focusing the media) makes this the tile you hear.
 * @param {string} key
 * @param {{onEnlarge: () => void, onPick: () => void, onSound: () => void, onFocus: () => void}} actions
 * @returns {TileView}
 */
export function createTileView(key, { onEnlarge, onPick, onSound, onFocus }) {
  const phStatus = h("span", { className: "wan-status" });
  const phFill = h("div", { className: "wan-bar__fill" });
  const phBar = h("div", { className: "wan-bar" }, [phFill]);
  const phText = h("div", { className: "wan-tile__text" });
  const placeholder = h("div", { className: "wan-tile__placeholder" }, [phStatus, phBar, phText]);
  const media = h("div", {
    className: "wan-tile__media",
    attrs: { title: "Click to enlarge", role: "button", tabindex: "0", "aria-expanded": "false" },
  }, [placeholder]);
  const seed = h("span", { className: "wan-tile__seed" });
  const sound = h("button", {
    className: "wan-btn wan-btn--icon wan-tile__sound",
    attrs: { type: "button", "data-role": "tile-sound", "data-key": key, "aria-pressed": "false", title: "Hear this tile" },
  }, [speakerIcon()]);
  const download = h("a", {
    className: "wan-btn wan-btn--icon wan-tile__download",
    attrs: { "data-role": "tile-download", "data-key": key, title: "Download the video", "aria-label": "Download the video", hidden: true },
  }, [downloadIcon()]);
  const cost = h("span", { className: "wan-tile__cost" });
  const prompt = h("div", { className: "wan-tile__prompt" });
  const pick = h("button", {
    className: "wan-btn wan-btn--pick",
    text: "Pick",
    attrs: { type: "button", "data-role": "pick", "data-key": key, "aria-pressed": "false" },
  });
  const el = h("div", { className: "wan-tile", attrs: { "data-key": key } }, [
    media,
    h("div", { className: "wan-tile__foot" }, [seed, cost, h("span", { className: "wan-spacer" }), download, sound, pick]),
    prompt,
  ]);
  const disposers = [
    on(media, "click", onEnlarge),
    on(media, "focus", onFocus),
    on(media, "keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      onEnlarge();
    }),
    on(pick, "click", (event) => {
      event.stopPropagation();
      onPick();
    }),
    on(sound, "click", (event) => {
      event.stopPropagation();
      onSound();
    }),
  ];
  return {
    key,
    el,
    media,
    placeholder,
    phStatus,
    phBar,
    phFill,
    phText,
    seed,
    cost,
    prompt,
    pick,
    sound,
    download,
    video: null,
    chain: null,
    sourceKey: "",
    unavailable: false,
    disposers,
    videoDisposers: [],
  };
}

/**
 * Seed (or key), cost, and the prompt when `withPrompt` (the full prompt is
 * always the tile's tooltip).
 * @param {TileView} view
 * @param {Tile} tile
 * @param {boolean} withPrompt
 */
export function showTileText(view, tile, withPrompt) {
  // "seed" and the number apart: a narrow tile drops the word (CSS), so
  // the number is never cut or wrapped.
  const seedText = formatSeed(tile.seed);
  if (seedText) {
    view.seed.replaceChildren(
      h("span", { className: "wan-tile__seed-word", text: "seed " }),
      h("span", { text: seedText.replace(/^seed /, "") }),
    );
  } else setText(view.seed, tile.key);
  view.seed.title = seedText || tile.key;
  setText(view.cost, formatCost(tile.cost));
  const showPrompt = withPrompt && Boolean(tile.prompt);
  setText(view.prompt, showPrompt ? truncate(tile.prompt, 90) : "");
  show(view.prompt, showPrompt);
  view.el.title = tile.prompt;
}

/**
 * Offer the tile's original file for download once its job is done: the
 * server's URL on a Jupyter page, elsewhere the API's while it lives (a
 * cross-origin URL ignores `download`, so it opens in a new tab).
 * @param {TileView} view
 * @param {Tile} tile
 */
export function showTileDownload(view, tile) {
  const where = { nowS: Date.now() / 1000, jupyter: isJupyterPage(), baseUrl: jupyterBaseUrl() };
  const href = tile.status === "done" ? (sourceOrder(tile, where)[0] ?? "") : "";
  show(view.download, Boolean(href));
  if (!href) {
    view.download.removeAttribute("href");
    return;
  }
  view.download.href = href;
  view.download.setAttribute("download", fileName(href));
  if (/^https?:/i.test(href)) view.download.target = "_blank";
  else view.download.removeAttribute("target");
}

/**
 * Mark the tile picked and/or enlarged when its key is the one named.
 * @param {TileView} view
 * @param {string} picked    key of the picked tile, "" for none
 * @param {string} enlarged  key of the enlarged tile, "" for none
 */
export function showTileSelection(view, picked, enlarged) {
  const isPicked = view.key === picked;
  view.el.classList.toggle("wan-tile--picked", isPicked);
  view.pick.setAttribute("aria-pressed", String(isPicked));
  setText(view.pick, isPicked ? "Picked ✓" : "Pick");
  view.el.classList.toggle("wan-tile--enlarged", view.key === enlarged);
  view.media.title = view.key === enlarged ? "Click or press Escape to shrink" : "Click to enlarge";
  view.media.setAttribute("aria-expanded", String(view.key === enlarged));
}

/**
 * Show whether this is the tile you hear.
 * @param {TileView} view
 * @param {boolean} audible  this tile's sound is on
 */
export function showTileSound(view, audible) {
  view.sound.setAttribute("aria-pressed", String(audible));
  view.sound.title = audible ? "Mute" : "Hear this tile";
  view.sound.setAttribute("aria-label", view.sound.title);
  view.sound.disabled = !view.video;
}

/**
 * Show where the tile's job is: the video once loaded, else a placeholder
 * with the status, a progress bar while live, and the error if any.
 * @param {TileView} view
 * @param {Tile} tile
 */
export function showTileStatus(view, tile) {
  const live = LIVE_STATUSES.includes(tile.status);
  const hasVideo = Boolean(view.video) && !view.unavailable;
  const loaded = view.el.dataset.loaded === "true";
  view.el.dataset.status = tile.status;
  show(view.placeholder, !(hasVideo && loaded));
  view.phStatus.dataset.status = tile.status;
  setText(view.phStatus, hasVideo && !loaded ? "Loading…" : statusLabel(tile.status));
  const known = tile.progress >= 0;
  show(view.phBar, live);
  view.phBar.classList.toggle("wan-bar--indeterminate", live && !known);
  view.phFill.style.width = `${live && known ? Math.min(1, tile.progress) * 100 : 0}%`;
  let text = "";
  if (tile.error) text = tile.error;
  else if (view.unavailable) text = "Video unavailable";
  else if (live) text = formatProgress(tile.progress);
  setText(view.phText, text);
  view.phText.classList.toggle("wan-tile__text--error", Boolean(tile.error) || view.unavailable);
  view.pick.disabled = tile.status !== "done";
}

/**
 * Give the tile a muted inline <video> in `group` playing the tile's sources;
 * an existing video is kept (and keeps playing) while the sources are the same.
 * @param {TileView} view
 * @param {Tile} tile
 * @param {SyncGroup} group
 * @param {() => void} onStatus  the video loaded, or every source failed
 * @param {() => void} [onNoUrl]  every URL failed: ask the kernel for the bytes
 */
export function ensureVideo(view, tile, group, onStatus, onNoUrl) {
  const key = sourceKey(tile);
  if (view.video && view.sourceKey === key) return;
  if (!view.video) {
    const video = h("video", {
      className: "wan-tile__video",
      attrs: { "data-role": "tile-video", "data-key": view.key, muted: true, playsinline: true, preload: "auto" },
    });
    video.muted = true;
    view.videoDisposers.push(
      on(video, "loadedmetadata", () => {
        view.unavailable = false;
        view.el.dataset.loaded = "true";
        onStatus();
      }),
    );
    view.video = video;
    view.chain = new SourceChain(video, {
      onExhausted: () => {
        if (view.onNoUrl) {
          setText(view.phText, "Loading from the kernel…");
          view.onNoUrl();
          return;
        }
        view.unavailable = true;
        onStatus();
      },
    });
    view.media.prepend(video);
    group.add(video);
  }
  view.sourceKey = key;
  view.onNoUrl = onNoUrl; // for these sources (the original, a preview, a copy)
  view.unavailable = false;
  delete view.el.dataset.loaded;
  const where = { nowS: Date.now() / 1000, jupyter: isJupyterPage(), baseUrl: jupyterBaseUrl() };
  view.chain?.setCandidates(sourceOrder(tile, where));
}

/**
 * Play bytes the kernel sent for this tile; or, when it had none, mark the
 * tile's video unavailable.
 * @param {TileView} view
 * @param {Blob | null} blob
 * @param {() => void} onStatus
 */
export function useTileBytes(view, blob, onStatus) {
  if (blob && view.chain?.useBytes(blob, blob.type)) return;
  view.unavailable = true;
  onStatus();
}

/**
 * Take the tile's video out of `group` and the page.
 * @param {TileView} view
 * @param {SyncGroup} group
 */
export function dropVideo(view, group) {
  if (!view.video) return;
  group.remove(view.video);
  view.video.pause();
  view.chain?.dispose();
  disposeAll(view.videoDisposers);
  view.video.remove();
  view.video = null;
  view.chain = null;
  view.sourceKey = "";
}

/**
 * Drop the video and the tile's listeners; the caller removes `view.el`.
 * @param {TileView} view
 * @param {SyncGroup} group
 */
export function disposeTile(view, group) {
  dropVideo(view, group);
  disposeAll(view.disposers);
}
