// Entry point of the bundle (wan_notebook/static/widgets.js). One ES module
// serves every widget class: each Python class sets the same `_esm` and a
// read-only `_kind` trait, and render() dispatches on it.

import "./widgets.css";
import { renderGrid } from "./grid.js";
import { renderPlayer } from "./player.js";
import { renderProgress } from "./progress.js";

/** @import { RenderProps } from "./types.js" */

// Each view declares the traits of its own model; the host's model carries
// whichever traits the Python class with that `_kind` syncs.
/** @type {Record<string, (props: RenderProps<any>) => () => void>} */
export const VIEWS = {
  progress: renderProgress,
  player: renderPlayer,
  grid: renderGrid,
};

/**
 * @param {RenderProps} props
 * @returns {(() => void) | undefined}
 */
function render({ model, el }) {
  const kind = model.get("_kind");
  const view = VIEWS[kind];
  if (!view) {
    el.textContent = `wan-notebook: no view for widget kind ${JSON.stringify(kind)}`;
    return undefined;
  }
  el.classList.add("wan-host");
  return view({ model, el });
}

export default { render };
