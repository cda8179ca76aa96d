// SeedGrid: tiles of several jobs with one shared control bar, synchronized
// playback, "Pick" and click-to-enlarge. With row/col labels it is a labelled
// prompt × seed matrix; without, tiles flow in a responsive grid.
//
// Tiles are keyed: when Python replaces `tiles`, existing tiles are updated in
// place so their <video> elements (and playback) survive.

import { ByteReceiver, formatTransfer } from "./byte_transfer.js";
import { playbackControls, transportControls } from "./controls.js";
import { disposeAll, h, listen, on, saveTrait, setClippedText, setText, show } from "./dom.js";
import { formatSeed } from "./format.js";
import { isMatrix, layoutGrid } from "./grid_layout.js";
import { displayOrder, showGridMetrics } from "./grid_metrics.js";
import {
  createTileView,
  disposeTile,
  dropVideo,
  ensureVideo,
  normalizeTile,
  showTileDownload,
  showTileSelection,
  showTileSound,
  showTileStatus,
  showTileText,
  useTileBytes,
} from "./grid_tile.js";
import { GridSound } from "./grid_sound.js";
import { hostCaps } from "./media_caps.js";
import { SyncGroup } from "./sync_group.js";
import { TileCompat } from "./tile_compat.js";
import { TilePreviews } from "./tile_previews.js";
import { tileSwitch } from "./tile_switch.js";

/** @import { TileView } from "./grid_tile.js" */
/** @import { AnyModel, GridTraits, RenderProps, Tile } from "./types.js" */

/**
 * @param {RenderProps<AnyModel<GridTraits>>} props
 * @returns {() => void} cleanup
 */
