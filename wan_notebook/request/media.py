"""Media inputs: what a frame image, reference video or audio value is, and whether it is usable.

The API takes a URL, a UUID (of an earlier upload), a data URI or bare base64. In Python we
also take a local file path, raw bytes or a PIL image. Bytes and images become data URIs at
once; a local path stays a path (checked here) until the client uploads it, so that the
request fingerprint can hash the file's content instead of its name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import MediaError
from . import catalog

MediaKind = Literal["image", "video", "audio"]
Form = Literal["url", "uuid", "data_uri", "base64", "path"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_B64 = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}$")
_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?(;[\w-]+=[\w.-]+)*;base64,", re.I)

EXTENSIONS: dict[MediaKind, dict[str, str]] = {
    "image": {
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".webp": "image/webp",
    },
    "video": {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"},
    "audio": {".wav": "audio/wav", ".mp3": "audio/mpeg", ".flac": "audio/flac"},
}
MAX_BYTES: dict[MediaKind, int] = {
    "image": catalog.IMAGE_MAX_BYTES,
    "video": catalog.VIDEO_MAX_BYTES,
    "audio": catalog.AUDIO_MAX_BYTES,
}
# Magic numbers, to name the type of raw bytes and to check a file is what its name says.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypqt", 4, "video/quicktime"),
    (b"ftyp", 4, "video/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
    (b"WAVE", 8, "audio/wav"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
)


# Stands in for a value whose problem was already reported, so it is not reported twice.
REPORTED = "\x00already-reported"


@dataclass(frozen=True)
class LocalFile:
    path: Path
    mime: str
    size: int


def sniff_mime(head: bytes) -> str | None:
    """The MIME type named by a file's first bytes, if we know it."""
    for magic, offset, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return mime
    return None


def classify(value: str) -> Form | None:
    """Which of the accepted forms a string is, or None.

    A string that names an existing file is a path; long base64 text is base64. Order matters:
    a URL or data URI is never taken for a path.
    """
    text = value.strip()
    if text.startswith(("http://", "https://")):
        return "url"
    if _DATA_URI.match(text):
        return "data_uri"
    if _UUID.match(text):
        return "uuid"
    if _is_file(text):
        return "path"
    if len(text) >= 64 and _B64.match(text[:4096]) and _b64_decodes(text):
        return "base64"
    return None


def _is_file(text: str) -> bool:
    if len(text) >= 4096 or not _looks_like_path(text):
        return False
    try:
        return Path(text).expanduser().is_file()
    except OSError:  # e.g. a name too long for the file system: not a path
        return False


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and "\x00" not in text


def _b64_decodes(text: str) -> bool:
    try:
        base64.b64decode(text[:4096].rstrip("=") + "=" * (-len(text[:4096].rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return False
    return True


def describe_forms(kind: MediaKind) -> str:
    exts = ", ".join(e.lstrip(".").upper() for e in EXTENSIONS[kind])
    return f"a URL, an upload UUID, a data URI, base64, or a local {exts} file"


def check_local(path: Path, kind: MediaKind) -> LocalFile:
    """Check a local file exists, has an accepted type and is within the size limit."""
    path = path.expanduser()
    if not path.is_file():
        raise MediaError(f"file not found: {path}")
    ext = path.suffix.lower()
    if ext not in EXTENSIONS[kind]:
        allowed = ", ".join(EXTENSIONS[kind])
        raise MediaError(f"{path.name}: a {kind} must be one of {allowed}")
    size = path.stat().st_size
    if size > MAX_BYTES[kind]:
        limit = MAX_BYTES[kind] // (1024 * 1024)
        raise MediaError(
            f"{path.name}: {size / 1048576:.1f} MB is over the {limit} MB {kind} limit"
        )
    if size == 0:
        raise MediaError(f"{path.name}: the file is empty")
    with path.open("rb") as fh:
        sniffed = sniff_mime(fh.read(16))
    if sniffed is not None and not sniffed.startswith(kind):
        raise MediaError(f"{path.name}: the content is {sniffed}, not a {kind}")
    if kind == "image":
        _check_image_side(path)
    return LocalFile(path=path, mime=EXTENSIONS[kind][ext], size=size)


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


def to_data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


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
    """Why a stored media string is unusable, or None when it is fine."""
    form = classify(value)
    if form is None:
        text = value.strip()
        if _looks_like_path(text) and ("/" in text or "." in text[-6:]) and len(text) < 4096:
            return f"file not found: {text}" if allow_local else f"not {describe_forms(kind)}"
        return f"not {describe_forms(kind)}"
    if form == "path":
        if not allow_local:
            return "a local path must be uploaded first (the client does this)"
        try:
            check_local(Path(value), kind)
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
