"""``wan-notebook relay``: add-student, roster, and what the server refuses to start with."""

from __future__ import annotations

import subprocess
import sys

from wan_notebook.relay import Roster
from wan_notebook.relay._cli import main


def test_add_student_prints_the_token_once_and_roster_lists_the_class(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    assert main(["add-student", "ann", "--budget", "5", "--roster", str(roster)]) == 0
    token = capsys.readouterr().out.splitlines()[-1]
    assert Roster(roster).find(token).name == "ann"
    assert token not in roster.read_text()
    assert main(["--roster", str(roster), "add-student", "ann", "--budget", "1"]) == 2
    assert "already" in capsys.readouterr().err
    assert main(["roster", "--roster", str(roster), "--db", str(tmp_path / "none.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "ann" in out and "5.00" in out and token not in out


def test_the_server_refuses_a_public_host_without_public_and_a_url_without_a_key(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("RUNWARE_API_KEY", raising=False)
    common = ["--roster", str(tmp_path / "r.csv"), "--teacher-token", "teacher-123456"]
    assert main(["--host", "0.0.0.0", *common])  # noqa: S104 == 2
    assert "--public" in capsys.readouterr().err
    assert main(["--upstream", "https://api.runware.ai/v1", *common]) == 2
    assert "RUNWARE_API_KEY" in capsys.readouterr().err


def test_python_dash_m_runs_the_relay_command():
    done = subprocess.run(
        [sys.executable, "-m", "wan_notebook.relay", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "add-student" in done.stdout
