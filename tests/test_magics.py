"""%%wan and %wan in a real (in-process) IPython shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from tests.tex_checks import dollars_mathjax_would_read
from wan_notebook import InvalidRequestError, settings
from wan_notebook.display import DryRun
from wan_notebook.request.catalog import ALLOWED_SIZES


@pytest.fixture
def ip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNWARE_API_KEY", raising=False)
    settings.reset()
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("wan_notebook")
    yield shell
    shell.extension_manager.unload_extension("wan_notebook")
    settings.reset()


def test_load_ext_registers_cell_and_line_magics(ip: InteractiveShell) -> None:
    assert "wan" in ip.magics_manager.magics["cell"]
    assert "wan" in ip.magics_manager.magics["line"]


def test_unload_removes_the_magics(ip: InteractiveShell) -> None:
    ip.extension_manager.unload_extension("wan_notebook")
    assert "wan" not in ip.magics_manager.magics["cell"]
    ip.extension_manager.load_extension("wan_notebook")


def test_dry_run_shows_request_json_and_cost_without_sending(ip: InteractiveShell) -> None:
    ip.user_ns["animal"] = "fox"
    shown = ip.run_cell_magic(
        "wan", "--dry-run --size 1920x1080 --duration 10 --seed 4", "a {animal} at dawn"
    )
    assert isinstance(shown, DryRun)
    task = shown.tasks[0]
    assert (
        task["positivePrompt"] == "a fox at dawn"
        and task["width"] == 1920
        and task["includeCost"] is True
    )
    assert "$1.50" in repr(shown) and "nothing was sent" in repr(shown)
    assert json.loads(repr(shown).split("\n\n")[0])["seed"] == 4


def test_dry_run_of_seed_list_shows_one_task_per_seed(ip: InteractiveShell) -> None:
    shown = ip.run_cell_magic("wan", "--dry-run --resolution 720p --seeds 1-3", "x")
    assert [t["seed"] for t in shown.tasks] == [1, 2, 3]
    assert shown.estimated_cost == pytest.approx(1.5)


def test_magic_config_defaults_apply(ip: InteractiveShell) -> None:
    ip.run_line_magic("config", "WanMagics.defaults = {'duration': 10, 'size': '720x1280'}")
    task = ip.run_cell_magic("wan", "--dry-run", "x").tasks[0]
    assert (task["duration"], task["width"], task["height"]) == (10, 720, 1280)


def test_bad_flag_is_a_usage_error(ip: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="unrecognized"):
        ip.run_cell_magic("wan", "--nope", "x")
    with pytest.raises(UsageError, match="needs a prompt"):
        ip.run_cell_magic("wan", "--resolution 720p", "   ")


def test_invalid_request_stops_before_any_network_with_every_problem(ip: InteractiveShell) -> None:
    with pytest.raises(InvalidRequestError) as info:
        ip.run_cell_magic("wan", "--size 1000x1000 --duration 7 --shot multi --no-extend", "x")
    assert len(info.value.problems) == 3


def test_failing_cell_shows_a_short_message_and_no_traceback(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    result = ip.run_cell("%%wan --duration 7 --resolution 720p\nx")
    assert not result.success
    out = capsys.readouterr()
    text = out.out + out.err
    assert "duration=7" in text and "5, 10, 15" in text
    assert "Traceback" not in text and "File " not in text


def test_line_help_lists_subcommands(ip: InteractiveShell) -> None:
    assert "%wan login" in repr(ip.run_line_magic("wan", "help"))


def test_cell_help_lists_flags(ip: InteractiveShell) -> None:
    doc = ip.find_cell_magic("wan").__doc__
    assert "--seeds" in doc and "--dry-run" in doc and "1280x720" in doc


def test_config_subcommand_changes_settings_but_not_the_key(ip: InteractiveShell) -> None:
    ip.run_line_magic("wan", "config poll_max=2.5 media_dir=out")
    assert settings.get_settings().poll_max == 2.5
    assert settings.get_settings().media_dir == Path("out")
    with pytest.raises(UsageError, match="login"):
        ip.run_line_magic("wan", "config api_key=abc")


def test_login_takes_the_key_from_getpass_and_never_shows_it(
    ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "rw-secret-key-0123456789abcdef"
    monkeypatch.setattr("getpass.getpass", lambda prompt="": key)
    shown = ip.run_line_magic("wan", "login")
    assert settings.get_settings().resolved_backend == "runware"
    status = ip.run_line_magic("wan", "config")
    assert key not in repr(shown.data) and key not in json.dumps(status.data)
    ip.run_line_magic("wan", "logout")
    assert settings.get_settings().resolved_backend == "local"


def test_budget_subcommand_sets_the_cap(ip: InteractiveShell) -> None:
    shown = ip.run_line_magic("wan", "budget 3")
    assert settings.get_settings().budget_usd == 3.0 and "$3.00" in shown.data
    ip.run_line_magic("wan", "budget off")
    assert settings.get_settings().budget_usd is None


def test_unknown_subcommand_is_a_usage_error(ip: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="unknown subcommand"):
        ip.run_line_magic("wan", "frobnicate")


# ---- issue 12 ----------------------------------------------------------------------------


def test_cell_help_lists_every_size_once_at_one_indentation(ip: InteractiveShell) -> None:
    """Finding 7: it sent people to %wan --help for sizes that were not there."""
    doc = ip.find_cell_magic("wan").__doc__
    assert "see %wan --help" not in doc
    for size in ALLOWED_SIZES:
        assert doc.count(size) == 1, size
    intro = doc.split("usage:")[0].strip().splitlines()
    assert all(not line.startswith(" ") for line in intro), "the docstring's own indent is gone"
    assert doc.count("Generate a Wan 2.6 video") == 1
    assert "the cell body is the prompt" in intro[0]


def test_a_cell_with_no_body_says_the_body_is_the_prompt(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding 7: IPython answered "Did you mean the line magic %wan?"."""
    for cell in ("%%wan --size 1280x720", "%%wan --size 1280x720\n", "%%wan\n  \n"):
        assert not ip.run_cell(cell).success
        out = capsys.readouterr()
        text = out.out + out.err
        assert "the cell body is the prompt" in text and "line magic" not in text, cell
    # %%wan? still asks for help, and a line magic is still a line magic.
    assert "%%wan" in ip.find_cell_magic("wan").__doc__
    assert ip.run_cell("%wan help").success


