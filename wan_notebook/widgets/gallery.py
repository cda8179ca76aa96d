"""HistoryGallery: stored videos as a filterable grid of cards (``wan_notebook.history()``).

Each card shows a small poster of the first frame (a JPEG data URI of at most 12 KB, so a
saved notebook stays small), the prompt, seed, cost and date, and four actions: Open (a
player below the grid), Load in builder, Run again (a new generation of the stored request)
and Export (a folder with a manifest and the files, see ``wan_notebook.store.export``).

Filters (prompt text, date, maximum cost) narrow the loaded entries at once, in the kernel;
``history(limit=...)`` decides how many entries are loaded from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final

import ipywidgets as W

from .._text import shorten
from ..display import history_sentence, live_sentence, static_history_html
from ..errors import InvalidRequestError
from ..request.models import VideoRequest
from ..store import HistoryItem, Store, export_history, history_items
from ._args import check_type
from ._history_card import card_html, item_player
from ._html import error_html, escape, mark, note, styled, stylesheet
from ._slots import show_static, show_widget
from .builder import Builder
from .job_view import job_widget

__all__ = ["HistoryGallery", "history"]

PAGE_SIZE: Final = 24

DateLike = date | datetime | float | int | str
_DATE_LIKE: Final = "a date, a datetime, an ISO date string, epoch seconds or None"


def to_epoch(value: DateLike | None) -> float | None:
    """Epoch seconds of a date (local midnight), a datetime, an ISO string or a number."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.timestamp()  # naive datetimes are local time, as a person means them
    return datetime.combine(value, time.min).timestamp()


def _as_date(value: DateLike | None) -> date | None:
    epoch = to_epoch(value)
    return datetime.fromtimestamp(epoch).date() if epoch is not None else None


def _parse_cost(text: str) -> float | None:
    """The max-cost box: empty means any; "$0.50" and "0.5" both work."""
    cleaned = text.strip().lstrip("$").strip()
    return float(cleaned) if cleaned else None


def _styled(widget: Any, name: str) -> Any:
    return styled(widget, f"history-{name}")


