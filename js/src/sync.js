// Synchronized playback: the pure part.
//
// A group of <video> elements follows one master clock. The clock is a
// (position, anchor, rate, playing) tuple read against performance.now(); the
// videos are steered towards it: a hard seek when a video is far off, a small
// playbackRate nudge when it is slightly off, nothing inside a dead band.
// Re-seeking on every frame stutters, so seeks are rare and nudges do the rest
// (the timingsrc MediaSync approach). Nothing in this module touches the DOM;
// sync_group.js applies these decisions to real elements.

/**
 * @typedef {object} Clock
 * @property {number} position  media time (s) at `anchor`
 * @property {number} anchor    performance.now() (ms) when `position` was true
 * @property {number} rate      playback rate of the group
 * @property {boolean} playing
 */

/**
 * @typedef {object} DriftOptions
 * @property {number} rate       the group's playback rate
 * @property {number} [hardSeek] |error| (s) above which a video is re-seeked
 * @property {number} [deadband] |error| (s) below which nothing is done
 * @property {number} [gain]     relative rate change per second of error
 * @property {number} [maxNudge] largest relative rate change
 */

/**
 * @typedef {{action: "seek" | "nudge" | "hold", rate: number}} DriftDecision
 * `rate` is the playbackRate the video should run at after the decision.
 */

/** Defaults tuned for 24 fps clips: a frame is 41.7 ms. */
export const SYNC_DEFAULTS = Object.freeze({
  hardSeek: 0.1,
  deadband: 0.008,
  gain: 4,
  maxNudge: 0.15,
  /** after a hard seek, leave that video alone for this long (ms) */
  seekCooldownMs: 400,
});

/**
 * @param {number} [position]
 * @param {number} [rate]
 * @returns {Clock}
 */
export function createClock(position = 0, rate = 1) {
  return { position, anchor: 0, rate, playing: false };
}

/**
 * The clock's media time at `now`.
 * @param {Clock} clock
 * @param {number} now  ms
 * @returns {number}
 */
export function clockTime(clock, now) {
  if (!clock.playing) return clock.position;
  return clock.position + ((now - clock.anchor) / 1000) * clock.rate;
}

/**
 * Re-anchor the clock at `now`, at `position` (default: where it is now).
 * @param {Clock} clock
 * @param {number} now
 * @param {number | undefined} position
 * @param {boolean} playing
 * @returns {Clock}
 */
function anchorClock(clock, now, position, playing) {
  return { position: position ?? clockTime(clock, now), anchor: now, rate: clock.rate, playing };
}

/**
 * Start (or re-anchor) the clock at `position` (default: where it is now).
 * @param {Clock} clock
 * @param {number} now
 * @param {number} [position]
 * @returns {Clock}
 */
export function playClock(clock, now, position) {
  return anchorClock(clock, now, position, true);
}

/**
 * Stop the clock at `position` (default: where it is now).
 * @param {Clock} clock
 * @param {number} now
 * @param {number} [position]
 * @returns {Clock}
 */
export function pauseClock(clock, now, position) {
  return anchorClock(clock, now, position, false);
}

/**
 * Move the clock to `position`, keeping its playing state.
 * @param {Clock} clock
 * @param {number} position
 * @param {number} now
 * @returns {Clock}
 */
export function seekClock(clock, position, now) {
  return { ...clock, position, anchor: now };
}

/**
 * Change the rate without a jump in media time.
 * @param {Clock} clock
 * @param {number} rate
 * @param {number} now
 * @returns {Clock}
 */
export function setClockRate(clock, rate, now) {
  return { position: clockTime(clock, now), anchor: now, rate, playing: clock.playing };
}

/**
 * What to do with one video whose time is `error` seconds behind the clock
 * (positive: the video is late, negative: it is early).
 * @param {number} error
 * @param {DriftOptions} options
 * @returns {DriftDecision}
 */
