// The control bar of the player and the seed grid.
//
// playbackControls() is what both share: the Loop toggle and the speed menu,
// bound to the `loop` and `playback_rate` traits, and the two frame-step
// buttons, which pause and move whatever plays (one <video>, or a SyncGroup)
// by one frame. transportControls() adds the grid's own part: Play/Pause, the
// seek slider with its timecode, and the Sound toggle, all driving a
// SyncGroup. Each returns its elements (the view places them) and a dispose().

import { disposeAll, h, numberSelect, on, saveTrait, selectNumber, setText } from "./dom.js";
import { formatTimecode } from "./format.js";
import { stepFrame } from "./sync.js";

/** @import { SyncGroup } from "./sync_group.js" */
/** @import { AnyModel, PlaybackTraits } from "./types.js" */

/** Playback speeds offered by the player and the grid. */
export const SPEEDS = Object.freeze([0.25, 0.5, 1, 1.5, 2]);

/**
 * @param {number} v
 * @returns {string}
 */
export const speedLabel = (v) => `${v}×`;

/**
 * What the frame-step buttons move: read at each click.
 * @typedef {object} FrameTarget
 * @property {() => number} time      s
 * @property {() => number} fps       <= 0 means 24
 * @property {() => number} duration  s; 0 or NaN while unknown
 * @property {() => void} pause
 * @property {(time: number) => unknown} seek
 */

/**
 * Label and tooltip of the frame-step buttons: the player has room for words,
 * the grid's bar does not.
 * @typedef {"words" | "arrows"} FrameStyle
 */

/** @type {Record<FrameStyle, Record<"back" | "forward", {text: string, title: string, aria: boolean}>>} */
const FRAME_BUTTONS = {
  words: {
    back: { text: "◀ frame", title: "Pause and step one frame back", aria: false },
    forward: { text: "frame ▶", title: "Pause and step one frame forward", aria: false },
  },
  arrows: {
    back: { text: "◀", title: "Step one frame back", aria: true },
    forward: { text: "▶", title: "Step one frame forward", aria: true },
  },
};

/**
 * @param {FrameStyle} style
 * @param {"back" | "forward"} which
 * @returns {HTMLButtonElement}
 */
function frameButton(style, which) {
  const { text, title, aria } = FRAME_BUTTONS[style][which];
  return h("button", {
    className: "wan-btn",
    text,
    attrs: { type: "button", "data-role": `frame-${which}`, title, "aria-label": aria ? title : null },
  });
}

/**
 * @typedef {object} PlaybackControls
 * @property {HTMLButtonElement} loop
 * @property {HTMLSelectElement} speed
 * @property {HTMLButtonElement} back
 * @property {HTMLButtonElement} forward
 * @property {(loop: boolean) => void} showLoop  reflect the loop state
 * @property {(rate: number) => void} showRate   select `rate` (added to the menu if missing)
 * @property {() => void} dispose
 */

/**
 * Loop, speed and frame step. A click on Loop or a new speed sets the trait,
 * saves, then calls `onChange` so the view applies it at once.
 * @param {AnyModel<PlaybackTraits>} model
 * @param {FrameTarget} target
 * @param {{frameStyle: FrameStyle, onChange: () => void}} options
 * @returns {PlaybackControls}
 */
export function playbackControls(model, target, { frameStyle, onChange }) {
  const loop = h("button", {
    className: "wan-btn wan-toggle",
    text: "Loop",
    attrs: { type: "button", "data-role": "loop", title: "Loop playback" },
  });
  const speed = numberSelect(SPEEDS, speedLabel, {
    className: "wan-select",
    attrs: { "data-role": "speed", title: "Playback speed", "aria-label": "Playback speed" },
  });
  const back = frameButton(frameStyle, "back");
  const forward = frameButton(frameStyle, "forward");

  /** @param {-1 | 1} direction */
  const step = (direction) => {
    target.pause();
    target.seek(stepFrame(target.time(), target.fps(), direction, target.duration()));
  };
  const disposers = [
    on(loop, "click", () => {
      saveTrait(model, "loop", !model.get("loop"));
      onChange();
    }),
    on(speed, "change", () => {
      saveTrait(model, "playback_rate", Number(speed.value));
      onChange();
    }),
    on(back, "click", () => step(-1)),
    on(forward, "click", () => step(1)),
  ];

  return {
    loop,
    speed,
    back,
    forward,
    showLoop: (loopOn) => loop.setAttribute("aria-pressed", String(loopOn)),
    showRate: (rate) => selectNumber(speed, rate, speedLabel),
    dispose: () => disposeAll(disposers),
  };
}

