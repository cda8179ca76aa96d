// Type declarations (JSDoc only, checked by `npm run typecheck`). The trait
// typedefs mirror the synced traits of wan_notebook/widgets/progress.py,
// player.py and grid.py, name for name; keep both sides in step.

/** @import { STATUS_LABELS } from "./format.js" */

/**
 * The anywidget front-end model (AFM): deliberately narrow, so any host
 * (JupyterLab, Notebook 7, VS Code, Colab, marimo) can provide it. `T` maps
 * trait names to the values the front end receives. Written with method
 * signatures so that a model with more traits fits where fewer are needed
 * (the grid's model goes to controls.js as AnyModel<PlaybackTraits>).
 * @template {object} [T=Record<string, any>]
 * @typedef {{
 *   get<K extends keyof T & string>(key: K): T[K],
 *   set<K extends keyof T & string>(key: K, value: T[K]): void,
 *   on(event: string, cb: (...args: any[]) => void): void,
 *   off(event: string, cb?: (...args: any[]) => void): void,
 *   save_changes(): void,
 *   send(content: any, callbacks?: any, buffers?: ArrayBuffer[]): void,
 * }} AnyModel
 */

/**
 * What anywidget passes to render().
 * @template [M=AnyModel]
 * @typedef {object} RenderProps
 * @property {M} model
 * @property {HTMLElement} el
 */

/**
 * A job status (wan_notebook/_status.py JOB_STATUSES; labelled in format.js).
 * @typedef {keyof typeof STATUS_LABELS} JobStatus
 */

/**
 * The traits that the loop toggle and speed menu of controls.js edit; both
 * the player and the grid have them.
 * @typedef {object} PlaybackTraits
 * @property {boolean} loop
 * @property {number} playback_rate   0.0625..16
 */

/**
 * ProgressCard (wan_notebook/widgets/progress.py).
 * @typedef {object} ProgressTraits
 * @property {"progress"} _kind
 * @property {JobStatus} status
 * @property {string} prompt
 * @property {number | null} seed
 * @property {string} task_uuid
 * @property {number} started_at        epoch s; 0 = not started
 * @property {number} finished_at       epoch s; 0 = still running
 * @property {number} progress          0..1; -1 = unknown
 * @property {"api" | "estimate" | ""} progress_source
 * @property {number} estimated_cost    USD; -1 = unknown
 * @property {number} cost              USD; -1 = unknown
 * @property {string} error
 * @property {string} engine
 * @property {boolean} cached
 */

/**
 * Player (wan_notebook/widgets/player.py).
 * @typedef {object} PlayerTraits
 * @property {"player"} _kind
 * @property {string} src
 * @property {string} fallback_src
 * @property {string} remote_src      the API's own URL of the file ("" if none)
 * @property {number} remote_expires  epoch s when remote_src stops working; 0 = unknown
 * @property {"video/mp4" | "video/webm" | "video/quicktime"} mime
 * @property {string} poster
 * @property {string} prompt
 * @property {number | null} seed
 * @property {number} duration        s; 0 = read it from the video
 * @property {number} fps
 * @property {number} cost            USD; -1 = unknown
 * @property {number} width           px; 0 = unknown
 * @property {number} height          px; 0 = unknown
 * @property {string} download_name
 * @property {boolean} loop
 * @property {boolean} muted
 * @property {boolean} autoplay
 * @property {number} playback_rate   0.0625..16
 */

/**
 * One tile of a SeedGrid (`tiles` trait; fields and defaults in
 * wan_notebook/widgets/grid.py TILE_DEFAULTS).
 * @typedef {object} Tile
 * @property {string} key
 * @property {number | null} seed
 * @property {string} prompt
 * @property {string} status          a JobStatus (grid.py checks it); the view shows any
 * @property {number} progress        0..1; -1 = unknown
 * @property {number} cost            USD; -1 = unknown
 * @property {string} src
 * @property {string} fallback_src
 * @property {string} remote_src       the API's own URL ("" if none)
 * @property {number} remote_expires   epoch s; 0 = unknown
 * @property {string} mime
 * @property {string} error
 * @property {number} row
 * @property {number} col
 */

/**
 * SeedGrid (wan_notebook/widgets/grid.py).
 * @typedef {object} GridTraits
 * @property {"grid"} _kind
 * @property {Tile[]} tiles
 * @property {string[]} row_labels
 * @property {string[]} col_labels
 * @property {number} columns         0 = as many as fit
 * @property {string} picked          tile key; "" = none
 * @property {string} enlarged        tile key; "" = none
 * @property {number} fps
 * @property {number} playback_rate
 * @property {boolean} loop
 * @property {boolean} previews       tiles play small copies (the enlarged one its original)
 * @property {Record<string, import("./grid_metrics.js").Badge[]>} [badges]  tile key -> badges
 *   (a GridView's MetricGrid, wan_notebook/widgets/_grid_metrics.py; absent on a SeedGrid)
 * @property {string[]} [order]       tile keys in display order; [] = the order of `tiles`
 * @property {string[]} [metric_table]  metric names of the table under the grid; [] = none
 * @property {string} [sort_note]     what the tiles are sorted by; "" = the seeds' order
 */

// A view's model is AnyModel<ProgressTraits>, AnyModel<PlayerTraits> or
// AnyModel<GridTraits>, written out where it is used: behind an alias of its
// own (`@typedef {AnyModel<GridTraits>} GridModel`) tsc no longer sees the
// trait map when it infers the type parameters of generic helpers (saveTrait).

/**
 * Messages between the views and the kernel (`model.send` / "msg:custom").
 * @typedef {{type: "cancel"}} CancelMessage       progress card -> kernel
 * @typedef {{type: "need_bundle"}} NeedBundleMessage  loader -> kernel (bootstrap.js)
 * @typedef {{type: "need_bytes", key?: string, variant?: string}} NeedBytesMessage
 *   player/grid -> kernel: every URL failed; answered as in byte_transfer.js
 */

export {};
