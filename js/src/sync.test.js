import { describe, expect, it } from "vitest";
import {
  SYNC_DEFAULTS,
  circularSpread,
  clampTime,
  clockTime,
  createClock,
  driftAction,
  groupDuration,
  median,
  pauseClock,
  playClock,
  seekClock,
  setClockRate,
  spread,
  stepFrame,
  wrapPosition,
} from "./sync.js";

describe("clock", () => {
  it("stands still while paused", () => {
    const c = createClock(1.5);
    expect(clockTime(c, 0)).toBe(1.5);
    expect(clockTime(c, 10_000)).toBe(1.5);
  });

  it("advances at its rate while playing", () => {
    const c = playClock(createClock(0, 1), 1000);
    expect(clockTime(c, 1500)).toBeCloseTo(0.5);
    const fast = setClockRate(c, 2, 1500);
    expect(clockTime(fast, 1500)).toBeCloseTo(0.5);
    expect(clockTime(fast, 2000)).toBeCloseTo(1.5);
  });

  it("pauses where it is and resumes from there", () => {
    let c = playClock(createClock(), 0);
    c = pauseClock(c, 2000);
    expect(c.playing).toBe(false);
    expect(clockTime(c, 9000)).toBeCloseTo(2);
    c = playClock(c, 9000);
    expect(clockTime(c, 9500)).toBeCloseTo(2.5);
  });

  it("seeks without changing the playing state", () => {
    const c = seekClock(playClock(createClock(), 0), 0.25, 100);
    expect(c.playing).toBe(true);
    expect(clockTime(c, 600)).toBeCloseTo(0.75);
  });

  it("re-anchors at an explicit position", () => {
    const c = playClock(createClock(5), 0, 1);
    expect(clockTime(c, 0)).toBe(1);
    expect(pauseClock(c, 1000, 0.3).position).toBe(0.3);
  });
});

describe("driftAction", () => {
  const rate = 1;

  it("holds inside the dead band", () => {
    expect(driftAction(0.005, { rate })).toEqual({ action: "hold", rate: 1 });
    expect(driftAction(-0.005, { rate: 2 })).toEqual({ action: "hold", rate: 2 });
  });

  it("speeds up a late video and slows down an early one", () => {
    const late = driftAction(0.05, { rate });
    expect(late.action).toBe("nudge");
    expect(late.rate).toBeGreaterThan(1);
    const early = driftAction(-0.05, { rate });
    expect(early.action).toBe("nudge");
    expect(early.rate).toBeLessThan(1);
  });

  it("scales the nudge with the group rate and caps it", () => {
    const nudge = driftAction(0.09, { rate: 2, gain: 10, maxNudge: 0.1 });
    expect(nudge.rate).toBeCloseTo(2.2);
  });

  it("hard-seeks big errors (either way) and nonsense", () => {
    expect(driftAction(SYNC_DEFAULTS.hardSeek + 0.01, { rate }).action).toBe("seek");
    expect(driftAction(-0.5, { rate }).action).toBe("seek");
    expect(driftAction(Number.NaN, { rate }).action).toBe("seek");
  });

  it("honours custom thresholds", () => {
    expect(driftAction(0.05, { rate, hardSeek: 0.04 }).action).toBe("seek");
    expect(driftAction(0.05, { rate, deadband: 0.06 }).action).toBe("hold");
  });

  it("nudges in two steps, so the rate changes rarely while the error shrinks", () => {
    const rates = new Set([0.06, 0.05, 0.03, 0.02, 0.012, 0.009].map((e) => driftAction(e, { rate }).rate));
    expect([...rates].sort()).toEqual([1 + SYNC_DEFAULTS.maxNudge / 3, 1 + SYNC_DEFAULTS.maxNudge]);
  });

  it("a nudge closes a one-frame gap within about half a second", () => {
    // Simulate: the video runs at the nudged rate, the clock at 1.
    let error = 1 / 24;
    const dt = 1 / 60;
    let t = 0;
    while (Math.abs(error) > SYNC_DEFAULTS.deadband && t < 5) {
      const d = driftAction(error, { rate: 1 });
      error -= (d.rate - 1) * dt;
      t += dt;
    }
    expect(t).toBeLessThan(0.6);
  });
});

describe("positions and spreads", () => {
  it("wraps or ends at the duration", () => {
    expect(wrapPosition(1, 2, true)).toEqual({ time: 1, wrapped: false, ended: false });
    expect(wrapPosition(2.5, 2, true)).toEqual({ time: 0.5, wrapped: true, ended: false });
    expect(wrapPosition(2.5, 2, false)).toEqual({ time: 2, wrapped: false, ended: true });
    expect(wrapPosition(7, 0, true)).toEqual({ time: 7, wrapped: false, ended: false });
  });

  it("computes medians and spreads", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(spread([1, 1.02, 0.99])).toBeCloseTo(0.03);
    expect(spread([1])).toBe(0);
  });

  it("measures spread around a loop", () => {
    expect(circularSpread([1.99, 0.01], 2)).toBeCloseTo(0.02);
    expect(circularSpread([0.5, 0.52, 0.51], 2)).toBeCloseTo(0.02);
    expect(circularSpread([0, 1], 2)).toBeCloseTo(1);
    expect(circularSpread([2, 0], 2)).toBeCloseTo(0);
  });

  it("takes the longest known duration", () => {
    expect(groupDuration([2, Number.NaN, 2.02, Number.POSITIVE_INFINITY])).toBe(2.02);
    expect(groupDuration([])).toBe(0);
  });

  it("clamps seek targets", () => {
    expect(clampTime(-1, 2)).toBe(0);
    expect(clampTime(3, 2)).toBe(2);
    expect(clampTime(3, 0)).toBe(3);
    expect(clampTime(Number.NaN, 2)).toBe(0);
  });

  it("steps one frame on the frame grid", () => {
    expect(stepFrame(1, 24, 1, 2)).toBeCloseTo(25 / 24);
    expect(stepFrame(1, 24, -1, 2)).toBeCloseTo(23 / 24);
    expect(stepFrame(1.02, 24, 1, 2)).toBeCloseTo(25 / 24);
    expect(stepFrame((1 / 24) * 24, 24, 1, 2)).toBeCloseTo(25 / 24);
    expect(stepFrame(0, 24, -1, 2)).toBe(0);
    expect(stepFrame(2, 24, 1, 2)).toBe(2);
  });
});
