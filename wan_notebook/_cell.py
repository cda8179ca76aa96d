"""The ``%%wan`` flags: parse a cell into a request, and write a request back as a cell.

Kept apart from the IPython ``Magics`` class so the builder form can show "as code" with
exactly the flags the magic reads, and so parsing is tested without a shell.
"""

from __future__ import annotations

import argparse
import pprint
import re
import shlex
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .errors import FlagError, InvalidRequestError, Problem
from .request import advice, catalog
from .request.models import VideoRequest


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would print and exit the kernel
        raise FlagError(message)


def _seed_list(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"\d+-\d+", part):
            low, high = (int(x) for x in part.split("-"))
            seeds.extend(range(low, high + 1))
        else:
            seeds.append(int(part))
    if not seeds:
        raise argparse.ArgumentTypeError("give seeds like 1,2,3 or 1-4")
    return seeds


def _sizes_help() -> str:
    by_tier = [
        f"{tier}: " + ", ".join(f"{w}x{h}" for (r, _), (w, h) in catalog.SIZES.items() if r == tier)
        for tier in catalog.RESOLUTIONS
    ]
    return "WIDTHxHEIGHT; " + "; ".join(by_tier)


def _aspects_help() -> str:
    # "17:13 (4:3)": the names people know, beside what the sizes really are (issue 11).
    alias = {real: known for known, real in catalog.ASPECT_ALIASES.items()}
    names = [f"{a} ({alias[a]})" if a in alias else a for a in catalog.ASPECTS]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _formatter(prog: str) -> argparse.HelpFormatter:
    # A fixed width: the kernel's terminal width says nothing about the pager or the page.
    return argparse.HelpFormatter(prog, width=92, max_help_position=24)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="%%wan",
        add_help=False,
        formatter_class=_formatter,
        epilog=advice.REFERENCE_VIDEO_GUIDE,  # shown by %%wan? under the flags
    )
    a = p.add_argument
    a("--seed", type=int, help="seed 0-2147483647 (random when absent)")
    a(
        "--seeds",
        type=_seed_list,
        help="several seeds, one video each, shown in a grid: 1,2,3 or 1-4",
    )
    a("--n", type=int, help="N variations with different seeds, shown in a grid")
    a("--results", type=int, help="numberResults: 1-4 results from one task")
    a("--duration", type=int, help="seconds: 5, 10 or 15")
    a("--size", help=_sizes_help())
    a("--resolution", help="720p or 1080p (aspect follows --aspect or the frame image)")
    a("--aspect", help=_aspects_help())
    a("--negative", help="negative prompt")
    a("--shot", help="single or multi (multi needs prompt extension)")
    a("--no-audio", dest="audio", action="store_false", default=None, help="no native audio")
    a("--native-audio", dest="audio", action="store_true", help="native audio explicitly on")
    a(
        "--no-extend",
        dest="extend",
        action="store_false",
        default=None,
        help="no prompt rewrite: fair seed comparisons (multi-shot needs it)",
    )
    a("--extend", dest="extend", action="store_true", help="prompt extension explicitly on")
    a("--image", help="first frame: path, URL, UUID or $variable")
    a(
        "--ref-video",
        action="append",
        dest="ref_videos",
        help="reference video (repeat up to 3): the prompt names them character1..3",
    )
    a("--audio", dest="audio_input", help="soundtrack: path, URL, UUID or $variable")
    a("--format", dest="fmt", help="MP4, WEBM or MOV")
    a("--quality", type=int, help="outputQuality 20-99")
    a("--ttl", type=int, help="seconds the output URL lives (>= 60)")
    a("--webhook", help="URL that receives each finished result")
    a("--upload-to", dest="upload_to", help="URL the finished file is PUT to")
    a("--safety", help="none, fast or full")
    a(
        "--no-cost",
        dest="include_cost",
        action="store_false",
        default=None,
        help="do not ask for the cost",
    )
    a("--new", action="store_true", help="generate again even if this exact request is stored")
    a("--dry-run", dest="dry_run", action="store_true", help="show the request JSON and cost only")
    a("--wait", action="store_true", help="block the cell until the video is ready")
    a("--raw", action="store_true", help="do not fill {name} from the notebook's variables")
    a("-o", "--out", dest="out", help="bind the Job (or JobGroup) to this variable")
    return p


