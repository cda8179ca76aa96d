import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PLAY_WAIT_MS, STALL_MS } from "./stall_watch.js";
import { SyncGroup } from "./sync_group.js";

/** A <video> stand-in: time moves only when the test calls advance(). */
class FakeVideo extends EventTarget {
  constructor(duration = 2) {
    super();
    this.duration = duration;
    this.readyState = 4;
    this._t = 0;
    this.paused = true;
    this.seeking = false;
    this.playbackRate = 1;
    this.defaultPlaybackRate = 1;
    this.muted = false;
    this.loop = true;
    this.error = null;
    this.plays = 0;
  }
  get currentTime() {
    return this._t;
  }
  set currentTime(t) {
    this._t = Math.min(Math.max(0, t), this.duration);
    this.seeking = true;
    queueMicrotask(() => {
      this.seeking = false;
      this.dispatchEvent(new Event("seeked"));
    });
  }
  get ended() {
    return this._t >= this.duration && this.paused;
  }
  play() {
    this.plays += 1;
    this.paused = false;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  /** @param {number} dt seconds of media playback */
  advance(dt) {
    if (this.paused || this.seeking) return;
    this._t = Math.min(this.duration, this._t + dt * this.playbackRate);
    if (this._t >= this.duration) this.paused = true;
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("SyncGroup", () => {
  /** @type {number} */
  let now;
  /** @type {(() => void)[]} */
  let frames;
  /** @type {SyncGroup} */
  let group;
  /** @type {FakeVideo[]} */
  let videos;

  beforeEach(() => {
    now = 0;
    frames = [];
    group = new SyncGroup({
      now: () => now,
      requestFrame: (cb) => frames.push(cb),
      cancelFrame: () => {},
    });
    videos = [new FakeVideo(), new FakeVideo(), new FakeVideo(), new FakeVideo()];
    for (const v of videos) group.add(/** @type {any} */ (v));
  });

  /**
   * Let `ms` of wall time pass: videos play, then one correction frame runs.
   * @param {number} ms
   * @param {number[]} [rates]  each video's speed relative to real time
   */
  const run = (ms, rates = videos.map(() => 1)) => {
    now += ms;
    videos.forEach((v, i) => v.advance((ms / 1000) * rates[i]));
    const pending = frames.splice(0);
    for (const f of pending) f();
  };
  const times = () => videos.map((v) => v.currentTime);

  it("takes over the videos: no native loop, shared mute and rate", () => {
    for (const v of videos) {
      expect(v.loop).toBe(false);
      expect(v.muted).toBe(true);
    }
    expect(group.duration).toBe(2);
  });

  it("starts every video from the same time", async () => {
    videos[2]._t = 0.7;
    await group.play();
    expect(group.phase).toBe("playing");
    expect(new Set(times()).size).toBe(1);
    expect(videos.every((v) => !v.paused)).toBe(true);
    expect(group.playing).toBe(true);
  });

  it("pauses every video at exactly the same time", async () => {
    await group.play();
    run(500, [1, 1.02, 0.98, 1]);
    group.pause();
    const t = times();
    expect(new Set(t).size).toBe(1);
    expect(t[0]).toBeCloseTo(0.5, 1);
    expect(videos.every((v) => v.paused)).toBe(true);
  });

  it("a start waits for a held member, then starts it with the others", async () => {
    group.holds.hold("s5");
    const started = group.play();
    await new Promise((r) => setTimeout(r, 20));
    expect(videos.every((v) => v.paused)).toBe(true); // still waiting
    const late = new FakeVideo();
    late._t = 0.4;
    group.add(/** @type {any} */ (late));
    group.holds.release("s5");
    await started;
    expect([...videos, late].every((v) => !v.paused && v.currentTime === 0)).toBe(true);
  });

  it("lets the owner switch a source at every start, all stopped, and waits for it", async () => {
    /** @type {{phase: string, paused: boolean[]}[]} */
    const seen = [];
    group.beforeStart = (g) => {
      seen.push({ phase: g.phase, paused: videos.map((v) => v.paused) });
      if (seen.length === 2) {
        videos[1].readyState = 0; // a new source: the element reloads
        setTimeout(() => {
          videos[1].readyState = 4;
          videos[1].dispatchEvent(new Event("canplay"));
        }, 10);
      }
    };
    await group.play();
    for (let i = 0; i < 130; i++) run(16); // past the loop seam: a start at 0
    await new Promise((r) => setTimeout(r, 3));
    expect(videos.every((v) => v.paused)).toBe(true); // waiting for the reloaded one
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([
      { phase: "starting", paused: [true, true, true, true] },
      { phase: "starting", paused: [true, true, true, true] },
    ]);
    expect(group.phase).toBe("playing");
    expect(videos.every((v) => !v.paused && v.currentTime === 0)).toBe(true);
  });

  it("seeks while paused by setting every currentTime", () => {
    group.seek(1.25);
    expect(times()).toEqual([1.25, 1.25, 1.25, 1.25]);
    expect(group.time).toBe(1.25);
  });

  it("seeks while playing by stopping, aligning and restarting", async () => {
    await group.play();
    run(300);
    await group.seek(1.5);
    expect(group.phase).toBe("playing");
    expect(times()).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(videos.every((v) => !v.paused)).toBe(true);
  });

  it("nudges a slightly late video and hard-seeks a far one", async () => {
    await group.play();
    run(16);
    videos[1]._t -= 0.05; // late by 50 ms
    videos[2]._t -= 0.5; // late by half a second
    run(16);
    expect(videos[1].playbackRate).toBeGreaterThan(1);
    expect(videos[2].currentTime).toBeCloseTo(group.time, 2);
    expect(videos[0].playbackRate).toBe(1);
  });

  it("converges: spread drops under one frame", async () => {
    await group.play();
    videos[0]._t += 0.06;
    videos[3]._t -= 0.04;
    for (let i = 0; i < 60; i++) run(16);
    const t = times();
    expect(Math.max(...t) - Math.min(...t)).toBeLessThan(1 / 48);
  });

  it("follows the group when every video lags (no mass seeking)", async () => {
    await group.play();
    for (const v of videos) v.seeking = true; // all stall
    run(400);
    for (const v of videos) v.seeking = false;
    const before = videos.map((v) => v.plays);
    run(16);
    expect(group.time).toBeLessThan(0.1);
    expect(videos.map((v) => v.plays)).toEqual(before);
  });

  it("loops all videos together", async () => {
    await group.play();
    for (let i = 0; i < 130; i++) run(16); // 2.08 s
    await flush();
    expect(group.phase).toBe("playing");
    const t = times();
    expect(Math.max(...t)).toBeLessThan(0.2);
    expect(new Set(t).size).toBe(1);
  });

  it("stops at the end without loop", async () => {
    group.setLoop(false);
    await group.play();
    for (let i = 0; i < 130; i++) run(16);
    expect(group.playing).toBe(false);
    expect(group.phase).toBe("paused");
    expect(new Set(times()).size).toBe(1);
  });

  it("a pause during the start wins", async () => {
    const started = group.play();
    group.pause();
    await started;
    expect(group.phase).toBe("paused");
    expect(videos.every((v) => v.paused)).toBe(true);
  });

  it("brings a late-arriving video in line", async () => {
    await group.play();
    run(500);
    const late = new FakeVideo();
    late.readyState = 0;
    group.add(/** @type {any} */ (late));
    late.readyState = 4;
    late.dispatchEvent(new Event("loadedmetadata"));
    expect(late.currentTime).toBeCloseTo(group.time, 2);
    expect(late.paused).toBe(false);
  });

  it("waits until every video can play, then starts all and re-anchors", async () => {
    videos[1].readyState = 2; // still buffering at the start point
    const started = group.play();
    await flush();
    expect(group.phase).toBe("starting");
    expect(videos.every((v) => v.paused)).toBe(true); // nobody runs ahead
    now += 300; // time passes while we wait: the clock must not run
    videos[1].readyState = 4;
    videos[1].dispatchEvent(new Event("canplay"));
    await started;
    expect(group.phase).toBe("playing");
    expect(videos.every((v) => !v.paused)).toBe(true);
    expect(group.time).toBe(0);
    expect(new Set(times()).size).toBe(1);
  });

  it("hears only the audible video when sound is on", () => {
    group.setAudible(/** @type {any} */ (videos[2]));
    expect(videos.every((v) => v.muted)).toBe(true);
    group.setMuted(false);
    expect(videos.map((v) => v.muted)).toEqual([true, true, false, true]);
    group.setAudible(/** @type {any} */ (videos[0]));
    expect(videos.map((v) => v.muted)).toEqual([false, true, true, true]);
    group.remove(/** @type {any} */ (videos[0]));
    expect(group.audible).toBeNull();
  });

  it("applies rate and mute to every video", () => {
    group.setRate(1.5);
    group.setMuted(false);
    expect(videos.every((v) => v.playbackRate === 1.5 && !v.muted)).toBe(true);
    expect(group.clock.rate).toBe(1.5);
  });

  it("scrubbing holds playback and resumes on release", async () => {
    await group.play();
    group.beginScrub();
    expect(videos.every((v) => v.paused)).toBe(true);
    group.scrubTo(0.4);
    group.scrubTo(0.8);
    expect(times()).toEqual([0.8, 0.8, 0.8, 0.8]);
    await group.endScrub(1.0);
    expect(group.phase).toBe("playing");
    expect(times()).toEqual([1, 1, 1, 1]);
  });

  it("forgets removed videos and stops on destroy", async () => {
    group.remove(/** @type {any} */ (videos[0]));
    expect(group.videos.size).toBe(3);
    await group.play();
    group.destroy();
    expect(group.videos.size).toBe(0);
  });
  describe("a video that never gets its data", () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it("holds the start only so long, then is kicked while the others play", async () => {
      for (const v of videos) v.duration = 20; // no loop seam in this test
      const stuck = videos[1];
      stuck.readyState = 2; // metadata and a frame, never enough to play
      stuck.play = () => {
        stuck.plays += 1;
        stuck.paused = false;
        return new Promise(() => {}); // as a browser's: settles only once it plays
      };
      const started = group.play();
      await vi.advanceTimersByTimeAsync(2 * 8000 + PLAY_WAIT_MS + 100); // two waits, then play()
      await started;
      expect(group.phase).toBe("playing");
      expect(videos.filter((v) => v !== stuck).every((v) => !v.paused)).toBe(true);
      const plays = stuck.plays;
      for (let i = 0; i < STALL_MS / 100; i++) run(100, [1, 0, 1, 1]);
      await vi.advanceTimersByTimeAsync(0);
      run(100, [1, 0, 1, 1]); // stuck for STALL_MS: kicked, sought to the group's time
      expect(stuck.plays).toBe(plays + 1);
      expect(stuck.currentTime).toBeCloseTo(videos[0].currentTime, 6);
      for (let i = 0; i < STALL_MS / 100; i++) run(100, [1, 0, 1, 1]);
      expect(stuck.plays).toBe(plays + 1); // the next kick waits twice as long
      for (let i = 0; i < STALL_MS / 100 + 1; i++) run(100, [1, 0, 1, 1]);
      expect(stuck.plays).toBe(plays + 2);
    });
  });
});
