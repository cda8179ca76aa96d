"""Media inputs: what a frame image, reference video or audio value is, and whether it is usable.

The API takes a URL, a UUID (of an earlier upload), a data URI or bare base64 for images, and
only a URL or an upload UUID for reference videos and audio (``wire`` says what must be
uploaded first). In Python we also take a local file path, raw bytes or a PIL image. Bytes
and images become data URIs at once; a local path stays a path (checked here) until the
client uploads or inlines it, so that the request fingerprint can hash the file's content
instead of its name.

What the providers accept (``spec/wan26-fidelity.md``): frame images JPEG, PNG without
transparency, BMP or WEBP, 360-2000 px; reference videos MP4 or MOV, 2-30 s; audio WAV or
MP3, 3-30 s. Lengths and transparency are read from the header (``_content``).
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MediaError
from . import _content, catalog
from ._forms import (
    ACCEPTED_MIMES,
    EXTENSIONS,
    MAX_BYTES,
    REPORTED,
    SECONDS,
    TYPE_NAMES,
    Form,
    MediaKind,
    classify,
    decode_inline,
    describe_forms,
    looks_like_path,
    sniff_mime,
    to_data_uri,
)

__all__ = [
    "EXTENSIONS",
    "MAX_BYTES",
    "REPORTED",
    "SECONDS",
    "TYPE_NAMES",
    "Form",
    "LocalFile",
    "MediaKind",
    "MediaSlot",
    "check_data",
    "check_local",
    "classify",
    "content_digest",
    "decode_inline",
    "describe_forms",
    "map_inputs",
    "media_slots",
    "normalize",
    "problem_with",
    "shown",
    "sniff_mime",
    "to_data_uri",
    "unmeasured",
]


@dataclass(frozen=True)
class LocalFile:
    path: Path
    mime: str
    size: int


_ROLE: dict[MediaKind, str] = {
    "image": "a frame image",
    "video": "a reference video",
    "audio": "the audio input",
}


def _type_label(mime: str) -> str:
    sub = mime.split("/", 1)[-1].upper()
    return {"QUICKTIME": "MOV", "MPEG": "MP3", "JPEG": "JPEG"}.get(sub, sub)


def _not_accepted(name: str, what: str, kind: MediaKind) -> MediaError:
    exts = ", ".join(EXTENSIONS[kind])
    return MediaError(
        f"{name}: {what} is not accepted; {_ROLE[kind]} must be {TYPE_NAMES[kind]} ({exts})"
    )


def check_local(path: Path, kind: MediaKind) -> LocalFile:
    """Check a local file: it exists, its type, size, side, transparency and length."""
    path = path.expanduser()
    if not path.is_file():
        raise MediaError(f"file not found: {path}")
    ext = path.suffix.lower()
    if ext not in EXTENSIONS[kind]:
        raise _not_accepted(path.name, ext.lstrip(".").upper() or "a file without extension", kind)
    size = path.stat().st_size
    if size > MAX_BYTES[kind]:
        limit = MAX_BYTES[kind] // (1024 * 1024)
        raise MediaError(
            f"{path.name}: {size / 1048576:.1f} MB is over the {limit} MB {kind} limit"
        )
    if size == 0:
        raise MediaError(f"{path.name}: the file is empty")
    with path.open("rb") as fh:
        _check_type(path.name, sniff_mime(fh.read(16)), kind)
    if kind == "image":
        _check_image_side(path)
    _check_content(path.name, _content.of_file(path, kind), kind)
    return LocalFile(path=path, mime=EXTENSIONS[kind][ext], size=size)


def check_data(data: bytes, kind: MediaKind, *, name: str = "the data") -> str:
    """Check media held in memory like a local file; returns its MIME type."""
    if not data:
        raise MediaError(f"{name}: empty")
    if len(data) > MAX_BYTES[kind]:
        limit = MAX_BYTES[kind] // (1024 * 1024)
        raise MediaError(
            f"{name}: {len(data) / 1048576:.1f} MB is over the {limit} MB {kind} limit"
        )
    mime = sniff_mime(data[:16])
    if mime is None:
        raise MediaError(f"{name}: not a recognised {kind} ({TYPE_NAMES[kind]})")
    _check_type(name, mime, kind)
    _check_content(name, _content.of_data(data, kind), kind)
    return mime


def _check_type(name: str, sniffed: str | None, kind: MediaKind) -> None:
    if sniffed is None:
        return
    if not sniffed.startswith(kind):
        raise MediaError(f"{name}: the content is {sniffed}, not a {kind}")
    if sniffed not in ACCEPTED_MIMES:
        raise _not_accepted(name, _type_label(sniffed), kind)


def _check_content(name: str, content: _content.Content, kind: MediaKind) -> None:
    if content.alpha:
        raise MediaError(
            f"{name}: a PNG with transparency (an alpha channel) is refused, not flattened;"
            " Wan 2.6 takes PNG without transparency: save it as RGB or JPEG"
            " (PIL: Image.open(p).convert('RGB').save(...))"
        )
    if kind in SECONDS and content.seconds is not None:
        low, high = SECONDS[kind]
        if not low <= content.seconds <= high:
            raise MediaError(
                f"{name}: {content.seconds:.1f} s long; {_ROLE[kind]} must last {low:g}-{high:g} s"
            )


def unmeasured(value: str, kind: MediaKind) -> str | None:
    """Why the length of a local or inline clip was not checked, or None when it was."""
    if kind == "image":
        return None
    form = classify(value)
    if form == "path":
        path = Path(value).expanduser()
        return _content.of_file(path, kind).unmeasured if path.is_file() else None
    if form in ("data_uri", "base64"):
        return _inline_unmeasured(value, kind)
    return None


def shown(value: Any) -> str:
    """A short stand-in for a media value in messages (never megabytes of base64)."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return value if len(value) <= 60 else value[:40] + f"...<{len(value)} characters>"
    return f"<{type(value).__name__}>"


