"""The roster CSV: hashed tokens, hand-written plain tokens hashed on read, checks, reloads."""

from __future__ import annotations

import pytest

from wan_notebook.relay import Roster, _roster, hash_token


def test_a_new_student_token_is_shown_once_and_only_its_hash_is_stored(tmp_path):
    roster = Roster(tmp_path / "roster.csv")
    token = roster.add("ann", 5)
    text = (tmp_path / "roster.csv").read_text()
    assert token not in text and hash_token(token) in text
    assert text.splitlines()[0] == "name,token,budget_usd"
    assert roster.find(token).name == "ann"
    assert roster.find(token + "x") is None and roster.find("") is None


def test_plain_tokens_written_by_hand_are_hashed_and_the_file_rewritten(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,token,budget_usd\nann,plain-token-ann,2\nbob,plain-token-bob,1.5\n")
    roster = Roster(path)
    assert "plain-token" not in path.read_text()
    assert roster.find("plain-token-bob").budget == 1.5
    assert [s.name for s in Roster(path).students] == ["ann", "bob"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name,key,budget\n", "header"),
        ("name,token,budget_usd\nann,token-ann-1,1\nANN,token-ann-2,1\n", "twice"),
        ("name,token,budget_usd\nann,token-ann-1,-1\n", "0 or more"),
        ("name,token,budget_usd\nann,token-ann-1,lots\n", "not a number"),
        ("name,token,budget_usd\nann,short,1\n", "at least 8"),
        ("name,token,budget_usd\n,token-ann-1,1\n", "name"),
    ],
)
def test_a_bad_roster_is_refused_with_its_line(tmp_path, text, says):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=says):
        Roster(path)


def test_a_budget_change_is_written_and_an_unknown_student_is_refused(tmp_path):
    roster = Roster(tmp_path / "roster.csv")
    roster.add("ann", 1)
    roster.set_budget("ann", 4.5)
    assert Roster(tmp_path / "roster.csv").get("ann").budget == 4.5
    with pytest.raises(KeyError):
        roster.set_budget("zed", 1)
    with pytest.raises(ValueError):
        roster.set_budget("ann", -1)


def test_a_running_roster_sees_students_added_by_another_process(tmp_path, monkeypatch):
    monkeypatch.setattr(_roster, "RELOAD_EVERY", 0.0)
    running = Roster(tmp_path / "roster.csv")
    token = Roster(tmp_path / "roster.csv").add("bob", 3)  # `relay add-student` meanwhile
    assert running.find(token).name == "bob"
    running.set_budget("bob", 4)  # and a write does not drop the other writer's rows
    assert [s.name for s in Roster(tmp_path / "roster.csv").students] == ["bob"]
