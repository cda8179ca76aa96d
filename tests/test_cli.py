"""The ``wan-notebook`` command: its subcommands and their help."""

from __future__ import annotations

import pytest

from wan_notebook._cli import build_parser, main


def test_without_a_command_it_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    for command in ("serve", "demo", "relay"):
        assert command in text


@pytest.mark.parametrize("command", ["serve", "demo", "relay"])
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert command in capsys.readouterr().out
