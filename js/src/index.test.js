// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { FakeModel } from "./fake_model.js";
import widget, { VIEWS } from "./index.js";

describe("bundle entry", () => {
  it("offers one view per widget kind", () => {
    expect(Object.keys(VIEWS).sort()).toEqual(["grid", "player", "progress"]);
  });

  it("dispatches on _kind", () => {
    const el = document.createElement("div");
    const cleanup = widget.render({ model: new FakeModel({ _kind: "progress", status: "done" }), el });
    expect(el.querySelector('[data-role="status"][data-status="done"]')).not.toBeNull();
    cleanup?.();
  });

  it("explains an unknown kind instead of throwing", () => {
    const el = document.createElement("div");
    widget.render({ model: new FakeModel({ _kind: "nope" }), el });
    expect(el.textContent).toContain('"nope"');
  });
});