@functools.lru_cache(maxsize=16)
def _inline_unmeasured(value: str, kind: MediaKind) -> str | None:
    decoded = decode_inline(value)
    return _content.of_data(decoded[0], kind).unmeasured if decoded else None


def _check_image_side(path: Path) -> None:
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional; the API checks sizes too.
        return
    try:
        with Image.open(path) as img:
            width, height = img.size
    except OSError as exc:
        raise MediaError(f"{path.name}: not a readable image ({exc})") from exc
    low, high = catalog.IMAGE_SIDE_RANGE
    if not (low <= width <= high and low <= height <= high):
        raise MediaError(f"{path.name}: {width}x{height} px; each side must be {low}-{high} px")


def normalize(value: Any, kind: MediaKind) -> str:
    """Turn any accepted Python value into the string form the request model stores."""
    if isinstance(value, Path):
        return str(check_local(value, kind).path)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        mime = sniff_mime(data[:16])
        if mime is None or not mime.startswith(kind):
            raise MediaError(f"these bytes are not a recognised {kind} ({describe_forms(kind)})")
        if len(data) > MAX_BYTES[kind]:
            raise MediaError(f"{len(data) / 1048576:.1f} MB is over the {kind} size limit")
        return to_data_uri(data, mime)
    if _is_pil_image(value):
        if kind != "image":
            raise MediaError(f"a PIL image cannot be a {kind}")
        buf = io.BytesIO()
        value.save(buf, format="PNG")
        return to_data_uri(buf.getvalue(), "image/png")
    if isinstance(value, str):
        return value
    raise MediaError(f"{type(value).__name__} is not a media input; use {describe_forms(kind)}")


def _is_pil_image(value: Any) -> bool:
    cls = type(value)
    return any(
        base.__module__.startswith("PIL.") and base.__name__ == "Image" for base in cls.__mro__
    )


