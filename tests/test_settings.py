"""Settings come from the environment when first needed and never show the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_notebook import settings


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch):
    for name in (
        "RUNWARE_API_KEY",
        "WAN_BACKEND",
        "WAN_BASE_URL",
        "WAN_MEDIA_DIR",
        "WAN_BUDGET_USD",
        "WAN_DEFAULT_RESOLUTION",
    ):
        monkeypatch.delenv(name, raising=False)
    settings.reset()
    yield
    settings.reset()


def test_no_key_means_the_local_engine() -> None:
    assert settings.get_settings().resolved_backend == "local"


def test_key_set_after_import_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNWARE_API_KEY", "rw-key-abcdefghijklmnop")
    current = settings.get_settings()
    assert current.resolved_backend == "runware"
    assert "abcdefghijkl" not in repr(current) and "mnop" in repr(current)
    assert "abcdefghijkl" not in str(current.public())


def test_environment_knobs_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAN_BACKEND", "local")
    monkeypatch.setenv("WAN_MEDIA_DIR", "/tmp/wm")
    monkeypatch.setenv("WAN_BUDGET_USD", "2.5")
    current = settings.get_settings()
    assert (
        current.backend == "local"
        and current.media_dir == Path("/tmp/wm")
        and current.budget_usd == 2.5
    )


def test_bad_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAN_BACKEND", "cloud")
    with pytest.raises(ValueError, match="auto, local, runware"):
        settings.get_settings()


def test_configure_changes_and_rejects_unknown_names() -> None:
    assert settings.configure(poll_max=2.0).poll_max == 2.0
    with pytest.raises(TypeError, match="unknown setting"):
        settings.configure(pollmax=2.0)


def test_default_resolution_is_720p_and_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert settings.get_settings().default_resolution == "720p"
    monkeypatch.setenv("WAN_DEFAULT_RESOLUTION", "1080p")
    settings.reset()
    assert settings.get_settings().default_resolution == "1080p"


def test_a_bad_default_resolution_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"default_resolution='4k': allowed: 720p, 1080p"):
        settings.configure(default_resolution="4k")
    assert settings.configure(default_resolution="1080p").default_resolution == "1080p"
    monkeypatch.setenv("WAN_DEFAULT_RESOLUTION", "720")
    settings.reset()
    with pytest.raises(ValueError, match="WAN_DEFAULT_RESOLUTION='720'"):
        settings.get_settings()
