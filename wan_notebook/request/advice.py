"""What to tell a person about a valid request: one-line notes, never errors.

- ``character_hint``: reference videos are named ``character1``..``character3`` in the prompt.
- ``prompt_may_change`` / ``REWRITE_NOTE``: with promptExtend on (the API's default) an LLM
  rewrites the prompt differently on each run, so seeds alone do not make a comparison fair.
  Seed grids, ``compare()`` and ``seed_sweep()`` show the note once.
- ``defaults_note``: the size or preset ``coerce()``/``build()`` filled in (for the dry run).
- ``unmeasured_notes``: input lengths that could not be checked (no PyAV).
``notes(request)`` gives all that apply, for the Builder, ``%%wan --dry-run`` and ``%%wan?``.
"""

from __future__ import annotations

import re
from typing import Final

from . import catalog, media
from .models import VideoRequest

__all__ = [
    "REFERENCE_VIDEO_GUIDE",
    "REWRITE_NOTE",
    "character_hint",
    "defaults_note",
    "notes",
    "prompt_may_change",
    "unmeasured_notes",
]

_CHARACTER: Final = re.compile(r"character\s*[123]\b", re.IGNORECASE)

REFERENCE_VIDEO_GUIDE: Final = (
    "Reference videos (up to 3, MP4 or MOV, 2-30 s each, <= 30 MB): the prompt names them"
    " character1, character2, character3 in that order; the voice comes from them. With them:"
    " 5 or 10 s only, no frame image, no audio input."
)
REWRITE_NOTE: Final = (
    "promptExtend is on: the API rewrites the prompt with an LLM, differently on each run, so"
    " seeds alone do not make this comparison fair. Use --no-extend (extend=False) for a fair"
    " one; multi-shot needs promptExtend."
)


def character_hint(request: VideoRequest) -> str | None:
    """A one-line hint when reference videos are given and the prompt names none of them."""
    refs = request.inputs.reference_videos if request.inputs else None
    if not refs or _CHARACTER.search(request.positive_prompt):
        return None
    names = ", ".join(catalog.CHARACTER_NAMES[: len(refs)])
    return (
        f"the prompt names no reference video: call them {names} (in order), e.g."
        f" 'character1 walks in from the left'"
    )


def prompt_may_change(request: VideoRequest) -> bool:
    """True when the API may rewrite the prompt (promptExtend on, its default)."""
    return request.alibaba.prompt_extend is not False


def defaults_note(request: VideoRequest) -> str | None:
    """What was filled in for a request given without size or preset, or None."""
    if request.defaults_used == "size":
        return (
            f"no size given: {request.width}x{request.height} ({request.tier}, 16:9; set"
            " --size/--resolution/--aspect, or the default_resolution setting)"
        )
    if request.defaults_used == "resolution":
        return (
            f"no size given: sent as resolution {request.resolution} (the aspect follows the"
            " input; set --size/--resolution, or the default_resolution setting)"
        )
    return None


def unmeasured_notes(request: VideoRequest) -> list[str]:
    """One note per input clip whose length could not be checked here."""
    found: list[str] = []
    for slot in media.media_slots(request.to_api().get("inputs") or {}):
        why = media.unmeasured(slot.value, slot.kind) if isinstance(slot.value, str) else None
        if why:
            low, high = media.SECONDS[slot.kind]
            found.append(f"{slot.where}: length not checked ({low:g}-{high:g} s allowed): {why}")
    return found


def notes(request: VideoRequest) -> list[str]:
    """Every note that applies to ``request``, most useful first."""
    found = [note for note in (defaults_note(request), character_hint(request)) if note]
    return found + unmeasured_notes(request)
