"""MediaField: one media input of the Builder (frame image, reference videos or soundtrack).

A path/URL text box, an upload button and a Clear button. Uploads are kept as bytes in the
kernel; a loaded request's inline data (``data:...;base64,``) comes back as an upload.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import ipywidgets as W

from ..request import media
from ._html import escape, mark, row, styled

__all__ = ["UPLOAD_HELP", "MediaField", "Upload"]

UPLOAD_HELP: Final = (
    "Uploads travel over the notebook's websocket, which drops messages above about 10 MB; "
    "give a path or URL for bigger files."
)


@dataclass(frozen=True)
class Upload:
    """A file given through the upload button (or inline data of a loaded request)."""

    name: str
    data: bytes

    def label(self) -> str:
        return f"{self.name} ({len(self.data) / 1024:.0f} KB)"


class MediaField:
    """One media input: a path/URL text box plus an upload button, kept as bytes.

    ``multiple`` fields (reference videos) take one path or URL per line and several uploads;
    the others hold one value, and the most recent of text or upload wins.
    """

    def __init__(self, kind: media.MediaKind, name: str, *, multiple: bool = False) -> None:
        self.kind = kind
        self.multiple = multiple
        self.uploads: list[Upload] = []
        self._listeners: list[Callable[[], None]] = []
        placeholder = "one path or URL per line" if multiple else "path, URL or upload UUID"
        text_cls = W.Textarea if multiple else W.Text
        self.text = styled(
            text_cls(
                placeholder=placeholder, continuous_update=False, layout=W.Layout(width="420px")
            ),
            f"builder-{name}",
        )
        self.upload = styled(
            W.FileUpload(
                accept=",".join(media.EXTENSIONS[kind]),
                multiple=multiple,
                description="Upload",
                tooltip=UPLOAD_HELP,
            ),
            f"builder-{name}-upload",
        )
        self.clear = styled(
            W.Button(description="Clear", tooltip="forget this input", icon="times"),
            f"builder-{name}-clear",
        )
        self.clear.layout.width = "80px"
        self.status = styled(W.HTML(), f"builder-{name}-status")
        self.box = W.VBox([row(self.text, self.upload, self.clear), self.status])
        self.text.observe(self._on_text, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.clear.on_click(lambda _button: self.set_values([]))

    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def _changed(self) -> None:
        self.status.value = (
            "uploaded: " + escape(", ".join(u.label() for u in self.uploads))
            if self.uploads
            else ""
        )
        for callback in self._listeners:
            callback()

    def _on_text(self, change: dict[str, Any]) -> None:
        if change["new"].strip() and self.uploads and not self.multiple:
            self.uploads = []  # typing a path replaces the earlier upload
        self._changed()

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return  # our own reset below
        added = [Upload(str(f["name"]), bytes(f["content"])) for f in files]
        if self.multiple:
            self.uploads = [*self.uploads, *added]
        else:
            self.uploads = added[-1:]
            self.text.value = ""
        # We keep our own copy: resetting the widget frees its synced copy of the bytes and
        # lets the same file be chosen again.
        self.upload.value = ()
        self._changed()

    def values(self) -> list[str | bytes]:
        """Text entries first, then uploads, in the order given."""
        raw = self.text.value
        lines = raw.splitlines() if self.multiple else [raw]
        texts: list[str | bytes] = [line.strip() for line in lines if line.strip()]
        if not self.multiple and self.uploads:
            return [self.uploads[-1].data]
        return texts + [u.data for u in self.uploads]

    def set_values(self, values: Sequence[str]) -> None:
        """Load stored values: data URIs become uploads again, anything else text."""
        texts: list[str] = []
        uploads: list[Upload] = []
        for value in values:
            data = _decode_data_uri(value)
            if data is None:
                texts.append(value)
            else:
                uploads.append(Upload("inline data", data))
        self.uploads = uploads
        self.text.value = "\n".join(texts)
        self._changed()

    def set_invalid(self, invalid: bool) -> None:
        mark(self.text, invalid, "wan-builder-invalid")
        mark(self.upload, invalid, "wan-builder-invalid")


def _decode_data_uri(value: str) -> bytes | None:
    if not value.startswith("data:") or ";base64," not in value:
        return None
    try:
        return base64.b64decode(value.split(";base64,", 1)[1], validate=True)
    except ValueError:
        return None
