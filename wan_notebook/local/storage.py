"""Files the local engine holds: uploads, rendered results, decoded inputs; ttl expiry.

Every file is named ``<uuid><ext>`` and served at ``/media/<uuid><ext>``. A file with a
ttl is deleted when it expires (a scheduled sweep, and a check on every lookup so an
expired file is never served even if the sweep is late); files without one live as long
as the engine. Media inputs arrive as upload UUIDs, data URIs, bare base64 or http(s)
URLs; ``materialize`` turns each into a checked local file or raises ``InputError`` with
the API's code (``invalidMediaInput``, ``downloadFailed``).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import shutil
import tempfile
import threading
import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .._files import write_atomic
from ..errors import InputError, MediaError
from ..request import media
from ..request.media import MediaKind

Schedule = Callable[[float, Callable[[], None]], None]  # (monotonic time, callback)

# media.EXTENSIONS read backwards: the extension a sniffed MIME type is stored under.
_EXT_FOR_MIME: dict[str, str] = {}
for _kind_exts in media.EXTENSIONS.values():
    for _ext, _mime in _kind_exts.items():
        _EXT_FOR_MIME.setdefault(_mime, _ext)
_FETCH_LIMIT = max(media.MAX_BYTES.values()) + 1


@dataclass(frozen=True)
class StoredFile:
    uuid: str
    path: Path
    mime: str
    size: int
    expires_at: float | None = None  # monotonic

    @property
    def name(self) -> str:
        return self.path.name

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now or time.monotonic()) >= self.expires_at


class Storage:
    """Uploads and results on disk, indexed by UUID and by served file name."""

    def __init__(
        self,
        root: Path | None,
        *,
        schedule: Schedule,
        ttl_scale: float = 1.0,
        fetch_timeout: float = 5.0,
    ) -> None:
        self._owned = root is None
        self.root = Path(tempfile.mkdtemp(prefix="wan-engine-")) if root is None else root
        for sub in ("results", "uploads", "inputs", "cache"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._schedule = schedule
        self._ttl_scale = ttl_scale
        self._fetch_timeout = fetch_timeout
        self._lock = threading.Lock()
        self._by_uuid: dict[str, StoredFile] = {}
        self._by_name: dict[str, StoredFile] = {}

    # ----- the index ---------------------------------------------------------------------

    def result_path(self, uuid: str, ext: str) -> Path:
        return self.root / "results" / f"{uuid}{ext}"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    def add(
        self,
        uuid: str,
        path: Path,
        mime: str,
        *,
        ttl: float | None = None,
        ttl_from: float | None = None,
    ) -> StoredFile:
        """Index a file; with ``ttl`` (API seconds, scaled) it expires after ``ttl_from + ttl``."""
        expires = None
        if ttl is not None:
            expires = (ttl_from or time.monotonic()) + ttl * self._ttl_scale
        stored = StoredFile(uuid, path, mime, path.stat().st_size, expires)
        with self._lock:
            self._by_uuid[uuid] = stored
            self._by_name[stored.name] = stored
        if expires is not None:
            self._schedule(expires, lambda: self._expire(uuid))
        return stored

    def get(self, name: str) -> StoredFile | None:
        """The live file served under ``name`` (``<uuid><ext>``), or None."""
        with self._lock:
            stored = self._by_name.get(name)
        if stored is not None and stored.expired():
            self.delete(stored.uuid)
            return None
        return stored

    def by_uuid(self, uuid: str) -> StoredFile | None:
        with self._lock:
            stored = self._by_uuid.get(uuid.lower())
        return None if stored is None or stored.expired() else stored

    def delete(self, uuid: str) -> bool:
        with self._lock:
            stored = self._by_uuid.pop(uuid.lower(), None)
            if stored is not None:
                self._by_name.pop(stored.name, None)
        if stored is None:
            return False
        stored.path.unlink(missing_ok=True)
        return True

    def _expire(self, uuid: str) -> None:
        stored = self.by_uuid_raw(uuid)
        if stored is not None and stored.expired():
            self.delete(uuid)

    def by_uuid_raw(self, uuid: str) -> StoredFile | None:
        with self._lock:
            return self._by_uuid.get(uuid)

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)

    # ----- uploads and inputs --------------------------------------------------------------

    def upload(self, value: object, kinds: tuple[MediaKind, ...], parameter: str) -> StoredFile:
        """Store an uploaded image/video/audio under a new UUID (kept for the engine's life)."""
        data = self.read_value(value, kinds, parameter)
        mime = self._check(data, kinds, parameter)
        new_uuid = str(uuidlib.uuid4())
        path = self.root / "uploads" / f"{new_uuid}{_EXT_FOR_MIME[mime]}"
        write_atomic(path, data, durable=False)  # no fsync: the engine is its only reader
        self._check_file(path, mime, parameter)
        return self.add(new_uuid, path, mime)

    def materialize(self, value: object, kind: MediaKind, parameter: str) -> Path:
        """A task input as a checked local file (uploads are used in place)."""
        if isinstance(value, str) and media.classify(value) == "uuid":
            stored = self.by_uuid(value)
            if stored is None:
                raise InputError(
                    "invalidMediaInput", f"no upload or result with UUID {value}", parameter
                )
            if not stored.mime.startswith(kind):
                raise InputError(
                    "invalidMediaInput", f"{value} is {stored.mime}, not a {kind}", parameter
                )
            return stored.path
        data = self.read_value(value, (kind,), parameter)
        mime = self._check(data, (kind,), parameter)
        path = self.root / "inputs" / f"{uuidlib.uuid4()}{_EXT_FOR_MIME[mime]}"
        write_atomic(path, data, durable=False)  # no fsync: the engine is its only reader
        self._check_file(path, mime, parameter)
        return path

    def read_value(self, value: object, kinds: tuple[MediaKind, ...], parameter: str) -> bytes:
        """The bytes behind a data URI, bare base64 or URL (fetched with a short timeout)."""
        if not isinstance(value, str) or not value.strip():
            raise InputError("invalidMediaInput", "expected a data URI, base64 or a URL", parameter)
        text = value.strip()
        form = media.classify(text)
        if form == "url":
            return self._fetch(text, parameter)
        if form == "data_uri":
            text = text.split(",", 1)[1]
        elif form != "base64":
            shown = ", ".join(kinds)
            raise InputError(
                "invalidMediaInput", f"not a data URI, base64 or URL of a {shown}", parameter
            )
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
        except (binascii.Error, ValueError) as exc:
            raise InputError(
                "invalidMediaInput", f"base64 does not decode: {exc}", parameter
            ) from exc

    def _fetch(self, url: str, parameter: str) -> bytes:
        try:
            with httpx.stream(
                "GET", url, timeout=self._fetch_timeout, follow_redirects=True
            ) as resp:
                if resp.status_code != 200:
                    raise InputError(
                        "downloadFailed", f"GET {url} answered HTTP {resp.status_code}", parameter
                    )
                chunks: list[bytes] = []
                total = 0
                for chunk in resp.iter_bytes():
                    total += len(chunk)
                    if total > _FETCH_LIMIT:
                        raise InputError(
                            "invalidMediaInput", f"{url} is over the size limit", parameter
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise InputError(
                "downloadFailed", f"GET {url} failed: {type(exc).__name__}", parameter
            ) from exc

    @staticmethod
    def _check(data: bytes, kinds: tuple[MediaKind, ...], parameter: str) -> str:
        mime = media.sniff_mime(data[:16])
        if mime is None or not any(mime.startswith(k) for k in kinds) or mime not in _EXT_FOR_MIME:
            wanted = " or ".join(kinds)
            found = mime or "unrecognised content"
            raise InputError("invalidMediaInput", f"expected a {wanted}, got {found}", parameter)
        kind = _kind_of(mime)
        if len(data) > media.MAX_BYTES[kind]:
            limit = media.MAX_BYTES[kind] // (1024 * 1024)
            raise InputError(
                "invalidMediaInput",
                f"{len(data)} bytes is over the {limit} MB {kind} limit",
                parameter,
            )
        return mime

    @staticmethod
    def _check_file(path: Path, mime: str, parameter: str) -> None:
        try:
            media.check_local(path, _kind_of(mime))
        except MediaError as exc:
            path.unlink(missing_ok=True)
            raise InputError(
                "invalidMediaInput", str(exc).replace(path.name, "input"), parameter
            ) from exc


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on this machine (fetched without any proxy from the environment)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _kind_of(mime: str) -> MediaKind:
    major = mime.split("/", 1)[0]
    for kind in media.EXTENSIONS:
        if kind == major:
            return kind
    raise ValueError(f"not a media MIME type: {mime}")
