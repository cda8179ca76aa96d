"""The forms a media value takes and the tables that name media types: no checks here.

A value is a URL, an upload UUID, a data URI, bare base64 or a local path (``classify``);
its type is named by its first bytes (``sniff_mime``). ``media`` checks values with these.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from pathlib import Path
from typing import Literal

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
        ".bmp": "image/bmp",
    },
    "video": {".mp4": "video/mp4", ".mov": "video/quicktime"},
    "audio": {".wav": "audio/wav", ".mp3": "audio/mpeg"},
}
# How messages name the accepted types of each kind.
TYPE_NAMES: dict[MediaKind, str] = {
    "image": "JPEG, PNG (without transparency), WEBP or BMP",
    "video": "MP4 or MOV",
    "audio": "WAV or MP3",
}
SECONDS: dict[MediaKind, tuple[float, float]] = {
    "video": catalog.VIDEO_SECONDS_RANGE,
    "audio": catalog.AUDIO_SECONDS_RANGE,
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
    (b"\xff\xfb", 0, "audio/mpeg"),  # MPEG-1 layer III frame sync, with and without CRC
    (b"\xff\xfa", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),  # MPEG-2
    (b"\xff\xf2", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"BM", 0, "image/bmp"),
)
ACCEPTED_MIMES = {mime for exts in EXTENSIONS.values() for mime in exts.values()}


# Stands in for a value whose problem was already reported, so it is not reported twice.
REPORTED = "\x00already-reported"


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
    if len(text) >= 4096 or not looks_like_path(text):
        return False
    try:
        return Path(text).expanduser().is_file()
    except OSError:  # e.g. a name too long for the file system: not a path
        return False


def looks_like_path(text: str) -> bool:
    return "\n" not in text and "\x00" not in text


def _b64_decodes(text: str) -> bool:
    try:
        base64.b64decode(text[:4096].rstrip("=") + "=" * (-len(text[:4096].rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return False
    return True


def describe_forms(kind: MediaKind) -> str:
    if kind == "image":
        return f"a URL, an upload UUID, a data URI, base64, or a local {TYPE_NAMES[kind]} file"
    return f"a URL, an upload UUID, bytes, or a local {TYPE_NAMES[kind]} file"


def to_data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@functools.lru_cache(maxsize=8)
def decode_inline(value: str) -> tuple[bytes, str | None] | None:
    """The bytes of a data URI or bare base64 value and its declared MIME type (or None).

    Cached: the Builder re-checks the same (large) string on every change.
    """
    text = value.strip()
    match = _DATA_URI.match(text)
    mime = match.group(1).lower() if match and match.group(1) else None
    payload = text[match.end() :] if match else text
    try:
        return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False), mime
    except (binascii.Error, ValueError):
        return None
