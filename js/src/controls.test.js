// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { playbackControls, transportControls } from "./controls.js";
import { FakeModel } from "./fake_model.js";

afterEach(() => document.body.replaceChildren());

/** A FrameTarget over plain numbers; seek() records where it was sent. */
function fakeTarget(time = 1, fps = 24, duration = 5) {
  const target = {
    t: time,
    paused: false,
    time: () => target.t,
    fps: () => fps,
    duration: () => duration,
    pause: () => {
      target.paused = true;
    },
    /** @param {number} t */
    seek: (t) => {
      target.t = t;
    },
  };
  return target;
}

describe("playbackControls", () => {
  it("Loop and speed set the trait, save, then call onChange", () => {
    const model = new FakeModel({ loop: true, playback_rate: 1 });
    const onChange = vi.fn();
    const bar = playbackControls(model, fakeTarget(), { frameStyle: "words", onChange });
    bar.loop.click();
    expect(model.get("loop")).toBe(false);
    expect(model.saved.at(-1)?.loop).toBe(false);
    bar.speed.value = "1.5";
    bar.speed.dispatchEvent(new Event("change"));
    expect(model.get("playback_rate")).toBe(1.5);
    expect(model.saved.length).toBe(2);
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it("frame step pauses the target and moves it one frame on the frame grid", () => {
    const target = fakeTarget(1);
    const bar = playbackControls(new FakeModel({}), target, { frameStyle: "arrows", onChange: () => {} });
    bar.forward.click();
    expect(target.paused).toBe(true);
    expect(target.t).toBeCloseTo(25 / 24, 5);
    bar.back.click();
    bar.back.click();
    expect(target.t).toBeCloseTo(23 / 24, 5);
  });

  it("labels the frame buttons with words or arrows", () => {
    const words = playbackControls(new FakeModel({}), fakeTarget(), { frameStyle: "words", onChange: () => {} });
    const arrows = playbackControls(new FakeModel({}), fakeTarget(), { frameStyle: "arrows", onChange: () => {} });
    expect([words.back.textContent, words.forward.textContent]).toEqual(["◀ frame", "frame ▶"]);
    expect(words.back.hasAttribute("aria-label")).toBe(false);
    expect([arrows.back.textContent, arrows.forward.textContent]).toEqual(["◀", "▶"]);
    expect(arrows.forward.getAttribute("aria-label")).toBe("Step one frame forward");
  });

  it("shows loop and rate, adding a rate the menu lacks", () => {
    const bar = playbackControls(new FakeModel({}), fakeTarget(), { frameStyle: "words", onChange: () => {} });
    bar.showLoop(true);
    bar.showRate(0.75);
    expect(bar.loop.getAttribute("aria-pressed")).toBe("true");
    expect(bar.speed.value).toBe("0.75");
  });

  it("dispose detaches every button", () => {
    const model = new FakeModel({ loop: true });
    const target = fakeTarget();
    const bar = playbackControls(model, target, { frameStyle: "words", onChange: () => {} });
    bar.dispose();
    bar.loop.click();
    bar.forward.click();
    expect(model.get("loop")).toBe(true);
    expect(target.paused).toBe(false);
  });
});

describe("transportControls", () => {
  /** The part of a SyncGroup the transport uses. */
  function fakeGroup() {
    return {
      duration: 4,
      time: 1,
      playing: false,
      muted: true,
      toggle: vi.fn(),
      beginScrub: vi.fn(),
      scrubTo: vi.fn(),
      endScrub: vi.fn(),
      /** @param {boolean} m */
      setMuted(m) {
        this.muted = m;
      },
    };
  }

  it("drives the group: play, scrub, sound", () => {
    const group = fakeGroup();
    const bar = transportControls(group);
    bar.play.click();
    expect(group.toggle).toHaveBeenCalledOnce();
    bar.seek.dispatchEvent(new Event("pointerdown"));
    bar.seek.max = "4";
    bar.seek.value = "2";
    bar.seek.dispatchEvent(new Event("input"));
    expect(group.scrubTo).toHaveBeenCalledWith(2);
    expect(bar.time.textContent).toBe("0:02.00 / 0:04.00");
    bar.seek.dispatchEvent(new Event("change"));
    expect(group.endScrub).toHaveBeenCalledWith(2);
    bar.mute.click();
    expect(group.muted).toBe(false);
    expect(bar.mute.getAttribute("aria-pressed")).toBe("true");
  });

  it("ends a scrub once, when the pointer lets go, whether or not `change` follows", () => {
    const group = fakeGroup();
    const bar = transportControls(group);
    bar.seek.max = "4";
    bar.seek.dispatchEvent(new Event("pointerdown"));
    bar.seek.value = "3";
    bar.seek.dispatchEvent(new Event("input"));
    bar.seek.dispatchEvent(new Event("pointerup")); // no change event (seen in Chromium)
    expect(group.endScrub).toHaveBeenCalledOnce();
    expect(group.endScrub).toHaveBeenCalledWith(3);
    bar.seek.dispatchEvent(new Event("change")); // when it does come: nothing more
    expect(group.endScrub).toHaveBeenCalledOnce();
    bar.seek.value = "1"; // keys: input and change, no pointer
    bar.seek.dispatchEvent(new Event("input"));
    bar.seek.dispatchEvent(new Event("change"));
    expect(group.endScrub).toHaveBeenCalledTimes(2);
    expect(group.endScrub).toHaveBeenLastCalledWith(1);
  });

  it("shows the play state and keeps the slider still while it is dragged", () => {
    const group = fakeGroup();
    const bar = transportControls(group);
    bar.show({ ...group, playing: true });
    expect(bar.play.textContent).toBe("Pause");
    expect(bar.play.getAttribute("aria-pressed")).toBe("true");
    expect(bar.seek.max).toBe("4");
    expect(bar.seek.value).toBe("1");
    bar.seek.dispatchEvent(new Event("pointerdown"));
    bar.showTime(3);
    expect(bar.seek.value).toBe("1");
    expect(bar.time.textContent).toBe("0:03.00 / 0:04.00");
  });
});
