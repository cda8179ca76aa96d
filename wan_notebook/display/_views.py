"""What a notebook shows for jobs: live widgets bound to job state, and static fallbacks.

A job's live view is a progress card that becomes a player. When the job finishes, a small
static HTML output (poster, ``<video>`` tag, metadata) is written too, so a saved notebook
reopened without widget state, an nbconvert export or GitHub still show the result; while the
live widget is on screen, the bundle's CSS hides that duplicate.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import ipywidgets as w
from IPython.display import HTML, display

from . import _posters as thumbs

if TYPE_CHECKING:
    from ..jobs import Job
    from ..request.models import VideoRequest
    from ..store._journal import Result


# ----- where the browser finds a media file ------------------------------------------------


@lru_cache(maxsize=1)
def _server() -> tuple[str, Path] | None:
    """(base_url, root_dir) of the Jupyter server that runs this kernel, if one is found."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return None
    found: list[tuple[int, str, Path]] = []
    for info_file in Path(jupyter_runtime_dir()).glob("jpserver-*.json"):
        try:
            info = json.loads(info_file.read_text())
            root = Path(info["root_dir"]).resolve()
        except (OSError, ValueError, KeyError):
            continue
        # The server that started this kernel is its parent process; prefer it.
        rank = 0 if info.get("pid") == os.getppid() else 1
        found.append((rank, str(info.get("base_url", "/")), root))
    cwd = Path.cwd().resolve()
    for _, base, root in sorted(found, key=lambda f: f[0]):
        if cwd == root or root in cwd.parents:
            return base, root
    return None


def browser_urls(path: Path) -> tuple[str, str]:
    """(src, fallback_src) for a media file: the server's /files/ URL and the relative path."""
    absolute = Path(path).resolve()
    try:
        relative = os.path.relpath(absolute, Path.cwd())
    except ValueError:
        relative = str(absolute)
    server = _server()
    if server is not None:
        base, root = server
        if root in absolute.parents:
            rel_to_root = absolute.relative_to(root).as_posix()
            return f"{base.rstrip('/')}/files/{quote(rel_to_root)}", relative
    return relative, ""


# ----- static fallback ---------------------------------------------------------------------


