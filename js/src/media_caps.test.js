import { afterEach, describe, expect, it, vi } from "vitest";
import { AAC, OPUS, SILENCE_AFTER_S, VP9, copyReason, hostCaps, watchSilence } from "./media_caps.js";

/** A probe that decodes what it is told to. @param {string[]} types */
const probe = (types) => ({ canPlayType: (/** @type {string} */ t) => (types.includes(t) ? "probably" : "") });

afterEach(() => {
  delete (/** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS);
});

describe("hostCaps and copyReason", () => {
  const chromium = hostCaps(probe([AAC, VP9, OPUS]));
  const vscode = hostCaps(probe([])); // Electron: H.264, VP8, MP3, but no AAC, VP9, Opus

  it("reads canPlayType", () => {
    expect(chromium).toEqual({ aac: true, vp9: true, opus: true });
    expect(vscode).toEqual({ aac: false, vp9: false, opus: false });
  });

  it("can be forced", () => {
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { aac: false };
    expect(hostCaps(probe([AAC, VP9, OPUS]))).toEqual({ aac: false, vp9: true, opus: true });
  });

  it.each([
    ["video/mp4", "chromium", ""],
    ["video/quicktime", "chromium", ""],
    ["video/webm", "chromium", ""],
    ["video/mp4", "vscode", "audio"],
    ["video/quicktime", "vscode", "audio"],
    ["video/webm", "vscode", "video"],
  ])("%s in %s -> %j", (mime, host, reason) => {
    expect(copyReason(mime, host === "vscode" ? vscode : chromium)).toBe(reason);
  });

  it("VP9 without Opus: only the sound needs a copy", () => {
    expect(copyReason("video/webm", { aac: true, vp9: true, opus: false })).toBe("audio");
  });

  it("a probe that throws counts as able", () => {
    const broken = { canPlayType: () => { throw new Error("no"); } };
    expect(hostCaps(broken)).toEqual({ aac: true, vp9: true, opus: true });
  });
});

describe("watchSilence", () => {
  /** @param {{muted?: boolean, decoded?: number | null}} o  null: a host without the count */
  function fakeVideo({ muted = false, decoded = 0 }) {
    const video = /** @type {any} */ (new EventTarget());
    Object.assign(video, { currentTime: 0, muted, volume: 1 });
    if (decoded !== null) video.webkitAudioDecodedByteCount = decoded;
    const play = (/** @type {number} */ seconds) => {
      for (let t = 0; t < seconds; t += 0.25) {
        video.currentTime += 0.25;
        video.dispatchEvent(new Event("timeupdate"));
      }
    };
    return { video, play };
  }

  it("fires once after enough unmuted playback with nothing decoded", () => {
    const onSilent = vi.fn();
    const { video, play } = fakeVideo({});
    watchSilence(video, onSilent);
    play(SILENCE_AFTER_S - 0.5);
    expect(onSilent).not.toHaveBeenCalled();
    play(2);
    expect(onSilent).toHaveBeenCalledOnce();
  });

  it("stays quiet while muted, when sound decodes, or where the count is unknown", () => {
    for (const options of [{ muted: true }, { decoded: 4096 }, { decoded: null }]) {
      const onSilent = vi.fn();
      const { video, play } = fakeVideo(options);
      watchSilence(video, onSilent);
      play(5);
      expect(onSilent).not.toHaveBeenCalled();
    }
  });

  it("ignores seeks (a jump is not playback) and stops when asked", () => {
    const onSilent = vi.fn();
    const { video, play } = fakeVideo({});
    const stop = watchSilence(video, onSilent);
    video.currentTime = 30; // a seek
    video.dispatchEvent(new Event("timeupdate"));
    stop();
    play(5);
    expect(onSilent).not.toHaveBeenCalled();
  });
});
