"""Is a downloaded file the video that was asked for? Read from its container header only.

``check_video(path, expect)`` lists what is wrong (empty: the file is fine): the container
must be the requested format (MP4 and MOV are ISO BMFF told apart by the ``ftyp`` brand,
WEBM is Matroska with DocType ``webm``), hold a video track of the requested size, last
within ``tolerance`` of the requested duration, and not be cut short (a box or segment that
runs past the end of the file). An HTML page, a JSON error or a few trickled bytes fail.

Only headers are read: the ``moov`` box (found by seeking past ``mdat``) or the EBML header,
``Info`` and ``Tracks``; nothing is decoded (``bench/bench_probe.py`` measures it). A WEBM
without a ``Duration`` is timed by its last cluster. No dependency: PyAV is only in the
``local`` extra, and every download is checked. ``expected_video(request, result)`` says
what a result of a request must be.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final
from urllib.parse import urlsplit

from .._net import is_loopback

if TYPE_CHECKING:
    from ..request.models import VideoRequest
    from ._answers import VideoResult

_MOOV_LIMIT: Final = 64 * 1024 * 1024  # a 15 s clip's moov is a few hundred KB at most
_ELEMENT_LIMIT: Final = 16 * 1024 * 1024  # Info/Tracks/last cluster read into memory
_TOP_LIMIT: Final = 100_000  # top-level boxes or elements: a clip has a handful (fMP4: ~1000)
_ISO_FIRST: Final = frozenset({b"ftyp", b"moov", b"free", b"skip", b"wide", b"mdat", b"pnot"})


@dataclass(frozen=True)
class ExpectedVideo:
    """What a result must be: its format, its frame size (None: not checked) and length."""

    fmt: str  # "MP4", "WEBM" or "MOV"
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    tolerance: float = 0.10  # of ``duration``


def expected_video(request: VideoRequest, result: VideoResult | None = None) -> ExpectedVideo:
    """What a result of ``request`` must be: its format, size (when the request names one;
    a resolution preset takes its aspect from an input) and duration. A local engine result
    in tiny or small render mode (``localRenderMode``, tests only) is small by design: its
    size is not checked, when it comes from a loopback address (a server elsewhere saying so
    is not believed)."""
    extra = (result.model_extra or {}) if result is not None else {}
    host = urlsplit(result.video_url or "").hostname if result is not None else None
    tiny = extra.get("localRenderMode") in ("tiny", "small") and is_loopback(host or "")
    return ExpectedVideo(
        fmt=request.output_format or "MP4",
        width=None if tiny else request.width,
        height=None if tiny else request.height,
        duration=float(request.seconds),
    )


@dataclass(frozen=True)
class MediaInfo:
    """What the header says: container ("mp4", "mov", "webm", "matroska"), the first video
    track's size, the duration in seconds, and whether the file is cut short."""

    container: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    truncated: bool = False


def check_video(source: Path | BinaryIO, expect: ExpectedVideo) -> list[str]:
    """What is wrong with ``source`` (a path, or a file open for binary reading) as the
    video ``expect`` describes; [] when nothing is."""
    try:
        info = read_header(source)
    except ValueError as exc:
        return [str(exc)]
    want = {"MP4": "mp4", "MOV": "mov", "WEBM": "webm"}.get(expect.fmt.upper(), expect.fmt)
    problems = []
    if info.container != want:
        problems.append(f"container is {info.container}, not {expect.fmt.upper()}")
    if info.truncated:
        problems.append("the file is cut short")
    if info.width is None or info.height is None:
        problems.append("no video track")
    elif expect.width is not None and expect.height is not None:
        got, asked = f"{info.width}x{info.height}", f"{expect.width}x{expect.height}"
        if got != asked:
            problems.append(f"video is {got}, not {asked}")
    if expect.duration is not None:
        if info.duration is None:
            problems.append("no duration in the header")
        elif abs(info.duration - expect.duration) > expect.tolerance * expect.duration:
            problems.append(f"lasts {info.duration:.2f} s, not {expect.duration:g} s")
    return problems


def read_header(source: Path | BinaryIO) -> MediaInfo:
    """The header facts of an ISO BMFF (MP4/MOV) or Matroska (WEBM) file.

    Raises ``ValueError`` for anything else (or a header too broken to read)."""
    if isinstance(source, Path):
        with source.open("rb") as opened:
            return read_header(opened)
    fh = source
    size = fh.seek(0, 2)
    fh.seek(0)
    head = fh.read(12)
    if len(head) >= 8 and head[4:8] in _ISO_FIRST:
        return _iso(fh, size)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return _matroska(fh, size)
    shown = head[:8].decode("ascii", "replace").strip() or "empty"
    raise ValueError(f"not a video container (it starts with {shown!r})")


