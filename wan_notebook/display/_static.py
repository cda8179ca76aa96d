"""A finished job as plain HTML, and the URLs a browser loads its media files from.

``static_html`` is written under a job's live view when the job ends (see
``widgets.job_view``), so a saved notebook reopened without widget state, an nbconvert export
or GitHub still show the result. Its styles are inline on purpose: those renderers drop
stylesheets, and the output must stand alone.
"""

from __future__ import annotations

import html
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .._text import shorten
from ._posters import poster_data_uri

if TYPE_CHECKING:
    from ..jobs import Job
    from ..store import Result

__all__ = ["browser_urls", "short_error", "static_html"]

_PROMPT_SHOWN = 300


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


# ----- a finished job ------------------------------------------------------------------------


def short_error(error: BaseException | None) -> str:
    """An error's first lines, at most 400 characters (for a card or a tile)."""
    if error is None:
        return ""
    text = str(error).splitlines()
    return " ".join(text[:4])[:400]


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
    poster = poster_data_uri(path) or ""
    poster_img = f'<img src="{poster}" alt="video poster" style="max-width:100%">' if poster else ""
    meta = " · ".join(_meta_bits(job, result))
    shown = shorten(job.request.positive_prompt, _PROMPT_SHOWN)
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
