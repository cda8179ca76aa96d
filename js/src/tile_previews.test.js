import { describe, expect, it, vi } from "vitest";
import { ANSWER_TIMEOUT_MS, MAKE_TIMEOUT_MS, TilePreviews, previewWidth } from "./tile_previews.js";

/** @param {string} key @param {string} [src] */
const tile = (key, src = `/files/${key}.mp4`) => ({
  key, seed: 1, prompt: "", status: "done", progress: 1, cost: 0, src, fallback_src: `${key}.mp4`,
  remote_src: "https://x/a.mp4", remote_expires: 0, mime: "video/mp4", error: "", row: 0, col: 0,
});
const where = (/** @type {Partial<import("./tile_previews.js").Where>} */ w = {}) => ({
  enabled: true, enlarged: false, cssWidth: 270, dpr: 1, ...w,
});

function setup() {
  /** @type {{cb: () => void, ms: number, live: boolean}[]} */
  const timers = [];
  const sent = /** @type {any[]} */ ([]);
  const onChange = vi.fn();
  const previews = new TilePreviews((m) => sent.push(m), onChange, {
    setTimer: (cb, ms) => {
      const t = { cb, ms, live: true };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      t.live = false;
    },
  });
  const fire = () => {
    for (const t of timers.splice(0)) if (t.live) t.cb();
  };
  return { previews, sent, onChange, timers, fire };
}

describe("previewWidth", () => {
  it.each([
    [270, 1, 320],
    [270, 2, 640],
    [400, 1, 480],
    [960, 1, 960],
    [1100, 1, 0],
    [0, 1, Number.NaN],
  ])("%d css px at dpr %d -> %d", (css, dpr, expected) => expect(previewWidth(css, dpr)).toBe(expected));
});

describe("TilePreviews", () => {
  it("asks once, waits, then gives the copy's URLs (and no remote URL)", () => {
    const { previews, sent, onChange } = setup();
    expect(previews.sourcesFor(tile("a"), where())).toBeNull();
    expect(previews.sourcesFor(tile("a"), where())).toBeNull();
    expect(sent).toEqual([{ type: "need_preview", key: "a", width: 320 }]);
    previews.handle({ type: "preview", key: "a", width: 320, src: "/files/a.tile320.mp4", fallback_src: "a.tile320.mp4" });
    expect(onChange).toHaveBeenCalledOnce();
    const got = previews.sourcesFor(tile("a"), where());
    expect([got?.src, got?.fallback_src, got?.remote_src]).toEqual(["/files/a.tile320.mp4", "a.tile320.mp4", ""]);
  });

  it("plays the original when off, enlarged, too wide, or refused", () => {
    const { previews } = setup();
    const t = tile("a");
    expect(previews.sourcesFor(t, where({ enabled: false }))).toBe(t);
    expect(previews.sourcesFor(t, where({ enlarged: true }))).toBe(t);
    expect(previews.sourcesFor(t, where({ cssWidth: 2000 }))).toBe(t);
    previews.sourcesFor(t, where());
    previews.handle({ type: "no_preview", key: "a" });
    expect(previews.sourcesFor(t, where())).toBe(t);
  });

  it("a wider tile asks for a bigger copy and keeps the small one meanwhile", () => {
    const { previews, sent } = setup();
    previews.sourcesFor(tile("a"), where());
    previews.handle({ type: "preview", key: "a", width: 320, src: "/s.mp4", fallback_src: "" });
    expect(previews.sourcesFor(tile("a"), where({ cssWidth: 600 }))?.src).toBe("/s.mp4");
    expect(sent.at(-1)).toEqual({ type: "need_preview", key: "a", width: 640 });
  });

  it("no answer: the original; an answer that the copy is being made: a longer wait", () => {
    const { previews, timers, fire } = setup();
    previews.sourcesFor(tile("a"), where());
    previews.sourcesFor(tile("b"), where());
    expect(timers.map((t) => t.ms)).toEqual([ANSWER_TIMEOUT_MS, ANSWER_TIMEOUT_MS]);
    previews.handle({ type: "preview_pending", key: "b" });
    expect(timers.at(-1)?.ms).toBe(MAKE_TIMEOUT_MS);
    fire();
    expect(previews.sourcesFor(tile("a"), where())?.src).toBe("/files/a.mp4");
    expect(previews.sourcesFor(tile("b"), where())?.src).toBe("/files/b.mp4");
  });

  it("a new result in the tile (another src) forgets the old copy", () => {
    const { previews, sent } = setup();
    previews.sourcesFor(tile("a"), where());
    previews.handle({ type: "preview", key: "a", width: 320, src: "/old.mp4", fallback_src: "" });
    expect(previews.sourcesFor(tile("a", "/files/new.mp4"), where())).toBeNull();
    expect(sent.length).toBe(2);
  });

  it("ignores answers nobody asked for", () => {
    const { previews, onChange } = setup();
    expect(previews.handle({ type: "preview", key: "zzz", width: 320, src: "/x.mp4" })).toBe(true);
    expect(previews.known.size).toBe(0);
    expect(previews.handle({ type: "bytes_start" })).toBe(false);
    expect(onChange).not.toHaveBeenCalled();
  });
});
