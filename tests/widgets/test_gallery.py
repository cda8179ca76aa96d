"""The history gallery over a real store: filters, posters, actions."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
import sqlite3
import time
import types
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wan_notebook import settings
from wan_notebook.request.models import VideoRequest
from wan_notebook.store import Result, Store
from wan_notebook.widgets import _history_card as card_module
from wan_notebook.widgets import gallery as gallery_module
from wan_notebook.widgets._history_card import PLACEHOLDER, thumbnail
from wan_notebook.widgets.gallery import HistoryGallery, history

DAY = 86_400.0


def render_video(path: Path, prompt: str, seed: int) -> Path:
    from wan_notebook.local.render import RenderSpec, render

    render(
        RenderSpec(width=640, height=360, duration=0.25, prompt=prompt, seed=seed, audio=False),
        path,
    )
    return path


@dataclass
class Filled:
    store: Store
    media: Path
    tasks: dict[str, str]  # short name -> task uuid


def add_task(
    store: Store,
    prompt: str,
    *,
    seeds: list[int],
    size: str = "1280x720",
    cost: float | None,
    age_days: float = 0.0,
    extra: dict[str, Any] | None = None,
) -> str:
    request = VideoRequest.build(prompt, size=size, seed=seeds[0], n=len(seeds), **(extra or {}))
    task = request.to_api()
    store.journal(
        request.task_uuid,
        fingerprint=request.fingerprint(),
        request=task,
        backend="local",
        base_url="http://127.0.0.1:1/v1",
        engine="local preview engine",
        estimated_cost=request.estimated_cost,
        tier=request.tier,
        seconds=request.seconds,
        results_expected=len(seeds),
    )
    store.mark_submitted(request.task_uuid)
    for index, seed in enumerate(seeds):
        video_uuid = str(uuid.uuid4())
        path = store.media_path(prompt=prompt, seed=seed, video_uuid=video_uuid, ext="mp4")
        render_video(path, prompt, seed)
        result = Result(
            task_uuid=request.task_uuid,
            video_uuid=video_uuid,
            url=f"http://127.0.0.1:1/media/{video_uuid}.mp4",
            path=path,
            seed=seed,
            cost=cost / len(seeds) if cost is not None else None,
            sha256=sha256(path),
            bytes=path.stat().st_size,
            format="MP4",
            width=640,
            height=360,
            duration=0.25,
            key=str(index),
        )
        sidecar = store.write_sidecar(path, {"request": task, "result": {"seed": seed}})
        store.record_result(
            Result(**{**result.__dict__, "sidecar": sidecar}), {"videoUUID": video_uuid}
        )
    store.finish(request.task_uuid, "done", cost=cost)
    when = time.time() - age_days * DAY
    with sqlite3.connect(store.path) as db:  # backdate: the store stamps "now"
        db.execute(
            "UPDATE tasks SET created=?, finished=? WHERE task_uuid=?",
            (when, when, request.task_uuid),
        )
    return request.task_uuid


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A store with four videos, rendered once per module (copied for each test)."""
    media = tmp_path_factory.mktemp("template") / "wan_media"
    store = Store(media)
    tasks = {
        "fox": add_task(store, "A red fox in the snow", seeds=[1], cost=0.5, age_days=3),
        "lighthouse": add_task(
            store, "a lighthouse in a storm", seeds=[2], size="1920x1080", cost=1.5, age_days=1
        ),
        "cubs": add_task(store, "two fox cubs playing", seeds=[3, 4], cost=None),
    }
    store.close()
    return media, tasks


@pytest.fixture
def filled(template: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Filled]:
    source, tasks = template
    media = tmp_path / "wan_media"
    shutil.copytree(source, media)  # the store names files relative to its folder
    store = Store(media)
    yield Filled(store, media, tasks)
    store.close()


@pytest.fixture
def gallery(filled: Filled) -> HistoryGallery:
    return HistoryGallery(filled.store.history_entries())


def prompts(g: HistoryGallery) -> list[str]:
    return [item.prompt for item in g.filtered]


# ----- loading and filtering --------------------------------------------------------------


def test_one_card_per_video_newest_first(gallery: HistoryGallery) -> None:
    assert prompts(gallery) == [
        "two fox cubs playing",
        "two fox cubs playing",
        "a lighthouse in a storm",
        "A red fox in the snow",
    ]
    assert [item.seed for item in gallery.filtered] == [3, 4, 2, 1]
    assert len(gallery.grid.children) == 4
    assert "4 of 4 results" in gallery.count.value


def test_text_filter_matches_the_prompt_ignoring_case(gallery: HistoryGallery) -> None:
    gallery.text.value = "FOX"
    assert prompts(gallery) == ["two fox cubs playing"] * 2 + ["A red fox in the snow"]
    assert "3 of 4 results" in gallery.count.value
    assert len(gallery.grid.children) == 3
    gallery.text.value = "nothing like this"
    assert "0 of 4 results" in gallery.count.value


