"""The ledger: reservations, settling once, sharing, and one relay per ledger."""

from __future__ import annotations

import pytest

from wan_notebook.relay._ledger import Ledger
from wan_notebook.relay._records import NewUpstream


def _new(ledger: Ledger, student: str, uuid: str, upstream: str, estimate: float = 0.5) -> None:
    task = {"taskUUID": upstream, "positivePrompt": "p"}
    ledger.admit(student, uuid, upstream=NewUpstream(upstream, "fp-" + upstream, task, 1),
                 estimate=estimate, include_cost=True, prompt="p", seed=None)  # fmt: skip


def test_an_open_task_reserves_its_estimate_and_settling_bills_the_actual_cost_once(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    _new(ledger, "ann", "t1", "u1", estimate=0.5)
    assert ledger.standing("ann").spent == 0.5 and ledger.standing("ann").in_flight == 1
    assert ledger.settle("u1", "done", [{"videoUUID": "v", "cost": 0.5011}], 0.5011)
    assert not ledger.settle("u1", "done", [], 9.0)  # a second outcome changes nothing
    assert ledger.standing("ann").spent == 0.5011 and ledger.standing("ann").in_flight == 0
    assert ledger.billed() == 0.5011


def test_a_shared_task_costs_its_student_nothing(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    _new(ledger, "ann", "t1", "u1")
    ledger.admit("bob", "t2", upstream="u1", estimate=0, include_cost=True, prompt="p", seed=None)
    assert ledger.standing("bob").spent == 0 and ledger.standing("bob").in_flight == 1
    ledger.settle("u1", "done", [], 0.5)
    assert ledger.standings() == {
        "ann": ledger.standing("ann"),
        "bob": ledger.standing("bob"),
    }
    assert (ledger.standing("ann").spent, ledger.standing("bob").spent) == (0.5, 0)
    ledger.admit("bob", "t3", upstream="u1", estimate=0, include_cost=True, prompt="p", seed=None)
    assert ledger.standing("bob").spent == 0 and ledger.standing("bob").tasks == 2


def test_a_failed_task_releases_its_reservation(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    _new(ledger, "ann", "t1", "u1")
    ledger.settle("u1", "failed", [{"code": "x", "status": "error"}], 0.0)
    assert ledger.standing("ann").spent == 0
    assert ledger.shared("fp-u1", since=0) is None  # a failure is never shared


def test_one_relay_per_ledger_and_everything_survives_a_reopen(tmp_path):
    path = tmp_path / "l.sqlite"
    ledger = Ledger(path)
    _new(ledger, "ann", "t1", "u1")
    with pytest.raises(RuntimeError, match="another relay"):
        Ledger(path)
    reader = Ledger(path, readonly=True)  # `relay roster` beside a running relay
    assert reader.standing("ann").spent == 0.5
    reader.close()
    ledger.close()
    again = Ledger(path)
    assert [u.uuid for u in again.upstream_in(("journaled",))] == ["u1"]
    assert again.has_task("ann", "t1") and not again.has_task("bob", "t1")
    again.close()
