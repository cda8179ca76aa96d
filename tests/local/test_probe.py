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


def test_the_engines_files_probe_at_30_fps_in_every_format(engine, api, tmp_path: Path) -> None:
    """Wan 2.6 writes 30 fps; so does the engine, in MP4, WEBM and MOV alike (rate and frame
    count do not depend on the size: small render mode; tests/local/test_media.py probes
    full-size files)."""
    from wan_notebook.request import catalog

    client = api(engine(workers=2, render_mode="small"))
    silent = {"providerSettings": {"alibaba": {"audio": False}}}
    sent = {fmt: client.submit(outputFormat=fmt, seed=3, **silent) for fmt in catalog.FORMATS}
    for fmt, task_uuid in sent.items():
        (item,) = client.wait(task_uuid, timeout=280)
        assert item["status"] == "success", item
        path = client.download(item["videoURL"], tmp_path / f"clip{catalog.FORMATS[fmt][0]}")
        info = probe(path)
        assert (fmt, info["fps"], info["frames"]) == (fmt, 30.0, 150)
