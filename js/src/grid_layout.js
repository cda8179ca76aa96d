// Where the seed grid's tiles go. With row and column labels the body is a
// CSS grid matrix: a corner, one heading per column (seeds) and per row
// (prompts), each tile at its row/col; an enlarged tile takes a full-width
// first row and pushes the matrix one row down, its own cell showing a note
// that points up (a click shrinks it back). Without labels, tiles flow in
// `columns` columns, or as many as fit but never more than there are tiles
// (besides an enlarged one), so no row ends in empty columns.

import { h } from "./dom.js";
import { truncate } from "./format.js";

const MIN_TILE_PX = 220;
const TILE_GAP_PX = 10; // .wan-grid__body's gap in widgets.css

/**
 * @typedef {object} GridShape
 * @property {string[]} rows      row labels (prompts)
 * @property {string[]} cols      column labels (seeds)
 * @property {number} columns     columns of a plain grid; 0 = as many as fit
 * @property {string} enlarged    key of the enlarged tile, "" for none
 * @property {number} [width]     the body's width in px (0 or absent: unknown)
 */

/**
 * Whether the labels make a matrix (both rows and columns given).
 * @param {{rows: readonly string[], cols: readonly string[]}} labels
 * @returns {boolean}
 */
export function isMatrix({ rows, cols }) {
  return rows.length > 0 && cols.length > 0;
}

/**
 * The heading cells of a matrix, placed on the CSS grid.
 * @param {string[]} rows
 * @param {string[]} cols
 * @param {number} offset  1 when an enlarged tile holds the first row
 * @returns {HTMLElement[]}
 */
function matrixHeaders(rows, cols, offset) {
  /** @type {HTMLElement[]} */
  const headers = [];
  const corner = h("div", { className: "wan-grid__corner" });
  corner.style.gridRow = String(1 + offset);
  corner.style.gridColumn = "1";
  headers.push(corner);
  cols.forEach((label, j) => {
    const cell = h("div", { className: "wan-grid__colhead", text: truncate(label, 40), attrs: { title: label } });
    cell.style.gridRow = String(1 + offset);
    cell.style.gridColumn = String(j + 2);
    headers.push(cell);
  });
  rows.forEach((label, i) => {
    const cell = h("div", { className: "wan-grid__rowhead", text: truncate(label, 140), attrs: { title: label } });
    cell.style.gridRow = String(i + 2 + offset);
    cell.style.gridColumn = "1";
    headers.push(cell);
  });
  return headers;
}

/**
 * How many columns a free-flowing grid of `count` tiles gets in `width` px:
 * as many 220 px columns as fit, then as few as keep that many rows, so the
 * rows are balanced (4 tiles where 3 fit: 2 + 2, not 3 + 1) and never end
 * in empty columns.
 * @param {number} count
 * @param {number} width  px
 * @returns {number}
 */
export function balancedColumns(count, width) {
  const n = Math.max(1, count);
  const fit = Math.max(1, Math.floor((width + TILE_GAP_PX) / (MIN_TILE_PX + TILE_GAP_PX)));
  const rows = Math.ceil(n / fit);
  return Math.ceil(n / rows);
}

/**
 * `grid-template-columns` of a free-flowing grid of `count` tiles.
 * @param {number} count
 * @param {number} width  px; 0 while unknown (not laid out yet)
 * @returns {string}
 */
export function flowColumns(count, width) {
  if (width > 0) return `repeat(${balancedColumns(count, width)}, minmax(0, 1fr))`;
  const n = Math.max(1, count);
  // Unmeasured: a track at least 1/n of the width caps auto-fill at n columns.
  const share = `calc((100% - ${(n - 1) * TILE_GAP_PX}px) / ${n} - 0.5px)`;
  return `repeat(auto-fill, minmax(max(${MIN_TILE_PX}px, ${share}), 1fr))`;
}

/**
 * The empty cell an enlarged matrix tile leaves: a note that points up.
 * @param {{row: number, col: number}} tile
 * @param {number} offset
 * @param {() => void} onShrink
 * @returns {HTMLElement}
 */
function enlargedHole(tile, offset, onShrink) {
  const hole = h("button", {
    className: "wan-grid__hole",
    text: "▲ Enlarged above · click to shrink",
    attrs: { type: "button", "data-role": "enlarged-hole" },
  });
  hole.style.gridRow = String(tile.row + 2 + offset);
  hole.style.gridColumn = String(tile.col + 2);
  hole.addEventListener("click", onShrink);
  return hole;
}

/**
 * Lay out `body`: replace the old headings, set the columns, place each tile.
 * @param {HTMLElement} body
 * @param {HTMLElement[]} oldHeaders  the headings the last layout added
 * @param {GridShape} shape
 * @param {Map<string, {el: HTMLElement}>} views  tile key -> tile view
 * @param {Map<string, {row: number, col: number}>} tilesByKey
 * @param {() => void} [onShrink]  a click on the enlarged tile's empty cell
 * @returns {HTMLElement[]} the headings (and that cell) now in `body`
 */
export function layoutGrid(body, oldHeaders, shape, views, tilesByKey, onShrink = () => {}) {
  const { rows, cols, columns, enlarged } = shape;
  const matrix = isMatrix(shape);
  const offset = matrix && views.has(enlarged) ? 1 : 0;
  body.dataset.layout = matrix ? "matrix" : "flow";
  for (const header of oldHeaders) header.remove();
  /** @type {HTMLElement[]} */
  let headers = [];
  if (matrix) {
    body.style.gridTemplateColumns = `minmax(6rem, max-content) repeat(${cols.length}, minmax(0, 1fr))`;
    headers = matrixHeaders(rows, cols, offset);
    const tile = tilesByKey.get(enlarged);
    if (offset && tile) headers.push(enlargedHole(tile, offset, onShrink));
    body.prepend(...headers);
  } else {
    const count = [...views.keys()].filter((k) => tilesByKey.has(k) && k !== enlarged).length;
    body.style.gridTemplateColumns = columns > 0 ? `repeat(${columns}, minmax(0, 1fr))` : flowColumns(count, shape.width ?? 0);
  }
  for (const [key, view] of views) {
    const tile = tilesByKey.get(key);
    if (!tile) continue;
    if (matrix && key === enlarged) {
      view.el.style.gridRow = "1";
      view.el.style.gridColumn = "1 / -1";
    } else if (matrix) {
      view.el.style.gridRow = String(tile.row + 2 + offset);
      view.el.style.gridColumn = String(tile.col + 2);
    } else {
      view.el.style.gridRow = "";
      view.el.style.gridColumn = "";
    }
  }
  return headers;
}
