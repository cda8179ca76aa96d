// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeModel, fakeTile } from "./fake_model.js";
import { renderGrid } from "./grid.js";

/**
 * @param {string} key
 * @param {Record<string, any>} [extra]
 */
const tile = (key, extra = {}) => fakeTile(key, { fallback_src: `${key}.mp4`, ...extra });

/** @param {Record<string, any>} [state] */
function mount(state = {}) {
  const model = new FakeModel({
    _kind: "grid",
    tiles: [tile("s1"), tile("s2"), tile("s3"), tile("s4")],
    row_labels: [],
    col_labels: [],
    columns: 0,
    picked: "",
    enlarged: "",
    fps: 24,
    playback_rate: 1,
    loop: true,
    previews: false, // the preview tests below turn them on
    ...state,
  });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = renderGrid({ model, el });
  /** @param {string} sel */
  const all = (sel) => /** @type {HTMLElement[]} */ ([...el.querySelectorAll(sel)]);
  return { model, el, cleanup, all };
}

// happy-dom's canPlayType knows no codec: say what Chromium says (the copy
// tests below say what VS Code's Electron would).
beforeEach(() => {
  /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { aac: true, vp9: true, opus: true };
});

afterEach(() => {
  document.body.replaceChildren();
  delete (/** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS);
});

describe("SeedGrid view", () => {
  it("renders the root, the shared controls and one muted inline video per finished tile", () => {
    const { el, all } = mount();
    expect(el.querySelector('[data-role="seed-grid"]')).not.toBeNull();
    const controls = el.querySelector('[data-role="grid-controls"]');
    for (const r of ["play", "seek", "speed", "loop", "mute"]) {
      expect(controls?.querySelector(`[data-role="${r}"]`)).not.toBeNull();
    }
    const videos = /** @type {HTMLVideoElement[]} */ (all('[data-role="tile-video"]'));
    expect(videos.map((v) => v.dataset.key)).toEqual(["s1", "s2", "s3", "s4"]);
    for (const v of videos) {
      expect(v.muted).toBe(true);
      expect(v.hasAttribute("playsinline")).toBe(true);
      expect(v.hasAttribute("controls")).toBe(false);
    }
    expect(el.textContent).toContain("seed 1");
    expect(el.textContent).toContain("$0.25");
  });

  it("Pick sets `picked` and saves; a second click un-picks", () => {
    const { model, all } = mount();
    const picks = all('[data-role="pick"]');
    picks[1].click();
    expect(model.get("picked")).toBe("s2");
    expect(model.saved.at(-1)?.picked).toBe("s2");
    expect(picks[1].getAttribute("aria-pressed")).toBe("true");
    expect(all(".wan-tile--picked").length).toBe(1);
    picks[1].click();
    expect(model.get("picked")).toBe("");
  });

  it("follows `picked` set from Python", () => {
    const { model, all } = mount();
    model.update({ picked: "s3" });
    expect(all(".wan-tile--picked").map((t) => t.dataset.key)).toEqual(["s3"]);
  });

  it("clicking a video enlarges its tile, clicking again shrinks it", () => {
    const { model, all } = mount();
    const media = all(".wan-tile__media");
    media[2].click();
    expect(model.get("enlarged")).toBe("s3");
    expect(all(".wan-tile--enlarged").map((t) => t.dataset.key)).toEqual(["s3"]);
    media[2].click();
    expect(model.get("enlarged")).toBe("");
    expect(all(".wan-tile--enlarged").length).toBe(0);
  });

  it("shows status and progress while running, the video when done, and keeps existing videos", () => {
    const { model, all } = mount({
      tiles: [tile("s1"), tile("s2", { status: "processing", progress: 0.3, src: "", fallback_src: "" })],
    });
    const first = all('[data-role="tile-video"]')[0];
    expect(all('[data-role="tile-video"]').length).toBe(1);
    const running = /** @type {HTMLElement} */ (document.querySelector('.wan-tile[data-key="s2"]'));
    expect(running.dataset.status).toBe("processing");
    expect(running.textContent).toContain("30%");
    expect(/** @type {HTMLButtonElement} */ (running.querySelector('[data-role="pick"]')).disabled).toBe(true);
    model.update({ tiles: [tile("s1"), tile("s2")] });
    const videos = all('[data-role="tile-video"]');
    expect(videos.length).toBe(2);
    expect(videos[0]).toBe(first); // same element: playback survives updates
  });

  it("removes tiles that disappear and shows errors as text", () => {
    const { model, all, el } = mount();
    model.update({ tiles: [tile("s1"), tile("s9", { status: "failed", error: "<b>boom</b>", src: "" })] });
    expect(all(".wan-tile").map((t) => t.dataset.key)).toEqual(["s1", "s9"]);
    expect(el.querySelector("b")).toBeNull();
    expect(el.textContent).toContain("<b>boom</b>");
  });

  it("lays out a labelled prompt × seed matrix", () => {
    const tiles = [];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) tiles.push(tile(`p${r}s${c}`, { row: r, col: c }));
    const { el, all } = mount({ tiles, row_labels: ["fox <i>", "cat"], col_labels: ["seed 1", "seed 2", "seed 3"] });
    const body = /** @type {HTMLElement} */ (el.querySelector(".wan-grid__body"));
    expect(body.dataset.layout).toBe("matrix");
    expect(all(".wan-grid__rowhead").map((h) => h.textContent)).toEqual(["fox <i>", "cat"]);
    expect(all(".wan-grid__colhead").length).toBe(3);
    const t = /** @type {HTMLElement} */ (el.querySelector('.wan-tile[data-key="p1s2"]'));
    expect(t.style.gridRow).toBe("3");
    expect(t.style.gridColumn).toBe("4");
  });

  it("an enlarged matrix tile leaves a note in its cell; a click on it shrinks the tile", () => {
    const tiles = [];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) tiles.push(tile(`p${r}s${c}`, { row: r, col: c }));
    const { model, el, all } = mount({ tiles, row_labels: ["fox", "cat"], col_labels: ["seed 1", "seed 2"] });
    all(".wan-tile__media")[3].click();
    const hole = /** @type {HTMLElement} */ (el.querySelector('[data-role="enlarged-hole"]'));
    expect([hole.style.gridRow, hole.style.gridColumn]).toEqual(["4", "3"]); // p1s1's own cell, a row down
    const big = /** @type {HTMLElement} */ (el.querySelector('.wan-tile[data-key="p1s1"]'));
    expect([big.style.gridRow, big.style.gridColumn]).toEqual(["1", "1 / -1"]);
    /** @param {Element | null} node */
    const hidden = (node) => /** @type {HTMLElement} */ (node).hidden;
    expect(hidden(big.querySelector(".wan-tile__prompt"))).toBe(false); // its row's prompt
    expect(hidden(el.querySelector('.wan-tile[data-key="p0s0"] .wan-tile__prompt'))).toBe(true);
    hole.click();
    expect(model.get("enlarged")).toBe("");
    expect(hidden(big.querySelector(".wan-tile__prompt"))).toBe(true);
    expect(el.querySelector('[data-role="enlarged-hole"]')).toBeNull();
  });

  it("balances free-flow rows: as many columns as fit, as few as keep the rows", async () => {
    const { balancedColumns } = await import("./grid_layout.js");
    expect(balancedColumns(4, 1150)).toBe(4); // 5 fit: one row of 4
    expect(balancedColumns(4, 848)).toBe(2); // 3 fit: 2 + 2, not 3 + 1
    expect(balancedColumns(3, 848)).toBe(3);
    expect(balancedColumns(16, 1150)).toBe(4); // 4 rows of 4
    expect(balancedColumns(7, 1150)).toBe(4); // 4 + 3
    expect(balancedColumns(1, 100)).toBe(1);
  });

  it("a free grid never has more columns than tiles beside the enlarged one", () => {
    const { el, all } = mount();
    const body = /** @type {HTMLElement} */ (el.querySelector(".wan-grid__body"));
    expect(body.style.gridTemplateColumns).toContain("/ 4 ");
    all(".wan-tile__media")[0].click();
    expect(body.style.gridTemplateColumns).toContain("/ 3 ");
  });

  it("keeps a long seed on one line: the word 'seed' is a separate span the CSS can drop", () => {
    const { el } = mount({ tiles: [tile("s189354531")] });
    const seed = /** @type {HTMLElement} */ (el.querySelector(".wan-tile__seed"));
    expect(seed.textContent).toBe("seed 189354531");
    expect(seed.querySelector(".wan-tile__seed-word")?.textContent).toBe("seed ");
    expect(seed.title).toBe("seed 189354531");
  });

  it("tells the video that failed on every source apart (after asking the kernel)", () => {
    const { all, model } = mount({ tiles: [tile("s1")] });
    const video = all('[data-role="tile-video"]')[0];
    video.dispatchEvent(new Event("error"));
    video.dispatchEvent(new Event("error"));
    expect(model.sent).toEqual([{ type: "need_bytes", key: "s1" }]);
    model.emit("msg:custom", { type: "no_bytes", key: "s1", message: "gone" });
    expect(document.querySelector(".wan-tile")?.textContent).toContain("Video unavailable");
  });

  it("plays a tile's bytes sent by the kernel in chunks when no URL loads", () => {
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:s2");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const { all, model } = mount({ tiles: [tile("s1"), tile("s2", { src: "", fallback_src: "x.mp4" })] });
    const video = /** @type {HTMLVideoElement} */ (all('[data-role="tile-video"]')[1]);
    video.dispatchEvent(new Event("error"));
    expect(model.sent).toEqual([{ type: "need_bytes", key: "s2" }]);
    model.emit("msg:custom", { type: "bytes_start", transfer: "t9", key: "s2", size: 2, mime: "video/mp4", chunks: 1 });
    expect(document.querySelector('.wan-tile[data-key="s2"]')?.textContent).toContain("Loading from the kernel… 0.0 of 0.0 MB");
    model.emit("msg:custom", { type: "bytes_chunk", transfer: "t9", key: "s2", index: 0 }, [new Uint8Array([1, 2]).buffer]);
    expect(created).toHaveBeenCalledOnce();
    expect(video.getAttribute("src")).toBe("blob:s2");
    vi.restoreAllMocks();
  });

  it("syncs speed and loop both ways", () => {
    const { model, el } = mount();
    const speed = /** @type {HTMLSelectElement} */ (el.querySelector('[data-role="speed"]'));
    speed.value = "2";
    speed.dispatchEvent(new Event("change"));
    expect(model.get("playback_rate")).toBe(2);
    for (const v of /** @type {HTMLVideoElement[]} */ ([...el.querySelectorAll("video")])) expect(v.playbackRate).toBe(2);
    /** @type {HTMLElement} */ (el.querySelector('[data-role="loop"]')).click();
    expect(model.get("loop")).toBe(false);
    model.update({ loop: true });
    expect(el.querySelector('[data-role="loop"]')?.getAttribute("aria-pressed")).toBe("true");
  });

  /**
   * The keys of the tiles heard: tiles are always muted, the grid's sound element plays one.
   * @param {HTMLElement} el
   */
  const heard = (el) => {
    const videos = /** @type {HTMLVideoElement[]} */ ([...el.querySelectorAll("video")]);
    expect(videos.every((v) => v.muted)).toBe(true);
    const sound = /** @type {HTMLAudioElement} */ (el.querySelector('audio[data-role="grid-sound"]'));
    return !sound.muted && sound.getAttribute("src") ? [sound.dataset.key] : [];
  };

  it("Sound unmutes one tile only (the first), and mutes it again", () => {
    const { el } = mount();
    const mute = /** @type {HTMLElement} */ (el.querySelector('[data-role="mute"]'));
    mute.click();
    expect(heard(el)).toEqual(["s1"]);
    expect(mute.getAttribute("aria-pressed")).toBe("true");
    expect(el.querySelector('[data-role="tile-sound"][data-key="s1"]')?.getAttribute("aria-pressed")).toBe("true");
    mute.click();
    expect(heard(el)).toEqual([]);
    expect(mute.getAttribute("aria-pressed")).toBe("false");
  });

  it("a tile's speaker switches the sound to it; clicking it again mutes", () => {
    const { el, all } = mount();
    const speakers = all('[data-role="tile-sound"]');
    speakers[2].click();
    expect(heard(el)).toEqual(["s3"]);
    expect(el.querySelector('[data-role="mute"]')?.getAttribute("aria-pressed")).toBe("true");
    speakers[1].click();
    expect(heard(el)).toEqual(["s2"]);
    expect(speakers[1].getAttribute("aria-pressed")).toBe("true");
    expect(speakers[2].getAttribute("aria-pressed")).toBe("false");
    speakers[1].click();
    expect(heard(el)).toEqual([]);
  });

  it("sound follows the enlarged tile and stays with it once shrunk", () => {
    const { model, el, all } = mount();
    /** @type {HTMLElement} */ (el.querySelector('[data-role="mute"]')).click();
    all(".wan-tile__media")[3].click();
    expect(heard(el)).toEqual(["s4"]);
    model.update({ enlarged: "s2" }); // from Python
    expect(heard(el)).toEqual(["s2"]);
    model.update({ enlarged: "" });
    expect(heard(el)).toEqual(["s4"]);
  });

  it("Escape shrinks the enlarged tile; Enter on a tile enlarges it", () => {
    const { model, el, all } = mount();
    const media = all(".wan-tile__media");
    media[1].dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.get("enlarged")).toBe("s2");
    expect(media[1].getAttribute("aria-expanded")).toBe("true");
    const escape = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    media[1].dispatchEvent(escape);
    expect(model.get("enlarged")).toBe("");
    expect(model.saved.at(-1)?.enlarged).toBe("");
    expect(escape.defaultPrevented).toBe(true);
    expect(all(".wan-tile--enlarged").length).toBe(0);
    // With nothing enlarged, Escape is left alone for the notebook.
    const other = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    el.querySelector(".wan-grid")?.dispatchEvent(other);
    expect(other.defaultPrevented).toBe(false);
  });

  it("with previews: asks for a copy per tile, waits, plays it; the enlarged tile plays the original", () => {
    const { model, all, el } = mount({ previews: true, tiles: [tile("s1"), tile("s2")] });
    expect(model.sent).toEqual([
      { type: "need_preview", key: "s1", width: 480 },
      { type: "need_preview", key: "s2", width: 480 },
    ]);
    expect(all('[data-role="tile-video"]').length).toBe(0); // nothing loads meanwhile
    expect(el.textContent).toContain("Preparing a preview…");
    model.emit("msg:custom", { type: "preview_pending", key: "s1" });
    model.emit("msg:custom", { type: "preview", key: "s1", width: 480, src: "/files/s1.tile480.mp4", fallback_src: "s1.tile480.mp4" });
    const videos = all('[data-role="tile-video"]');
    expect(videos.map((v) => v.getAttribute("src"))).toEqual(["/files/s1.tile480.mp4"]);
    all(".wan-tile__media")[0].click(); // enlarge: full resolution, same element
    expect(all('[data-role="tile-video"]')[0]).toBe(videos[0]);
    expect(videos[0].getAttribute("src")).toBe("/files/s1.mp4");
    all(".wan-tile__media")[0].click(); // shrink: the copy again
    expect(videos[0].getAttribute("src")).toBe("/files/s1.tile480.mp4");
    model.emit("msg:custom", { type: "no_preview", key: "s2" });
    expect(all('[data-role="tile-video"]').map((v) => v.getAttribute("src"))).toEqual(["/files/s1.tile480.mp4", "/files/s2.mp4"]);
  });

  it("with previews but no kernel to answer: the originals play after a moment", () => {
    vi.useFakeTimers();
    try {
      const { all } = mount({ previews: true, tiles: [tile("s1")] });
      expect(all('[data-role="tile-video"]').length).toBe(0);
      vi.advanceTimersByTime(3000);
      expect(all('[data-role="tile-video"]').map((v) => v.getAttribute("src"))).toEqual(["/files/s1.mp4"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("offers each finished tile's original for download, by its file name", () => {
    const { all } = mount({ tiles: [tile("s1"), tile("s2", { status: "processing" })] });
    const [done, live] = /** @type {HTMLAnchorElement[]} */ (all('[data-role="tile-download"]'));
    expect([done.getAttribute("href"), done.getAttribute("download"), done.hidden]).toEqual(["/files/s1.mp4", "s1.mp4", false]);
    expect([live.hasAttribute("href"), live.hidden]).toEqual([false, true]);
  });

  it("with previews: every tile plays its silent copy; the sound element, the heard tile's original", () => {
    const { model, all, el } = mount({ previews: true, tiles: [tile("s1"), tile("s2")] });
    for (const key of ["s1", "s2"]) {
      model.emit("msg:custom", { type: "preview", key, width: 480, src: `/files/${key}.tile480.silent.mp4`, fallback_src: "" });
    }
    const srcs = () => all('[data-role="tile-video"]').map((v) => v.getAttribute("src"));
    const sound = /** @type {HTMLAudioElement} */ (el.querySelector('audio[data-role="grid-sound"]'));
    expect(sound.hasAttribute("src")).toBe(false); // nothing loads while muted
    const mute = /** @type {HTMLButtonElement} */ (all('[data-role="grid-controls"] [data-role="mute"]')[0]);
    mute.click(); // sound on: the first tile is heard, from its original
    expect([sound.getAttribute("src"), sound.dataset.key, sound.muted]).toEqual(["/files/s1.mp4", "s1", false]);
    /** @type {HTMLButtonElement} */ (all('[data-role="tile-sound"]')[1]).click(); // hear s2 instead
    expect([sound.getAttribute("src"), sound.dataset.key]).toEqual(["/files/s2.mp4", "s2"]);
    expect(srcs()).toEqual(["/files/s1.tile480.silent.mp4", "/files/s2.tile480.silent.mp4"]);
    mute.click(); // sound off: the sound element lets go of its file
    expect([sound.hasAttribute("src"), sound.muted]).toEqual([false, true]);
  });

  it("a host without AAC: the enlarged tile plays an H.264 + MP3 copy", () => {
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { aac: false, vp9: true, opus: true };
    const { model, all, el } = mount({ previews: true, tiles: [tile("s1")] });
    expect(model.sent).toEqual([{ type: "need_preview", key: "s1", width: 480 }]);
    model.emit("msg:custom", { type: "preview", key: "s1", width: 480, src: "/files/s1.tile480.silent.mp4", fallback_src: "" });
    all(".wan-tile__media")[0].click(); // enlarged: its original, until the copy comes
    expect(model.sent.at(-1)).toEqual({ type: "need_copy", key: "s1", reason: "audio" });
    const video = /** @type {HTMLVideoElement} */ (all('[data-role="tile-video"]')[0]);
    expect(video.getAttribute("src")).toBe("/files/s1.mp4"); // the picture meanwhile
    model.emit("msg:custom", { type: "copy_pending", key: "s1" });
    model.emit("msg:custom", { type: "copy", key: "s1", src: "/files/s1.compat.mp4", fallback_src: "", note: "MP3 copy" });
    expect(video.getAttribute("src")).toBe("/files/s1.compat.mp4");
    expect([video.title, el.querySelector(".wan-tile")?.getAttribute("data-copy")]).toEqual(["MP3 copy", "true"]);
    video.dispatchEvent(new Event("error")); // the copy's URL fails too: its bytes
    expect(model.sent.at(-1)).toEqual({ type: "need_bytes", key: "s1", variant: "copy" });
  });

  it("a host without AAC: the grid is heard through the tile's H.264 + MP3 copy", () => {
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { aac: false, vp9: true, opus: true };
    const { model, el } = mount({ previews: true, tiles: [tile("s1")] });
    model.emit("msg:custom", { type: "preview", key: "s1", width: 480, src: "/files/s1.tile480.silent.mp4", fallback_src: "" });
    /** @type {HTMLElement} */ (el.querySelector('[data-role="mute"]')).click(); // sound on
    expect(model.sent.at(-1)).toEqual({ type: "need_copy", key: "s1", reason: "audio" });
    const sound = /** @type {HTMLAudioElement} */ (el.querySelector('audio[data-role="grid-sound"]'));
    expect(sound.getAttribute("src")).toBe("/files/s1.mp4"); // the original until the copy comes
    model.emit("msg:custom", { type: "copy", key: "s1", src: "/files/s1.compat.mp4", fallback_src: "", note: "MP3 copy" });
    expect([sound.getAttribute("src"), sound.muted]).toEqual(["/files/s1.compat.mp4", false]);
  });

  it("a host without VP9: a WEBM tile waits for its copy; with no answer, the original", () => {
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { vp9: false };
    vi.useFakeTimers();
    try {
      const { model, all } = mount({ tiles: [tile("s1", { mime: "video/webm" }), tile("s2", { mime: "video/webm" })] });
      expect(model.sent.map((m) => [m.type, m.key, m.reason])).toEqual([["need_copy", "s1", "video"], ["need_copy", "s2", "video"]]);
      expect(all('[data-role="tile-video"]').length).toBe(0);
      model.emit("msg:custom", { type: "copy", key: "s1", src: "/files/s1.compat.mp4", fallback_src: "" });
      model.emit("msg:custom", { type: "no_copy", key: "s2", message: "no PyAV" });
      const srcs = () => all('[data-role="tile-video"]').map((v) => v.getAttribute("src"));
      expect(srcs()).toEqual(["/files/s1.compat.mp4", "/files/s2.mp4"]);
      vi.advanceTimersByTime(200000);
      expect(srcs()).toEqual(["/files/s1.compat.mp4", "/files/s2.mp4"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("cleans up", () => {
    const { model, el, cleanup } = mount();
    cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(el.children.length).toBe(0);
  });
});
