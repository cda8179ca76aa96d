"""``%%wan`` and ``%wan``: parse -> request -> handler -> displayable.

The cell magic validates and submits, shows the live view and returns at once: the job runs
on the jobs' private loop thread, even while other cells compute. ``--wait`` blocks;
``-o NAME`` binds the job.
Errors stay short: flag problems are one-line ``UsageError``s, request and API problems
render through ``WanError._render_traceback_`` and still stop "Run All".

``%load_ext`` also registers how jobs, groups and results made in Python display (as their
live views, ``display._hooks``) and an input transformer that lets a ``%%wan`` cell with no
body reach the magic, which says the body is the prompt (IPython itself would suggest the
line magic). Nothing heavy is imported until a cell uses them.
"""

from __future__ import annotations

import getpass
import html
import inspect
import json
import re
import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class, no_var_expand
from IPython.display import JSON
from traitlets import Bool, Dict, Float, Unicode

from . import _cell as magic_args
from . import settings
from ._cell import CellArgs
from .display import Shown
from .display import _hooks as display_hooks
from .errors import FlagError

_HELP_SUBCOMMANDS = """\
%wan config [key=value ...]   show or change settings (backend, base_url, media_dir, ...)
%wan login                    enter the Runware API key (never echoed or saved)
%wan logout                   forget the key for this session (back to the local engine)
%wan connect URL              use a classroom relay: asks for your student token (hidden)
%wan status                   every job of this session, and where requests go
%wan history [text]           gallery of stored results (filter by prompt text)
%wan recover                  fetch results of tasks a crashed kernel left behind
%wan budget [USD|off]         show or set this session's spending cap
%wan cost                     what this session has spent and has in flight
%wan help                     this text; %%wan? lists the cell flags
"""


