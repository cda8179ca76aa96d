// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { FakeModel, fakeTile } from "./fake_model.js";
import { renderGrid } from "./grid.js";
import { displayOrder, metricTable, normalizeBadges, showTileBadges } from "./grid_metrics.js";

const tile = fakeTile;

/**
 * A badge as _metric_badges.py makes it.
 * @param {string} name
 * @param {number | null} value
 * @param {"done" | "pending" | "error"} [state]
 * @returns {import("./grid_metrics.js").Badge}
 */
const badge = (name, value, state = "done") => ({
  name,
  label: name,
  text: value === null ? `${name} …` : `${name} ${value}`,
  cell: value === null ? "…" : String(value),
  value,
  title: `${name} = ${value}`,
  state,
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
    previews: false,
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

describe("metric badges and order (pure)", () => {
  it("normalizes the badges trait, dropping malformed entries", () => {
    const out = normalizeBadges({ a: [badge("flicker", 0.5), { name: 3 }, { name: "x", text: "x", state: "odd", value: "1" }], b: "no" });
    expect([...out.keys()]).toEqual(["a"]);
    expect(out.get("a")?.map((b) => [b.name, b.state, b.value])).toEqual([
      ["flicker", "done", 0.5],
      ["x", "done", null],
    ]);
    expect(normalizeBadges(undefined).size).toBe(0);
  });

  it("orders tiles by `order`, the unlisted after them in list order", () => {
    const tiles = ["a", "b", "c", "d"].map((k) => tile(k));
    expect(displayOrder(tiles, []).map((t) => t.key)).toEqual(["a", "b", "c", "d"]);
    expect(displayOrder(tiles, ["c", "a"]).map((t) => t.key)).toEqual(["c", "a", "b", "d"]);
    expect(displayOrder(tiles, ["zz", "d"]).map((t) => t.key)).toEqual(["d", "a", "b", "c"]);
  });

  it("draws a tile's badges once and hides the row when there are none", () => {
    const el = document.createElement("div");
    const prompt = document.createElement("div");
    el.append(prompt);
    const view = { el, prompt };
    showTileBadges(view, []);
    expect(el.querySelector('[data-role="tile-badges"]')).toBeNull();
    showTileBadges(view, [badge("flicker", 0.25), badge("motion", null, "pending")]);
    const row = /** @type {HTMLElement} */ (el.querySelector('[data-role="tile-badges"]'));
    expect(row.nextElementSibling).toBe(prompt);
    const spans = /** @type {HTMLElement[]} */ ([...row.children]);
    expect(spans.map((s) => [s.textContent, s.dataset.metric, s.dataset.value, s.dataset.state])).toEqual([
      ["flicker 0.25", "flicker", "0.25", "done"],
      ["motion …", "motion", undefined, "pending"],
    ]);
    const first = spans[0];
    showTileBadges(view, [badge("flicker", 0.25), badge("motion", null, "pending")]);
    expect(row.children[0]).toBe(first); // unchanged badges are not redrawn
    showTileBadges(view, []);
    expect(row.hidden).toBe(true);
  });

  it("tabulates one row per tile and one column per metric", () => {
    const tiles = [tile("s1", { prompt: "a cat" }), tile("s2", { prompt: "a dog" })];
    const badges = normalizeBadges({ s1: [badge("flicker", 0.1), badge("motion", 2)], s2: [badge("flicker", null, "pending")] });
    const table = /** @type {HTMLTableElement} */ (metricTable(tiles, badges, ["flicker", "motion"], true));
    const cells = [...table.querySelectorAll("tr")].map((r) => [...r.children].map((c) => c.textContent));
    expect(cells).toEqual([
      ["variant", "flicker", "motion"],
      ["a cat · seed 1", "0.1", "2"],
      ["a dog · seed 2", "…", ""],
    ]);
    expect(metricTable(tiles, badges, [], true)).toBeNull();
    expect(metricTable(tiles, new Map(), ["flicker"], false)).toBeNull();
  });
});

describe("SeedGrid with metrics", () => {
  it("shows badges on each tile and follows updates from the kernel", () => {
    const { model, all } = mount();
    expect(all('[data-role="tile-badges"]').length).toBe(0);
    model.update({ badges: { s1: [badge("flicker", null, "pending")], s2: [badge("flicker", 0.2)] } });
    expect(all(".wan-badge").map((b) => b.textContent)).toEqual(["flicker …", "flicker 0.2"]);
    model.update({ badges: { s1: [badge("flicker", 0.4)], s2: [badge("flicker", 0.2)] } });
    expect(all(".wan-badge").map((b) => b.dataset.value)).toEqual(["0.4", "0.2"]);
    model.update({ badges: {} });
    expect(all(".wan-badge").length).toBe(0);
  });

  it("a sort moves the tiles, keeping their videos and the tile heard", () => {
    const { model, all, el } = mount();
    const before = new Map(all('[data-role="tile-video"]').map((v) => [v.dataset.key, v]));
    el.querySelector('[data-role="grid-controls"] [data-role="mute"]')?.dispatchEvent(new MouseEvent("click"));
    const heard = () => all('audio[data-role="grid-sound"]').filter((v) => !(/** @type {HTMLAudioElement} */ (v).muted)).map((v) => v.dataset.key);
    expect(heard()).toEqual(["s1"]);
    const note = /** @type {HTMLElement} */ (el.querySelector('[data-role="sort-note"]'));
    expect(note.hidden).toBe(true);
    model.update({ order: ["s3", "s1", "s4", "s2"], sort_note: "Sorted by motion, largest first" });
    expect(all(".wan-tile").map((t) => t.dataset.key)).toEqual(["s3", "s1", "s4", "s2"]);
    expect([note.hidden, note.textContent]).toEqual([false, "Sorted by motion, largest first"]);
    for (const v of all('[data-role="tile-video"]')) expect(v).toBe(before.get(v.dataset.key ?? ""));
    // The sound stays with the tile you heard (it is still on screen) ...
    expect(heard()).toEqual(["s1"]);
    // ... and a new grid that sorts before its first sound hears its first tile.
    document.body.replaceChildren();
    const sorted = mount({ order: ["s4", "s2", "s1", "s3"] });
    sorted.el.querySelector('[data-role="grid-controls"] [data-role="mute"]')?.dispatchEvent(new MouseEvent("click"));
    const heard2 = sorted.all('audio[data-role="grid-sound"]').filter((v) => !(/** @type {HTMLAudioElement} */ (v).muted));
    expect(heard2.map((v) => v.dataset.key)).toEqual(["s4"]);
    expect(sorted.all('[data-role="tile-video"]').every((v) => /** @type {HTMLVideoElement} */ (v).muted)).toBe(true);
  });

  it("new tiles keep the sort order; order [] puts them back", () => {
    const { model, all } = mount({ order: ["s2", "s1"] });
    expect(all(".wan-tile").map((t) => t.dataset.key)).toEqual(["s2", "s1", "s3", "s4"]);
    model.update({ tiles: [tile("s1"), tile("s2"), tile("s3"), tile("s4"), tile("s5")] });
    expect(all(".wan-tile").map((t) => t.dataset.key)).toEqual(["s2", "s1", "s3", "s4", "s5"]);
    model.update({ order: [] });
    expect(all(".wan-tile").map((t) => t.dataset.key)).toEqual(["s1", "s2", "s3", "s4", "s5"]);
  });

  it("shows a metric table under a matrix, rows in matrix order", () => {
    const tiles = [];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) tiles.push(tile(`p${r}s${c + 1}`, { row: r, col: c, prompt: r ? "cat" : "fox" }));
    const { model, el } = mount({ tiles: [...tiles].reverse(), row_labels: ["fox", "cat"], col_labels: ["seed 1", "seed 2"] });
    const badges = Object.fromEntries(tiles.map((t, i) => [t.key, [badge("motion", i)]]));
    model.update({ badges, metric_table: ["motion"] });
    const table = /** @type {HTMLTableElement} */ (el.querySelector('[data-role="metric-table"]'));
    expect([...table.querySelectorAll("tbody tr")].map((r) => [/** @type {HTMLElement} */ (r).dataset.key, r.children[1].textContent])).toEqual([
      ["p0s1", "0"],
      ["p0s2", "1"],
      ["p1s1", "2"],
      ["p1s2", "3"],
    ]);
    expect(table.querySelector("tbody th")?.textContent).toBe("fox · seed 1");
    model.update({ metric_table: [] });
    expect(el.querySelector('[data-role="metric-table"]')).toBeNull();
  });
});
