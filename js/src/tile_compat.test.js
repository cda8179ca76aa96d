import { describe, expect, it, vi } from "vitest";
import { fileName } from "./grid_tile.js";
import { TileCompat } from "./tile_compat.js";
import { ANSWER_TIMEOUT_MS } from "./tile_previews.js";

/** @param {string} key @param {Record<string, any>} [extra] */
const tile = (key, extra = {}) => ({
  key, seed: 1, prompt: "", status: "done", progress: 1, cost: 0, src: `/files/${key}.mp4`, fallback_src: "",
  remote_src: "https://x/a.mp4", remote_expires: 0, mime: "video/mp4", error: "", row: 0, col: 0, ...extra,
});

/** @param {Partial<import("./media_caps.js").Caps>} caps */
function setup(caps) {
  const sent = /** @type {any[]} */ ([]);
  const onChange = vi.fn();
  const compat = new TileCompat((m) => sent.push(m), onChange, { aac: true, vp9: true, opus: true, ...caps });
  return { compat, sent, onChange };
}

describe("TileCompat", () => {
  it("asks nothing where the host decodes the original", () => {
    const { compat, sent } = setup({});
    const t = tile("s1");
    expect(compat.sourcesFor(t)).toBe(t);
    expect(compat.wants("video/mp4")).toBe(false);
    expect(sent).toEqual([]);
  });

  it("asks once per result; a new result in the tile asks again", () => {
    const { compat, sent, onChange } = setup({ aac: false });
    compat.sourcesFor(tile("s1"));
    compat.sourcesFor(tile("s1"));
    expect(sent).toEqual([{ type: "need_copy", key: "s1", reason: "audio" }]);
    compat.handle({ type: "copy", key: "s1", src: "/files/s1.compat.mp4", fallback_src: "s1.compat.mp4", note: "n" });
    expect(onChange).toHaveBeenCalledOnce();
    const copy = /** @type {any} */ (compat.sourcesFor(tile("s1")));
    expect([copy.src, copy.fallback_src, copy.remote_src, copy.mime]).toEqual(["/files/s1.compat.mp4", "s1.compat.mp4", "", "video/mp4"]);
    expect(compat.isCopy(copy)).toBe(true);
    expect(compat.noteFor("s1")).toBe("n");
    compat.sourcesFor(tile("s1", { src: "/files/other.mp4" }));
    expect(sent.length).toBe(2);
  });

  it("ignores answers it did not ask for, and other messages", () => {
    const { compat, onChange } = setup({ aac: false });
    expect(compat.handle({ type: "copy", key: "zz", src: "/x" })).toBe(true);
    expect(compat.handle({ type: "preview", key: "s1" })).toBe(false);
    expect(onChange).not.toHaveBeenCalled();
    expect(compat.known.size).toBe(0);
  });

  it("gives up when no kernel answers", () => {
    vi.useFakeTimers();
    try {
      const { compat, onChange } = setup({ vp9: false });
      const t = tile("s1", { mime: "video/webm" });
      expect(compat.sourcesFor(t)).toBeNull();
      vi.advanceTimersByTime(ANSWER_TIMEOUT_MS);
      expect(onChange).toHaveBeenCalledOnce();
      expect(compat.sourcesFor(t)).toBe(t);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("fileName", () => {
  it.each([
    ["/files/wan_media/a%20fox.mp4?v=1", "a fox.mp4"],
    ["https://vm.example/v/b.webm#t=1", "b.webm"],
    ["", ""],
    ["/files/%E0%A4%A.mp4", "%E0%A4%A.mp4"],
  ])("%s -> %s", (url, name) => expect(fileName(url)).toBe(name));
});