def static_html(job: Job) -> str:
    """Poster, video tag and metadata of a finished job, in plain HTML (a few KB)."""
    parts = [f'<div class="wan-static" data-wan-task="{html.escape(job.task_uuid)}">']
    for result in job.results:
        if result.path is not None:
            parts.append(_static_result(job, result))
    if job.error is not None:
        parts.append(
            f'<div style="color:#b00020">{html.escape(str(job.error).splitlines()[0])}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _static_result(job: Job, result: Result) -> str:
    path = Path(result.path or "")
    try:
        src = os.path.relpath(path, Path.cwd())
    except ValueError:
        src = str(path)
    src_attr = html.escape(Path(src).as_posix(), quote=True)
    poster = thumbs.poster_data_uri(path) or ""
    poster_img = f'<img src="{poster}" alt="video poster" style="max-width:100%">' if poster else ""
    meta = " · ".join(_meta_bits(job, result))
    prompt = job.request.positive_prompt
    shown = prompt if len(prompt) <= 300 else prompt[:297] + "..."
    return (
        '<figure style="margin:4px 0;max-width:640px">'
        f'<video src="{src_attr}" poster="{poster}" controls loop muted playsinline '
        f'preload="metadata" style="width:100%;max-width:640px">{poster_img}</video>'
        f'<figcaption style="font:12px sans-serif;opacity:.8">{html.escape(meta)} · '
        f'<a href="{src_attr}" download>download</a><br>{html.escape(shown)}</figcaption></figure>'
    )


def _meta_bits(job: Job, result: Result) -> list[str]:
    bits = []
    if result.seed is not None:
        bits.append(f"seed {result.seed}")
    if result.duration:
        bits.append(f"{result.duration:.1f} s")
    if result.width and result.height:
        bits.append(f"{result.width}x{result.height}")
    if result.cost is not None:
        bits.append(f"${result.cost:.2f}")
    if job.engine:
        bits.append(job.engine)
    return bits


# ----- live views --------------------------------------------------------------------------


class JobView:
    """A progress card bound to a job, replaced by players when the job is done."""

    def __init__(self, job: Job) -> None:
        from ..widgets import ProgressCard

        self.job = job
        self.card = ProgressCard(
            prompt=job.request.positive_prompt,
            seed=job.request.seed,
            task_uuid=job.task_uuid,
            estimated_cost=job.estimated_cost,
            engine=job.engine or "",
        )
        self.card.on_cancel(job.cancel)
        self.box = w.VBox([self.card])
        self.box.add_class("wan-live")
        self._fallback: Any = None
        self._shown_results = False
        job.on_change(self._update)
        self._update(job)

    def display(self) -> None:
        display(self.box)
        # An empty output now, filled with the static fallback when the job ends.
        self._fallback = display(HTML(""), display_id=True)
        if self.job.status in ("done", "failed", "cancelled"):
            self._finish()

    def _update(self, job: Job) -> None:
        card = self.card
        with card.hold_sync():
            card.status = job.status
            card.started_at = job.started_at or 0.0
            card.finished_at = job.finished_at or 0.0
            card.progress = job.progress if job.progress is not None else -1.0
            card.progress_source = job.progress_source or ""
            card.cost = job.cost if job.cost is not None else -1.0
            card.cached = bool(job.cached)
            card.error = short_error(job.error)
            if job.results and job.results[0].seed is not None:
                card.seed = job.results[0].seed
        if job.status in ("done", "failed", "cancelled"):
            self._finish()

    def _finish(self) -> None:
        if not self._shown_results and self.job.results:
            self._shown_results = True
            players = [player_for(self.job, r) for r in self.job.results if r.path is not None]
            self.box.children = (self.card, *players)
        if self._fallback is not None and self.job.status in ("done", "failed"):
            self._fallback.update(HTML(static_html(self.job)))
            self._fallback = None


def short_error(error: BaseException | None) -> str:
    if error is None:
        return ""
    text = str(error).splitlines()
    return " ".join(text[:4])[:400]


def player_for(job: Job, result: Result) -> Any:
    from ..widgets import Player

    path = Path(result.path or "")
    src, fallback = browser_urls(path)
    return Player.from_file(
        path,
        src=src,
        fallback_src=fallback,
        prompt=job.request.positive_prompt,
        seed=result.seed,
        duration=float(result.duration or 0.0),
        cost=result.cost if result.cost is not None else -1.0,
        width=result.width or 0,
        height=result.height or 0,
        download_name=path.name,
        poster=thumbs.poster_data_uri(path) or "",
    )


def show_job(job: Job) -> JobView:
    view = JobView(job)
    view.display()
    return view


# ----- dry runs and summaries -------------------------------------------------------------


class DryRun:
    """What ``%%wan --dry-run`` shows: the exact request JSON and its estimated cost."""

    def __init__(self, request: VideoRequest, *, seeds: Sequence[int] | None = None) -> None:
        self.request = request
        self.seeds = list(seeds) if seeds else None

    @property
    def tasks(self) -> list[dict[str, Any]]:
        if not self.seeds:
            return [self.request.to_api()]
        return [self.request.with_changes(seed=s).to_api() for s in self.seeds]

    @property
    def estimated_cost(self) -> float:
        return round(self.request.estimated_cost * (len(self.seeds) if self.seeds else 1), 4)

    def _text(self) -> str:
        body = json.dumps(self.tasks if self.seeds else self.tasks[0], indent=2, ensure_ascii=False)
        count = f"{len(self.tasks)} tasks, " if self.seeds else ""
        return f"{body}\n\n{count}estimated cost ${self.estimated_cost:.2f} (nothing was sent)"

    def __repr__(self) -> str:
        return self._text()

    def _repr_html_(self) -> str:
        return f'<pre class="wan-dry-run">{html.escape(self._text())}</pre>'


def spend_view() -> HTML:
    from .. import jobs, settings

    spent = jobs.session_spend()
    cap = settings.get_settings().budget_usd
    cap_text = f"${cap:.2f}" if cap is not None else "no cap"
    return HTML(f"<b>This session</b>: ${spent:.2f} estimated on submitted tasks; cap: {cap_text}.")


def status_view() -> HTML:
    from .. import jobs, settings

    current = settings.get_settings()
    rows = "".join(
        f"<tr><td>{html.escape(j.task_uuid[:8])}</td><td>{html.escape(j.status)}</td>"
        f"<td>{html.escape(j.request.positive_prompt[:60])}</td></tr>"
        for j in jobs.live_jobs()
    )
    backend = "Runware" if current.resolved_backend == "runware" else "local preview engine"
    return HTML(
        f"<p>Requests go to <b>{backend}</b>; "
        f"media in <code>{html.escape(str(current.media_dir))}</code>.</p>"
        f"<table><tr><th>task</th><th>status</th><th>prompt</th></tr>{rows}</table>"
    )
