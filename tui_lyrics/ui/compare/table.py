"""The comparison table: one row per cell x input (repeats averaged, with their spread), sortable.

Sort by clicking a header, or by moving the cursor into a column and pressing ``o``; the same
column again reverses the order. Rows without a figure (a run not scored yet) sort last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from tui_lyrics.experiment_report import Row
from tui_lyrics.fmt import fmt_duration, fmt_ppl

COLUMNS: tuple[tuple[str, str], ...] = (
    ("cell", "Cell"),
    ("input", "Input"),
    ("best_loss", "Held-out"),
    ("best_ppl", "Ppl"),
    ("quotes", "Quotes"),
    ("train_loss", "Train"),
    ("best_step", "Step"),
    ("params", "Params"),
    ("chars_per_sec", "Chars/s"),
    ("seconds", "Time"),
)
"""(Row attribute, header) in display order, the result first: a narrow terminal cuts from the right.
``KEY`` below spells the short headers out."""
KEY = (
    "Held-out: best held-out loss (nats/char, ± spread over seeds) · Ppl: its perplexity · "
    "Quotes: share of 8-char windows of 8 seeded takes found in the corpus, with the default quote limit / "
    "with it off (—: not measured; eval measures it) · "
    "Train: final training loss · Step: where the best was reached · Time: training time"
)
TEXT_COLUMNS = {"cell", "input"}


def row_key(row: Row) -> str:
    return f"{row.cell}/{row.input}"


def _loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def quotes_cell(row: Row) -> str:
    """The memorisation meter's two shares, with the default quote limit / with it off."""
    if row.quotes is None or row.quotes_off is None:
        return "—"
    return f"{row.quotes:.1%} / {row.quotes_off:.1%}"


def row_cells(row: Row) -> tuple[Text, ...]:
    """A row as the table shows it; numbers right-aligned, spread as ``mean ± sd``."""
    best = _loss(row.best_loss) + (f" ± {row.best_loss_sd:.3f}" if row.best_loss_sd is not None else "")
    numbers = (
        best,
        fmt_ppl(row.best_loss),
        quotes_cell(row),
        _loss(row.train_loss),
        "—" if row.best_step is None else f"{row.best_step:,}",
        f"{row.params:,}",
        f"{row.chars_per_sec:,.0f}",
        fmt_duration(row.seconds),
    )
    return (Text(row.cell), Text(row.input), *(Text(n, justify="right") for n in numbers))


def sort_value(row: Row, column: str) -> tuple[bool, Any]:
    value = getattr(row, column)
    return (value is None, value if value is not None else 0)


class CompareTable(DataTable[Text]):
    """The table of an experiment; ``rows_shown`` are the ``Row`` objects in display order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "sort_here", "Sort", tooltip="Sort by the column under the cursor (again: reverse)"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.sort_column = "best_loss"
        self.sort_reverse = False
        self.rows_shown: list[Row] = []

    def on_mount(self) -> None:
        self._fill()

    def show(self, rows: Iterable[Row]) -> None:
        """Replace the rows (kept in the current sort order)."""
        self.rows_shown = list(rows)
        self._fill()

    def sort_by(self, column: str) -> None:
        """Sort by ``column`` (a ``Row`` attribute); the current column again reverses."""
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self._fill()

    def action_sort_here(self) -> None:
        self.sort_by(COLUMNS[self.cursor_column][0])

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def _fill(self) -> None:
        cursor = self.cursor_coordinate
        self.rows_shown.sort(key=lambda r: sort_value(r, self.sort_column), reverse=self.sort_reverse)
        if self.sort_reverse:  # unknown figures stay last either way
            self.rows_shown.sort(key=lambda r: getattr(r, self.sort_column) is None)
        cells = [row_cells(row) for row in self.rows_shown]
        arrow = " ▼" if self.sort_reverse else " ▲"
        self.clear(columns=True)
        for index, (key, header) in enumerate(COLUMNS):
            label = Text(header + (arrow if key == self.sort_column else ""))
            label.justify = "left" if key in TEXT_COLUMNS else "right"
            # Fixed widths: auto widths are measured on idle and a render in between can keep stale ones.
            width = max([label.cell_len, *(line[index].cell_len for line in cells)])
            self.add_column(label, key=key, width=width)
        for row, line in zip(self.rows_shown, cells, strict=True):
            self.add_row(*line, key=row_key(row))
        if self.row_count:
            self.move_cursor(row=min(cursor.row, self.row_count - 1), column=cursor.column, animate=False)
