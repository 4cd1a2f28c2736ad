"""Following a model's ``metrics.jsonl`` as another process appends to it.

Only the bytes added since the last read are parsed, and only whole lines: the writer may
be half-way through one. Runs in a worker thread; the rows go to the UI in a message.
``headless_fraction`` reads only the file's tail, for the header's word on a run elsewhere.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_lyrics.errors import LyricsError
from tui_lyrics.metrics import METRICS
from tui_lyrics.ui.record import RunRecord

if TYPE_CHECKING:
    from tui_lyrics.store import ModelStore

TAIL_BYTES = 8192
"""How much of the end of a metrics file ``last_train_row`` reads (a row is ~80 bytes)."""


class MetricsTail:
    """Reads the rows appended to one model's metrics file since the previous call."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / METRICS
        self.offset = 0

    def read(self) -> tuple[list[dict[str, Any]], bool]:
        """New rows, and whether they start from the top (first read, or the file was replaced)."""
        reset = self.offset == 0
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, 2)
                if size < self.offset:  # truncated or rewritten: start over
                    self.offset, reset = 0, True
                handle.seek(self.offset)
                data = handle.read()
        except OSError:
            return [], reset
        end = data.rfind(b"\n") + 1
        self.offset += end
        rows = []
        for line in data[:end].splitlines():
            with contextlib.suppress(ValueError):
                row = json.loads(line)
                if isinstance(row, dict):
                    rows.append(row)
        return rows, reset


def last_train_row(folder: Path) -> dict[str, Any] | None:
    """The newest whole training row of ``folder``'s metrics, from the file's last few kilobytes only."""
    try:
        with (folder / METRICS).open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
    except OSError:
        return None
    lines = tail.splitlines(keepends=True)
    if size > TAIL_BYTES:
        lines = lines[1:]  # the first line may be the end of a row cut by the seek
    for line in reversed(lines):
        if not line.endswith(b"\n"):
            continue  # the writer is half-way through it
        with contextlib.suppress(ValueError):
            row = json.loads(line)
            if isinstance(row, dict) and row.get("kind") == "train":
                return row
    return None


def headless_fraction(store: ModelStore, name: str) -> float | None:
    """How far another process's run of ``name`` is through its budget, or None if it cannot tell yet.

    Its last training row against its card's budget, by the monitor's own arithmetic
    (``RunRecord``), so the header and a watching monitor agree. Cheap: a card and a file's tail.
    """
    try:
        row = last_train_row(store.path(name))
        card = store.card(name) if row is not None else None
    except (LyricsError, OSError):  # gone or half-written since the scan: no word on it this time
        return None
    if row is None or card is None:
        return None
    record = RunRecord(name)
    record.add_rows([row], record.take_card(card))
    return record.fraction