PARSER = build_parser()
_FIELD_FLAGS = (
    "negative", "size", "resolution", "aspect", "duration", "seed", "shot", "audio", "extend",
    "image", "ref_videos", "audio_input", "fmt", "quality", "ttl", "webhook", "upload_to",
    "safety", "include_cost",
)  # fmt: skip
_MEDIA_FLAGS = ("image", "audio_input")


@dataclass
class CellArgs:
    """A parsed ``%%wan`` cell: the request fields plus what to do with them."""

    prompt: str
    fields: dict[str, Any] = field(default_factory=dict)
    seeds: list[int] | None = None
    variations: int | None = None
    new: bool = False
    dry_run: bool = False
    wait: bool = False
    out: str | None = None

    def request(self, defaults: Mapping[str, Any] | None = None) -> VideoRequest:
        merged = {**(defaults or {}), **self.fields}
        try:
            return VideoRequest.build(self.prompt, **merged)
        except InvalidRequestError as exc:
            raise as_typed(exc, self.fields) from None


# API parameters a flag sets under another name: the error should say what the person typed.
_TYPED_AS: Final = {"width": "size", "height": "size", "size": "size"}


@dataclass(frozen=True)
class FlagProblem(Problem):
    """A request problem told in the words of the cell: ``--size 1000x1000: ...``.

    ``parameter`` stays the API's name (so tools that read problems still find it); only the
    message names the flag and the value as typed.
    """

    flag: str = ""
    typed: str = ""

    @property
    def message(self) -> str:
        return f"{self.flag} {self.typed}: {self.allowed}"


def replace_problem(problem: Problem, *, allowed: str, flag: str, typed: str) -> FlagProblem:
    """``problem`` as a ``FlagProblem`` that names ``flag`` and the value ``typed``."""
    return FlagProblem(
        parameter=problem.parameter,
        value=typed,
        allowed=allowed,
        code=problem.code,
        allowed_values=problem.allowed_values,
        also=problem.also,
        flag=flag,
        typed=typed,
    )


def as_typed(exc: InvalidRequestError, fields: Mapping[str, Any]) -> InvalidRequestError:
    """``exc`` with its size problems naming ``--size`` and the text typed after it."""
    if "size" not in fields:
        return exc
    typed = str(fields["size"])
    problems: list[Problem] = []
    seen: set[str] = set()
    for problem in exc.problems:
        name = _TYPED_AS.get(problem.parameter)
        if name is None:
            problems.append(problem)
            continue
        if problem.value is None or name in seen:
            continue  # "give width and height": they were given, as --size; said once
        seen.add(name)
        values = problem.allowed_values
        allowed = _size_list(values) if values else problem.allowed
        problems.append(replace_problem(problem, allowed=allowed, flag=f"--{name}", typed=typed))
    error = InvalidRequestError(problems)
    error.hint = exc.hint
    return error


def _size_list(values: Sequence[object]) -> str:
    """The allowed sizes in short indented lines: Jupyter breaks a long error line anywhere,
    inside a size too ("1632x1" / "248"), so the list is wrapped here at whole sizes."""
    lines = textwrap.wrap(", ".join(map(str, values)), width=56, break_long_words=False)
    return "not a Wan 2.6 size; use one of\n" + "\n".join("    " + line for line in lines)


_PLACEHOLDER = re.compile(r"(\{\{)|(\}\})|\{([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}")


