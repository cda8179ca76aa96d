import { describe, expect, it } from "vitest";
import { STALL_MS, StallWatch, isStuck, within } from "./stall_watch.js";

/** @param {Partial<HTMLMediaElement>} state */
const media = (state) => /** @type {HTMLMediaElement} */ ({ error: null, ended: false, seeking: false, readyState: 4, ...state });

describe("isStuck", () => {
  it("is a video seeking or without data ahead, not an ended or broken one", () => {
    expect(isStuck(media({}))).toBe(false);
    expect(isStuck(media({ seeking: true }))).toBe(true);
    expect(isStuck(media({ readyState: 2 }))).toBe(true);
    expect(isStuck(media({ readyState: 2, ended: true }))).toBe(false);
    expect(isStuck(media({ seeking: true, error: /** @type {MediaError} */ ({ code: 4 }) }))).toBe(false);
  });
});

describe("StallWatch", () => {
  it("kicks after STALL_MS stuck, then after twice as long each time", () => {
    const watch = new StallWatch();
    const video = media({ seeking: true });
    const kicks = [];
    for (let now = 0; now <= 7 * STALL_MS + 1; now += 100) if (watch.due(video, now)) kicks.push(now);
    expect(kicks).toEqual([STALL_MS, 3 * STALL_MS, 7 * STALL_MS]);
  });

  it("starts over once the video moves again", () => {
    const watch = new StallWatch();
    const video = media({ seeking: true });
    watch.due(video, 0);
    expect(watch.due(video, STALL_MS)).toBe(true);
    Object.assign(video, { seeking: false });
    expect(watch.due(video, STALL_MS + 100)).toBe(false);
    Object.assign(video, { seeking: true });
    expect(watch.due(video, STALL_MS + 200)).toBe(false);
    expect(watch.due(video, 2 * STALL_MS + 200)).toBe(true); // STALL_MS again, not twice
  });
});

describe("within", () => {
  it("gives the promise's value, or undefined once the time is up", async () => {
    expect(await within(Promise.resolve(7), 1000)).toBe(7);
    expect(await within(new Promise(() => {}), 5)).toBeUndefined();
  });
});