def test_status_lists_the_session_or_says_it_is_idle_in_one_line(
    ip: InteractiveShell, wan: Any
) -> None:
    """Finding 8: it listed only running jobs, and an empty table when idle."""

    # The wan fixture installs a fresh jobs Session: no earlier test's jobs are in it.
    shown = ip.run_line_magic("wan", "status")
    assert "<table" not in shown.data and repr(shown).endswith("No jobs in this session yet.")


def test_budget_and_cost_are_text_not_tex(ip: InteractiveShell) -> None:
    """Finding 2: "$0.00 ... $0.40" was typeset as TeX in Notebook 7."""
    shown = ip.run_line_magic("wan", "budget 0.4")
    assert "$0.40" in shown.data and dollars_mathjax_would_read(shown.data) == []
    ip.run_line_magic("wan", "budget off")


def test_size_errors_name_the_flag_as_typed(ip: InteractiveShell) -> None:
    """Finding 9: the error said width='1000x1000', which nobody typed."""
    with pytest.raises(InvalidRequestError) as info:
        ip.run_cell_magic("wan", "--size 1000x1000", "x")
    text = str(info.value)
    assert "--size 1000x1000: not a Wan 2.6 size; use one of\n    1280x720, 720x1280, " in text
    assert "width" not in text


def test_connect_points_the_session_at_a_relay_with_a_hidden_token(
    ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: a student types the relay's address; the token is asked for, never shown."""
    from wan_notebook import settings

    token = "wan-class-secret-token-123"
    monkeypatch.setattr("getpass.getpass", lambda prompt="": token)
    before = settings.get_settings()
    try:
        shown = ip.run_line_magic("wan", "connect http://127.0.0.1:8600")
        now = settings.get_settings()
        assert now.base_url == "http://127.0.0.1:8600/v1" and now.resolved_backend == "runware"
        assert token not in repr(shown) and token not in shown.data
        with pytest.raises(UsageError, match="relay's address"):
            ip.run_line_magic("wan", "connect")
    finally:
        settings.configure(backend=before.backend, base_url=before.base_url, api_key=before.api_key)


# ---- issue 11 ----------------------------------------------------------------------------


def test_cell_help_explains_how_the_prompt_names_reference_videos(ip: InteractiveShell) -> None:
    doc = " ".join(ip.find_cell_magic("wan").__doc__.split())
    assert "character1, character2, character3" in doc
    assert "--no-extend" in doc and "multi-shot needs it" in doc


def test_dry_run_without_a_size_says_which_default_was_used(ip: InteractiveShell) -> None:
    ip.run_line_magic("config", "WanMagics.defaults = {}")  # the shell's config outlives tests
    shown = ip.run_cell_magic("wan", "--dry-run", "a fox at dawn")
    task = shown.tasks[0]
    assert (task["width"], task["height"]) == (1280, 720)
    lines = repr(shown).split("\n\n", 1)[1].splitlines()
    assert any(line.startswith("note: no size given: 1280x720") for line in lines), lines


def test_the_default_resolution_setting_sizes_a_cell_without_a_size(
    ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    ip.run_line_magic("config", "WanMagics.defaults = {}")
    monkeypatch.setenv("WAN_DEFAULT_RESOLUTION", "1080p")
    settings.reset()
    shown = ip.run_cell_magic("wan", "--dry-run", "a fox at dawn")
    assert (shown.tasks[0]["width"], shown.tasks[0]["height"]) == (1920, 1080)
    assert "note: no size given: 1920x1080 (1080p" in repr(shown)
    assert shown.estimated_cost == pytest.approx(0.75)
    sized = ip.run_cell_magic("wan", "--dry-run --size 1280x720", "a fox at dawn")
    assert sized.tasks[0]["width"] == 1280 and "no size given" not in repr(sized)
