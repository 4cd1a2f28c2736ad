"""The live curve, ``metrics.jsonl`` in a model's folder: appended while training, read by watchers.

One JSON object per line. A kill can tear the last line: readers skip it, and a resume trims
the points written after the checkpoint it starts from. Torch-free.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from tui_lyrics.durable import atomic_write_bytes, fault_point
from tui_lyrics.errors import StoreError, describe_os_error

METRICS = "metrics.jsonl"


def append_metrics(folder: Path, rows: list[dict[str, Any]]) -> None:
    """Append curve points for live watchers; a torn last line is skipped by the reader."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    with open(folder / METRICS, "a", encoding="utf-8") as handle:
        handle.write(text[: len(text) // 2])
        handle.flush()
        fault_point("metrics")  # tests only: a kill mid-append leaves a torn line
        handle.write(text[len(text) // 2 :])


def read_metrics(folder: Path) -> list[dict[str, Any]]:
    """Every curve point written so far; a torn line is skipped, a missing file is no points."""
    rows: list[dict[str, Any]] = []
    try:
        lines = (folder / METRICS).read_text(encoding="utf-8").splitlines()
    except OSError:
        return rows
    for line in lines:
        with contextlib.suppress(ValueError):
            row = json.loads(line)
            if isinstance(row, dict):
                rows.append(row)
    return rows


def trim_metrics(folder: Path, step: int) -> None:
    """Drop curve points past ``step`` (written after the checkpoint a resume starts from)."""
    path = folder / METRICS
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(describe_os_error(error, "read", path)) from error
    except UnicodeDecodeError as error:
        raise StoreError(f"{path} is corrupt ({error})") from error
    kept = []
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a torn last line
        if isinstance(row, dict) and isinstance(row.get("step"), int) and row["step"] <= step:
            kept.append(line)
    if len(kept) != len(lines):
        atomic_write_bytes(path, "".join(f"{line}\n" for line in kept).encode("utf-8"))
