import { describe, expect, it } from "vitest";
import { fakeTile } from "./fake_model.js";
import { sourceKey, tileSwitch } from "./tile_switch.js";

/** @param {string} src */
const tile = (src) => fakeTile("s1", { src });
const copy = tile("/files/s1.tile320.silent.mp4");
const original = tile("/files/s1.mp4");
/** @type {{phase: "paused" | "starting" | "playing", firstStart: boolean, enlarged: boolean}} */
const base = { phase: "paused", firstStart: true, enlarged: false };

describe("tileSwitch", () => {
  it("a tile with no element plays what it gets, or holds a start until its copy comes", () => {
    expect(tileSwitch({ ...base, wanted: copy, playing: "" })).toBe("play");
    expect(tileSwitch({ ...base, phase: "playing", wanted: copy, playing: "" })).toBe("play");
    expect(tileSwitch({ ...base, wanted: null, playing: "" })).toBe("hold");
    expect(tileSwitch({ ...base, phase: "playing", firstStart: false, wanted: null, playing: "" })).toBe("hold");
  });

  it("while the group plays, a tile keeps its source; a better one waits for the next start", () => {
    const now = { ...base, phase: /** @type {const} */ ("playing"), firstStart: false, playing: sourceKey(original) };
    expect(tileSwitch({ ...now, wanted: copy })).toBe("keep");
    expect(tileSwitch({ ...now, wanted: null })).toBe("keep");
    expect(tileSwitch({ ...now, wanted: original })).toBe("play"); // the same: nothing to do
    expect(tileSwitch({ ...now, phase: "starting", wanted: copy })).toBe("play");
    expect(tileSwitch({ ...now, phase: "paused", wanted: copy })).toBe("play");
  });

  it("the tile just enlarged switches at once and restarts the group", () => {
    const now = { ...base, phase: /** @type {const} */ ("playing"), firstStart: false, enlarged: true };
    expect(tileSwitch({ ...now, wanted: original, playing: sourceKey(copy) })).toBe("restart");
  });

  it("a first start waits for a copy on its way even when the tile shows its original", () => {
    const now = { ...base, phase: /** @type {const} */ ("starting"), playing: sourceKey(original), wanted: null };
    expect(tileSwitch(now)).toBe("hold");
    expect(tileSwitch({ ...now, firstStart: false })).toBe("keep"); // a loop seam never waits for one
  });

  it("keys a source by every URL and its type", () => {
    expect(sourceKey(copy)).not.toBe(sourceKey(original));
    expect(sourceKey({ ...copy, mime: "video/webm" })).not.toBe(sourceKey(copy));
  });
});
