// SeedGrid: tiles of several jobs with one shared control bar, synchronized
// playback, "Pick" and click-to-enlarge. With row/col labels it is a labelled
// prompt × seed matrix; without, tiles flow in a responsive grid.
//
// Tiles are keyed: when Python replaces `tiles`, existing tiles are updated in
// place so their <video> elements (and playback) survive.

import { h, listen, numberSelect, selectNumber, setText, show, SPEEDS, speedLabel } from "./dom.js";
import { LIVE_STATUSES, formatCost, formatProgress, formatSeed, formatTimecode, statusLabel, truncate } from "./format.js";
import { stepFrame } from "./sync.js";
import { SyncGroup } from "./sync_group.js";
import { SourceChain, candidateUrls, jupyterBaseUrl } from "./video_source.js";

/**
 * Fill in defaults so the view never trips over a partial tile dict.
 * @param {Partial<import("./types.js").Tile>} raw
 * @param {number} index
 * @returns {import("./types.js").Tile}
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
 * @property {HTMLVideoElement | null} video
 * @property {SourceChain | null} chain
 * @property {string} sourceKey
 * @property {boolean} unavailable
 */

/**
 * @param {import("./types.js").RenderProps} props
 * @returns {() => void} cleanup
 */
export function renderGrid({ model, el }) {
  // ---- control bar -------------------------------------------------------
  const play = h("button", {
    className: "wan-btn wan-btn--primary",
    text: "Play",
    attrs: { type: "button", "data-role": "play", "aria-pressed": "false" },
  });
  const back = h("button", {
    className: "wan-btn",
    text: "◀",
    attrs: { type: "button", "data-role": "frame-back", title: "Step one frame back", "aria-label": "Step one frame back" },
  });
  const forward = h("button", {
    className: "wan-btn",
    text: "▶",
    attrs: {
      type: "button",
      "data-role": "frame-forward",
      title: "Step one frame forward",
      "aria-label": "Step one frame forward",
    },
  });
  const seek = h("input", {
    className: "wan-seek",
    attrs: { type: "range", min: "0", max: "0", step: "any", value: "0", "data-role": "seek", "aria-label": "Seek" },
  });
  const time = h("span", { className: "wan-mono wan-grid__time", attrs: { "data-role": "time" } });
  const speed = numberSelect(SPEEDS, speedLabel, {
    className: "wan-select",
    attrs: { "data-role": "speed", title: "Playback speed", "aria-label": "Playback speed" },
  });
  const loop = h("button", {
    className: "wan-btn wan-toggle",
    text: "Loop",
    attrs: { type: "button", "data-role": "loop", title: "Loop playback" },
  });
  const mute = h("button", {
    className: "wan-btn wan-toggle",
    text: "Sound",
    attrs: { type: "button", "data-role": "mute", title: "Sound on/off for all tiles", "aria-pressed": "false" },
  });
  const controls = h("div", { className: "wan-toolbar wan-grid__controls", attrs: { "data-role": "grid-controls" } }, [
    play,
    back,
    forward,
    seek,
    time,
    speed,
    loop,
    mute,
  ]);
  const sharedPrompt = h("div", { className: "wan-grid__prompt", attrs: { "data-role": "prompt" } });
  const body = h("div", { className: "wan-grid__body" });
  const summary = h("div", { className: "wan-meta wan-grid__summary", attrs: { "data-role": "summary" } });
  const root = h("div", { className: "wan-root wan-grid", attrs: { "data-role": "seed-grid" } }, [
    controls,
    sharedPrompt,
    body,
    summary,
  ]);
  el.append(root);

  // ---- sync group ------------------------------------------------------------
  let scrubbing = false;
  const renderTime = (/** @type {number} */ t) => {
    const d = group.duration;
    setText(time, `${formatTimecode(t)} / ${formatTimecode(d)}`);
    if (!scrubbing) seek.value = String(t);
  };
  const group = new SyncGroup({
    fps: model.get("fps") || 24,
    onTick: (t) => renderTime(t),
    onChange: (g) => {
      const d = g.duration;
      seek.max = String(d);
      seek.disabled = !(d > 0);
      play.disabled = !(d > 0);
      back.disabled = forward.disabled = !(d > 0);
      setText(play, g.playing ? "Pause" : "Play");
      play.setAttribute("aria-pressed", String(g.playing));
      root.dataset.playing = String(g.playing);
      renderTime(g.time);
    },
  });
  group.onChange(group);

  // ---- tiles -------------------------------------------------------------
  /** @type {Map<string, TileView>} */
  const views = new Map();
  /** @type {HTMLElement[]} */
  let headers = [];

  /** @param {string} key */
  const createTile = (key) => {
    const phStatus = h("span", { className: "wan-status" });
    const phFill = h("div", { className: "wan-bar__fill" });
    const phBar = h("div", { className: "wan-bar" }, [phFill]);
    const phText = h("div", { className: "wan-tile__text" });
    const placeholder = h("div", { className: "wan-tile__placeholder" }, [phStatus, phBar, phText]);
    const media = h("div", { className: "wan-tile__media", attrs: { title: "Click to enlarge" } }, [placeholder]);
    const seedEl = h("span", { className: "wan-tile__seed" });
    const costEl = h("span", { className: "wan-tile__cost" });
    const promptEl = h("div", { className: "wan-tile__prompt" });
    const pick = h("button", {
      className: "wan-btn wan-btn--pick",
      text: "Pick",
      attrs: { type: "button", "data-role": "pick", "data-key": key, "aria-pressed": "false" },
    });
    const tileEl = h("div", { className: "wan-tile", attrs: { "data-key": key } }, [
      media,
      h("div", { className: "wan-tile__foot" }, [seedEl, costEl, h("span", { className: "wan-spacer" }), pick]),
      promptEl,
    ]);
    media.addEventListener("click", () => {
      const current = model.get("enlarged") || "";
      model.set("enlarged", current === key ? "" : key);
      model.save_changes();
      updateSelection();
    });
    pick.addEventListener("click", (event) => {
      event.stopPropagation();
      const current = model.get("picked") || "";
      model.set("picked", current === key ? "" : key);
      model.save_changes();
      updateSelection();
    });
    /** @type {TileView} */
    const view = {
      key,
      el: tileEl,
      media,
      placeholder,
      phStatus,
      phBar,
      phFill,
      phText,
      seed: seedEl,
      cost: costEl,
      prompt: promptEl,
      pick,
      video: null,
      chain: null,
      sourceKey: "",
      unavailable: false,
    };
    return view;
  };

  /** @param {TileView} view */
  const dropVideo = (view) => {
    if (!view.video) return;
    group.remove(view.video);
    view.video.pause();
    view.chain?.dispose();
    view.video.remove();
    view.video = null;
    view.chain = null;
    view.sourceKey = "";
  };

  /**
   * @param {TileView} view
   * @param {import("./types.js").Tile} tile
   */
  const ensureVideo = (view, tile) => {
    const sourceKey = `${tile.src}\n${tile.fallback_src}\n${tile.mime}`;
    if (view.video && view.sourceKey === sourceKey) return;
    if (!view.video) {
      const video = h("video", {
        className: "wan-tile__video",
        attrs: { "data-role": "tile-video", "data-key": view.key, muted: true, playsinline: true, preload: "auto" },
      });
      video.muted = true;
      video.addEventListener("loadedmetadata", () => {
        view.unavailable = false;
        view.el.dataset.loaded = "true";
        updateTileStatus(view);
      });
      view.video = video;
      view.chain = new SourceChain(video, {
        onExhausted: () => {
          view.unavailable = true;
          updateTileStatus(view);
        },
      });
      view.media.prepend(video);
      group.add(video);
    }
    view.sourceKey = sourceKey;
    view.unavailable = false;
    delete view.el.dataset.loaded;
    view.chain?.setCandidates(candidateUrls([tile.src, tile.fallback_src], jupyterBaseUrl()));
  };

  /** @type {Map<string, import("./types.js").Tile>} */
  let tilesByKey = new Map();

  /** @param {TileView} view */
  const updateTileStatus = (view) => {
    const tile = tilesByKey.get(view.key);
    if (!tile) return;
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
  };

  const layout = () => {
    /** @type {string[]} */
    const rows = model.get("row_labels") || [];
    /** @type {string[]} */
    const cols = model.get("col_labels") || [];
    const matrix = rows.length > 0 && cols.length > 0;
    const enlarged = model.get("enlarged") || "";
    const hasEnlarged = views.has(enlarged);
    const offset = matrix && hasEnlarged ? 1 : 0;
    body.dataset.layout = matrix ? "matrix" : "flow";
    for (const header of headers) header.remove();
    headers = [];
    if (matrix) {
      body.style.gridTemplateColumns = `minmax(6rem, max-content) repeat(${cols.length}, minmax(0, 1fr))`;
      const corner = h("div", { className: "wan-grid__corner" });
      corner.style.gridRow = String(1 + offset);
      corner.style.gridColumn = "1";
      headers.push(corner);
      cols.forEach((label, j) => {
        const cell = h("div", { className: "wan-grid__colhead", text: truncate(label, 40), attrs: { title: label } });
        cell.style.gridRow = String(1 + offset);
        cell.style.gridColumn = String(j + 2);
        headers.push(cell);
      });
      rows.forEach((label, i) => {
        const cell = h("div", { className: "wan-grid__rowhead", text: truncate(label, 140), attrs: { title: label } });
        cell.style.gridRow = String(i + 2 + offset);
        cell.style.gridColumn = "1";
        headers.push(cell);
      });
      body.prepend(...headers);
    } else {
      const columns = model.get("columns") || 0;
      body.style.gridTemplateColumns =
        columns > 0 ? `repeat(${columns}, minmax(0, 1fr))` : "repeat(auto-fill, minmax(220px, 1fr))";
    }
    for (const [key, view] of views) {
      const tile = tilesByKey.get(key);
      if (!tile) continue;
      const isEnlarged = key === enlarged;
      if (matrix && isEnlarged) {
        view.el.style.gridRow = "1";
        view.el.style.gridColumn = "1 / -1";
      } else if (matrix) {
        view.el.style.gridRow = String(tile.row + 2 + offset);
        view.el.style.gridColumn = String(tile.col + 2);
      } else {
        view.el.style.gridRow = "";
        view.el.style.gridColumn = "";
      }
    }
  };

  const updateSelection = () => {
    const picked = model.get("picked") || "";
    const enlarged = model.get("enlarged") || "";
    for (const [key, view] of views) {
      const isPicked = key === picked;
      view.el.classList.toggle("wan-tile--picked", isPicked);
      view.pick.setAttribute("aria-pressed", String(isPicked));
      setText(view.pick, isPicked ? "Picked ✓" : "Pick");
      view.el.classList.toggle("wan-tile--enlarged", key === enlarged);
      view.media.title = key === enlarged ? "Click to shrink" : "Click to enlarge";
    }
    root.dataset.picked = picked;
    const tile = tilesByKey.get(picked);
    const seedText = tile ? formatSeed(tile.seed) : "";
    setText(summary, tile ? `Picked: ${seedText || tile.key}` : "");
    show(summary, Boolean(tile));
    layout();
  };

  const updateTiles = () => {
    /** @type {unknown[]} */
    const raw = model.get("tiles") || [];
    const tiles = raw.map((t, i) => normalizeTile(/** @type {any} */ (t), i));
    tilesByKey = new Map(tiles.map((t) => [t.key, t]));
    for (const [key, view] of views) {
      if (tilesByKey.has(key)) continue;
      dropVideo(view);
      view.el.remove();
      views.delete(key);
    }
    const rows = model.get("row_labels") || [];
    const cols = model.get("col_labels") || [];
    const matrix = rows.length > 0 && cols.length > 0;
    const prompts = new Set(tiles.map((t) => t.prompt));
    const shared = !matrix && prompts.size === 1 ? tiles[0]?.prompt ?? "" : "";
    setText(sharedPrompt, truncate(shared, 300));
    sharedPrompt.title = shared;
    show(sharedPrompt, Boolean(shared));

    tiles.forEach((tile, index) => {
      let view = views.get(tile.key);
      if (!view) {
        view = createTile(tile.key);
        views.set(tile.key, view);
      }
      // Keep DOM order = list order (headers first in matrix mode); moving a
      // node within the document does not pause its video.
      const wanted = body.children[headers.length + index];
      if (wanted !== view.el) body.insertBefore(view.el, wanted ?? null);
      if (tile.status === "done" && (tile.src || tile.fallback_src)) ensureVideo(view, tile);
      else dropVideo(view);
      setText(view.seed, formatSeed(tile.seed) || tile.key);
      setText(view.cost, formatCost(tile.cost));
      const showPrompt = !matrix && !shared && Boolean(tile.prompt);
      setText(view.prompt, showPrompt ? truncate(tile.prompt, 90) : "");
      show(view.prompt, showPrompt);
      view.el.title = tile.prompt;
      updateTileStatus(view);
    });
    updateSelection();
    group.onChange(group);
  };

  const updatePlayback = () => {
    group.fps = model.get("fps") || 24;
    const rate = model.get("playback_rate") || 1;
    if (rate !== group.clock.rate) group.setRate(rate);
    selectNumber(speed, rate, speedLabel);
    const loopOn = Boolean(model.get("loop"));
    group.setLoop(loopOn);
    loop.setAttribute("aria-pressed", String(loopOn));
  };

  // ---- control events ------------------------------------------------------------
  const onPlay = () => group.toggle();
  const onBack = () => {
    if (group.playing) group.pause();
    group.seek(stepFrame(group.time, group.fps, -1, group.duration));
  };
  const onForward = () => {
    if (group.playing) group.pause();
    group.seek(stepFrame(group.time, group.fps, 1, group.duration));
  };
  const onScrubStart = () => {
    scrubbing = true;
    group.beginScrub();
  };
  const onScrub = () => {
    scrubbing = true;
    group.scrubTo(Number(seek.value));
    setText(time, `${formatTimecode(Number(seek.value))} / ${formatTimecode(group.duration)}`);
  };
  const onScrubEnd = () => {
    scrubbing = false;
    group.endScrub(Number(seek.value));
  };
  const onSpeed = () => {
    model.set("playback_rate", Number(speed.value));
    model.save_changes();
    updatePlayback();
  };
  const onLoop = () => {
    model.set("loop", !model.get("loop"));
    model.save_changes();
    updatePlayback();
  };
  const onMute = () => {
    group.setMuted(!group.muted);
    mute.setAttribute("aria-pressed", String(!group.muted));
    mute.title = group.muted ? "Turn sound on for all tiles" : "Mute all tiles";
  };
  play.addEventListener("click", onPlay);
  back.addEventListener("click", onBack);
  forward.addEventListener("click", onForward);
  seek.addEventListener("pointerdown", onScrubStart);
  seek.addEventListener("input", onScrub);
  seek.addEventListener("change", onScrubEnd);
  speed.addEventListener("change", onSpeed);
  loop.addEventListener("click", onLoop);
  mute.addEventListener("click", onMute);

  const unlisten = listen(model, {
    "change:tiles": updateTiles,
    "change:row_labels": updateTiles,
    "change:col_labels": updateTiles,
    "change:columns": layout,
    "change:picked": updateSelection,
    "change:enlarged": updateSelection,
    "change:fps": updatePlayback,
    "change:playback_rate": updatePlayback,
    "change:loop": updatePlayback,
  });

  updatePlayback();
  updateTiles();

  return () => {
    unlisten();
    play.removeEventListener("click", onPlay);
    back.removeEventListener("click", onBack);
    forward.removeEventListener("click", onForward);
    seek.removeEventListener("pointerdown", onScrubStart);
    seek.removeEventListener("input", onScrub);
    seek.removeEventListener("change", onScrubEnd);
    speed.removeEventListener("change", onSpeed);
    loop.removeEventListener("click", onLoop);
    mute.removeEventListener("click", onMute);
    group.destroy();
    for (const view of views.values()) dropVideo(view);
    views.clear();
    root.remove();
  };
}
