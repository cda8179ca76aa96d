"""Renders made once per test run and shared by every test and xdist worker that asks again.

The encoders run bit-exact, so equal ``RenderSpec``s give equal bytes
(tests/local/render/test_spec.py checks it): a copy of an earlier render of the same spec is
the file the renderer would write. Tests that render the same clips in several files (the
research package's engine videos, the static page's job) install ``CachedRenderer`` as the
in-process engine's renderer; the first asker renders, the others wait on its lock and copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import pytest
from filelock import FileLock

from wan_notebook._files import temp_path, write_atomic
from wan_notebook.local.render import RenderInfo, RenderSpec, render


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run sees: xdist gives each its own basetemp below it."""
    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "render-cache"
    folder.mkdir(exist_ok=True)
    return folder


class CachedRenderer:
    """``render``'s signature; one real render per distinct spec, copies after that."""

    def __init__(self, folder: Path, inner: Callable[..., RenderInfo] = render) -> None:
        self.folder, self.inner = folder, inner
        self.renders = 0  # real renders made by this instance (the rest were copies)

    def __call__(
        self, spec: RenderSpec, path: Path, *, progress: Callable[[float], None] | None = None
    ) -> RenderInfo:
        key = hashlib.sha256(repr(spec).encode()).hexdigest()[:32]
        video, saved = self.folder / f"{key}.video", self.folder / f"{key}.info"
        with FileLock(str(self.folder / f"{key}.lock")):
            if not saved.exists():
                info = self.inner(spec, path, progress=progress)
                self.renders += 1
                shutil.copyfile(path, video)
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
    renderer = CachedRenderer(shared_folder(factory))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("wan_notebook.local.engine.render", renderer)
        yield renderer