def test_since_filter_drops_older_videos(gallery: HistoryGallery) -> None:
    gallery.since.value = (dt.datetime.now() - dt.timedelta(days=2)).date()
    assert "A red fox in the snow" not in prompts(gallery)
    assert len(gallery.filtered) == 3


def test_max_cost_filter_uses_the_charged_cost_or_the_list_price(gallery: HistoryGallery) -> None:
    gallery.max_cost.value = "$0.60"
    # lighthouse cost $1.50; each cub has no charged cost and lists at $0.50.
    assert "a lighthouse in a storm" not in prompts(gallery)
    assert len(gallery.filtered) == 3


def test_an_unreadable_max_cost_is_marked_and_ignored(gallery: HistoryGallery) -> None:
    gallery.max_cost.value = "cheap"
    assert "wan-history-invalid" in gallery.max_cost._dom_classes
    assert len(gallery.filtered) == 4
    gallery.max_cost.value = ""
    assert "wan-history-invalid" not in gallery.max_cost._dom_classes


def test_initial_filters_are_shown_in_the_controls(filled: Filled) -> None:
    g = HistoryGallery(filled.store.history_entries(), text="fox", max_cost=1.0)
    assert g.text.value == "fox"
    assert g.max_cost.value == "1"
    assert len(g.filtered) == 3


def test_history_reads_the_configured_store_with_its_filters(filled: Filled) -> None:
    settings.configure(media_dir=filled.media)
    try:
        assert len(history().items) == 4
        assert len(history(limit=1).items) == 2  # the newest task has two videos
        assert prompts(history(text="lighthouse")) == ["a lighthouse in a storm"]
        since = dt.datetime.now() - dt.timedelta(days=2)
        assert len(history(since=since).items) == 3
        assert len(history(max_cost=1.0).items) == 3
    finally:
        settings.reset()


def test_pages_of_cards_with_show_more(filled: Filled) -> None:
    g = HistoryGallery(filled.store.history_entries(), page_size=3)
    assert len(g.grid.children) == 3
    assert "(showing 3)" in g.count.value
    assert g.more.layout.display == "flex"
    g.more.click()
    assert len(g.grid.children) == 4
    assert g.more.layout.display == "none"


# ----- cards -------------------------------------------------------------------------------


def test_thumbnails_are_small_jpeg_first_frames(gallery: HistoryGallery) -> None:
    from PIL import Image

    for item in gallery.filtered:
        uri = thumbnail(item.path)
        assert uri.startswith("data:image/jpeg;base64,")
        data = base64.b64decode(uri.split(",", 1)[1])
        assert len(data) <= 12_000
        with Image.open(io.BytesIO(data)) as image:
            assert image.width == card_module.THUMB_WIDTH


def test_a_deleted_video_stays_listed_with_a_placeholder_and_no_open(filled: Filled) -> None:
    oldest = HistoryGallery(filled.store.history_entries()).filtered[-1]
    assert oldest.path is not None
    oldest.path.unlink()
    g = HistoryGallery(filled.store.history_entries())
    gone = g.filtered[-1]
    assert (gone.prompt, gone.path, gone.file_ok) == ("A red fox in the snow", None, False)
    card = g.grid.children[-1]
    assert PLACEHOLDER in card.children[0].value
    assert "file missing" in card.children[0].value
    assert card_button(g, 3, "open").disabled
    assert thumbnail(None) == PLACEHOLDER


def test_cards_show_escaped_prompt_seed_cost_and_date(tmp_path: Path) -> None:
    store = Store(tmp_path / "m")
    add_task(store, "<img src=x onerror=alert(1)> & co", seeds=[42], cost=0.5)
    g = HistoryGallery(store.history_entries())
    html_text = g.grid.children[0].children[0].value
    assert "<img src=x" not in html_text
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in html_text
    assert "seed 42" in html_text
    assert "$0.50" in html_text
    assert dt.date.today().isoformat() in html_text
    store.close()


def test_repr_is_stable(gallery: HistoryGallery) -> None:
    assert repr(gallery) == "HistoryGallery(shown=4, total=4)"
    gallery.text.value = "lighthouse"
    assert repr(gallery) == "HistoryGallery(shown=1, total=4)"
    assert not re.search(r"0x[0-9a-f]+", repr(gallery))


# ----- actions -------------------------------------------------------------------------------


def card_button(g: HistoryGallery, index: int, css: str) -> Any:
    card = g.grid.children[index]
    return next(b for b in card.children[1].children if f"wan-history-{css}" in b._dom_classes)


def test_open_shows_a_player_for_the_file(gallery: HistoryGallery) -> None:
    from wan_notebook.widgets import Player

    card_button(gallery, 2, "open").click()
    _, player = gallery.detail.children
    assert isinstance(player, Player)
    assert player.path == gallery.filtered[2].path
    assert player.seed == 2
    assert player.poster.startswith("data:image/jpeg")
    item = gallery.filtered[2]
    assert player.remote_src == item.result["url"] and player.remote_expires == 0.0  # no ttl
    gallery.detail.children[0].children[1].click()  # Close
    assert gallery.detail.children == ()


