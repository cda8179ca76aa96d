// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { FakeModel } from "./fake_model.js";
import { renderGrid } from "./grid.js";

/**
 * @param {string} key
 * @param {Record<string, any>} [extra]
 */
const tile = (key, extra = {}) => ({
  key,
  seed: Number(key.replace(/\D/g, "")) || null,
  prompt: "a red fox",
  status: "done",
  progress: 1,
  cost: 0.25,
  src: `/files/${key}.mp4`,
  fallback_src: `${key}.mp4`,
  mime: "video/mp4",
  error: "",
  row: 0,
  col: 0,
  ...extra,
});

/** @param {Record<string, any>} [state] */
function mount(state = {}) {
  const model = new FakeModel({
    _kind: "grid",
    tiles: [tile("s1"), tile("s2"), tile("s3"), tile("s4")],
    row_labels: [],
    col_labels: [],
    columns: 0,
    picked: "",
    enlarged: "",
    fps: 24,
    playback_rate: 1,
    loop: true,
    ...state,
  });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = renderGrid({ model, el });
  /** @param {string} sel */
  const all = (sel) => /** @type {HTMLElement[]} */ ([...el.querySelectorAll(sel)]);
  return { model, el, cleanup, all };
}

afterEach(() => document.body.replaceChildren());

describe("SeedGrid view", () => {
  it("renders the root, the shared controls and one muted inline video per finished tile", () => {
    const { el, all } = mount();
    expect(el.querySelector('[data-role="seed-grid"]')).not.toBeNull();
    const controls = el.querySelector('[data-role="grid-controls"]');
    for (const r of ["play", "seek", "speed", "loop", "mute"]) {
      expect(controls?.querySelector(`[data-role="${r}"]`)).not.toBeNull();
    }
    const videos = /** @type {HTMLVideoElement[]} */ (all('[data-role="tile-video"]'));
    expect(videos.map((v) => v.dataset.key)).toEqual(["s1", "s2", "s3", "s4"]);
    for (const v of videos) {
      expect(v.muted).toBe(true);
      expect(v.hasAttribute("playsinline")).toBe(true);
      expect(v.hasAttribute("controls")).toBe(false);
    }
    expect(el.textContent).toContain("seed 1");
    expect(el.textContent).toContain("$0.25");
  });

  it("Pick sets `picked` and saves; a second click un-picks", () => {
    const { model, all } = mount();
    const picks = all('[data-role="pick"]');
    picks[1].click();
    expect(model.get("picked")).toBe("s2");
    expect(model.saved.at(-1)?.picked).toBe("s2");
    expect(picks[1].getAttribute("aria-pressed")).toBe("true");
    expect(all(".wan-tile--picked").length).toBe(1);
    picks[1].click();
    expect(model.get("picked")).toBe("");
  });

  it("follows `picked` set from Python", () => {
    const { model, all } = mount();
    model.update({ picked: "s3" });
    expect(all(".wan-tile--picked").map((t) => t.dataset.key)).toEqual(["s3"]);
  });

  it("clicking a video enlarges its tile, clicking again shrinks it", () => {
    const { model, all } = mount();
    const media = all(".wan-tile__media");
    media[2].click();
    expect(model.get("enlarged")).toBe("s3");
    expect(all(".wan-tile--enlarged").map((t) => t.dataset.key)).toEqual(["s3"]);
    media[2].click();
    expect(model.get("enlarged")).toBe("");
    expect(all(".wan-tile--enlarged").length).toBe(0);
  });

  it("shows status and progress while running, the video when done, and keeps existing videos", () => {
    const { model, all } = mount({
      tiles: [tile("s1"), tile("s2", { status: "processing", progress: 0.3, src: "", fallback_src: "" })],
    });
    const first = all('[data-role="tile-video"]')[0];
    expect(all('[data-role="tile-video"]').length).toBe(1);
    const running = /** @type {HTMLElement} */ (document.querySelector('.wan-tile[data-key="s2"]'));
    expect(running.dataset.status).toBe("processing");
    expect(running.textContent).toContain("30%");
    expect(/** @type {HTMLButtonElement} */ (running.querySelector('[data-role="pick"]')).disabled).toBe(true);
    model.update({ tiles: [tile("s1"), tile("s2")] });
    const videos = all('[data-role="tile-video"]');
    expect(videos.length).toBe(2);
    expect(videos[0]).toBe(first); // same element: playback survives updates
  });

  it("removes tiles that disappear and shows errors as text", () => {
    const { model, all, el } = mount();
    model.update({ tiles: [tile("s1"), tile("s9", { status: "failed", error: "<b>boom</b>", src: "" })] });
    expect(all(".wan-tile").map((t) => t.dataset.key)).toEqual(["s1", "s9"]);
    expect(el.querySelector("b")).toBeNull();
    expect(el.textContent).toContain("<b>boom</b>");
  });

  it("lays out a labelled prompt × seed matrix", () => {
    const tiles = [];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) tiles.push(tile(`p${r}s${c}`, { row: r, col: c }));
    const { el, all } = mount({ tiles, row_labels: ["fox <i>", "cat"], col_labels: ["seed 1", "seed 2", "seed 3"] });
    const body = /** @type {HTMLElement} */ (el.querySelector(".wan-grid__body"));
    expect(body.dataset.layout).toBe("matrix");
    expect(all(".wan-grid__rowhead").map((h) => h.textContent)).toEqual(["fox <i>", "cat"]);
    expect(all(".wan-grid__colhead").length).toBe(3);
    const t = /** @type {HTMLElement} */ (el.querySelector('.wan-tile[data-key="p1s2"]'));
    expect(t.style.gridRow).toBe("3");
    expect(t.style.gridColumn).toBe("4");
  });

  it("tells the video that failed on every source apart", () => {
    const { all } = mount({ tiles: [tile("s1")] });
    const video = all('[data-role="tile-video"]')[0];
    video.dispatchEvent(new Event("error"));
    video.dispatchEvent(new Event("error"));
    expect(document.querySelector(".wan-tile")?.textContent).toContain("Video unavailable");
  });

  it("syncs speed and loop both ways", () => {
    const { model, el } = mount();
    const speed = /** @type {HTMLSelectElement} */ (el.querySelector('[data-role="speed"]'));
    speed.value = "2";
    speed.dispatchEvent(new Event("change"));
    expect(model.get("playback_rate")).toBe(2);
    for (const v of /** @type {HTMLVideoElement[]} */ ([...el.querySelectorAll("video")])) expect(v.playbackRate).toBe(2);
    /** @type {HTMLElement} */ (el.querySelector('[data-role="loop"]')).click();
    expect(model.get("loop")).toBe(false);
    model.update({ loop: true });
    expect(el.querySelector('[data-role="loop"]')?.getAttribute("aria-pressed")).toBe("true");
  });

  it("mute toggle unmutes every tile", () => {
    const { el } = mount();
    /** @type {HTMLElement} */ (el.querySelector('[data-role="mute"]')).click();
    for (const v of /** @type {HTMLVideoElement[]} */ ([...el.querySelectorAll("video")])) expect(v.muted).toBe(false);
  });

  it("cleans up", () => {
    const { model, el, cleanup } = mount();
    cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(el.children.length).toBe(0);
  });
});
