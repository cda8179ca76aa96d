// ProgressCard: one job's live status. The card ticks its own elapsed time
// (every 100 ms) from `started_at`/`finished_at`, so the kernel sends nothing
// per tick.

import { disposeAll, h, listen, on, setClippedText, setText, show } from "./dom.js";
import { LIVE_STATUSES, formatCost, formatElapsed, formatProgress, formatSeed, statusLabel } from "./format.js";

/** @import { AnyModel, ProgressTraits, RenderProps } from "./types.js" */

const TICK_MS = 100;
/** If the kernel has not ended the job this long after Cancel, allow another try. */
const CANCEL_RETRY_MS = 8000;

/**
 * Seconds elapsed for a job.
 * @param {number} startedAt   epoch s, 0 = not started
 * @param {number} finishedAt  epoch s, 0 = still running
 * @param {number} nowMs       Date.now()
 * @returns {number | null}    null when not started
 */
export function elapsedSeconds(startedAt, finishedAt, nowMs) {
  if (!(startedAt > 0)) return null;
  const end = finishedAt > 0 ? finishedAt : nowMs / 1000;
  return Math.max(0, end - startedAt);
}

/**
 * The estimate beside what was billed, "est. $0.75 · billed $0.75" (issue 11): a small
 * difference is normal (the API's own examples bill 1.5033 for 1.50), so both are shown
 * and never compared; the tooltip has the exact billed amount.
 * Mirrors `display._markup.cost_pair` (history and static copies).
 * @param {number} estimated  USD; negative = unknown
 * @param {number} billed     USD; negative = unknown
 * @returns {{ text: string, title: string }}
 */
export function costText(estimated, billed) {
  const estimate = formatCost(estimated);
  const actual = formatCost(billed);
  const parts = [estimate && `est. ${estimate}`, actual && `billed ${actual}`].filter(Boolean);
  const titles = [
    estimate && `estimated ${estimate} (list price)`,
    actual && `billed $${Number(billed.toFixed(6))}`,
  ].filter(Boolean);
  return { text: parts.join(" · "), title: titles.join("; ") };
}

/**
 * @param {RenderProps<AnyModel<ProgressTraits>>} props
 * @returns {() => void} cleanup
 */
export function renderProgress({ model, el }) {
  const status = h("span", { className: "wan-status", attrs: { "data-role": "status" } });
  const engine = h("span", { className: "wan-badge", attrs: { "data-role": "engine" } });
  const cached = h("span", {
    className: "wan-badge wan-badge--accent",
    text: "cached result",
    attrs: { "data-role": "cached" },
  });
  const elapsed = h("span", { className: "wan-card__elapsed", attrs: { "data-role": "elapsed" } });
  const cancel = h("button", {
    className: "wan-btn wan-btn--quiet",
    text: "Cancel",
    attrs: { type: "button", "data-role": "cancel", title: "Cancel this job" },
  });
  const fill = h("div", { className: "wan-bar__fill" });
  const bar = h("div", { className: "wan-bar", attrs: { "data-role": "progress", role: "progressbar" } }, [fill]);
  const pct = h("span", { className: "wan-card__pct", attrs: { "data-role": "progress-text" } });
  const seed = h("span", { attrs: { "data-role": "seed" } });
  const cost = h("span", { attrs: { "data-role": "cost" } });
  const task = h("span", { className: "wan-mono", attrs: { "data-role": "task" } });
  const prompt = h("div", { className: "wan-card__prompt", attrs: { "data-role": "prompt" } });
  const error = h("div", { className: "wan-card__error", attrs: { "data-role": "error", role: "alert" } });

  const root = h("div", { className: "wan-root wan-card" }, [
    h("div", { className: "wan-card__head" }, [
      status,
      engine,
      cached,
      h("span", { className: "wan-spacer" }),
      elapsed,
      cancel,
    ]),
    bar,
    h("div", { className: "wan-meta" }, [pct, seed, cost, task]),
    prompt,
    error,
  ]);
  el.append(root);

  let cancelling = false;
  /** @type {ReturnType<typeof setInterval> | null} */
  let timer = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let retry = null;

  const tick = () => {
    const secs = elapsedSeconds(model.get("started_at"), model.get("finished_at"), Date.now());
    setText(elapsed, secs === null ? "" : formatElapsed(secs));
  };

  const syncTimer = () => {
    const running = model.get("started_at") > 0 && !(model.get("finished_at") > 0);
    if (running && timer === null) timer = setInterval(tick, TICK_MS);
    if (!running && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    tick();
  };

  const update = () => {
    const st = model.get("status") || "queued";
    const live = LIVE_STATUSES.includes(st);
    if (!live) cancelling = false;
    if (!cancelling && retry !== null) {
      clearTimeout(retry);
      retry = null;
    }
    root.dataset.status = st;
    status.dataset.status = st;
    setText(status, statusLabel(st));

    const engineName = model.get("engine") || "";
    setText(engine, engineName);
    show(engine, Boolean(engineName));
    show(cached, Boolean(model.get("cached")));

    show(cancel, live);
    cancel.disabled = cancelling;
    setText(cancel, cancelling ? "Cancelling…" : "Cancel");

    const p = model.get("progress");
    const source = model.get("progress_source") || "";
    const known = Number.isFinite(p) && p >= 0;
    const shown = st === "done" ? 1 : known ? Math.min(1, p) : 0;
    bar.classList.toggle("wan-bar--indeterminate", live && !known);
    bar.classList.toggle("wan-bar--estimate", source === "estimate");
    bar.dataset.state = st === "done" ? "done" : live ? "live" : "stopped";
    fill.style.width = `${(live && !known ? 0 : shown) * 100}%`;
    if (live && known) bar.setAttribute("aria-valuenow", String(Math.round(shown * 100)));
    else bar.removeAttribute("aria-valuenow");
    const pctText = live ? formatProgress(p, source) : "";
    setText(pct, pctText ? (source === "estimate" ? `${pctText} est.` : pctText) : "");
    show(bar, st !== "cancelled" || known);

    setText(seed, formatSeed(model.get("seed")));
    const costs = costText(model.get("estimated_cost"), model.get("cost"));
    setText(cost, costs.text);
    cost.title = costs.title;

    const uuid = model.get("task_uuid") || "";
    setText(task, uuid ? uuid.slice(0, 8) : "");
    task.title = uuid ? `task ${uuid}` : "";

    setClippedText(prompt, model.get("prompt") || "", 280);

    const err = model.get("error") || "";
    setText(error, err);
    show(error, Boolean(err));

    syncTimer();
  };

  const onCancel = () => {
    if (cancelling) return;
    cancelling = true;
    model.send({ type: "cancel" });
    retry = setTimeout(() => {
      retry = null;
      cancelling = false;
      update();
    }, CANCEL_RETRY_MS);
    update();
  };
  const disposers = [
    on(cancel, "click", onCancel),
    listen(model, {
      "change:status": update,
      "change:prompt": update,
      "change:seed": update,
      "change:task_uuid": update,
      "change:started_at": update,
      "change:finished_at": update,
      "change:progress": update,
      "change:progress_source": update,
      "change:estimated_cost": update,
      "change:cost": update,
      "change:error": update,
      "change:engine": update,
      "change:cached": update,
    }),
  ];
  update();

  return () => {
    disposeAll(disposers);
    if (timer !== null) clearInterval(timer);
    if (retry !== null) clearTimeout(retry);
    root.remove();
  };
}