def test_load_in_builder_uses_the_videos_request_and_seed(gallery: HistoryGallery) -> None:
    from wan_notebook.widgets.builder import Builder

    card_button(gallery, 1, "load").click()  # the second cub: seed 4 of a 2-result task
    _, form = gallery.detail.children
    assert isinstance(form, Builder)
    request = form.request
    assert request.seed == 4
    assert request.positive_prompt == "two fox cubs playing"
    assert request.number_results == 2


def test_run_again_generates_the_stored_request_anew(
    gallery: HistoryGallery, filled: Filled, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wan_notebook import jobs

    calls: list[tuple[VideoRequest, bool]] = []

    def generate(request: VideoRequest, new: bool = False) -> Any:
        calls.append((request, new))
        return types.SimpleNamespace(request=request)

    monkeypatch.setattr(jobs, "generate", generate)
    monkeypatch.setattr(gallery_module, "job_widget", lambda job: gallery_module.W.HTML("job"))
    card_button(gallery, 2, "again").click()
    ((request, new),) = calls
    assert new is True
    assert request.task_uuid != filled.tasks["lighthouse"]  # a new task, not the old id
    stored = filled.store.task(filled.tasks["lighthouse"])
    assert stored is not None
    assert request.canonical() == VideoRequest.model_validate(stored.request).canonical()
    assert gallery.detail.children[1].value == "job"


def test_run_again_with_a_request_that_no_longer_validates_shows_why(tmp_path: Path) -> None:
    from wan_notebook.store import HistoryItem

    gone = str(tmp_path / "deleted.png")
    item = HistoryItem(
        task_uuid=str(uuid.uuid4()),
        prompt="a fox",
        request={"positivePrompt": "a fox", "inputs": {"frameImages": [gone]}},
    )
    g = HistoryGallery([item])
    card_button(g, 0, "again").click()
    assert "inputs.frameImages[0]" in g.status.value
    assert g.detail.children == ()


def test_export_buttons_write_a_folder_per_export(gallery: HistoryGallery, tmp_path: Path) -> None:
    gallery.export_dir.value = str(tmp_path / "exports")
    card_button(gallery, 3, "export").click()
    assert "Exported 1 video" in gallery.status.value
    gallery.text.value = "fox"
    gallery.export_all.click()
    assert "Exported 3 videos" in gallery.status.value
    manifests = sorted((tmp_path / "exports").glob("*/manifest.json"))
    assert len(manifests) == 2


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"limit": "10"}, "limit"),
        ({"limit": True}, "limit"),
        ({"text": 5}, "text"),
        ({"since": [2024, 1, 1]}, "since"),
        ({"max_cost": "0.5"}, "max_cost"),
    ],
)
def test_history_wrong_types_name_the_argument(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(TypeError, match=rf"history\(\): {named} must be"):
        history(**kwargs)


# ----- saved with the notebook (issue 12) ---------------------------------------------------


def test_a_shown_gallery_leaves_a_static_copy_of_what_it_shows(
    gallery: HistoryGallery, filled: Filled, monkeypatch: pytest.MonkeyPatch
) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from tests.tex_checks import dollars_mathjax_would_read

    monkeypatch.chdir(filled.media.parent)
    InteractiveShell.instance()
    gallery.text.value = "fox"  # the copy shows what the gallery shows: these three
    with capture_output() as captured:
        gallery._ipython_display_()
    live, static = (o.data for o in captured.outputs)
    assert live["text/plain"] == "Wan 2.6 history gallery: live view (kernel needed)"
    html = static["text/html"]
    assert static["text/plain"] == "Wan 2.6 history: 3 stored videos"
    assert html.count("<video ") == 3 and html.count('preload="none"') == 3
    assert "two fox cubs playing" in html and "a lighthouse" not in html
    assert 'src="wan_media/' in html and dollars_mathjax_would_read(html) == []


def test_cards_and_the_saved_copy_show_the_estimate_beside_the_billed_cost(
    tmp_path: Path,
) -> None:
    """Issue 11: history says both, e.g. "est. $0.75 · billed $0.75"."""
    from wan_notebook.display import static_history_html

    store = Store(tmp_path / "m")
    add_task(store, "a lighthouse", seeds=[2], size="1920x1080", cost=0.7517)
    add_task(store, "a fox", seeds=[3], cost=None)
    g = HistoryGallery(store.history_entries())
    cards = [g.grid.children[i].children[0].value for i in range(2)]
    assert any("est. $0.75 · billed $0.75" in c for c in cards)
    assert any("est. $0.50" in c and "billed" not in c for c in cards)
    saved = static_history_html(g.items)
    assert "est. $0.75 · billed $0.75" in saved and "est. $0.50" in saved
    store.close()