class HistoryGallery(W.VBox):  # type: ignore[misc]
    """A grid of stored videos with filters and per-video actions."""

    def __init__(
        self,
        entries: Iterable[Any],
        *,
        text: str | None = None,
        since: DateLike | None = None,
        max_cost: float | None = None,
        page_size: int = PAGE_SIZE,
        export_dir: str | Path = "wan_export",
    ) -> None:
        self.items: list[HistoryItem] = history_items(entries)
        self.page_size = page_size
        self._limit = page_size
        self._cards: dict[int, Any] = {}  # built lazily: a poster costs a video decode
        self.text = _styled(
            W.Text(value=text or "", placeholder="prompt contains…", description="text"), "text"
        )
        self.since = _styled(W.DatePicker(value=_as_date(since), description="since"), "since")
        self.max_cost = _styled(
            W.Text(
                value="" if max_cost is None else f"{max_cost:g}",
                placeholder="any",
                description="max $",
                layout=W.Layout(width="160px"),
            ),
            "max-cost",
        )
        self.count = _styled(W.HTML(), "count")
        self.grid = _styled(
            W.GridBox(
                layout=W.Layout(
                    grid_template_columns="repeat(auto-fill, minmax(210px, 1fr))",
                    grid_gap="8px",
                    width="100%",
                )
            ),
            "grid",
        )
        self.more = _styled(W.Button(description="Show more", icon="chevron-down"), "more")
        self.export_dir = _styled(
            W.Text(value=str(export_dir), description="export to"), "export-dir"
        )
        self.export_all = _styled(
            W.Button(description="Export shown", icon="download"), "export-all"
        )
        self.status = _styled(W.HTML(), "status")
        self.detail = _styled(W.VBox(), "detail")
        super().__init__(
            [
                stylesheet(),
                W.HBox([self.text, self.since, self.max_cost], layout=W.Layout(flex_flow="wrap")),
                self.count,
                self.grid,
                self.more,
                W.HBox([self.export_dir, self.export_all]),
                self.status,
                self.detail,
            ],
            layout=W.Layout(width="100%"),
        )
        self.add_class("wan-history")
        self.add_class("wan-live")  # its static copy stays hidden while it is shown
        for control in (self.text, self.since, self.max_cost):
            control.observe(self._on_filter, names="value")
        self.more.on_click(lambda _button: self._show_more())
        self.export_all.on_click(lambda _button: self._export_clicked(self.filtered))
        self._render()

    # ----- filtering -------------------------------------------------------------------------

    @property
    def filtered(self) -> list[HistoryItem]:
        """The items that pass the filters, newest first (the store's order)."""
        return [item for _, item in self._matching()]

    def _matching(self) -> list[tuple[int, HistoryItem]]:
        needle = self.text.value.strip().lower()
        since = to_epoch(self.since.value)
        try:
            cap = _parse_cost(self.max_cost.value)
        except ValueError:
            cap = None  # shown as invalid by _render; filter as if empty
        out = []
        for index, item in enumerate(self.items):
            if needle and needle not in item.prompt.lower():
                continue
            if since is not None and (item.created or 0.0) < since:
                continue
            # Unknown cost counts as 0, as in the store's own filter.
            if cap is not None and (item.shown_cost[0] or 0.0) > cap + 1e-9:
                continue
            out.append((index, item))
        return out

    def _on_filter(self, _change: dict[str, Any]) -> None:
        self._limit = self.page_size
        self._render()

    def _show_more(self) -> None:
        self._limit += self.page_size
        self._render()

    def _render(self) -> None:
        matching = self._matching()
        shown = matching[: self._limit]
        self.grid.children = tuple(self._card(index, item) for index, item in shown)
        self.more.layout.display = "flex" if len(matching) > len(shown) else "none"
        self._mark_cost_box()
        self.count.value = _count_html(len(matching), len(self.items), len(shown))

    def _mark_cost_box(self) -> None:
        try:
            _parse_cost(self.max_cost.value)
        except ValueError:
            mark(self.max_cost, True, "wan-history-invalid")
        else:
            mark(self.max_cost, False, "wan-history-invalid")

    # ----- cards -----------------------------------------------------------------------------

    def _card(self, index: int, item: HistoryItem) -> Any:
        card = self._cards.get(index)
        if card is None:
            card = self._cards[index] = self._make_card(item)
        return card

    def _make_card(self, item: HistoryItem) -> Any:
        body = W.HTML(card_html(item))
        actions: Sequence[tuple[str, str, Callable[[HistoryItem], Any]]] = (
            ("Open", "open", self.show_video),
            ("Load in builder", "load", self.load_in_builder),
            ("Run again", "again", self.run_again),
            ("Export", "export", lambda it: self._export_clicked([it])),
        )
        buttons = []
        for label, css, action in actions:
            button = _styled(W.Button(description=label, layout=W.Layout(width="auto")), css)
            button.on_click(lambda _button, act=action: self._safely(act, item))
            buttons.append(button)
        buttons[0].disabled = not item.file_ok
        card = W.VBox(
            [body, W.HBox(buttons, layout=W.Layout(flex_flow="row wrap"))],
            layout=W.Layout(border="1px solid #ddd", padding="6px"),
        )
        card.add_class("wan-history-card")
        return card

    def _safely(self, action: Callable[[HistoryItem], Any], item: HistoryItem) -> None:
        try:
            action(item)
        # A click handler's exception goes to the Jupyter log console, where nobody sees it;
        # show it under the grid instead.
        except Exception as exc:  # noqa: BLE001
            self.status.value = error_html(exc)

    # ----- actions ---------------------------------------------------------------------------

    def show_video(self, item: HistoryItem) -> Any:
        """Show a player for the item's video below the grid; returns the player."""
        player = item_player(item)
        self._set_detail(f"Seed {item.seed}: {item.prompt}", player)
        return player

    def load_in_builder(self, item: HistoryItem) -> Any:
        """Show a Builder filled with the item's request and seed; returns the Builder."""
        request = stored_request(item, seed=item.seed)
        builder = Builder.from_request(request, title=f"From history: {shorten(item.prompt, 50)}")
        self._set_detail("", builder)
        return builder

    def run_again(self, item: HistoryItem) -> Any:
        """Generate the stored request again (a new video, not the cached one); returns the Job."""
        from .. import jobs  # late: the gallery shows stored videos without the job machinery

        try:
            request = stored_request(item)
        except InvalidRequestError as exc:
            self.status.value = error_html(exc)
            return None
        job = jobs.generate(request, new=True)
        self._set_detail(f"Run again: {item.prompt}", job_widget(job))
        return job

    def export(self, items: Sequence[HistoryItem] | None = None) -> Path:
        """Export items (default: those shown) into a new subfolder of the export folder."""
        chosen = list(self.filtered if items is None else items)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        return export_history(chosen, Path(self.export_dir.value) / stamp)

    def _export_clicked(self, items: Sequence[HistoryItem]) -> None:
        manifest = self.export(items)
        noun = "video" if len(items) == 1 else "videos"
        self.status.value = (
            f"Exported {len(items)} {noun} to <code>{escape(str(manifest.parent))}</code>"
            " (manifest.json and media/)."
        )

    def _set_detail(self, heading: str, widget: Any) -> None:
        close = _styled(W.Button(description="Close", icon="times"), "close")
        close.on_click(lambda _button: setattr(self.detail, "children", ()))
        head = W.HTML(f"<b>{escape(shorten(heading, 120))}</b>") if heading else W.HTML()
        # Children are replaced, never an Output widget written to: run-again views update
        # from the kernel loop, where Output capture would go to the wrong cell.
        self.detail.children = (W.HBox([head, close]), widget)

    def __repr__(self) -> str:
        return f"HistoryGallery(shown={len(self._matching())}, total={len(self.items)})"

    def _ipython_display_(self) -> None:
        # The gallery, then its static copy (filled at once: its entries are all stored).
        show_widget(self, live_sentence("Wan 2.6 history gallery"))
        shown = self.filtered
        show_static(static_history_html(shown), history_sentence(shown))


