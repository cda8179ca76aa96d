"""The entry points refuse wrong Python types with a short message naming the argument."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.wan_checks import journal_problems, wait_until
from wan_notebook import VideoRequest
from wan_notebook.errors import InvalidRequestError
from wan_notebook.jobs import JobGroup, generate, generate_many, seed_sweep, session_spend

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


# ----- the same request while it is in flight (finding 1) ---------------------------------------


def test_the_same_request_while_in_flight_joins_the_job_and_sends_nothing(wan: Wan, engine) -> None:
    eng = engine(delay=1.0, render_mode="tiny")
    wan.use(eng)
    first = generate(PROMPT, size="1280x720", seed=42)
    wait_until(lambda: first.status in ("submitted", "processing"), 10, "submitted")
    again = generate(PROMPT, size="1280x720", seed=42)
    assert again is first
    first.wait(30)
    assert eng.stats()["tasks"]["videoInference"] == 1
    assert session_spend() == pytest.approx(0.5)
    other = generate(PROMPT, size="1280x720", seed=42, new=True)  # new=True always sends
    other.wait(30)
    assert other is not first and eng.stats()["tasks"]["videoInference"] == 2


def test_twins_in_one_generate_many_are_one_task(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    request = VideoRequest.build(PROMPT, size="1280x720", seed=7)
    group = generate_many([request, VideoRequest.build(PROMPT, size="1280x720", seed=7)])
    assert group[0] is group[1]
    group.wait(30)
    assert eng.stats()["tasks"]["videoInference"] == 1
    assert session_spend() == pytest.approx(0.5)
    assert journal_problems(wan.media_dir) == []