# ----- ISO BMFF (MP4, MOV) ----------------------------------------------------------------


def _iso(fh: BinaryIO, size: int) -> MediaInfo:
    brand, moov, truncated = b"", b"", False
    pos = count = 0
    while pos + 8 <= size:
        count += 1
        if count > _TOP_LIMIT:
            raise ValueError("implausibly many boxes")
        fh.seek(pos)
        length, kind = struct.unpack(">I4s", fh.read(8))
        header = 8
        if length == 1:
            length, header = struct.unpack(">Q", fh.read(8))[0], 16
        elif length == 0:
            length = size - pos
        if length < header:
            raise ValueError(f"a broken {kind!r} box")
        if pos + length > size:
            truncated = True
        if kind == b"ftyp" and pos == 0:
            brand = fh.read(4)
        elif kind == b"moov" and not moov:
            if length > _MOOV_LIMIT:
                raise ValueError("an implausibly large moov box")
            moov = fh.read(length - header)
        pos += length
    if not moov:
        raise ValueError("no moov box: not a complete MP4/MOV file")
    container = "mov" if brand in (b"", b"qt  ") else "mp4"
    width = height = None
    duration = _mvhd_seconds(moov)
    for trak in _children(moov, b"trak"):
        mdia = next(_children(trak, b"mdia"), b"")
        hdlr = next(_children(mdia, b"hdlr"), b"")
        if hdlr[8:12] == b"vide" and width is None:
            width, height = _tkhd_size(next(_children(trak, b"tkhd"), b""))
    return MediaInfo(container, width, height, duration, truncated)


def _children(data: bytes, kind: bytes) -> Iterator[bytes]:
    """The payloads of the boxes of type ``kind`` directly inside ``data``."""
    pos = 0
    while pos + 8 <= len(data):
        length, name = struct.unpack_from(">I4s", data, pos)
        header = 8
        if length == 1 and pos + 16 <= len(data):
            length, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif length == 0:
            length = len(data) - pos
        if length < header:
            return
        if name == kind:
            yield data[pos + header : pos + length]
        pos += length


def _mvhd_seconds(moov: bytes) -> float | None:
    mvhd = next(_children(moov, b"mvhd"), b"")
    if len(mvhd) >= 20 and mvhd[0] == 0:
        scale, duration = struct.unpack_from(">II", mvhd, 12)
    elif len(mvhd) >= 32 and mvhd[0] == 1:
        scale, duration = struct.unpack_from(">IQ", mvhd, 20)
    else:
        return None
    if duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):  # fragmented: the length is in mehd
        mvex = next(_children(moov, b"mvex"), b"")
        mehd = next(_children(mvex, b"mehd"), b"")
        if len(mehd) < 8:
            return None
        duration = struct.unpack_from(">Q" if mehd[0] == 1 else ">I", mehd, 4)[0]
    return duration / scale if scale else None


def _tkhd_size(tkhd: bytes) -> tuple[int | None, int | None]:
    offset = 76 if tkhd[:1] == b"\x00" else 88  # version 0 or 1: 32- or 64-bit times
    if len(tkhd) < offset + 8:
        return None, None
    width, height = struct.unpack_from(">II", tkhd, offset)
    return (width >> 16) or None, (height >> 16) or None  # 16.16 fixed point


# ----- Matroska (WEBM) --------------------------------------------------------------------

