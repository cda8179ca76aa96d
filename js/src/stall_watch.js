// Members that stopped moving while their group plays: a seek that never
// ends, a decoder or a network stall. A start must not wait for one forever
// (a play() promise resolves only once its video plays), and the steering
// pass skips a video that cannot play; so such a video is kicked instead:
// sought again to the group's time (which asks for its data again) and
// played, after STALL_MS stuck, then after twice as long each time (a slow
// network must get the time to buffer).

import { clampTime } from "./sync.js";

/** how long a member may stay stuck before it is kicked */
export const STALL_MS = 3000;
/** how long a start waits for one play() to take */
export const PLAY_WAIT_MS = 2000;
const HAVE_FUTURE_DATA = 3;

/**
 * Is `video` unable to move on by itself? (Ended and errored ones are not
 * stuck: the group's loop and the source chain take care of those.)
 * @param {HTMLMediaElement} video
 * @returns {boolean}
 */
export function isStuck(video) {
  if (video.error || video.ended) return false;
  return video.seeking || video.readyState < HAVE_FUTURE_DATA;
}

/**
 * `promise`, or undefined once `ms` have passed, whichever comes first.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T | undefined>}
 */
export function within(promise, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, /** @type {Promise<undefined>} */ (timeout)]).finally(() => clearTimeout(timer));
}

export class StallWatch {
  /** @param {number} [stallMs] */
  constructor(stallMs = STALL_MS) {
    this.stallMs = stallMs;
    /** @type {WeakMap<HTMLMediaElement, {since: number, wait: number}>} stuck videos */
    this.stuck = new WeakMap();
  }

  /**
   * Note whether `video` is stuck at `now` (ms); true when it is time to kick it.
   * @param {HTMLMediaElement} video
   * @param {number} now
   * @returns {boolean}
   */
  due(video, now) {
    if (!isStuck(video)) {
      this.stuck.delete(video);
      return false;
    }
    const seen = this.stuck.get(video);
    if (!seen || now < seen.since) {
      this.stuck.set(video, { since: now, wait: this.stallMs });
      return false;
    }
    if (now - seen.since < seen.wait) return false;
    this.stuck.set(video, { since: now, wait: seen.wait * 2 });
    return true;
  }

  /**
   * Kick each of `videos` whose time has come: seek it to `target` and play it.
   * @param {HTMLVideoElement[]} videos
   * @param {number} now  ms
   * @param {number} target  the group's time, s
   * @param {(video: HTMLVideoElement) => unknown} play
   */
  kick(videos, now, target, play) {
    for (const video of videos) {
      if (!this.due(video, now)) continue;
      video.currentTime = clampTime(target, video.duration);
      play(video);
    }
  }

  /** Forget every video (the group stopped or started again). */
  reset() {
    this.stuck = new WeakMap();
  }
}
