"""Renders made once per test run and shared by every test, xdist worker and engine process.

Equal ``RenderSpec``s paint equal frames and sound, so a copy of an earlier render of the same
spec is a file the renderer could have written, and its ``RenderInfo`` (plan included) is the
one the renderer returned (tests/test_render_cache.py checks both). Byte for byte, x264
through PyAV has written different MP4s for the same frames (9 hashes in 60 encodes, seen
once; WEBM is checked byte-exact in tests/local/render/test_encode.py).

Input files (audio, first frame, reference videos) count by their bytes, not their paths,
and the renderer's own source is part of the key, so a folder kept between runs never
serves a copy made by other code.

Two ways in:

- in-process engines: ``cached_renders(tmp_path_factory)`` installs ``CachedRenderer`` as
  ``wan_notebook.local.engine``'s renderer (the research package's videos, the static page);
- engines in other processes (Jupyter kernels start theirs as children): with
  ``WAN_RENDER_CACHE`` naming a folder and ``SITE_DIR`` on ``PYTHONPATH``, every Python
  process that imports the engine renders through that folder (tests/_site/sitecustomize.py;
  tests/browser/conftest.py sets both, and its Jupyter servers and their kernels inherit them).

The first asker renders, the others wait on its lock and copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from wan_notebook._files import temp_path, write_atomic
from wan_notebook.local.render import RenderInfo, RenderSpec, render

if TYPE_CHECKING:
    import pytest

ENV = "WAN_RENDER_CACHE"
"""The environment variable naming the shared folder (scripts/test sets one per run)."""
SITE_DIR = Path(__file__).resolve().parent / "_site"
"""Holds the ``sitecustomize`` that routes other processes' engines through the cache."""


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """``$WAN_RENDER_CACHE``, else a folder every worker of this run sees (xdist gives each
    its own basetemp below one root)."""
    named = os.environ.get(ENV)
    if named:
        folder = Path(named)
    else:
        base = factory.getbasetemp()
        root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
        folder = root / "render-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def _renderer_source() -> str:
    """A digest of the renderer's code, so a kept cache never outlives a change to it."""
    import av
    import numpy

    digest = hashlib.sha256(f"{av.__version__} {numpy.__version__}".encode())
    import wan_notebook.local.render as package

    for path in sorted(Path(package.__file__ or "").parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return f"unreadable {path}"  # the renderer names the field; never cached (it raises)


def spec_key(spec: RenderSpec) -> str:
    """The cache key of ``spec``: its fields, input files by content, the renderer's code."""
    parts: dict[str, Any] = {}
    for f in fields(spec):
        value = getattr(spec, f.name)
        if f.name in ("audio_input", "first_frame"):
            value = None if value is None else _file_digest(value)
        elif f.name == "reference_videos":
            value = [_file_digest(v) for v in value]
        parts[f.name] = value
    text = json.dumps([parts, _renderer_source()], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class CachedRenderer:
    """``render``'s signature; one real render per distinct spec, copies after that."""

    def __init__(self, folder: Path, inner: Callable[..., RenderInfo] = render) -> None:
        self.folder, self.inner = Path(folder), inner
        self.renders = 0  # real renders made by this instance (the rest were copies)

    def __call__(
        self, spec: RenderSpec, path: Path, *, progress: Callable[[float], None] | None = None
    ) -> RenderInfo:
        key = spec_key(spec)
        video, saved = self.folder / f"{key}.video", self.folder / f"{key}.info"
        with FileLock(str(self.folder / f"{key}.lock")):
            if not saved.exists():
                info = self.inner(spec, path, progress=progress)
                self.renders += 1
                tmp_video = temp_path(video)
                shutil.copyfile(path, tmp_video)
                os.replace(tmp_video, video)
                write_atomic(saved, json.dumps({**asdict(info), "path": ""}), durable=False)
                return info
        tmp = temp_path(Path(path))  # moved into place whole, as render() does
        shutil.copyfile(video, tmp)
        os.replace(tmp, path)
        if progress is not None:
            progress(1.0)
        return RenderInfo(**{**json.loads(saved.read_text()), "path": Path(path)})


@contextmanager
def cached_renders(factory: pytest.TempPathFactory) -> Iterator[CachedRenderer]:
    """In-process engines made inside render through a shared ``CachedRenderer``."""
    import pytest

    renderer = CachedRenderer(shared_folder(factory))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("wan_notebook.local.engine.render", renderer)
        yield renderer
