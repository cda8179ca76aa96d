// SyncGroup: plays several <video> elements as one.
//
// One master clock (performance.now()-based, see sync.js) keeps the group's
// time; while playing it follows the videos' robust median.
// - play/seek/loop restarts are "stop, align, start together": pause all, let
//   the owner switch sources (beforeStart), align every currentTime, wait
//   until each can play from there (held members: on their way), play() all
//   in one task, anchor the clock once they play: none runs ahead;
// - pause stops all and sets every currentTime to exactly the same value;
// - while playing, each frame re-anchors the clock on the playing videos'
//   median and steers each (driftAction): a rare hard seek above 0.1 s,
//   a nudge below, nothing inside the dead band; stuck ones get kicked;
// - the group loops, not each element (video.loop = false): all wrap together;
// - sound is solo: with `audible` set, only that video is unmuted;
// - a "follower" (the grid's sound, grid_sound.js) is steered like the others
//   but never followed: it counts for neither the median nor the duration.

import { safePlay } from "./dom.js";
import { Holds, whenCanPlay, whenSeeked } from "./media_wait.js";
import { PLAY_WAIT_MS, StallWatch, within } from "./stall_watch.js";
import {
  SYNC_DEFAULTS,
  clampTime,
  clockTime,
  createClock,
  driftAction,
  groupDuration,
  median,
  pauseClock,
  playClock,
  robustCenter,
  seekClock,
  setClockRate,
  wrapPosition,
} from "./sync.js";

const HAVE_METADATA = 1, HAVE_FUTURE_DATA = 3;

/**
 * @typedef {object} SyncGroupOptions
 * @property {() => number} [now]                        ms clock (performance.now)
 * @property {(cb: () => void) => number} [requestFrame] requestAnimationFrame
 * @property {(id: number) => void} [cancelFrame]
 * @property {(group: SyncGroup) => void} [onChange]     play state / duration changed
 * @property {(time: number, group: SyncGroup) => void} [onTick]  each frame while playing
 * @property {(group: SyncGroup) => void} [beforeStart]  every video stopped, a start about to wait
 * @property {number} [fps]
 */

export class SyncGroup {
  /** @param {SyncGroupOptions} [options] */
  constructor(options = {}) {
    this.now = options.now ?? (() => performance.now());
    this.requestFrame = options.requestFrame ?? ((cb) => requestAnimationFrame(cb));
    this.cancelFrame = options.cancelFrame ?? ((id) => cancelAnimationFrame(id));
    this.onChange = options.onChange ?? (() => {});
    this.onTick = options.onTick ?? (() => {});
    this.beforeStart = options.beforeStart ?? (() => {});
    this.fps = options.fps ?? 30;  // Wan 2.6 writes 30 fps
    /** @type {Set<HTMLVideoElement>} */
    this.videos = new Set();
    /** @type {WeakSet<HTMLMediaElement>} members steered but never followed */
    this.followers = new WeakSet();
    /** members on their way (a tile waiting for its copy): a start waits for them */
    this.holds = new Holds();
    this.clock = createClock(0, 1);
    this.loop = true;
    this.muted = true;
    /** @type {HTMLVideoElement | null} the one video heard when unmuted; null: all */
    this.audible = null;
    /** whether the user wants playback (the clock may still be starting) */
    this.wantPlay = false;
    /** @type {"paused" | "starting" | "playing"} */
    this.phase = "paused";
    /** bumped by every play/pause/seek; stale async steps check it */
    this.generation = 0;
    /** @type {number | null} */
    this.frame = null;
    /** @type {WeakMap<HTMLVideoElement, number>} video -> ms until which it is left alone */
    this.cooldown = new WeakMap();
    this.stalls = new StallWatch();
    /** @type {{wasPlaying: boolean} | null} */
    this.scrub = null;
    this.destroyed = false;
    this.onReady = this.onReady.bind(this);
    this.tick = this.tick.bind(this);
  }

  /** @returns {boolean} */
  get playing() {
    return this.wantPlay;
  }

  /** @returns {number} media time of the clock */
  get time() {
    return clockTime(this.clock, this.now());
  }

  /** @returns {number} longest known duration, 0 if none */
  get duration() {
    return groupDuration([...this.videos].filter((v) => !this.followers.has(v)).map((v) => v.duration));
  }

  /** @returns {HTMLVideoElement[]} members to wait for: not a follower with nothing to play */
  members() {
    return [...this.videos].filter((v) => !this.followers.has(v) || (Boolean(v.currentSrc) && !v.error));
  }

  /** @returns {HTMLVideoElement[]} videos with metadata */
  readyVideos() {
    return this.members().filter((v) => v.readyState >= HAVE_METADATA && !v.error);
  }

