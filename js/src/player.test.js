// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { safePlay } from "./dom.js";
import { FakeModel } from "./fake_model.js";
import { renderPlayer } from "./player.js";

const DEFAULTS = {
  _kind: "player",
  src: "/files/wan_media/fox.mp4",
  fallback_src: "wan_media/fox.mp4",
  remote_src: "",
  remote_expires: 0,
  mime: "video/mp4",
  poster: "",
  prompt: "a red fox in the snow",
  seed: 42,
  duration: 5,
  fps: 24,
  cost: 0.5,
  width: 1280,
  height: 720,
  download_name: "fox.mp4",
  loop: true,
  muted: true,
  autoplay: false,
  playback_rate: 1,
};

/** @param {Record<string, any>} [state] */
function mount(state = {}) {
  const model = new FakeModel({ ...DEFAULTS, ...state });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = renderPlayer({ model, el });
  /** @param {string} role */
  const role = (role) => /** @type {HTMLElement} */ (el.querySelector(`[data-role="${role}"]`));
  const video = /** @type {HTMLVideoElement} */ (role("video"));
  return { model, el, cleanup, role, video };
}

// happy-dom's canPlayType knows no codec: say what Chromium says (the copy
// tests below override it, as VS Code's Electron would).
beforeEach(() => {
  /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { aac: true, vp9: true, opus: true };
});

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
  delete (/** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS);
});

describe("Player view", () => {
  it("renders a video with controls, inline, muted and looping", () => {
    const { video } = mount();
    expect(video.tagName).toBe("VIDEO");
    expect(video.hasAttribute("controls")).toBe(true);
    expect(video.hasAttribute("playsinline")).toBe(true);
    expect(video.muted).toBe(true);
    expect(video.loop).toBe(true);
    expect(video.getAttribute("src")).toBe("/files/wan_media/fox.mp4");
  });

  it("falls back to fallback_src, then asks the kernel for bytes", () => {
    const { model, video, role } = mount();
    video.dispatchEvent(new Event("error"));
    expect(video.getAttribute("src")).toBe("wan_media/fox.mp4");
    expect(model.sent).toEqual([]);
    video.dispatchEvent(new Event("error"));
    expect(model.sent).toEqual([{ type: "need_bytes" }]);
    expect(role("notice").hidden).toBe(false);
  });

  it("plays bytes sent by the kernel in chunks from a Blob URL, revoked on cleanup", () => {
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:fox");
    const revoke = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const { model, video, role, cleanup } = mount({ src: "", fallback_src: "" });
    expect(model.sent).toEqual([{ type: "need_bytes" }]);
    model.emit("msg:custom", { type: "bytes_start", transfer: "t1", size: 6, mime: "video/mp4", chunks: 2 });
    model.emit("msg:custom", { type: "bytes_chunk", transfer: "t1", index: 1 }, [new DataView(new Uint8Array([4, 5, 6]).buffer)]);
    expect(role("notice").textContent).toContain("0.0 of 0.0 MB");
    expect(video.hasAttribute("src")).toBe(false);
    model.emit("msg:custom", { type: "bytes_chunk", transfer: "t1", index: 0 }, [new Uint8Array([1, 2, 3]).buffer]);
    const blob = /** @type {Blob} */ (created.mock.calls[0][0]);
    expect(blob.size).toBe(6);
    expect(video.getAttribute("src")).toBe("blob:fox");
    expect(role("notice").hidden).toBe(true);
    expect(/** @type {HTMLAnchorElement} */ (role("download")).getAttribute("href")).toBe("blob:fox");
    cleanup();
    expect(revoke).toHaveBeenCalledWith("blob:fox");
  });

  it("without an AAC decoder: asks for a copy at once, switches to it and says so", () => {
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { aac: false };
    const { model, video, role } = mount();
    expect(model.sent).toEqual([{ type: "need_copy", reason: "audio" }]);
    expect(video.getAttribute("src")).toBe("/files/wan_media/fox.mp4"); // the picture meanwhile
    expect(role("copy-note").hidden).toBe(true);
    model.emit("msg:custom", {
      type: "copy",
      src: "/files/wan_media/fox.compat.mp4",
      fallback_src: "wan_media/fox.compat.mp4",
      note: "Playing a copy with MP3 sound.",
    });
    expect(video.getAttribute("src")).toBe("/files/wan_media/fox.compat.mp4");
    expect(role("copy-note").hidden).toBe(false);
    expect(role("copy-note").textContent).toBe("Playing a copy with MP3 sound.");
    video.dispatchEvent(new Event("error"));
    video.dispatchEvent(new Event("error"));
    expect(model.sent.at(-1)).toEqual({ type: "need_bytes", variant: "copy" });
  });

  it("a WEBM where VP9 cannot play: no attempt at the original, only the copy", () => {
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_CAPS = { vp9: false };
    const { model, video, role } = mount({ mime: "video/webm", src: "/files/a.webm", fallback_src: "a.webm" });
    expect(model.sent).toEqual([{ type: "need_copy", reason: "video" }]);
    expect(video.hasAttribute("src")).toBe(false);
    expect(role("notice").textContent).toContain("Preparing a copy");
    model.emit("msg:custom", { type: "no_copy", message: "cannot make a playable copy of a.webm" });
    expect(role("notice").dataset.kind).toBe("error");
  });

  it("a silent decoder while playing with sound on asks for a copy once", () => {
    const { model, video } = mount({ muted: false });
    Object.defineProperty(video, "webkitAudioDecodedByteCount", { value: 0 });
    let t = 0;
    Object.defineProperty(video, "currentTime", { get: () => t, set: () => {} });
    for (let i = 0; i < 10; i++) {
      t += 0.25;
      video.dispatchEvent(new Event("timeupdate"));
    }
    expect(model.sent).toEqual([{ type: "need_copy", reason: "audio" }]);
  });

  it("shows the kernel's no_bytes answer as an error", () => {
    const { model, role } = mount({ src: "" });
    model.emit("msg:custom", { type: "no_bytes", message: "gone" });
    expect(role("notice").textContent).toBe("gone");
    expect(role("notice").dataset.kind).toBe("error");
  });

  it("offers a download link for the current source", () => {
    const { role } = mount();
    const a = /** @type {HTMLAnchorElement} */ (role("download"));
    expect(a.getAttribute("href")).toBe("/files/wan_media/fox.mp4");
    expect(a.getAttribute("download")).toBe("fox.mp4");
  });

  it("never links to a javascript: URL", () => {
    const { role, video } = mount({ src: "javascript:alert(1)", fallback_src: "" });
    expect(video.hasAttribute("src")).toBe(false);
    expect(role("download").hasAttribute("href")).toBe(false);
  });

  it("toggles loop and speed, both ways", () => {
    const { model, role, video } = mount();
    role("loop").click();
    expect(model.get("loop")).toBe(false);
    expect(video.loop).toBe(false);
    expect(model.saved.length).toBe(1);
    const speed = /** @type {HTMLSelectElement} */ (role("speed"));
    speed.value = "0.5";
    speed.dispatchEvent(new Event("change"));
    expect(model.get("playback_rate")).toBe(0.5);
    expect(video.playbackRate).toBe(0.5);
    model.update({ playback_rate: 2 });
    expect(speed.value).toBe("2");
    expect(video.playbackRate).toBe(2);
  });

  it("steps one frame and pauses", () => {
    const { role, video } = mount();
    const pause = vi.spyOn(video, "pause");
    video.currentTime = 1;
    role("frame-forward").click();
    expect(pause).toHaveBeenCalled();
    expect(video.currentTime).toBeCloseTo(25 / 24, 5);
    role("frame-back").click();
    role("frame-back").click();
    expect(video.currentTime).toBeCloseTo(23 / 24, 5);
  });

  it("shows seed, duration, size, cost and a truncated prompt with the full title", () => {
    const long = "a very long prompt ".repeat(20).trim();
    const { role } = mount({ prompt: long });
    expect(role("meta").textContent).toContain("seed 42");
    expect(role("meta").textContent).toContain("5 s");
    expect(role("meta").textContent).toContain("1280×720");
    expect(role("meta").textContent).toContain("$0.50");
    expect(role("prompt").textContent?.endsWith("…")).toBe(true);
    expect(role("prompt").title).toBe(long);
  });

  it("catches a rejected play() (autoplay blocked)", async () => {
    const video = document.createElement("video");
    const blocked = Object.assign(new Error("no"), { name: "NotAllowedError" });
    vi.spyOn(video, "play").mockRejectedValue(blocked);
    const onBlocked = vi.fn();
    await expect(safePlay(video, onBlocked)).resolves.toBe(false);
    expect(onBlocked).toHaveBeenCalledWith(blocked);
  });

  it("cleans up", () => {
    const { model, el, cleanup } = mount();
    cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(el.children.length).toBe(0);
  });
});