@magics_class
class WanMagics(Magics):
    """Generate Wan 2.6 videos from notebook cells."""

    defaults = Dict(
        default_value={},
        help="Default %%wan fields, e.g. {'size': '1280x720', 'duration': 10}.",
    ).tag(config=True)
    include_cost = Bool(True, help="Ask the API for each result's cost.").tag(config=True)
    wait = Bool(False, help="Make every %%wan cell block until its video is ready.").tag(
        config=True
    )
    budget_usd = Float(
        allow_none=True, default_value=None, help="Session spending cap in USD (None: no cap)."
    ).tag(config=True)
    media_dir = Unicode(
        "", help="Folder for results (default: wan_media beside the notebook)."
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        overrides: dict[str, Any] = {}
        if self.budget_usd is not None:
            overrides["budget_usd"] = self.budget_usd
        if self.media_dir:
            overrides["media_dir"] = self.media_dir
        if overrides:
            settings.configure(**overrides)

    # ----- %%wan ------------------------------------------------------------------------------

    @no_var_expand
    @cell_magic
    def wan(self, line: str, cell: str) -> Any:
        """Generate a Wan 2.6 video: the cell body is the prompt, the flags set the rest.

        {name} and {name.attr} in the prompt are filled from the notebook's variables;
        {{ and }} give literal braces; --raw turns filling off. Media flags take a path, a
        URL, an upload UUID or $variable (bytes, a PIL image or a Path). --seeds, --n and
        --results show a synchronized grid.
        """
        args = self._parse(line, cell)
        tier = settings.get_settings().default_resolution  # the size used when none is given
        defaults = {"include_cost": self.include_cost, "default_resolution": tier, **self.defaults}
        request = args.request(defaults)
        seeds = _seeds_of(args, request.seed)
        if args.dry_run:
            from .display import DryRun

            return DryRun(request, seeds=seeds)
        # Imported here, not at the top: %load_ext must stay fast (no httpx, sqlite, widgets).
        from . import jobs
        from .widgets import show_job
        from .widgets.grid_view import show_group

        running: Any
        if seeds:
            running = show_group(jobs.seed_sweep(request, seeds, new=args.new))
            self._bind(args, running)
        else:
            running = jobs.generate(request, new=args.new)
            self._bind(args, running)
            show_job(running)
        if args.wait or self.wait:
            running.wait()
        return None

    def _parse(self, line: str, cell: str) -> CellArgs:
        if not cell.strip():
            raise UsageError(
                "%%wan needs a prompt: the cell body is the prompt. Write it on the lines"
                " under %%wan (see %%wan?)."
            )
        namespace = self.shell.user_ns if self.shell is not None else {}
        try:
            return magic_args.parse_cell(line, cell, namespace)
        except FlagError as exc:
            raise UsageError(f"%%wan: {exc}. See %%wan? for the flags.") from None

    def _bind(self, args: CellArgs, value: Any) -> None:
        if args.out and self.shell is not None:
            if not args.out.isidentifier():
                raise UsageError(f"-o {args.out}: not a valid variable name")
            self.shell.user_ns[args.out] = value

    # ----- %wan ------------------------------------------------------------------------------

    @line_magic("wan")  # type: ignore[arg-type]  # IPython types the name argument as Never
    def wan_line(self, line: str) -> Any:
        """%wan SUBCOMMAND: config, login, connect, logout, status, history, recover, budget, cost,
        help."""
        words = shlex.split(line)
        if not words or words[0] in ("help", "-h", "--help"):
            return _Help()
        sub, rest = words[0], words[1:]
        handler = getattr(self, f"_sub_{sub}", None)
        if handler is None:
            raise UsageError(f"%wan {sub}: unknown subcommand. Try %wan help.")
        return handler(rest)

    def _sub_config(self, rest: list[str]) -> Any:
        changes: dict[str, Any] = {}
        for item in rest:
            key, sep, value = item.partition("=")
            if not sep:
                raise UsageError(f"%wan config {item}: use key=value")
            changes[key] = _parse_setting(value)
        if "api_key" in changes:
            raise UsageError("set the key with %wan login, so it is never in the notebook")
        if changes:
            try:
                settings.configure(**changes)
            except (TypeError, ValueError) as exc:
                raise UsageError(str(exc)) from None
        return JSON({k: str(v) for k, v in settings.get_settings().public().items()})

    def _sub_login(self, rest: list[str]) -> Any:
        if rest:
            raise UsageError(
                "%wan login takes no argument: the key is asked for, never typed in a cell"
            )
        key = getpass.getpass("Runware API key (input hidden): ").strip()
        if not key:
            raise UsageError(
                "no key entered; still using " + settings.get_settings().resolved_backend
            )
        settings.configure(api_key=key, backend="auto")
        return Shown(
            "Key set for this session (not saved). Requests now go to <b>Runware</b>.",
            "Key set for this session (not saved). Requests now go to Runware.",
        )

    def _sub_connect(self, rest: list[str]) -> Any:
        if len(rest) != 1 or not rest[0].startswith(("http://", "https://")):
            raise UsageError("%wan connect URL: the relay's address, e.g. http://teacher:8600")
        url = rest[0].rstrip("/")
        url = url if url.endswith("/v1") else url + "/v1"
        token = getpass.getpass("Class token (input hidden): ").strip()
        if not token:
            raise UsageError("no token entered; nothing changed")
        settings.configure(backend="runware", base_url=url, api_key=token)
        text = f"Connected to the class relay at {url} for this session (the token is not saved)."
        return Shown(html.escape(text), text)

    def _sub_logout(self, rest: list[str]) -> Any:
        settings.configure(api_key=None)
        return Shown(
            "Key forgotten. Requests go to the <b>local engine</b>.",
            "Key forgotten. Requests go to the local engine.",
        )

    def _sub_status(self, rest: list[str]) -> Any:
        from .display import status_view

        return status_view()

    def _sub_history(self, rest: list[str]) -> Any:
        from .widgets.gallery import history

        return history(text=" ".join(rest) or None)

    def _sub_recover(self, rest: list[str]) -> Any:
        from . import jobs
        from .widgets.grid_view import show_group

        group = jobs.recover()
        if len(group) == 0:
            text = "Nothing to recover: every journaled task has an outcome."
            return Shown(text, text)
        show_group(group)
        return None

    def _sub_budget(self, rest: list[str]) -> Any:
        if rest:
            value = None if rest[0] in ("off", "none") else _float_arg(rest[0], "budget")
            settings.configure(budget_usd=value)
        return self._sub_cost([])

    def _sub_cost(self, rest: list[str]) -> Any:
        from .display import spend_view

        return spend_view()


class _Help:
    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(_HELP_SUBCOMMANDS)

    def _repr_html_(self) -> str:
        return f"<pre>{_HELP_SUBCOMMANDS}</pre>"

    def __repr__(self) -> str:
        return _HELP_SUBCOMMANDS


def _seeds_of(args: CellArgs, base_seed: int | None) -> list[int] | None:
    if args.seeds:
        return args.seeds
    if args.variations:
        import random

        start = base_seed if base_seed is not None else random.randrange(0, 2**31 - 64)
        return [start + i for i in range(args.variations)]
    return None


def _parse_setting(value: str) -> Any:
    if value in ("none", "None", "off"):
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _float_arg(value: str, name: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"%wan {name} {value}: give a number of USD, or off") from None


def _patch_help() -> None:
    # %%wan? shows the flags under the docstring, like magic_arguments would; both at the same
    # indentation (the docstring's own is removed), the description said once.
    doc = WanMagics.wan.__doc__ or ""
    if "usage:" not in doc:
        flags = magic_args.PARSER.format_help().strip()
        WanMagics.wan.__doc__ = f"{inspect.cleandoc(doc)}\n\n{flags}\n\n{magic_args.ALLOWED_HELP}\n"


_patch_help()

# "%%wan" then nothing (or blank lines): IPython stops such a cell before any magic runs.
_EMPTY_WAN_CELL = re.compile(r"%%wan(?:[ \t][^\n]*)?\n?(?:[ \t]*\n)*[ \t]*")


def _empty_body_to_magic(lines: list[str]) -> list[str]:
    """Give a body-less ``%%wan`` cell a blank body, so the magic explains what is missing."""
    text = "".join(lines)
    if _EMPTY_WAN_CELL.fullmatch(text) and not text.rstrip().endswith("?"):
        return [lines[0].rstrip("\n") + "\n", " \n"]
    return lines


def _show_lazily(obj: Any) -> None:
    # Imported when a job is first shown, not at %load_ext (the widgets are the heavy part).
    from .widgets._displays import show

    show(obj)


def load(ipython: Any) -> None:
    ipython.register_magics(WanMagics)
    display_hooks.register(ipython, _show_lazily)
    cleanup = ipython.input_transformers_cleanup
    if _empty_body_to_magic not in cleanup:
        cleanup.append(_empty_body_to_magic)


def unload(ipython: Any) -> None:
    registry = ipython.magics_manager.magics
    for kind in ("cell", "line"):
        registry[kind].pop("wan", None)
    display_hooks.unregister(ipython)
    if _empty_body_to_magic in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.remove(_empty_body_to_magic)
    from . import jobs

    jobs.shutdown_quietly()