export function driftAction(error, options) {
  const { rate } = options;
  const hardSeek = options.hardSeek ?? SYNC_DEFAULTS.hardSeek;
  const deadband = options.deadband ?? SYNC_DEFAULTS.deadband;
  const gain = options.gain ?? SYNC_DEFAULTS.gain;
  const maxNudge = options.maxNudge ?? SYNC_DEFAULTS.maxNudge;
  const size = Math.abs(error);
  if (!Number.isFinite(error) || size > hardSeek) return { action: "seek", rate };
  if (size <= deadband) return { action: "hold", rate };
  // Two levels only (a third of the cap, or the cap): a video with sound
  // stalls for a frame or so at every playbackRate change, so the rate must
  // not follow the error frame by frame.
  const wanted = Math.min(maxNudge, size * gain);
  const level = wanted <= maxNudge / 3 ? maxNudge / 3 : maxNudge;
  return { action: "nudge", rate: rate * (1 + Math.sign(error) * level) };
}

/**
 * Where the clock is relative to the end of the media.
 * @param {number} time
 * @param {number} duration  0 or NaN when unknown
 * @param {boolean} loop
 * @returns {{time: number, wrapped: boolean, ended: boolean}}
 */
export function wrapPosition(time, duration, loop) {
  if (!(duration > 0)) return { time: Math.max(0, time), wrapped: false, ended: false };
  if (time < duration) return { time: Math.max(0, time), wrapped: false, ended: false };
  if (loop) return { time: time % duration, wrapped: true, ended: false };
  return { time: duration, wrapped: false, ended: true };
}

/**
 * @param {number[]} values
 * @returns {number} NaN for an empty list
 */
export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The group's time: the median of the times within `limit` of the median,
 * so one video far off (about to be re-seeked) does not pull the others.
 * @param {number[]} times
 * @param {number} limit  s
 * @returns {number} NaN for an empty list
 */
export function robustCenter(times, limit) {
  const m = median(times);
  if (!Number.isFinite(m)) return m;
  return median(times.filter((t) => Math.abs(t - m) <= limit));
}

/**
 * Largest minus smallest time.
 * @param {number[]} times
 * @returns {number}
 */
export function spread(times) {
  const finite = times.filter(Number.isFinite);
  if (finite.length < 2) return 0;
  return Math.max(...finite) - Math.min(...finite);
}

/**
 * Spread of times on a loop of length `duration`: the shortest arc holding all
 * of them, so 1.99 and 0.01 on a 2 s loop are 0.02 apart.
 * @param {number[]} times
 * @param {number} duration
 * @returns {number}
 */
export function circularSpread(times, duration) {
  if (!(duration > 0)) return spread(times);
  const points = times
    .filter(Number.isFinite)
    .map((t) => ((t % duration) + duration) % duration)
    .sort((a, b) => a - b);
  if (points.length < 2) return 0;
  let largestGap = points[0] + duration - points[points.length - 1];
  for (let i = 1; i < points.length; i++) {
    largestGap = Math.max(largestGap, points[i] - points[i - 1]);
  }
  return duration - largestGap;
}

/**
 * The group's duration: the longest known duration.
 * @param {number[]} durations
 * @returns {number} 0 when none is known
 */
export function groupDuration(durations) {
  let best = 0;
  for (const d of durations) if (Number.isFinite(d) && d > best) best = d;
  return best;
}

/**
 * Clamp a seek target into [0, duration] (no upper bound while unknown).
 * @param {number} time
 * @param {number} duration
 * @returns {number}
 */
export function clampTime(time, duration) {
  if (!Number.isFinite(time) || time < 0) return 0;
  return duration > 0 ? Math.min(time, duration) : time;
}

/**
 * The time one frame before or after `time`, snapped to the frame grid.
 * @param {number} time
 * @param {number} fps
 * @param {-1 | 1} direction
 * @param {number} duration
 * @returns {number}
 */
export function stepFrame(time, fps, direction, duration) {
  const f = fps > 0 ? fps : 24;
  // The frame on screen is the last one that started at or before `time`; the
  // small epsilon absorbs float error on exact boundaries (1/24 * 24 = 0.99999...).
  const frame = Math.floor(time * f + 1e-3);
  const next = (frame + direction) / f;
  return clampTime(next, duration);
}
