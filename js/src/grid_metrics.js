// Measurements on the seed grid: small badges under each tile's video, the
// tiles' display order after a sort, and a table of the measurements under
// the grid (a compare() matrix). The kernel formats every badge and computes
// the order (wan_notebook/widgets/_metric_badges.py, _grid_metrics.py); this
// module only draws them, so a badge, a table cell and the order agree.

import "./grid_metrics.css";
import { h, setText, show } from "./dom.js";
import { formatSeed, truncate } from "./format.js";

/** @import { Tile } from "./types.js" */

/**
 * One badge (a dict of the `badges` trait).
 * @typedef {object} Badge
 * @property {string} name    the VideoMetrics field
 * @property {string} label   a table heading
 * @property {string} text    the badge: label and value
 * @property {string} cell    the value alone (a table cell)
 * @property {number | null} value  what a sort by it compares; null = unknown
 * @property {string} title   tooltip
 * @property {"done" | "pending" | "error"} state
 */

const STATES = ["done", "pending", "error"];

/**
 * The `badges` trait as a map, every badge complete (a malformed one is dropped).
 * @param {unknown} raw  tile key -> badge dicts
 * @returns {Map<string, Badge[]>}
 */
export function normalizeBadges(raw) {
  /** @type {Map<string, Badge[]>} */
  const out = new Map();
  if (!raw || typeof raw !== "object") return out;
  for (const [key, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) continue;
    /** @type {Badge[]} */
    const badges = [];
    for (const b of list) {
      if (!b || typeof b.name !== "string" || typeof b.text !== "string") continue;
      badges.push({
        name: b.name,
        label: typeof b.label === "string" ? b.label : b.name,
        text: b.text,
        cell: typeof b.cell === "string" ? b.cell : b.text,
        value: typeof b.value === "number" && Number.isFinite(b.value) ? b.value : null,
        title: typeof b.title === "string" ? b.title : "",
        state: STATES.includes(b.state) ? b.state : "done",
      });
    }
    out.set(key, badges);
  }
  return out;
}

/**
 * Draw a tile's badges in a row of its own, above the prompt (made on first
 * use, hidden when there are none).
 * @param {{el: HTMLElement, prompt: HTMLElement}} view  a grid_tile.js TileView
 * @param {Badge[]} badges
 */
export function showTileBadges(view, badges) {
  let row = /** @type {HTMLElement | null} */ (view.el.querySelector(':scope > [data-role="tile-badges"]'));
  if (!row) {
    if (!badges.length) return;
    row = h("div", { className: "wan-tile__badges", attrs: { "data-role": "tile-badges" } });
    view.el.insertBefore(row, view.prompt);
  }
  const same =
    row.children.length === badges.length &&
    badges.every((b, i) => {
      const el = /** @type {HTMLElement} */ (row.children[i]);
      return el.textContent === b.text && el.dataset.state === b.state && el.title === b.title;
    });
  if (!same) {
    row.replaceChildren(
      ...badges.map((b) =>
        h("span", {
          className: `wan-badge wan-badge--${b.state}`,
          text: b.text,
          attrs: {
            "data-metric": b.name,
            "data-value": b.value === null ? null : String(b.value),
            "data-state": b.state,
            title: b.title,
          },
        }),
      ),
    );
  }
  show(row, badges.length > 0);
}

/**
 * The tiles in display order: the keys of `order` first, as listed, then
 * the others in list order (a tile the kernel has not sorted yet, or all of
 * them when `order` is empty).
 * @param {Tile[]} tiles
 * @param {readonly string[]} order
 * @returns {Tile[]}
 */
export function displayOrder(tiles, order) {
  if (!order.length) return tiles;
  const rank = new Map(order.map((key, i) => [key, i]));
  const last = order.length;
  return tiles
    .map((tile, i) => ({ tile, i, r: rank.get(tile.key) ?? last }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.tile);
}

/**
 * A table of the measurements: a row per tile (in `tiles` order), a column
 * per metric name; `null` when there is nothing to show.
 * @param {Tile[]} tiles
 * @param {Map<string, Badge[]>} badges
 * @param {readonly string[]} names
 * @param {boolean} withPrompt  label rows with the prompt too (a matrix)
 * @returns {HTMLTableElement | null}
 */
export function metricTable(tiles, badges, names, withPrompt) {
  if (!names.length || !tiles.some((t) => badges.has(t.key))) return null;
  const labels = names.map((name) => {
    for (const list of badges.values()) {
      const found = list.find((b) => b.name === name);
      if (found) return found.label;
    }
    return name;
  });
  const head = h("tr", {}, [
    h("th", { text: "variant", attrs: { scope: "col" } }),
    ...labels.map((label) => h("th", { text: label, attrs: { scope: "col" } })),
  ]);
  const rows = tiles.map((tile) => {
    const seed = formatSeed(tile.seed) || tile.key;
    const variant = withPrompt && tile.prompt ? `${truncate(tile.prompt, 48)} · ${seed}` : seed;
    const list = badges.get(tile.key) ?? [];
    const cells = names.map((name) => {
      const badge = list.find((b) => b.name === name);
      return h("td", {
        text: badge ? badge.cell : "",
        attrs: { "data-metric": name, "data-state": badge?.state ?? null, title: badge?.title ?? null },
      });
    });
    return h("tr", { attrs: { "data-key": tile.key } }, [h("th", { text: variant, attrs: { scope: "row", title: tile.prompt } }), ...cells]);
  });
  return h("table", { className: "wan-metric-table", attrs: { "data-role": "metric-table" } }, [
    h("thead", {}, [head]),
    h("tbody", {}, rows),
  ]);
}

/**
 * Put `table` (or nothing) in `holder`.
 * @param {HTMLElement} holder
 * @param {HTMLTableElement | null} table
 */
export function showMetricTable(holder, table) {
  if (table) holder.replaceChildren(table);
  else holder.replaceChildren();
  show(holder, Boolean(table));
}

/**
 * Badges on each tile and, when asked, a table of them under the grid; the sort note.
 * @param {{badges: unknown, table: string[], note: string}} traits  the grid's
 * @param {Map<string, {el: HTMLElement, prompt: HTMLElement}>} views  by tile key
 * @param {Tile[]} tiles  in display order
 * @param {boolean} matrix
 * @param {{metrics: HTMLElement, sortNote: HTMLElement}} boxes
 */
export function showGridMetrics(traits, views, tiles, matrix, boxes) {
  const badges = normalizeBadges(traits.badges);
  for (const [key, view] of views) showTileBadges(view, badges.get(key) ?? []);
  const rows = matrix ? [...tiles].sort((a, b) => a.row - b.row || a.col - b.col) : tiles;
  showMetricTable(boxes.metrics, metricTable(rows, badges, traits.table, matrix));
  setText(boxes.sortNote, traits.note);
  show(boxes.sortNote, Boolean(traits.note));
}
