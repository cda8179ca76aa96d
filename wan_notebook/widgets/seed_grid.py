"""SeedGrid: several results side by side, played in sync; pick a winner."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping
from typing import Any

import traitlets

from .._status import JOB_STATUSES
from ..errors import CopyError
from ..request.catalog import OUTPUT_FPS
from ._base import WanWidget
from ._chunks import send_bytes, unreadable_message
from ._media_copies import copy_answer, in_background, sibling_url, tile_copy

__all__ = ["TILE_DEFAULTS", "SeedGrid"]

TILE_DEFAULTS: Mapping[str, Any] = {
    "key": "",
    "seed": None,
    "prompt": "",
    "status": "queued",
    "progress": -1.0,
    "cost": -1.0,
    "src": "",
    "fallback_src": "",
    "remote_src": "",
    "remote_expires": 0.0,
    "mime": "video/mp4",
    "error": "",
    "row": 0,
    "col": 0,
}
"""Every tile field with its default; missing fields are filled in from here."""

PickCallback = Callable[[str], Any]


def _normalize_tile(raw: object, index: int) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        msg = f"tiles[{index}] must be a dict, got {type(raw).__name__}"
        raise traitlets.TraitError(msg)
    unknown = set(raw) - set(TILE_DEFAULTS)
    if unknown:
        allowed = sorted(TILE_DEFAULTS)
        msg = f"tiles[{index}] has unknown field(s) {sorted(unknown)}; allowed: {allowed}"
        raise traitlets.TraitError(msg)
    tile = {**TILE_DEFAULTS, **raw}
    if not isinstance(tile["key"], str) or not tile["key"]:
        msg = f"tiles[{index}] needs a non-empty string 'key'"
        raise traitlets.TraitError(msg)
    if tile["status"] not in JOB_STATUSES:
        msg = f"tiles[{index}] status {tile['status']!r} is not one of {list(JOB_STATUSES)}"
        raise traitlets.TraitError(msg)
    if tile["seed"] is not None:
        tile["seed"] = int(tile["seed"])
    for name in ("progress", "cost", "remote_expires"):
        tile[name] = float(tile[name])
    for name in ("row", "col"):
        tile[name] = int(tile[name])
    for name in ("prompt", "src", "fallback_src", "remote_src", "mime", "error"):
        tile[name] = str(tile[name])
    return tile


class SeedGrid(WanWidget):
    """Tiles of several jobs with one control bar and synchronized playback.

    Without labels, tiles flow in a responsive grid (``columns`` = 0) or a
    fixed number of columns. With ``row_labels`` and ``col_labels`` the grid
    is a labelled matrix: rows are prompts, columns are seeds, and each tile's
    ``row``/``col`` says where it goes.

    Python replaces the whole ``tiles`` list to update it; tiles are matched
    by ``key``, so videos already playing keep playing.

    Each tile's video loads like a :class:`Player`'s (``src``, ``fallback_src``,
    ``remote_src`` while ``remote_expires`` is ahead); when every URL fails the
    browser asks for the tile's bytes, which are sent in chunks from the file given
    with :meth:`set_files` (kernel side only: paths are never synced).

    With ``previews`` on (and files given), each tile plays a small H.264 copy about as
    wide as it is drawn, made once beside the file (``name.tile480.mp4``), so a grid of
    16 1080p results does not decode 16 full streams; the enlarged tile plays the
    original. Where the host cannot decode the sound or the picture (VS Code), the copies
    have MP3 sound, and a tile that plays its original asks for the player's H.264 + MP3
    copy instead (``{"type": "need_copy", "key", "reason"}``, see ``Player``).

    Usage::

        grid = SeedGrid(tiles=[{"key": "s1", "seed": 1, "status": "queued"}, ...])
        grid.on_pick(lambda key: print("picked", key))
    """

    _kind = traitlets.Unicode("grid", read_only=True).tag(sync=True)

    tiles = traitlets.List(traitlets.Dict()).tag(sync=True)
    """One dict per tile; fields and defaults in :data:`TILE_DEFAULTS`."""

    row_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Row headings of a matrix (prompts); empty for a plain grid."""

    col_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Column headings of a matrix (seeds); empty for a plain grid."""

    columns = traitlets.Int(0).tag(sync=True)
    """Columns of a plain grid; ``0`` = as many as fit."""

    picked = traitlets.Unicode("").tag(sync=True)
    """Key of the picked tile, ``""`` for none. Synced both ways."""

    enlarged = traitlets.Unicode("").tag(sync=True)
    """Key of the enlarged tile, ``""`` for none. Synced both ways."""

    fps = traitlets.Float(float(OUTPUT_FPS)).tag(sync=True)
    """Frames per second (frame stepping and the sync dead band)."""

    playback_rate = traitlets.Float(1.0).tag(sync=True)
    """Playback speed of all tiles. Synced both ways."""

    loop = traitlets.Bool(True).tag(sync=True)
    """Loop playback (all tiles wrap together). Synced both ways."""

    previews = traitlets.Bool(True).tag(sync=True)
    """Tiles play small copies sized to the tile (the enlarged one: the original)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pick_callbacks: list[PickCallback] = []
        self._files: dict[str, pathlib.Path] = {}
        self._previews: dict[str, pathlib.Path] = {}
        self._copies: dict[str, pathlib.Path] = {}
        self._bytes_sent = 0
        self.observe(self._on_picked_change, names=["picked"])
        self.on_msg(self._handle_message)

    def __repr__(self) -> str:
        """``SeedGrid(tiles=4, picked='s2')``."""
        return f"{type(self).__name__}(tiles={len(self.tiles)}, picked={self.picked!r})"

    @traitlets.validate("tiles")
    def _check_tiles(self, proposal: dict[str, Any]) -> list[dict[str, Any]]:
        tiles = [_normalize_tile(raw, i) for i, raw in enumerate(proposal["value"])]
        keys = [t["key"] for t in tiles]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            msg = f"tile keys must be unique; repeated: {duplicates}"
            raise traitlets.TraitError(msg)
        return tiles

    @property
    def picked_tile(self) -> dict[str, Any] | None:
        """The picked tile's dict, or ``None``."""
        return next((t for t in self.tiles if t["key"] == self.picked), None)

    def update_tile(self, key: str, **fields: Any) -> None:
        """Change some fields of one tile (replaces the list, as syncing needs)."""
        if not any(t["key"] == key for t in self.tiles):
            msg = f"no tile with key {key!r}"
            raise KeyError(msg)
        self.tiles = [{**t, **fields} if t["key"] == key else t for t in self.tiles]

    def set_files(self, files: Mapping[str, pathlib.Path | str]) -> None:
        """Tell the grid which file each tile shows (by key), for the bytes fallback."""
        self._files.update({key: pathlib.Path(path) for key, path in files.items()})

    @property
    def bytes_sent(self) -> int:
        """Bytes of video sent over the comm so far (0 while the URLs worked)."""
        return self._bytes_sent

    def on_need_preview(self, key: str, width: int) -> None:
        """Make (or reuse) a silent ``width`` px copy of tile ``key``'s file, then send its
        URLs."""
        path = self._files.get(key)
        if path is None or not 16 <= width <= 4096:
            self.send({"type": "no_preview", "key": key})
            return
        self.send({"type": "preview_pending", "key": key})
        in_background(self._make_preview, key, path, width)

    def _make_preview(self, key: str, path: pathlib.Path, width: int) -> None:
        tile = next((t for t in self.tiles if t["key"] == key), None)
        try:
            copy = tile_copy(path, width)
        except CopyError as exc:
            self.send({"type": "no_preview", "key": key, "message": str(exc)})
            return
        if tile is None:
            return
        self._previews[key] = copy
        urls = {name: sibling_url(tile[name], copy.name) for name in ("src", "fallback_src")}
        self.send({"type": "preview", "key": key, "width": width, **urls})

    def on_need_copy(self, key: str, reason: str) -> None:
        """Make (or reuse) the H.264 + MP3 copy of tile ``key``'s file, then send its URLs
        (``{"type": "copy", "key", ...}``, or ``"no_copy"``)."""
        path = self._files.get(key)
        if path is None:
            self.send({"type": "no_copy", "key": key, "message": "There is no file to convert."})
            return
        self.send({"type": "copy_pending", "key": key})
        in_background(self._make_copy, key, path, reason)

    def _make_copy(self, key: str, path: pathlib.Path, reason: str) -> None:
        tile = next((t for t in self.tiles if t["key"] == key), TILE_DEFAULTS)
        copy, answer = copy_answer(path, reason, tile["src"], tile["fallback_src"])
        if copy is not None:
            self._copies[key] = copy
        self.send({**answer, "key": key})

    def on_need_bytes(self, key: str, variant: str = "") -> None:
        """Send the file of tile ``key`` (or of its ``variant``: ``"preview"``, ``"copy"``)
        in chunks, or tell the browser there is none."""
        made = {"preview": self._previews, "copy": self._copies}.get(variant)
        path = made.get(key) if made is not None else self._files.get(key)
        tile = next((t for t in self.tiles if t["key"] == key), None)
        if path is None or tile is None:
            self.send({"type": "no_bytes", "key": key, "message": unreadable_message(None)})
            return
        mime = "video/mp4" if made is not None else tile["mime"]
        try:
            self._bytes_sent += send_bytes(self.send, path, mime=mime, key=key)
        except OSError as exc:
            message = unreadable_message(path, exc)
            self.send({"type": "no_bytes", "key": key, "message": message})

    def _handle_message(self, _widget: object, content: Any, _buffers: object) -> None:
        if not isinstance(content, dict):
            return
        key = str(content.get("key", ""))
        if content.get("type") == "need_bytes":
            self.on_need_bytes(key, str(content.get("variant", "")))
        elif content.get("type") == "need_preview":
            try:
                width = int(content.get("width", 0))
            except (TypeError, ValueError):
                width = 0
            self.on_need_preview(key, width)
        elif content.get("type") == "need_copy":
            self.on_need_copy(key, str(content.get("reason", "audio")))

    def on_pick(self, callback: PickCallback, *, remove: bool = False) -> None:
        """Register (or remove) ``callback(key)``, run when the user picks a tile.

        Only picks made in the browser call it (``key`` is ``""`` when the
        user un-picks); setting ``grid.picked`` from Python does not.
        """
        if remove:
            if callback in self._pick_callbacks:
                self._pick_callbacks.remove(callback)
        elif callback not in self._pick_callbacks:
            self._pick_callbacks.append(callback)

    def _on_picked_change(self, change: dict[str, Any]) -> None:
        # ipywidgets holds the property lock while it applies state from the
        # front end, so a change made there is one the user made.
        if "picked" not in self._property_lock:
            return
        for callback in list(self._pick_callbacks):
            callback(change["new"])
