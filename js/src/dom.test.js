// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import { disposeAll, on, saveTrait, setClippedText } from "./dom.js";
import { FakeModel } from "./fake_model.js";

describe("on / disposeAll", () => {
  it("on() returns the removal of its listener", () => {
    const button = document.createElement("button");
    const handler = vi.fn();
    const off = on(button, "click", handler);
    button.click();
    off();
    button.click();
    expect(handler).toHaveBeenCalledOnce();
  });

  it("disposeAll runs each disposer once and empties the list", () => {
    const a = vi.fn();
    const b = vi.fn();
    const list = [a, b];
    disposeAll(list);
    disposeAll(list);
    expect(a).toHaveBeenCalledOnce();
    expect(b).toHaveBeenCalledOnce();
    expect(list).toEqual([]);
  });
});

describe("model and text helpers", () => {
  it("saveTrait sets and saves", () => {
    const model = new FakeModel({ loop: true });
    saveTrait(model, "loop", false);
    expect(model.saved).toEqual([{ loop: false }]);
  });

  it("setClippedText cuts the text, keeps all of it as the tooltip, hides when empty", () => {
    const el = document.createElement("div");
    setClippedText(el, "a long prompt", 6);
    expect([el.textContent, el.title, el.hidden]).toEqual(["a lon…", "a long prompt", false]);
    setClippedText(el, "", 6);
    expect(el.hidden).toBe(true);
  });
});
