"""The status vocabulary is written once in Python and mirrored, word for word, in JS."""

from __future__ import annotations

import re
from pathlib import Path

from wan_notebook import _status

FORMAT_JS = Path(__file__).resolve().parents[1] / "js" / "src" / "format.js"


def _js_object_keys(name: str) -> list[str]:
    text = FORMAT_JS.read_text()
    body = re.search(rf"export const {name} = Object\.freeze\(\{{(.*?)\}}\)", text, re.S)
    assert body, f"{name} not found in {FORMAT_JS}"
    return re.findall(r"^\s*(\w+):", body.group(1), re.M)


def _js_array(name: str) -> list[str]:
    text = FORMAT_JS.read_text()
    body = re.search(rf"export const {name} = Object\.freeze\(\[(.*?)\]\)", text, re.S)
    assert body, f"{name} not found in {FORMAT_JS}"
    return re.findall(r'"(\w+)"', body.group(1))


def test_js_labels_every_job_status_in_order() -> None:
    assert _js_object_keys("STATUS_LABELS") == list(_status.JOB_STATUSES)


def test_js_live_statuses_match_python() -> None:
    assert set(_js_array("LIVE_STATUSES")) == set(_status.LIVE_STATUSES)


def test_terminal_and_live_statuses_split_the_vocabulary() -> None:
    assert set(_status.LIVE_STATUSES) | set(_status.TERMINAL_STATUSES) == set(_status.JOB_STATUSES)
    assert not set(_status.LIVE_STATUSES) & set(_status.TERMINAL_STATUSES)
    assert set(_status.OPEN_JOURNAL_STATUSES) - {"journaled"} == set(_status.LIVE_STATUSES) - {
        "queued"
    }
