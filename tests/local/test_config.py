"""EngineConfig: knobs of the wrong type are named at once, bad values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_notebook.local._config import EngineConfig


@pytest.mark.parametrize(
    ("knobs", "named"),
    [
        ({"delay": "3"}, "delay"),
        ({"workers": True}, "workers"),
        ({"credit": "1.0"}, "credit"),
        ({"media_dir": 7}, "media_dir"),
        ({"faults": {"rates": {}}}, "faults"),
    ],
)
def test_a_knob_of_the_wrong_type_raises_type_error_naming_it(knobs: dict, named: str) -> None:
    with pytest.raises(TypeError, match=f"^{named}: expected"):
        EngineConfig(api_key="k", **knobs)


def test_a_media_dir_given_as_text_is_a_path(tmp_path: Path) -> None:
    assert EngineConfig(api_key="k", media_dir=str(tmp_path)).media_dir == tmp_path


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="delay"):
        EngineConfig(api_key="k", delay=-1)
    with pytest.raises(ValueError, match="workers"):
        EngineConfig(api_key="k", workers=0)
