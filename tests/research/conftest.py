"""``engine_videos``: three real videos from the local engine, rendered once for the package.

Seeds 1 and 2 of one prompt with default settings, and a multi-shot one without sound
(``extend=True``, as multi-shot needs, and a negative prompt): enough to check every column
of ``results_frame``. Full renders take seconds, so they are made once into a shared media
folder, and once per run (other workers copy them: ``tests.render_cache``); each test's
``wan`` session then points at that folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.render_cache import cached_renders
from tests.wan_fixtures import FAST, Wan
from wan_notebook import settings
from wan_notebook.jobs import Job, JobGroup, generate, seed_sweep
from wan_notebook.local.server import serve_in_thread
from wan_notebook.store import Store

PROMPT = "a red fox running through snow at dusk"
MULTI_PROMPT = "a lighthouse in a storm, three shots"


@dataclass
class EngineVideos:
    media_dir: Path
    sweep: JobGroup
    multi: Job

    @property
    def jobs(self) -> list[Job]:
        return [*self.sweep, self.multi]


@pytest.fixture(scope="package")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineVideos]:
    media_dir = tmp_path_factory.mktemp("engine_media")
    with cached_renders(tmp_path_factory):  # made once per run, whichever worker asks first
        handle = serve_in_thread(delay=0.0)  # full renders: real pictures, cuts and sound
    try:
        settings.configure(
            **FAST, backend="runware", base_url=handle.base_url, api_key=handle.api_key,
            media_dir=media_dir,
        )  # fmt: skip
        sweep = seed_sweep(PROMPT, [1, 2], size="1280x720", duration=5)
        multi = generate(
            MULTI_PROMPT, size="1280x720", duration=5, seed=3, shot="multi", audio=False,
            extend=True, negative="blurry",
        )  # fmt: skip
        JobGroup([*sweep, multi]).wait(180)
    finally:
        settings.reset()
        handle.stop()
    yield EngineVideos(media_dir, sweep, multi)
    Store.close_all()


@pytest.fixture
def engine_videos(wan: Wan, rendered: EngineVideos) -> EngineVideos:
    wan.use(media_dir=rendered.media_dir)
    return rendered
