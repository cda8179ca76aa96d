// Player: one video with loop / speed / frame-step controls, a download link
// and a metadata line. Sources are tried in order (video_source.js
// sourceOrder: the server's files, the API's URL while it lives); when all
// fail the kernel sends the bytes in chunks (byte_transfer.js).

import { ByteReceiver, formatTransfer } from "./byte_transfer.js";
import { playbackControls } from "./controls.js";
import { disposeAll, h, listen, on, safePlay, saveTrait, setClippedText, setText, show } from "./dom.js";
import { formatCost, formatDuration, formatSeed } from "./format.js";
import { copyReason, hostCaps, watchSilence } from "./media_caps.js";
import { SourceChain, candidateUrls, isJupyterPage, jupyterBaseUrl, safeMediaUrl, sourceOrder } from "./video_source.js";

/** @import { AnyModel, PlayerTraits, RenderProps } from "./types.js" */

/**
 * @param {RenderProps<AnyModel<PlayerTraits>>} props
 * @returns {() => void} cleanup
 */
export function renderPlayer({ model, el }) {
  const video = h("video", {
    className: "wan-player__video",
    attrs: { "data-role": "video", controls: true, playsinline: true, preload: "auto" },
  });
  const notice = h("div", { className: "wan-notice", attrs: { "data-role": "notice", role: "status" } });
  const download = h("a", {
    className: "wan-btn wan-btn--link",
    text: "Download",
    attrs: { "data-role": "download", rel: "noopener" },
  });
  const meta = h("div", { className: "wan-meta", attrs: { "data-role": "meta" } });
  const copyNote = h("div", { className: "wan-player__note", attrs: { "data-role": "copy-note", hidden: true } });
  const prompt = h("div", { className: "wan-player__prompt", attrs: { "data-role": "prompt" } });

  const controls = playbackControls(
    model,
    {
      time: () => video.currentTime,
      fps: () => model.get("fps"),
      duration: () => video.duration,
      pause: () => video.pause(),
      seek: (t) => {
        video.currentTime = t;
      },
    },
    { frameStyle: "words", onChange: () => updatePlayback() },
  );
  const stage = h("div", { className: "wan-player__stage" }, [video, notice]);
  const root = h("div", { className: "wan-root wan-player" }, [
    stage,
    h("div", { className: "wan-toolbar" }, [
      controls.loop,
      controls.speed,
      controls.back,
      controls.forward,
      h("span", { className: "wan-spacer" }),
      download,
    ]),
    meta,
    copyNote,
    prompt,
  ]);
  el.append(root);

  /** @type {"" | "info" | "error"} */
  let noticeKind = "";
  /**
   * @param {string} text
   * @param {"" | "info" | "error"} [kind]
   */
  const setNotice = (text, kind = "info") => {
    noticeKind = text ? kind : "";
    setText(notice, text);
    notice.dataset.kind = noticeKind;
    show(notice, Boolean(text));
  };

  let needBytesSent = false;
  // A playable copy (VS Code: no AAC/VP9): asked for once per source set.
  let copyAsked = false;
  let usingCopy = false;
  /** @type {"" | "video" | "audio"} */
  let copyWhy = "";
  const chain = new SourceChain(video, {
    onExhausted: () => {
      if (needBytesSent) return;
      needBytesSent = true;
      setNotice("Loading the video from the kernel…");
      model.send(usingCopy ? { type: "need_bytes", variant: "copy" } : { type: "need_bytes" });
    },
    onSource: () => updateDownload(),
  });
  /** @param {"video" | "audio"} reason */
  const askCopy = (reason) => {
    if (copyAsked || usingCopy) return;
    copyAsked = true;
    copyWhy = reason;
    model.send({ type: "need_copy", reason });
  };
  /** @param {{src?: string, fallback_src?: string, note?: string}} msg */
  const useCopy = (msg) => {
    const resumeAt = video.currentTime;
    const wasPlaying = !video.paused;
    usingCopy = true;
    needBytesSent = false;
    setNotice("");
    setText(copyNote, msg.note || "Playing a copy this host can decode.");
    show(copyNote, true);
    video.addEventListener(
      "loadedmetadata",
      () => {
        if (resumeAt > 0) video.currentTime = resumeAt;
        if (wasPlaying) safePlay(video);
      },
      { once: true },
    );
    chain.setCandidates(candidateUrls([msg.src ?? "", msg.fallback_src ?? ""], jupyterBaseUrl()));
  };
  const receiver = new ByteReceiver({
    onProgress: (received, size) => setNotice(`Loading the video from the kernel… ${formatTransfer(received, size)}`),
    onDone: (blob) => {
      if (chain.useBytes(blob, blob.type || model.get("mime"))) setNotice("");
    },
    onError: (message) => setNotice(message, "error"),
  });

  const updateDownload = () => {
    const href = safeMediaUrl(chain.current);
    if (href) {
      download.href = href;
      download.removeAttribute("aria-disabled");
    } else {
      download.removeAttribute("href");
      download.setAttribute("aria-disabled", "true");
    }
    const name = model.get("download_name") || "";
    if (name) download.setAttribute("download", name);
    else download.setAttribute("download", "");
    // A cross-origin URL ignores `download`; open it in a new tab instead of
    // navigating away from the notebook.
    if (/^https?:/i.test(href)) download.target = "_blank";
    else download.removeAttribute("target");
  };

  const loadSources = () => {
    needBytesSent = false;
    copyAsked = usingCopy = false;
    show(copyNote, false);
    setNotice("");
    const reason = copyReason(model.get("mime"), hostCaps(video));
    if (reason) askCopy(reason);
    if (reason === "video") {
      setNotice("Preparing a copy this browser can play…");
      return; // the original would not play here at all
    }
    const sources = {
      src: model.get("src"),
      fallback_src: model.get("fallback_src"),
      remote_src: model.get("remote_src"),
      remote_expires: model.get("remote_expires"),
    };
    chain.setCandidates(sourceOrder(sources, { nowS: Date.now() / 1000, jupyter: isJupyterPage(), baseUrl: jupyterBaseUrl() }));
  };

  const updatePlayback = () => {
    video.loop = Boolean(model.get("loop"));
    controls.showLoop(video.loop);
    const muted = Boolean(model.get("muted"));
    video.muted = muted;
    video.defaultMuted = muted;
    const rate = model.get("playback_rate") || 1;
    video.defaultPlaybackRate = rate;
    if (video.playbackRate !== rate) video.playbackRate = rate;
    controls.showRate(rate);
    video.autoplay = false; // handled by tryAutoplay so the rejection is caught
  };

  const updatePoster = () => {
    const poster = safeMediaUrl(model.get("poster"));
    if (poster) video.poster = poster;
    else video.removeAttribute("poster");
  };

  const updateMeta = () => {
    const w = model.get("width") || video.videoWidth || 0;
    const hgt = model.get("height") || video.videoHeight || 0;
    if (w > 0 && hgt > 0) video.style.aspectRatio = `${w} / ${hgt}`;
    const duration = model.get("duration") || (Number.isFinite(video.duration) ? video.duration : 0);
    const fps = model.get("fps");
    const parts = [
      formatSeed(model.get("seed")),
      formatDuration(duration),
      w > 0 && hgt > 0 ? `${w}×${hgt}` : "",
      fps > 0 ? `${Math.round(fps * 100) / 100} fps` : "",
      formatCost(model.get("cost")),
    ].filter(Boolean);
    meta.replaceChildren(...parts.map((text) => h("span", { text })));
    show(meta, parts.length > 0);
    setClippedText(prompt, model.get("prompt") || "", 160);
    updateDownload();
  };

  const tryAutoplay = () => {
    if (!model.get("autoplay")) return;
    safePlay(video, () => setNotice("Autoplay was blocked by the browser: press play.", "info"));
  };

  const onLoaded = () => {
    if (noticeKind !== "error") setNotice("");
    updateMeta();
    tryAutoplay();
  };
  const onVideoError = () => {
    // URL failures are handled by the chain; an error on bytes is final.
    if (chain.kind === "bytes") {
      const mime = model.get("mime") || "this format";
      setNotice(`This browser cannot play the video (${mime}).`, "error");
    }
  };
  const onRateChange = () => {
    // The native controls' speed menu changes the rate too: keep the trait in step.
    if (Math.abs(video.playbackRate - (model.get("playback_rate") || 1)) > 1e-6) {
      saveTrait(model, "playback_rate", video.playbackRate);
      controls.showRate(video.playbackRate);
    }
  };
  const onVolumeChange = () => {
    if (video.muted !== Boolean(model.get("muted"))) {
      saveTrait(model, "muted", video.muted);
    }
  };
  /**
   * @param {any} msg
   * @param {unknown[]} [buffers]
   */
  const onCustom = (msg, buffers) => {
    if (msg?.type === "copy") useCopy(msg);
    else if (msg?.type === "no_copy") {
      // Only fatal when the original cannot play here at all.
      if (copyWhy === "video") setNotice(msg.message || "This browser cannot play the video.", "error");
    } else receiver.handle(msg, buffers);
  };

  const disposers = [
    watchSilence(video, () => askCopy("audio")),
    on(video, "loadedmetadata", onLoaded),
    on(video, "error", onVideoError),
    on(video, "ratechange", onRateChange),
    on(video, "volumechange", onVolumeChange),
    controls.dispose,
    listen(model, {
      "change:src": loadSources,
      "change:fallback_src": loadSources,
      "change:remote_src": loadSources,
      "change:remote_expires": loadSources,
      "change:mime": loadSources,
      "change:poster": updatePoster,
      "change:loop": updatePlayback,
      "change:muted": updatePlayback,
      "change:playback_rate": updatePlayback,
      "change:autoplay": tryAutoplay,
      "change:prompt": updateMeta,
      "change:seed": updateMeta,
      "change:duration": updateMeta,
      "change:fps": updateMeta,
      "change:cost": updateMeta,
      "change:width": updateMeta,
      "change:height": updateMeta,
      "change:download_name": updateDownload,
      "msg:custom": onCustom,
    }),
  ];

  updatePlayback();
  updatePoster();
  updateMeta();
  loadSources();

  return () => {
    disposeAll(disposers);
    video.pause();
    receiver.dispose();
    chain.dispose();
    root.remove();
  };
}
