// Formatting helpers shared by the widgets. Pure functions, no DOM.

/**
 * Elapsed wall time: "4.2 s" under a minute, then "1:05", then "1:02:03".
 * @param {number} seconds
 * @returns {string}
 */
export function formatElapsed(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  if (seconds < 60) return `${(Math.floor(seconds * 10) / 10).toFixed(1)} s`;
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * A media duration for a metadata line: "5 s", "2.5 s", "1:30".
 * @param {number} seconds
 * @returns {string} "" when unknown
 */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds <= 0) return "";
  if (seconds < 60) {
    const rounded = Math.round(seconds * 10) / 10;
    return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} s`;
  }
  return formatElapsed(seconds);
}

/**
 * A playback position with frame precision: "0:01.25".
 * @param {number} seconds
 * @returns {string}
 */
export function formatTimecode(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(2).padStart(5, "0")}`;
}

/**
 * US dollars: "$0.50", "$12.00", "$0.0040" for sub-cent amounts.
 * @param {number | null | undefined} usd  negative, NaN or null mean unknown
 * @returns {string} "" when unknown
 */
export function formatCost(usd) {
  if (usd === null || usd === undefined || !Number.isFinite(usd) || usd < 0) return "";
  if (usd > 0 && usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/**
 * Progress as a percentage; estimates carry a "~".
 * @param {number} progress  0..1, or negative for unknown
 * @param {string} [source]  "api" | "estimate" | ""
 * @returns {string} "" when unknown
 */
export function formatProgress(progress, source = "") {
  if (!Number.isFinite(progress) || progress < 0) return "";
  const pct = Math.round(Math.min(1, progress) * 100);
  return `${source === "estimate" ? "~" : ""}${pct}%`;
}

/**
 * Shorten text to `max` characters, ending in an ellipsis when cut.
 * Whitespace runs (including newlines) collapse to one space.
 * @param {string | null | undefined} text  null/undefined read as ""
 * @param {number} max
 * @returns {string}
 */
export function truncate(text, max) {
  const flat = String(text ?? "").replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * "seed 42", or "" when the seed is not known.
 * @param {number | null | undefined} seed
 * @returns {string}
 */
export function formatSeed(seed) {
  return seed === null || seed === undefined || !Number.isFinite(seed) ? "" : `seed ${seed}`;
}

/** Human labels for job statuses. */
export const STATUS_LABELS = Object.freeze({
  queued: "Queued",
  submitted: "Submitted",
  processing: "Generating",
  downloading: "Downloading",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
});

/** Statuses in which a job can still be cancelled. */
export const LIVE_STATUSES = Object.freeze(["queued", "submitted", "processing", "downloading"]);

/**
 * @param {string} status
 * @returns {string}
 */
export function statusLabel(status) {
  return /** @type {Record<string, string>} */ (STATUS_LABELS)[status] ?? (status || "Unknown");
}