  /**
   * @param {HTMLMediaElement} media
   * @param {{follower?: boolean}} [options]  follower: steered, never followed
   */
  add(media, options = {}) {
    const video = /** @type {HTMLVideoElement} */ (media);
    if (this.videos.has(video)) return;
    this.videos.add(video);
    if (options.follower) this.followers.add(video);
    video.loop = false;
    video.muted = this.isMuted(video);
    video.defaultPlaybackRate = this.clock.rate;
    video.playbackRate = this.clock.rate;
    video.addEventListener("loadedmetadata", this.onReady);
    if (video.readyState >= HAVE_METADATA) this.onReady({ target: video });
  }

  /** @param {HTMLMediaElement} media */
  remove(media) {
    const video = /** @type {HTMLVideoElement} */ (media);
    if (!this.videos.delete(video)) return;
    this.followers.delete(video);
    if (this.audible === video) this.audible = null;
    video.removeEventListener("loadedmetadata", this.onReady);
    this.onChange(this);
  }

  /**
   * A video got its metadata (first load, or a new source): bring it in line.
   * @param {{target: EventTarget | null}} event
   */
  onReady(event) {
    const video = /** @type {HTMLVideoElement} */ (event.target);
    video.playbackRate = this.clock.rate;
    const t = clampTime(this.time, video.duration);
    if (Math.abs(video.currentTime - t) > 1e-6) video.currentTime = t;
    if (this.phase === "playing") {
      this.cooldown.set(video, this.now() + SYNC_DEFAULTS.seekCooldownMs);
      this.playOne(video);
    }
    this.onChange(this);
  }

  // Start one video (whether it started); a refused play() is retried by the next pass.
  /** @param {HTMLVideoElement} video @returns {Promise<boolean>} */
  playOne(video) {
    return safePlay(video);
  }

  /** Set every ready video to exactly `t`. @param {number} t */
  alignAll(t) {
    for (const v of this.readyVideos()) {
      const target = clampTime(t, v.duration);
      if (Math.abs(v.currentTime - target) > 1e-6) v.currentTime = target;
    }
  }

  /** Start playback from the clock's position. */
  play() {
    this.wantPlay = true;
    const d = this.duration;
    let t = this.clock.position;
    if (d > 0 && t >= d - 1e-3) t = 0; // play after the end starts over
    return this.restart(t);
  }

  /** Stop playback; every video shows exactly the same time. */
  pause() {
    this.wantPlay = false;
    this.generation += 1;
    this.stopLoop();
    const ready = this.readyVideos();
    for (const v of ready) v.pause();
    // Freeze where the videos actually are, not where the clock thinks.
    const observed = median(ready.map((v) => v.currentTime));
    const t = Number.isFinite(observed) ? observed : this.time;
    this.clock = pauseClock(this.clock, this.now(), clampTime(t, this.duration));
    this.alignAll(this.clock.position);
    for (const v of ready) v.playbackRate = this.clock.rate;
    this.phase = "paused";
    this.onChange(this);
  }

  toggle() {
    return this.wantPlay ? this.pause() : this.play();
  }

  /** Jump to `t` seconds; playback continues if it was running. @param {number} t */
  seek(t) {
    const target = clampTime(t, this.duration);
    if (this.wantPlay) return this.restart(target);
    this.generation += 1;
    this.clock = pauseClock(seekClock(this.clock, target, this.now()), this.now());
    this.alignAll(target);
    this.onChange(this);
    return Promise.resolve();
  }

  /** The user grabbed the seek slider: hold playback while dragging. */
  beginScrub() {
    if (this.scrub) return;
    this.scrub = { wasPlaying: this.wantPlay };
    if (this.wantPlay) this.pause();
  }

  /** @param {number} t */
  scrubTo(t) {
    if (!this.scrub) this.beginScrub();
    return this.seek(t);
  }

  /** The slider was released at `t`. @param {number} t */
  endScrub(t) {
    const resume = this.scrub?.wasPlaying ?? this.wantPlay;
    this.scrub = null;
    this.seek(t);
    return resume ? this.play() : Promise.resolve();
  }

  /** @param {number} rate */
  setRate(rate) {
    if (!(rate > 0)) return;
    this.clock = setClockRate(this.clock, rate, this.now());
    for (const v of this.videos) {
      v.defaultPlaybackRate = rate;
      v.playbackRate = rate;
    }
    this.onChange(this);
  }

  /** @param {boolean} loop */
  setLoop(loop) {
    this.loop = loop;
    this.onChange(this);
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    this.muted = muted;
    this.applyAudio();
    this.onChange(this);
  }

  /**
   * Hear only `media` when sound is on (null: every video).
   * @param {HTMLMediaElement | null} media
   */
  setAudible(media) {
    const video = /** @type {HTMLVideoElement | null} */ (media);
    this.audible = video && this.videos.has(video) ? video : null;
    this.applyAudio();
    this.onChange(this);
  }

