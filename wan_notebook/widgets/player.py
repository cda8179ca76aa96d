"""Player: plays one generated video, with loop, speed and frame-step controls."""

from __future__ import annotations

import pathlib
import threading
from typing import Any

import traitlets

from ..request.catalog import OUTPUT_FPS, VIDEO_MIME_BY_SUFFIX
from ._base import WanWidget
from ._chunks import send_bytes, unreadable_message
from ._media_copies import copy_answer

__all__ = ["Player"]

_MIN_RATE = 0.0625  # Chromium's limits for HTMLMediaElement.playbackRate
_MAX_RATE = 16.0


class Player(WanWidget):
    """An HTML5 video player for one result.

    The browser tries ``src`` and ``fallback_src`` (the server's ``/files/`` URL and the
    relative path), and ``remote_src``, the API's own URL, while ``remote_expires`` is
    ahead: first on a JupyterLab / Notebook 7 page, last elsewhere (VS Code, Colab). When
    every URL fails it sends ``{"type": "need_bytes"}`` and :meth:`on_need_bytes` sends
    the file in chunks of at most 4 MB as custom messages, which the browser plays from a
    Blob URL. Bytes are never a trait, so never stored in the notebook file.

    Where the host cannot decode the sound (AAC, Opus) or the picture (VP9), as in VS
    Code, the browser sends ``{"type": "need_copy", "reason": "audio" | "video"}`` and
    the player answers with the URLs of an H.264 + MP3 copy made once beside the file
    (``name.compat.mp4``, see ``_media_copies``), which the browser plays with a note.

    Usage::

        player = Player.from_file(path, src="/files/wan_media/fox.mp4", seed=7)
    """

    _kind = traitlets.Unicode("player", read_only=True).tag(sync=True)

    src = traitlets.Unicode("").tag(sync=True)
    """URL the browser loads first: a ``/files/...`` path or an http(s) URL; may be ``""``."""

    fallback_src = traitlets.Unicode("").tag(sync=True)
    """Second URL to try (e.g. the notebook-relative path)."""

    remote_src = traitlets.Unicode("").tag(sync=True)
    """The API's own (https) URL of the file, e.g. Runware's ``videoURL``; ``""`` if none."""

    remote_expires = traitlets.Float(0.0).tag(sync=True)
    """Epoch seconds when ``remote_src`` stops working (its ttl); ``0`` = unknown."""

    mime = traitlets.Enum(tuple(VIDEO_MIME_BY_SUFFIX.values()), default_value="video/mp4").tag(
        sync=True
    )
    """MIME type of the video (``video/mp4``, ``video/webm`` or ``video/quicktime``)."""

    poster = traitlets.Unicode("").tag(sync=True)
    """Poster image: a data URI or URL; ``""`` for none."""

    prompt = traitlets.Unicode("").tag(sync=True)
    """Prompt shown under the video (truncated; full text on hover)."""

    seed = traitlets.Int(None, allow_none=True).tag(sync=True)
    """Seed of the generation, if known."""

    duration = traitlets.Float(0.0).tag(sync=True)
    """Duration in seconds (``0``: read it from the video)."""

    fps = traitlets.Float(float(OUTPUT_FPS)).tag(sync=True)
    """Frames per second; the frame-step buttons move by ``1/fps``."""

    cost = traitlets.Float(-1.0).tag(sync=True)
    """Cost in USD; ``-1`` = unknown."""

    width = traitlets.Int(0).tag(sync=True)
    """Video width in pixels (``0``: unknown)."""

    height = traitlets.Int(0).tag(sync=True)
    """Video height in pixels (``0``: unknown)."""

    download_name = traitlets.Unicode("").tag(sync=True)
    """File name offered by the Download link."""

    loop = traitlets.Bool(True).tag(sync=True)
    """Loop playback. Synced both ways."""

    muted = traitlets.Bool(True).tag(sync=True)
    """Start muted (browsers allow autoplay only when muted). Synced both ways."""

    autoplay = traitlets.Bool(False).tag(sync=True)
    """Start playing when the video is ready (a blocked autoplay shows a hint)."""

    playback_rate = traitlets.Float(1.0).tag(sync=True)
    """Playback speed, 0.0625..16. Synced both ways."""

    _repr_traits = ("src", "seed", "duration", "mime")
    _repr_always = ("src",)

    def __init__(self, **kwargs: Any) -> None:
        path = kwargs.pop("path", None)
        super().__init__(**kwargs)
        self._path: pathlib.Path | None = pathlib.Path(path) if path is not None else None
        self._bytes_sent = 0
        self._copy: pathlib.Path | None = None
        self._copy_job: threading.Thread | None = None
        self.on_msg(self._handle_message)

    @classmethod
    def from_file(
        cls,
        path: pathlib.Path | str,
        *,
        src: str,
        fallback_src: str = "",
        **meta: Any,
    ) -> Player:
        """A player for a video file on the kernel's disk.

        ``src``/``fallback_src`` are the URLs the browser should try; ``path``
        is read only if both fail. ``mime`` and ``download_name`` default to
        what the file name says; other keyword arguments set traits.
        """
        file = pathlib.Path(path)
        meta.setdefault("mime", VIDEO_MIME_BY_SUFFIX.get(file.suffix.lower(), "video/mp4"))
        meta.setdefault("download_name", file.name)
        return cls(src=src, fallback_src=fallback_src, path=file, **meta)

    @property
    def path(self) -> pathlib.Path | None:
        """The file behind this player, if it was made with :meth:`from_file`."""
        return self._path

    @property
    def bytes_sent(self) -> int:
        """Bytes of video sent over the comm so far (0 while a URL worked)."""
        return self._bytes_sent

    @traitlets.validate("playback_rate")
    def _check_rate(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not _MIN_RATE <= value <= _MAX_RATE:
            msg = f"playback_rate must be between {_MIN_RATE} and {_MAX_RATE}, got {value!r}"
            raise traitlets.TraitError(msg)
        return value

    def on_need_bytes(self) -> None:
        """Answer the browser's request for the video bytes.

        The default sends :attr:`path` with :meth:`send_video`. Without a readable file
        the browser is told there is nothing to play. Subclasses may override this
        (e.g. to send bytes from a cache with ``send_video(data)``).
        """
        if self._path is None:
            self.send({"type": "no_bytes", "message": unreadable_message(None)})
            return
        try:
            self.send_video(self._path)
        except OSError as exc:
            self.send({"type": "no_bytes", "message": unreadable_message(self._path, exc)})

    def send_video(self, source: pathlib.Path | bytes) -> int:
        """Send a file (or bytes) to the browser in chunks; return the bytes sent."""
        sent = send_bytes(self.send, source, mime=self.mime)
        self._bytes_sent += sent
        return sent

    def on_need_copy(self, reason: str) -> None:
        """Make (or reuse) the playable copy in a thread, then send its URLs."""
        if self._path is None:
            self.send({"type": "no_copy", "message": "There is no file to convert."})
            return
        if self._copy_job is None or not self._copy_job.is_alive():
            self._copy_job = threading.Thread(
                target=self._make_copy, args=(self._path, reason), name="wan-copy", daemon=True
            )
            self._copy_job.start()

    def _make_copy(self, original: pathlib.Path, reason: str) -> None:
        copy, answer = copy_answer(original, reason, self.src, self.fallback_src)
        if copy is not None:
            self._copy = copy
        self.send(answer)

    def _handle_message(self, _widget: object, content: Any, _buffers: list[bytes]) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "need_bytes" and content.get("variant") == "copy" and self._copy is not None:
            try:
                self._bytes_sent += send_bytes(self.send, self._copy, mime="video/mp4")
            except OSError as exc:
                self.send({"type": "no_bytes", "message": unreadable_message(self._copy, exc)})
        elif kind == "need_bytes":
            self.on_need_bytes()
        elif kind == "need_copy":
            self.on_need_copy(str(content.get("reason", "audio")))