def problem_with(value: str, kind: MediaKind, *, allow_local: bool) -> str | None:
    """Why a stored media string is unusable, or None when it is fine.

    ``allow_local`` is the client's view: local paths and inline video/audio are fine because
    the client uploads them first. Without it (a server's view) video and audio must arrive
    as a URL or an upload UUID, as the API reference says.
    """
    form = classify(value)
    if form is None:
        text = value.strip()
        if looks_like_path(text) and ("/" in text or "." in text[-6:]) and len(text) < 4096:
            return f"file not found: {text}" if allow_local else f"not {describe_forms(kind)}"
        return f"not {describe_forms(kind)}"
    try:
        if form == "path":
            if not allow_local:
                return "a local path must be uploaded first (the client does this)"
            check_local(Path(value), kind)
        elif form in ("data_uri", "base64"):
            if kind != "image" and not allow_local:
                return (
                    f"{_ROLE[kind]} goes as a URL or an upload UUID only: upload the data"
                    " with mediaStorage first and send its mediaUUID"
                )
            return _inline_problem(value, kind, form)
    except MediaError as exc:
        return str(exc)
    return None


@functools.lru_cache(maxsize=16)
def _inline_problem(value: str, kind: MediaKind, form: str) -> str | None:
    """Cached by the string itself (its hash is kept): the Builder re-checks on every change."""
    decoded = decode_inline(value)
    if decoded is None:
        return f"not valid base64 ({describe_forms(kind)})"
    name = f"the {form.replace('_', ' ')}"
    try:
        if kind == "image":  # inline as sent: type and size are the server's to check
            _check_content(name, _content.of_data(decoded[0], kind), kind)
        else:  # uploaded by the client first: checked like a file
            check_data(decoded[0], kind, name=name)
    except MediaError as exc:
        return str(exc)
    return None


def content_digest(value: str) -> str:
    """A stable stand-in for a media value in fingerprints: local files hash by content."""
    if classify(value) == "path":
        digest = hashlib.sha256()
        with Path(value).expanduser().open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return "sha256:" + digest.hexdigest()
    return value


@dataclass(frozen=True)
class MediaSlot:
    """One media value inside ``inputs``: where it stands (as the API names it) and its kind."""

    where: str
    kind: MediaKind
    value: Any


def map_inputs(inputs: Mapping[str, Any], fn: Callable[[MediaSlot], Any]) -> dict[str, Any]:
    """A copy of ``inputs`` with every media value replaced by ``fn(slot)``.

    The one walker over ``frameImages`` (bare values or ``{"image", "frame"}`` items),
    ``referenceVideos`` and ``audio``; values of other shapes are left for the rules to refuse.
    """
    out = dict(inputs)
    frames = inputs.get("frameImages")
    if isinstance(frames, list | tuple):
        mapped: list[Any] = []
        for i, item in enumerate(frames):
            if isinstance(item, Mapping) and "image" in item:
                where = f"inputs.frameImages[{i}].image"
                mapped.append({**item, "image": fn(MediaSlot(where, "image", item["image"]))})
            else:
                mapped.append(fn(MediaSlot(f"inputs.frameImages[{i}]", "image", item)))
        out["frameImages"] = mapped
    refs = inputs.get("referenceVideos")
    if isinstance(refs, list | tuple):
        out["referenceVideos"] = [
            fn(MediaSlot(f"inputs.referenceVideos[{i}]", "video", v)) for i, v in enumerate(refs)
        ]
    if inputs.get("audio") is not None:
        out["audio"] = fn(MediaSlot("inputs.audio", "audio", inputs["audio"]))
    return out


def media_slots(inputs: Mapping[str, Any]) -> list[MediaSlot]:
    """Every media value of ``inputs``, in order (for walks that must await each one)."""
    slots: list[MediaSlot] = []

    def keep(slot: MediaSlot) -> Any:
        slots.append(slot)
        return slot.value

    map_inputs(inputs, keep)
    return slots