def stored_request(item: HistoryItem, *, seed: int | None = None) -> VideoRequest:
    """The request of a stored item as a new task (fresh taskUUID); raises if now invalid."""
    data = dict(item.request)
    data.pop("taskUUID", None)  # the old id would make the API answer with the old task
    if seed is not None:
        data["seed"] = seed
    return VideoRequest.model_validate(data)


def _count_html(matching: int, total: int, shown: int) -> str:
    noun = "result" if total == 1 else "results"
    text = f"{matching} of {total} {noun}"
    if shown < matching:
        text += f" (showing {shown})"
    if total == 0:
        text = "No stored videos yet."
    return note(text, css="wan-aside")


def history(
    limit: int = 50,
    text: str | None = None,
    since: DateLike | None = None,
    max_cost: float | None = None,
) -> HistoryGallery:
    """The gallery of stored videos, newest first.

    The store returns the newest ``limit`` finished tasks that pass the filters; the
    filters stay editable in the gallery, where they narrow what was loaded.
    """
    from ..settings import get_settings

    check_type("history()", "limit", limit, int, "an int")
    check_type("history()", "text", text, (str, type(None)), "a string or None")
    check_type("history()", "since", since, (date, int, float, str, type(None)), _DATE_LIKE)
    check_type("history()", "max_cost", max_cost, (int, float, type(None)), "a number or None")
    store = Store.open(get_settings().media_dir)
    entries = store.history_entries(limit, text=text, since=to_epoch(since), max_cost=max_cost)
    return HistoryGallery(entries, text=text, since=since, max_cost=max_cost)
