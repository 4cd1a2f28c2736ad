"""The saved experiments: open one (its table, chart and samples, without training), resume or delete it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from tui_lyrics.ui.compare.jobs import Summary

LIST_COLUMNS = ("", "Experiment", "Created (UTC)", "Runs", "Budget", "Corpus")


class ExperimentList(DataTable[Text]):
    """One row per experiment, newest first; ``summaries`` is what is shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", tooltip="Show the selected experiment's results"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.summaries: tuple[Summary, ...] = ()
        self.running: str | None = None
        """The experiment this screen is training now, marked ●."""

    def on_mount(self) -> None:
        self.add_columns(*LIST_COLUMNS)

    def show(self, summaries: tuple[Summary, ...], *, select: str | None = None) -> None:
        """Replace the rows; the cursor stays on the selected experiment, or moves to ``select``."""
        selected = select or self.selected_id
        self.summaries = summaries
        self.clear()
        for s in summaries:
            state = "●" if s.id == self.running else "✓" if s.done == s.total else "◐"
            runs = Text(f"{s.done}/{s.total}", justify="right")
            self.add_row(Text(state), Text(s.id), Text(s.created), runs, Text(s.budget), Text(s.corpus), key=s.id)
        ids = [s.id for s in summaries]
        if selected in ids:
            self.move_cursor(row=ids.index(selected), animate=False)

    @property
    def selected_id(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    @property
    def selected(self) -> Summary | None:
        return next((s for s in self.summaries if s.id == self.selected_id), None)