_EBML, _DOCTYPE = 0x1A45DFA3, 0x4282
_SEGMENT, _INFO, _TRACKS, _CLUSTER = 0x18538067, 0x1549A966, 0x1654AE6B, 0x1F43B675
_SCALE, _DURATION, _ENTRY, _TYPE, _VIDEO = 0x2AD7B1, 0x4489, 0xAE, 0x83, 0xE0
_WIDTH, _HEIGHT, _TIMECODE, _SIMPLE, _GROUP, _BLOCK = 0xB0, 0xBA, 0xE7, 0xA3, 0xA0, 0xA1
_UNKNOWN: Final = -1


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``pos``: (value, next position)."""
    if pos >= len(data):
        raise ValueError("a cut EBML element")
    first = data[pos]
    length = 9 - first.bit_length() if first else 9
    if length > 8 or pos + length > len(data):
        raise ValueError("a broken EBML element")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        value = _UNKNOWN  # all ones: size unknown (a live stream)
    return value, pos + length


def _elements(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(id, payload) of each element directly inside ``data``."""
    pos = 0
    while pos < len(data):
        ident, pos = _vint(data, pos, keep_marker=True)
        size, pos = _vint(data, pos, keep_marker=False)
        end = len(data) if size == _UNKNOWN else pos + size
        yield ident, data[pos:end]
        pos = end


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _matroska(fh: BinaryIO, size: int) -> MediaInfo:
    head = _at(fh, 0, 4096)
    doctype = ""
    for ident, payload in _elements(head[: _header_end(head)]):
        if ident == _EBML:
            for sub, value in _elements(payload):
                if sub == _DOCTYPE:
                    doctype = value.rstrip(b"\0").decode("ascii", "replace")
    start = _header_end(head)
    ident, pos = _vint(head, start, keep_marker=True)
    seg_size, pos = _vint(head, pos, keep_marker=False)
    if ident != _SEGMENT:
        raise ValueError("no Matroska segment")
    seg_end = size if seg_size == _UNKNOWN else pos + seg_size
    info = _Segment()
    info.walk(fh, pos, min(seg_end, size))
    container = "webm" if doctype == "webm" else "matroska"
    return MediaInfo(container, info.width, info.height, info.seconds(), seg_end > size)


def _header_end(head: bytes) -> int:
    _, pos = _vint(head, 0, keep_marker=True)
    size, pos = _vint(head, pos, keep_marker=False)
    if size == _UNKNOWN:
        raise ValueError("a broken EBML header")
    return pos + size


class _Segment:
    """What the segment's top-level elements say, read by seeking from one to the next."""

    def __init__(self) -> None:
        self.scale = 1_000_000  # ns per timecode tick (the default TimecodeScale)
        self.duration: float | None = None  # in ticks
        self.width: int | None = None
        self.height: int | None = None
        self.last_cluster: tuple[int, int] | None = None

    def walk(self, fh: BinaryIO, pos: int, end: int) -> None:
        for _ in range(_TOP_LIMIT):
            if pos >= end:
                break
            fh.seek(pos)
            head = fh.read(12)
            ident, at = _vint(head, 0, keep_marker=True)
            length, at = _vint(head, at, keep_marker=False)
            body = pos + at
            if length == _UNKNOWN:
                if ident == _CLUSTER:
                    self.last_cluster = (body, end - body)
                break  # a live stream's open element: nothing after it can be found
            if ident in (_INFO, _TRACKS):
                if length > _ELEMENT_LIMIT:
                    raise ValueError("an implausibly large Matroska header element")
                self._read(ident, _at(fh, body, length))
            elif ident == _CLUSTER:
                if self.duration is not None and self.width is not None:
                    return  # the header told everything; clusters only matter without it
                self.last_cluster = (body, length)
            pos = body + length
        if self.duration is None and self.last_cluster is not None:
            start, length = self.last_cluster
            self.duration = _cluster_end(_at(fh, start, min(length, _ELEMENT_LIMIT)))

    def _read(self, ident: int, data: bytes) -> None:
        for sub, value in _elements(data):
            if ident == _INFO and sub == _SCALE:
                self.scale = _uint(value) or self.scale
            elif ident == _INFO and sub == _DURATION and len(value) in (4, 8):
                self.duration = struct.unpack(">f" if len(value) == 4 else ">d", value)[0]
            elif ident == _TRACKS and sub == _ENTRY and self.width is None:
                fields = dict(_elements(value))
                if _uint(fields.get(_TYPE, b"")) == 1 and _VIDEO in fields:
                    video = dict(_elements(fields[_VIDEO]))
                    self.width = _uint(video.get(_WIDTH, b"")) or None
                    self.height = _uint(video.get(_HEIGHT, b"")) or None

    def seconds(self) -> float | None:
        return self.duration * self.scale / 1e9 if self.duration is not None else None


def _at(fh: BinaryIO, pos: int, length: int) -> bytes:
    fh.seek(pos)
    return fh.read(length)


def _cluster_end(cluster: bytes) -> float | None:
    """The time (in ticks) of a cluster's last block: roughly the clip's length."""
    base, latest = None, 0
    try:
        for ident, value in _elements(cluster):
            if ident == _TIMECODE:
                base = _uint(value)
            elif ident in (_SIMPLE, _GROUP):
                block = value if ident == _SIMPLE else dict(_elements(value)).get(_BLOCK, b"")
                _, at = _vint(block, 0, keep_marker=False)  # the track number
                if len(block) >= at + 2:
                    latest = max(latest, struct.unpack_from(">h", block, at)[0])
    except ValueError:
        pass  # a cut last cluster: what was read still dates it
    return float(base + latest) if base is not None else None
