// Where the seed grid's tiles go. With row and column labels the body is a
// CSS grid matrix: a corner, one heading per column (seeds) and per row
// (prompts), each tile at its row/col; an enlarged tile takes a full-width
// first row and pushes the matrix one row down. Without labels, tiles flow in
// `columns` columns, or as many as fit.

import { h } from "./dom.js";
import { truncate } from "./format.js";

/**
 * @typedef {object} GridShape
 * @property {string[]} rows      row labels (prompts)
 * @property {string[]} cols      column labels (seeds)
 * @property {number} columns     columns of a plain grid; 0 = as many as fit
 * @property {string} enlarged    key of the enlarged tile, "" for none
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
 * Lay out `body`: replace the old headings, set the columns, place each tile.
 * @param {HTMLElement} body
 * @param {HTMLElement[]} oldHeaders  the headings the last layout added
 * @param {GridShape} shape
 * @param {Map<string, {el: HTMLElement}>} views  tile key -> tile view
 * @param {Map<string, {row: number, col: number}>} tilesByKey
 * @returns {HTMLElement[]} the headings now in `body`
 */
export function layoutGrid(body, oldHeaders, shape, views, tilesByKey) {
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
    body.prepend(...headers);
  } else {
    body.style.gridTemplateColumns =
      columns > 0 ? `repeat(${columns}, minmax(0, 1fr))` : "repeat(auto-fill, minmax(220px, 1fr))";
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
