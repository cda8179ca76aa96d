// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeModel } from "./fake_model.js";
import { costText, elapsedSeconds, renderProgress } from "./progress.js";

const DEFAULTS = {
  _kind: "progress",
  status: "queued",
  prompt: "",
  seed: null,
  task_uuid: "",
  started_at: 0,
  finished_at: 0,
  progress: -1,
  progress_source: "",
  estimated_cost: -1,
  cost: -1,
  error: "",
  engine: "",
  cached: false,
};

/** @param {Record<string, any>} [state] */
function mount(state = {}) {
  const model = new FakeModel({ ...DEFAULTS, ...state });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = renderProgress({ model, el });
  /** @param {string} role */
  const role = (role) => /** @type {HTMLElement} */ (el.querySelector(`[data-role="${role}"]`));
  return { model, el, cleanup, role };
}

describe("costText", () => {
  it("shows the estimate beside the billed cost, each only when known", () => {
    expect(costText(0.75, 0.75).text).toBe("est. $0.75 · billed $0.75");
    expect(costText(1.5, 1.5033)).toEqual({
      text: "est. $1.50 · billed $1.50",
      title: "estimated $1.50 (list price); billed $1.5033",
    });
    expect(costText(0.5, -1)).toEqual({ text: "est. $0.50", title: "estimated $0.50 (list price)" });
    expect(costText(-1, 0.45).text).toBe("billed $0.45");
    expect(costText(-1, -1)).toEqual({ text: "", title: "" });
  });
});

describe("elapsedSeconds", () => {
  it("is null before start, live while running, fixed when finished", () => {
    expect(elapsedSeconds(0, 0, 5000)).toBeNull();
    expect(elapsedSeconds(100, 0, 103_500)).toBeCloseTo(3.5);
    expect(elapsedSeconds(100, 107, 999_999)).toBe(7);
    expect(elapsedSeconds(100, 0, 99_000)).toBe(0);
  });
});

describe("ProgressCard view", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("shows the status and follows changes from the kernel", () => {
    const { model, role } = mount();
    const status = role("status");
    expect(status.dataset.status).toBe("queued");
    expect(status.textContent).toBe("Queued");
    model.update({ status: "processing", progress: 0.4, progress_source: "api" });
    expect(status.dataset.status).toBe("processing");
    expect(status.textContent).toBe("Generating");
    expect(role("progress-text").textContent).toBe("40%");
    expect(/** @type {HTMLElement} */ (role("progress").firstChild).style.width).toBe("40%");
    model.update({ status: "done" });
    expect(status.dataset.status).toBe("done");
    expect(role("cancel").hidden).toBe(true);
  });

  it("marks estimates and unknown progress", () => {
    const { model, role } = mount({ status: "processing" });
    expect(role("progress").classList.contains("wan-bar--indeterminate")).toBe(true);
    model.update({ progress: 0.25, progress_source: "estimate" });
    expect(role("progress").classList.contains("wan-bar--indeterminate")).toBe(false);
    expect(role("progress-text").textContent).toBe("~25% est.");
  });

  it("sends cancel once and hides the button when the job ends", () => {
    const { model, role } = mount({ status: "processing" });
    const cancel = /** @type {HTMLButtonElement} */ (role("cancel"));
    expect(cancel.hidden).toBe(false);
    cancel.click();
    cancel.click();
    expect(model.sent).toEqual([{ type: "cancel" }]);
    expect(cancel.disabled).toBe(true);
    model.update({ status: "cancelled" });
    expect(cancel.hidden).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("allows another Cancel if the kernel does not react", () => {
    const { model, role } = mount({ status: "processing" });
    const cancel = /** @type {HTMLButtonElement} */ (role("cancel"));
    cancel.click();
    expect(cancel.disabled).toBe(true);
    vi.advanceTimersByTime(8000);
    expect(cancel.disabled).toBe(false);
    cancel.click();
    expect(model.sent).toEqual([{ type: "cancel" }, { type: "cancel" }]);
  });

  it("ticks elapsed time locally and freezes it when finished", () => {
    const start = Date.now() / 1000;
    const { model, role } = mount({ status: "processing", started_at: start });
    vi.advanceTimersByTime(2500);
    expect(role("elapsed").textContent).toBe("2.5 s");
    model.update({ finished_at: start + 3, status: "done" });
    vi.advanceTimersByTime(5000);
    expect(role("elapsed").textContent).toBe("3.0 s");
  });

  it("puts untrusted text in as text, never as HTML", () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const { el, role } = mount({ prompt: evil, error: evil });
    expect(el.querySelector("img")).toBeNull();
    expect(role("prompt").textContent).toBe(evil);
    expect(role("error").textContent).toBe(evil);
    expect(role("error").hidden).toBe(false);
  });

  it("shows badges, seed, costs and the short task id", () => {
    const { model, role } = mount({ engine: "local preview engine", seed: 7, estimated_cost: 0.5 });
    expect(role("engine").textContent).toBe("local preview engine");
    expect(role("cached").hidden).toBe(true);
    expect(role("seed").textContent).toBe("seed 7");
    expect(role("cost").textContent).toBe("est. $0.50");
    model.update({ cost: 0.45, cached: true, task_uuid: "0123456789abcdef" });
    // issue 11: the estimate stays beside what was billed
    expect(role("cost").textContent).toBe("est. $0.50 · billed $0.45");
    expect(role("cached").hidden).toBe(false);
    expect(role("task").textContent).toBe("01234567");
  });

  it("cleans up listeners, timers and DOM", () => {
    const { model, el, cleanup } = mount({ status: "processing", started_at: Date.now() / 1000 });
    cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(el.children.length).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