  /**
   * @param {HTMLVideoElement} video
   * @returns {boolean}
   */
  isMuted(video) {
    return this.muted || (this.audible !== null && video !== this.audible);
  }

  applyAudio() {
    for (const v of this.videos) v.muted = this.isMuted(v);
  }

  /**
   * Stop, align every video on `t`, wait until all can play from there,
   * start all together and re-anchor the clock once every one plays.
   * @param {number} t
   */
  async restart(t) {
    const generation = ++this.generation;
    this.phase = "starting";
    this.stopLoop();
    for (const v of this.videos) v.pause();
    this.clock = pauseClock(this.clock, this.now(), t);
    this.beforeStart(this); // a member may change its source now (grid tiles: tile_switch.js)
    const all = this.members();
    this.alignAll(t);
    this.onChange(this);
    // A video still loading gets aligned by onReady (the clock is paused at t).
    await Promise.all([...all.map((v) => whenCanPlay(v)), this.holds.wait()]);
    if (generation !== this.generation || this.destroyed) return;
    await Promise.all(this.members().map((v) => whenCanPlay(v))); // those that came meanwhile
    if (generation !== this.generation || this.destroyed) return;
    this.alignAll(t); // in case one was moved meanwhile (metadata arrived late)
    await Promise.all(this.readyVideos().map((v) => whenSeeked(v)));
    if (generation !== this.generation || this.destroyed) return;
    const starting = this.readyVideos();
    for (const v of starting) v.playbackRate = this.clock.rate;
    // A play() promise settles only once its video plays: one stuck video must not hold the rest.
    await Promise.all(starting.map((v) => within(this.playOne(v), PLAY_WAIT_MS)));
    if (generation !== this.generation || this.destroyed) return;
    const started = starting.filter((v) => !v.paused);
    const observed = median(started.map((v) => v.currentTime));
    this.clock = playClock(this.clock, this.now(), Number.isFinite(observed) ? observed : t);
    this.phase = "playing";
    this.stalls.reset();
    this.onChange(this);
    this.startLoop();
  }

  startLoop() {
    if (this.frame === null && !this.destroyed) this.frame = this.requestFrame(this.tick);
  }

  stopLoop() {
    if (this.frame !== null) this.cancelFrame(this.frame);
    this.frame = null;
  }

  /** One correction pass; runs every animation frame while playing. */
  tick() {
    this.frame = null;
    if (this.phase !== "playing" || this.destroyed) return;
    this.correct();
    if (this.phase === "playing") this.startLoop();
  }

  /** Compare every video with the clock and steer it. */
  correct() {
    const now = this.now();
    const duration = this.duration;
    const pos = wrapPosition(clockTime(this.clock, now), duration, this.loop);
    if (pos.wrapped) {
      this.restart(0);
      return;
    }
    if (pos.ended) {
      this.pause();
      return;
    }
    const rate = this.clock.rate;
    const candidates = this.readyVideos().filter(
      (v) => !v.seeking && v.readyState >= HAVE_FUTURE_DATA && !(v.ended || v.currentTime >= v.duration - 1e-3),
    );
    // The clock follows the group's robust median, not the wall clock: what
    // matters is that the tiles agree, media clocks run a little off
    // performance.now(), and steering them all would nudge every one.
    let target = pos.time;
    const center = robustCenter(
      candidates.filter((v) => !this.followers.has(v)).map((v) => v.currentTime),
      SYNC_DEFAULTS.hardSeek,
    );
    if (Number.isFinite(center)) {
      this.clock = playClock(this.clock, now, center);
      target = center;
    }
    for (const v of candidates) {
      if (v.paused) {
        // Stopped for a reason of its own (buffering ended, a stray pause).
        this.playOne(v);
        continue;
      }
      if ((this.cooldown.get(v) ?? 0) > now) continue;
      const decision = driftAction(target - v.currentTime, {
        rate,
        deadband: Math.min(SYNC_DEFAULTS.deadband, 0.25 / (this.fps || 24)),
      });
      if (decision.action === "seek") {
        v.currentTime = clampTime(target, v.duration);
        v.playbackRate = rate;
        this.cooldown.set(v, now + SYNC_DEFAULTS.seekCooldownMs);
      } else if (Math.abs(v.playbackRate - decision.rate) > 1e-4) {
        v.playbackRate = decision.rate;
      }
    }
    this.stalls.kick(this.readyVideos(), now, target, (v) => this.playOne(v));
    this.onTick(target, this);
  }

  destroy() {
    this.destroyed = true;
    this.generation += 1;
    this.stopLoop();
    for (const v of this.videos) v.removeEventListener("loadedmetadata", this.onReady);
    this.videos.clear();
  }
}
