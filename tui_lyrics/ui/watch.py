"""Following a model's ``metrics.jsonl`` as another process appends to it.

Only the bytes added since the last read are parsed, and only whole lines: the writer may
be half-way through one. Runs in a worker thread; the rows go to the UI in a message.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from tui_lyrics.store import METRICS


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
