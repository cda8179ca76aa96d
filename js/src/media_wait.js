// Promises for the moments a <video> reaches: done seeking, able to play.
// Each also settles on an error or after a timeout, so a broken or slow
// video never blocks the group waiting on it.

import { disposeAll, on } from "./dom.js";

const HAVE_FUTURE_DATA = 3;
const HAVE_ENOUGH_DATA = 4;
/** after this long, a video with some data ahead (HAVE_FUTURE_DATA) will do */
const PATIENCE_MS = 1500;
const SEEK_TIMEOUT_MS = 2000;
/** how long a start waits for the slowest video before going without it */
const START_TIMEOUT_MS = 8000;

/**
 * Resolve when `video` is not seeking any more (or after a timeout).
 * @param {HTMLMediaElement} video
 * @param {number} timeoutMs
 * @returns {Promise<void>}
 */
export function whenSeeked(video, timeoutMs = SEEK_TIMEOUT_MS) {
  if (!video.seeking) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      disposeAll(listeners);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const listeners = [on(video, "seeked", done), on(video, "error", done)];
  });
}

/**
 * Resolve when `video` can play on from where it is: not seeking, and
 * HAVE_ENOUGH_DATA (or, after `patienceMs`, HAVE_FUTURE_DATA: a slow network
 * may never buffer "enough"); also on an error or after `timeoutMs`.
 * Starting a group only once each video has a buffer keeps one from
 * stalling in its first frames while the others run.
 * @param {HTMLMediaElement} video
 * @param {number} [timeoutMs]
 * @param {number} [patienceMs]
 * @returns {Promise<void>}
 */
export function whenCanPlay(video, timeoutMs = START_TIMEOUT_MS, patienceMs = PATIENCE_MS) {
  const start = Date.now();
  const ready = () => {
    if (video.error) return true;
    if (video.seeking) return false;
    const needed = Date.now() - start >= patienceMs ? HAVE_FUTURE_DATA : HAVE_ENOUGH_DATA;
    return video.readyState >= needed;
  };
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (ready()) done();
    };
    const done = () => {
      clearTimeout(timer);
      clearInterval(poll);
      disposeAll(listeners);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const poll = setInterval(check, patienceMs / 4); // readyState may rise without an event we hear
    const listeners = ["seeked", "canplay", "canplaythrough", "loadeddata", "progress", "error"].map((type) =>
      on(video, /** @type {"canplay"} */ (type), check),
    );
  });
}


/**
 * Keys the group must wait for before a start (grid tiles whose video is on
 * its way): `wait()` resolves once none is held, or after `timeoutMs`.
 */
export class Holds {
  constructor() {
    /** @type {Set<string>} */
    this.keys = new Set();
    /** @type {(() => void)[]} */
    this.waiters = [];
  }

  /** @param {string} key */
  hold(key) {
    this.keys.add(key);
  }

  /** @param {string} key */
  release(key) {
    if (!this.keys.delete(key) || this.keys.size > 0) return;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /**
   * @param {number} [timeoutMs]
   * @returns {Promise<void>}
   */
  wait(timeoutMs = START_TIMEOUT_MS) {
    if (this.keys.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
