// Entry of the small `_esm` every widget model carries (see loader.js): only
// `render` is exported, so the saved loader holds nothing else (~2 KB).

import { renderWith } from "./loader.js";

/** @import { AnyModel } from "./types.js" */

/**
 * @param {{model: AnyModel, el: HTMLElement}} props
 * @returns {Promise<(() => void) | undefined>}
 */
function render(props) {
  return renderWith(props, (url) => import(/* @vite-ignore */ url));
}

export default { render };