def fill_prompt(text: str, namespace: Mapping[str, Any]) -> str:
    """Fill ``{name}`` and ``{name.attr}`` from the namespace; other braces stay literal.

    ``{{`` and ``}}`` give literal braces; an unknown name stays as it was written.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "{"
        if match.group(2):
            return "}"
        path = match.group(3).split(".")
        if any(part.startswith("__") for part in path) or path[0] not in namespace:
            return match.group(0)
        value = namespace[path[0]]
        for attr in path[1:]:
            if not hasattr(value, attr):
                return match.group(0)
            value = getattr(value, attr)
        return str(value)

    return _PLACEHOLDER.sub(replace, text)


def _resolve_variable(value: Any, namespace: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:].isidentifier():
        if value[1:] not in namespace:
            raise FlagError(f"{value}: no such variable in the notebook")
        return namespace[value[1:]]
    return value


def parse_cell(line: str, body: str, namespace: Mapping[str, Any] | None = None) -> CellArgs:
    """Read the magic line and the cell body into ``CellArgs``."""
    namespace = namespace or {}
    try:
        args = PARSER.parse_args(shlex.split(line))
    except ValueError as exc:  # shlex quoting errors and FlagError
        raise FlagError(str(exc)) from exc
    prompt = body.strip()
    if not args.raw:
        prompt = fill_prompt(prompt, namespace)
    fields = {name: getattr(args, name) for name in _FIELD_FLAGS if getattr(args, name) is not None}
    for name in _MEDIA_FLAGS:
        if name in fields:
            fields[name] = _resolve_variable(fields[name], namespace)
    if "ref_videos" in fields:
        fields["ref_videos"] = [_resolve_variable(v, namespace) for v in fields["ref_videos"]]
    if args.results is not None:
        fields["n"] = args.results
    if args.seeds and args.n:
        raise FlagError("give --seeds or --n, not both")
    if args.n is not None and args.n < 1:
        raise FlagError("--n must be at least 1")
    return CellArgs(
        prompt=prompt,
        fields=fields,
        seeds=args.seeds,
        variations=args.n,
        new=args.new,
        dry_run=args.dry_run,
        wait=args.wait,
        out=args.out,
    )


def _quote(value: str) -> str:
    return shlex.quote(value)


def request_to_flags(request: VideoRequest) -> list[str]:
    """The ``%%wan`` flags that rebuild this request (the prompt goes in the body)."""
    flags: list[str] = []
    if request.width and request.height:
        flags.append(f"--size {request.width}x{request.height}")
    if request.resolution:
        flags.append(f"--resolution {request.resolution}")
    if request.duration is not None:
        flags.append(f"--duration {request.duration}")
    if request.seed is not None:
        flags.append(f"--seed {request.seed}")
    if request.negative_prompt:
        flags.append(f"--negative {_quote(request.negative_prompt)}")
    alibaba = request.alibaba
    if alibaba.shot_type:
        flags.append(f"--shot {alibaba.shot_type}")
    if alibaba.audio is not None:
        flags.append("--native-audio" if alibaba.audio else "--no-audio")
    if alibaba.prompt_extend is not None:
        flags.append("--extend" if alibaba.prompt_extend else "--no-extend")
    if request.frame_image:
        flags.append(f"--image {_quote(_media_text(request.frame_image))}")
    for ref in (request.inputs.reference_videos or []) if request.inputs else []:
        flags.append(f"--ref-video {_quote(_media_text(ref))}")
    if request.inputs and request.inputs.audio:
        flags.append(f"--audio {_quote(_media_text(request.inputs.audio))}")
    simple = (
        ("fmt", "--format", request.output_format),
        ("quality", "--quality", request.output_quality),
        ("ttl", "--ttl", request.ttl),
        ("webhook", "--webhook", request.webhook_url),
        ("upload_to", "--upload-to", request.upload_endpoint),
        ("results", "--results", request.number_results),
    )
    flags += [f"{flag} {_quote(str(value))}" for _, flag, value in simple if value is not None]
    if request.safety and request.safety.mode:
        flags.append(f"--safety {request.safety.mode}")
    if request.include_cost is False:
        flags.append("--no-cost")
    return flags


def _media_text(value: str) -> str:
    # Inline data cannot be a flag; the Python form below carries it instead.
    return "$image_data" if value.startswith("data:") else value


def _escape_braces(prompt: str) -> str:
    return prompt.replace("{", "{{").replace("}", "}}")


def request_to_cell(request: VideoRequest, *, seeds: list[int] | None = None) -> str:
    """The ``%%wan`` cell that builds this request."""
    flags = request_to_flags(request)
    if seeds:
        flags = [f for f in flags if not f.startswith("--seed ")]
        flags.append("--seeds " + ",".join(str(s) for s in seeds))
    line = " ".join(["%%wan", *flags])
    return f"{line}\n{_escape_braces(request.positive_prompt)}"


def request_to_python(request: VideoRequest) -> str:
    """The Python call that submits this request (a fresh task id each run)."""
    task = request.to_api()
    task.pop("taskUUID", None)
    body = textwrap.indent(pprint.pformat(task, sort_dicts=False, width=84), "    ").strip()
    return (
        "import wan_notebook\n\n"
        f"request = wan_notebook.VideoRequest.model_validate(\n    {body}\n)\n"
        "job = wan_notebook.generate(request)"
    )


ALLOWED_HELP = "Line commands (%wan status, %wan budget, ...): %wan help."