export function renderGrid({ model, el }) {
  /** @type {Map<string, TileView>} */
  const views = new Map();
  let followSound = () => {}; // set once the tiles can be placed
  /** @type {GridSound | null} */
  let sound = null;
  let started = false; // the group has played: later starts wait for no copy
  const group = new SyncGroup({
    fps: model.get("fps") || 24,
    onTick: (t) => transport.showTime(t),
    beforeStart: () => placeAll(), // sources that waited for a start switch now
    onChange: (g) => {
      started ||= g.phase === "playing";
      transport.show(g);
      for (const view of views.values()) showTileSound(view, !g.muted && sound?.key === view.key);
      playback.back.disabled = playback.forward.disabled = !(g.duration > 0);
      root.dataset.playing = String(g.playing);
      followSound();
    },
  });

  // ---- control bar -------------------------------------------------------
  const transport = transportControls(group);
  const playback = playbackControls(
    model,
    {
      time: () => group.time,
      fps: () => group.fps,
      duration: () => group.duration,
      pause: () => {
        if (group.playing) group.pause();
      },
      seek: (t) => group.seek(t),
    },
    { frameStyle: "arrows", onChange: () => updatePlayback() },
  );
  const controls = h("div", { className: "wan-toolbar wan-grid__controls", attrs: { "data-role": "grid-controls" } }, [
    transport.play,
    playback.back,
    playback.forward,
    transport.seek,
    transport.time,
    playback.speed,
    playback.loop,
    transport.mute,
  ]);
  const sharedPrompt = h("div", { className: "wan-grid__prompt", attrs: { "data-role": "prompt" } });
  const body = h("div", { className: "wan-grid__body" });
  const summary = h("div", { className: "wan-meta wan-grid__summary", attrs: { "data-role": "summary" } });
  const metricsBox = h("div", { className: "wan-grid__metrics", attrs: { hidden: true } });
  const sortNote = h("div", { className: "wan-meta wan-grid__sort", attrs: { "data-role": "sort-note", hidden: true } });
  const root = h("div", { className: "wan-root wan-grid", attrs: { "data-role": "seed-grid" } }, [
    controls,
    sharedPrompt,
    sortNote,
    body,
    metricsBox,
    summary,
  ]);
  el.append(root);
  sound = new GridSound(group, root);
  group.onChange(group);

  // ---- tiles -------------------------------------------------------------
  /** @type {Map<string, Tile>} */
  let tilesByKey = new Map();
  /** @type {HTMLElement[]} */
  let headers = [];
  /** @type {Tile[]} tiles in display order (`order`, after a sort_by) */
  let shownTiles = [];

  const labels = () => ({ rows: model.get("row_labels") || [], cols: model.get("col_labels") || [] });

  /**
   * Clicking the picked (or enlarged) tile again clears the choice.
   * @param {"picked" | "enlarged"} trait
   * @param {string} key
   */
  const toggle = (trait, key) => {
    const current = model.get(trait) || "";
    saveTrait(model, trait, current === key ? "" : key);
    updateSelection();
  };

  /** @param {TileView} view */
  const updateTileStatus = (view) => {
    const tile = tilesByKey.get(view.key);
    if (tile) showTileStatus(view, tile);
  };

  // Sound is solo: you hear the enlarged tile, else the one last chosen with
  // its speaker button, else the first with a video.
  let soundKey = "";
  const audibleKey = () => {
    const enlarged = model.get("enlarged") || "";
    if (views.get(enlarged)?.video) return enlarged;
    if (views.get(soundKey)?.video) return soundKey;
    for (const { key } of shownTiles) if (views.get(key)?.video) return key; // the first on screen
    return "";
  };
  // The tile heard is heard through the grid's one sound element (grid_sound.js).
  const updateSound = () => {
    const key = group.muted ? "" : audibleKey();
    const tile = tilesByKey.get(key);
    sound?.follow(key, tile ? (compat.sourcesFor(tile) ?? tile) : null);
    for (const view of views.values()) showTileSound(view, key !== "" && view.key === key);
  };
  /** @param {string} key */
  const soundButton = (key) => {
    const hearing = !group.muted && audibleKey() === key;
    if (hearing) {
      group.setMuted(true);
    } else {
      soundKey = key;
      const enlarged = model.get("enlarged") || "";
      // Choosing another tile's sound while one is enlarged shrinks it: the
      // enlarged tile is always the one you hear.
      if (enlarged && enlarged !== key) saveTrait(model, "enlarged", "");
      updateSelection();
      group.setMuted(false);
    }
    updateSound();
  };

  /** @param {string} key */
  const enlarge = (key) => {
    toggle("enlarged", key);
    const view = views.get(key);
    if (view && model.get("enlarged") === key) {
      soundKey = key; // and it stays the one you hear once shrunk
      view.media.focus({ preventScroll: true }); // so Escape reaches us
      view.el.scrollIntoView?.({ block: "nearest" });
    }
  };

  /** @param {string} key */
  const addTile = (key) => {
    const view = createTileView(key, {
      onEnlarge: () => enlarge(key),
      onPick: () => toggle("picked", key),
      onSound: () => soundButton(key),
      onFocus: () => {
        // Keyboard focus on a tile moves the sound to it (when sound is on).
        if (group.muted || soundKey === key) return;
        soundKey = key;
        updateSound();
      },
    });
    views.set(key, view);
    return view;
  };

  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    if (event.key !== "Escape" || !model.get("enlarged")) return;
    event.preventDefault();
    event.stopPropagation(); // Escape is ours here, not the notebook's
    const key = model.get("enlarged");
    shrink();
    views.get(key)?.media.focus({ preventScroll: true });
  };

  const layout = () => {
    const shape = { ...labels(), columns: model.get("columns") || 0, enlarged: model.get("enlarged") || "", width: body.clientWidth };
    headers = layoutGrid(body, headers, shape, views, tilesByKey, shrink);
  };
  const shrink = () => {
    saveTrait(model, "enlarged", "");
    updateSelection();
  };

  const updateSelection = () => {
    const picked = model.get("picked") || "";
    const enlarged = model.get("enlarged") || "";
    for (const view of views.values()) showTileSelection(view, picked, enlarged);
    root.dataset.picked = picked;
    const tile = tilesByKey.get(picked);
    const seedText = tile ? formatSeed(tile.seed) : "";
    setText(summary, tile ? `Picked: ${seedText || tile.key}` : "");
    show(summary, Boolean(tile));
    layout();
    placeAll(); // the enlarged tile plays its original, the others their copies
  };

  // A done tile plays a small silent copy of its file (tile_previews.js), or the original
  // (enlarged, or no copy); a host without its codecs, an H.264 + MP3 copy (tile_compat.js).
  const caps = hostCaps(document.createElement("video"));
  const compat = new TileCompat((msg) => model.send(msg), () => placeAll(), caps);
  const previews = new TilePreviews((msg) => model.send(msg), () => placeAll());
  /**
   * @param {TileView} view
   * @param {Tile} tile
   */
  const placeVideo = (view, tile) => {
    /** @type {ReturnType<typeof tileSwitch>} */
    let step = "play";
    if (tile.status === "done" && (tile.src || tile.fallback_src || tile.remote_src)) {
      const enlarged = (model.get("enlarged") || "") === tile.key;
      let sources = previews.sourcesFor(tile, {
        enabled: model.get("previews") !== false,
        enlarged,
        cssWidth: view.media.clientWidth,
        dpr: globalThis.devicePixelRatio || 1,
      });
      if (sources === tile) sources = compat.sourcesFor(tile);
      const playing = view.video ? view.sourceKey : "";
      step = tileSwitch({ wanted: sources, playing, phase: group.phase, firstStart: !started, enlarged });
      if (sources && (step === "play" || step === "restart")) {
        const copy = compat.isCopy(sources);
        const variant = sources === tile ? {} : { variant: copy ? "copy" : "preview" };
        ensureVideo(view, sources, group, () => updateTileStatus(view), () => model.send({ type: "need_bytes", key: tile.key, ...variant }));
        view.el.dataset.copy = String(copy);
        if (view.video) view.video.title = copy ? compat.noteFor(tile.key) : "";
        if (step === "restart") group.seek(group.time); // stop, align, start with it
      }
    } else dropVideo(view, group);
    updateTileStatus(view);
    if (step === "hold" && !view.video) setText(view.phStatus, "Preparing a preview…");
    if (step === "hold") group.holds.hold(view.key); // a start waits for it
    else group.holds.release(view.key);
  };
  const placeAll = () => {
    const matrix = isMatrix(labels());
    const shared = Boolean(sharedPrompt.textContent);
    const enlarged = model.get("enlarged") || "";
    for (const [key, view] of views) {
      const tile = tilesByKey.get(key);
      if (!tile) continue;
      // A matrix labels its rows with the prompts, but the enlarged tile stands
      // above them: it says its own. A shared prompt stands above all.
      showTileText(view, tile, matrix ? key === enlarged : !shared);
      showTileDownload(view, tile);
      placeVideo(view, tile);
    }
    updateSound();
  };
  followSound = () => { // sound turned on or off with the control bar
    if ((group.muted ? "" : audibleKey()) !== sound?.key) updateSound();
  };

  const updateTiles = () => {
    const tiles = (model.get("tiles") || []).map((t, i) => normalizeTile(t, i));
    tilesByKey = new Map(tiles.map((t) => [t.key, t]));
    for (const [key, view] of views) {
      if (tilesByKey.has(key)) continue;
      previews.forget(key);
      compat.forget(key);
      group.holds.release(key);
      disposeTile(view, group);
      view.el.remove();
      views.delete(key);
    }
    const matrix = isMatrix(labels());
    const prompts = new Set(tiles.map((t) => t.prompt));
    const shared = !matrix && prompts.size === 1 ? (tiles[0]?.prompt ?? "") : "";
    setClippedText(sharedPrompt, shared, 300);

    shownTiles = displayOrder(tiles, model.get("order") || []);
    shownTiles.forEach((tile, index) => {
      const view = views.get(tile.key) ?? addTile(tile.key);
      // Keep DOM order = list order (headers first in matrix mode); moving a
      // node within the document does not pause its video.
      const wanted = body.children[headers.length + index];
      if (wanted !== view.el) body.insertBefore(view.el, wanted ?? null);
    });
    updateSelection(); // lays the tiles out, then fills them in (videos sized to the tiles)
    updateMetrics();
    group.onChange(group);
  };

  // Badges on each tile and, when asked, a table of them under the grid.
  const updateMetrics = () => {
    const traits = { badges: model.get("badges"), table: model.get("metric_table") || [], note: model.get("sort_note") || "" };
    showGridMetrics(traits, views, shownTiles, isMatrix(labels()), { metrics: metricsBox, sortNote });
  };

  const updatePlayback = () => {
    group.fps = model.get("fps") || 30;
    const rate = model.get("playback_rate") || 1;
    if (rate !== group.clock.rate) group.setRate(rate);
    playback.showRate(rate);
    const loopOn = Boolean(model.get("loop"));
    group.setLoop(loopOn);
    playback.showLoop(loopOn);
  };

  // Balanced free-flow columns depend on the width: lay out again when it changes.
  let lastWidth = -1;
  const resizes = typeof ResizeObserver === "function"
    ? new ResizeObserver(() => {
        if (body.clientWidth === lastWidth) return;
        lastWidth = body.clientWidth;
        layout();
        placeAll(); // wider tiles may want bigger copies
      })
    : null;
  resizes?.observe(body);

  // Bytes the kernel sends for a tile whose URLs all failed (VS Code, Colab).
  const receiver = new ByteReceiver({
    onDone: (blob, key) => {
      const view = views.get(key);
      if (view) useTileBytes(view, blob, () => updateTileStatus(view));
    },
    onProgress: (received, size, key) => {
      const view = views.get(key);
      if (view) setText(view.phText, `Loading from the kernel… ${formatTransfer(received, size)}`);
    },
    onError: (_message, key) => {
      const view = views.get(key);
      if (view) useTileBytes(view, null, () => updateTileStatus(view));
    },
  });

  const disposers = [
    () => resizes?.disconnect(),
    () => receiver.dispose(),
    () => previews.dispose(),
    () => compat.dispose(),
    on(root, "keydown", onKey),
    transport.dispose,
    playback.dispose,
    listen(model, {
      "change:tiles": updateTiles,
      "change:row_labels": updateTiles,
      "change:col_labels": updateTiles,
      "change:columns": layout,
      "change:order": () => {
        // A sort moves tiles, not the sound: the tile heard stays the one heard.
        if (!group.muted && !soundKey) soundKey = audibleKey();
        updateTiles();
      },
      "change:badges": updateMetrics,
      "change:metric_table": updateMetrics,
      "change:sort_note": updateMetrics,
      "change:picked": updateSelection,
      "change:enlarged": updateSelection,
      "change:fps": updatePlayback,
      "change:playback_rate": updatePlayback,
      "change:loop": updatePlayback,
      "msg:custom": (/** @type {any} */ msg, /** @type {unknown[]} */ buffers) =>
        previews.handle(msg) || compat.handle(msg) || receiver.handle(msg, buffers),
      "change:previews": () => placeAll(),
    }),
  ];

  updatePlayback();
  updateTiles();

  return () => {
    disposeAll(disposers);
    sound?.dispose();
    group.destroy();
    for (const view of views.values()) disposeTile(view, group);
    views.clear();
    root.remove();
  };
}
