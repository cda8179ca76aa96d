"""The session budget: reservations past the cap are refused, and nothing is sent then."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.wan_checks import http_requests
from wan_notebook import VideoRequest
from wan_notebook.errors import BudgetExceededError
from wan_notebook.jobs import generate, seed_sweep, session_spend
from wan_notebook.jobs._budget import Budget

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def test_a_reservation_past_the_cap_is_refused_and_commits_nothing() -> None:
    budget = Budget()
    budget.reserve(0.5, 1.0)
    with pytest.raises(BudgetExceededError, match=r"\$0\.75.*\$0\.50.*\$1\.00"):
        budget.reserve(0.75, 1.0)
    assert budget.committed == pytest.approx(0.5)


def test_reaching_the_cap_exactly_is_allowed_despite_float_rounding() -> None:
    budget = Budget()
    for _ in range(3):
        budget.reserve(0.1, 0.3)  # 0.1 * 3 is a hair above 0.3 in floating point
    assert budget.committed == pytest.approx(0.3)


def test_without_a_cap_anything_goes_and_releases_never_go_below_zero() -> None:
    budget = Budget()
    budget.reserve(1000.0, None)
    budget.release(400.0)
    assert budget.committed == pytest.approx(600.0)
    budget.release(1000.0)
    assert budget.committed == 0.0


def test_the_budget_refuses_a_submission_that_would_pass_the_cap(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng, budget_usd=1.2)
    generate(PROMPT, size="1280x720", seed=1).wait(30)  # $0.50
    with pytest.raises(BudgetExceededError, match=r"\$0\.75.*\$0\.70.*\$1\.20"):
        generate(PROMPT, size="1920x1080", seed=2)  # $0.75 + $0.75 > $0.70 left
    before = http_requests(eng.stats())
    with pytest.raises(BudgetExceededError):
        seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [5, 6])  # $1.00: all or none
    assert http_requests(eng.stats()) == before
    assert session_spend() == pytest.approx(0.5)
