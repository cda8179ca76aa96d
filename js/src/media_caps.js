// What the host can decode, and when a player should ask the kernel for a
// playable copy (wan_notebook/widgets/_media_copies.py compat_copy: H.264 +
// MP3 in MP4).
//
// VS Code's Electron has no AAC, Opus or VP9 decoder: an MP4 with AAC sound
// plays silently there, raising no error, and a WEBM does not play at all.
// canPlayType() tells it beforehand; where it does not, the audio decoder's
// byte count staying at 0 while the video plays with sound on tells it after.

export const AAC = 'audio/mp4; codecs="mp4a.40.2"';
export const VP9 = 'video/webm; codecs="vp9"';
export const OPUS = 'audio/webm; codecs="opus"';

/** @typedef {{aac: boolean, vp9: boolean, opus: boolean}} Caps */

/**
 * The host's decoders. `globalThis.WAN_NOTEBOOK_CAPS` ({aac?, vp9?, opus?})
 * overrides what canPlayType says (tests force VS Code's case with it).
 * @param {Pick<HTMLMediaElement, "canPlayType">} probe
 * @returns {Caps}
 */
export function hostCaps(probe) {
  const forced = /** @type {Partial<Caps>} */ (/** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS ?? {});
  const can = (/** @type {string} */ type) => {
    try {
      return probe.canPlayType(type) !== "";
    } catch {
      return true; // cannot tell: assume it plays, the silence check still runs
    }
  };
  return { aac: forced.aac ?? can(AAC), vp9: forced.vp9 ?? can(VP9), opus: forced.opus ?? can(OPUS) };
}

/**
 * Why a file of type `mime` needs a copy on this host before it is loaded:
 * "video" (it would not play at all), "audio" (it would play silently), or "".
 * Wan results are H.264 + AAC in MP4/MOV, or VP9 + Opus in WEBM.
 * @param {string} mime
 * @param {Caps} caps
 * @returns {"" | "video" | "audio"}
 */
export function copyReason(mime, caps) {
  if (mime === "video/webm") {
    if (!caps.vp9) return "video";
    return caps.opus ? "" : "audio";
  }
  if (mime === "video/mp4" || mime === "video/quicktime") return caps.aac ? "" : "audio";
  return "";
}

/** Seconds of unmuted playback after which no decoded audio means none will come. */
export const SILENCE_AFTER_S = 1.5;

/**
 * Call `onSilent` once if `video` plays with sound on for SILENCE_AFTER_S
 * seconds while its audio decoder has produced nothing (Chromium-based hosts
 * count decoded bytes in webkitAudioDecodedByteCount; elsewhere: no check).
 * A file without a sound track looks the same: the kernel checks and says so.
 * @param {HTMLVideoElement} video
 * @param {() => void} onSilent
 * @returns {() => void} stop watching
 */
export function watchSilence(video, onSilent) {
  let heard = 0;
  let last = Number.NaN;
  let done = false;
  const onTime = () => {
    const t = video.currentTime;
    const step = t - last;
    last = t;
    if (done || video.muted || video.volume === 0 || !(step > 0 && step < 1)) return;
    const decoded = /** @type {any} */ (video).webkitAudioDecodedByteCount;
    if (typeof decoded !== "number" || decoded > 0) return;
    heard += step;
    if (heard >= SILENCE_AFTER_S) {
      done = true;
      onSilent();
    }
  };
  video.addEventListener("timeupdate", onTime);
  return () => video.removeEventListener("timeupdate", onTime);
}
