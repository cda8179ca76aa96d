"""The entry points refuse wrong Python types with a short message naming the argument."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from wan_notebook import VideoRequest
from wan_notebook.errors import InvalidRequestError
from wan_notebook.jobs import JobGroup, generate, generate_many, seed_sweep

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: generate(42), "request must be"),  # type: ignore[arg-type]
        (lambda: generate_many(VideoRequest.build(PROMPT, size="1280x720")), "requests must be"),
        (lambda: seed_sweep(PROMPT, 7), "seeds must be an iterable"),  # type: ignore[arg-type]
        (lambda: JobGroup(3), "JobGroup takes an iterable"),  # type: ignore[arg-type]
        (lambda: JobGroup(["job"]), "JobGroup takes Jobs, not str"),  # type: ignore[list-item]
    ],
)
def test_wrong_types_raise_type_errors(wan: Wan, call: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        call()
    assert wan.session.jobs == []


def test_a_missing_prompt_is_an_invalid_request(wan: Wan) -> None:
    with pytest.raises(InvalidRequestError, match="prompt"):
        generate(size="1280x720")


def test_wait_takes_seconds(wan: Wan) -> None:
    group = JobGroup([])
    with pytest.raises(TypeError, match="timeout must be a number of seconds"):
        group.wait("soon")  # type: ignore[arg-type]
