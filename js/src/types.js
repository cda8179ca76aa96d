// Type declarations (JSDoc only). They mirror the Python traits in
// wan_notebook/widgets/*.py; keep both sides in step.

/**
 * The anywidget front-end model (AFM): deliberately narrow, so any host
 * (JupyterLab, Notebook 7, VS Code, Colab, marimo) can provide it.
 * @typedef {object} AnyModel
 * @property {(key: string) => any} get
 * @property {(key: string, value: any) => void} set
 * @property {(event: string, cb: (...args: any[]) => void) => void} on
 * @property {(event: string, cb?: (...args: any[]) => void) => void} off
 * @property {() => void} save_changes
 * @property {(content: any, callbacks?: any, buffers?: ArrayBuffer[]) => void} send
 */

/**
 * @typedef {object} RenderProps
 * @property {AnyModel} model
 * @property {HTMLElement} el
 */

/**
 * One tile of a SeedGrid (`tiles` trait).
 * @typedef {object} Tile
 * @property {string} key
 * @property {number | null} seed
 * @property {string} prompt
 * @property {string} status
 * @property {number} progress
 * @property {number} cost
 * @property {string} src
 * @property {string} fallback_src
 * @property {string} mime
 * @property {string} error
 * @property {number} row
 * @property {number} col
 */

export {};
