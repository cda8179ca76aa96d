"""Static fallbacks of grids and forms (finding 5 of issue 12): grids stay grids."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.tex_checks import dollars_mathjax_would_read
from wan_notebook import VideoRequest, jobs
from wan_notebook.display import (
    StaticTile,
    pending_html,
    static_grid_html,
    static_html,
    static_jobs_html,
)
from wan_notebook.display._markup import DEAD_WIDGET_STYLE


class _Table(HTMLParser):
    """Rows of a static grid: each a list of cells, ``th:<text>`` or ``video:<src>``."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "th":
            self._th = True
            self.rows[-1].append("th:")
        elif tag == "video":
            self.rows[-1].append(f"video:{dict(attrs)['src']}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._th = False

    def handle_data(self, data: str) -> None:
        if self._th:
            self.rows[-1][-1] += data


def table_rows(html: str) -> list[list[str]]:
    parser = _Table()
    parser.feed(html)
    return parser.rows


@pytest.fixture
def here(engine, wan, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(wan.media_dir.parent)
    wan.use(engine(render_mode="tiny"), media_dir=Path("wan_media"))
    return wan


def test_a_matrix_keeps_its_rows_columns_and_labels(here) -> None:
    requests = [("a red kite", 1), ("a red kite", 2), ("a blue kite", 1), ("a blue kite", 2)]
    group = jobs.generate_many(
        [VideoRequest.build(p, size="1280x720", seed=s) for p, s in requests]
    )
    group.wait(60)
    tiles = [StaticTile(i // 2, i % 2, job, job.results[0]) for i, job in enumerate(group)]
    html = static_grid_html(
        tiles, row_labels=["a red kite", "a blue kite"], col_labels=["seed 1", "seed 2"]
    )
    rows = table_rows(html)
    assert rows[0] == ["th:", "th:seed 1", "th:seed 2"]
    assert [r[0] for r in rows[1:]] == ["th:a red kite", "th:a blue kite"]
    assert all(
        len(r) == 3 and all(c.startswith("video:wan_media/") for c in r[1:]) for r in rows[1:]
    )
    assert html.startswith(DEAD_WIDGET_STYLE) and 'class="wan-static ' in html
    assert html.count('preload="none"') == 4 and "seed 2 · $0.50" in html
    assert dollars_mathjax_would_read(html) == []


def test_a_plain_grid_flows_in_rows_of_four_under_its_prompt(here) -> None:
    group = jobs.seed_sweep("a paper boat", [1, 2, 3, 4, 5], size="1280x720")
    group.wait(60)
    tiles = [StaticTile(0, i, job, job.results[0]) for i, job in enumerate(group)]
    html = static_grid_html(tiles, prompt="a paper boat")
    rows = table_rows(html)
    assert [sum(c.startswith("video:") for c in r) for r in rows] == [4, 1]
    assert html.count("<col>") == 4 and html.count("<td ") == 8  # 3 cells left empty
    assert re.search(r'<div style="[^"]*">a paper boat</div><table', html)


def test_several_results_of_one_job_are_a_grid_and_a_form_lists_its_videos(here) -> None:
    two = jobs.generate("a heron", size="1280x720", seed=9, n=2)
    one = jobs.generate("an otter", size="1280x720", seed=4)
    two.wait(60)
    one.wait(60)
    assert len(table_rows(static_html(two))[0]) == 2
    both = static_jobs_html([two, one])
    assert both.index("an otter") < both.index("a heron"), "newest first"
    assert both.count("<video ") == 3 and both.count("<style>") == 1


def test_a_pending_slot_says_what_it_waits_for() -> None:
    html = pending_html("Wan 2.6 job 1a2b3c4d had not finished", task="1a2b")
    assert html.startswith(DEAD_WIDGET_STYLE) and 'data-wan-task="1a2b"' in html
    assert "had not finished" in html and "<video" not in html