/**
 * @typedef {object} TransportControls
 * @property {HTMLButtonElement} play
 * @property {HTMLInputElement} seek
 * @property {HTMLSpanElement} time
 * @property {HTMLButtonElement} mute
 * @property {(group: Transport) => void} show  reflect play state and duration
 * @property {(t: number) => void} showTime  the clock moved (the slider stays put while dragged)
 * @property {() => void} dispose
 */

/**
 * What the transport drives: the part of a SyncGroup it uses.
 * @typedef {Pick<SyncGroup, "duration" | "time" | "playing" | "muted" | "toggle" | "beginScrub" | "scrubTo" | "endScrub" | "setMuted">} Transport
 */

/**
 * Play/Pause, seek slider, timecode and Sound for a SyncGroup.
 * @param {Transport} group
 * @returns {TransportControls}
 */
export function transportControls(group) {
  const play = h("button", {
    className: "wan-btn wan-btn--primary",
    text: "Play",
    attrs: { type: "button", "data-role": "play", "aria-pressed": "false" },
  });
  const seek = h("input", {
    className: "wan-seek",
    attrs: { type: "range", min: "0", max: "0", step: "any", value: "0", "data-role": "seek", "aria-label": "Seek" },
  });
  const time = h("span", { className: "wan-mono wan-grid__time", attrs: { "data-role": "time" } });
  const mute = h("button", {
    className: "wan-btn wan-toggle",
    text: "Sound",
    attrs: { type: "button", "data-role": "mute", title: "Turn sound on (one tile at a time)", "aria-pressed": "false" },
  });

  const showMuted = () => {
    mute.setAttribute("aria-pressed", String(!group.muted));
    mute.title = group.muted ? "Turn sound on (one tile at a time)" : "Mute";
  };
  let scrubbing = false;
  /** @param {number} t */
  const showTimecode = (t) => setText(time, `${formatTimecode(t)} / ${formatTimecode(group.duration)}`);
  /** @param {number} t */
  const showTime = (t) => {
    showTimecode(t);
    if (!scrubbing) seek.value = String(t);
  };

  const endScrub = () => {
    if (!scrubbing) return;
    scrubbing = false;
    group.endScrub(Number(seek.value));
  };
  const disposers = [
    on(play, "click", () => group.toggle()),
    on(seek, "pointerdown", () => {
      scrubbing = true;
      group.beginScrub();
    }),
    on(seek, "input", () => {
      scrubbing = true;
      group.scrubTo(Number(seek.value));
      showTimecode(Number(seek.value));
    }),
    // A scrub ends when the pointer lets go, or at `change` (keys): once. Chromium may fire
    // no `change` after a click under load, and the grid then stood paused for good.
    ...["pointerup", "pointercancel", "change"].map((type) => on(seek, /** @type {"change"} */ (type), endScrub)),
    on(mute, "click", () => {
      group.setMuted(!group.muted);
      showMuted();
    }),
  ];

  return {
    play,
    seek,
    time,
    mute,
    show(g) {
      const d = g.duration;
      seek.max = String(d);
      seek.disabled = !(d > 0);
      play.disabled = !(d > 0);
      setText(play, g.playing ? "Pause" : "Play");
      play.setAttribute("aria-pressed", String(g.playing));
      showMuted();
      showTime(g.time);
    },
    showTime,
    dispose: () => disposeAll(disposers),
  };
}
