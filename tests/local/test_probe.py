"""probe(): what a media file holds, and a clear error for one that is not media."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_notebook.local.probe import probe


def test_probe_rejects_a_file_that_is_not_media(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"nope" * 100)
    with pytest.raises(ValueError, match="cannot probe"):
        probe(junk)


def test_probe_names_a_path_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"^path: expected a path, got int"):
        probe(42)  # type: ignore[arg-type]
