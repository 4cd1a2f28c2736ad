"""An experiment's results: the comparison table and curves read from its models' cards, and their export.

Figures are always read back from the models' own cards and metrics, so the table cannot disagree with
the library. Exports (CSV, JSON, a PNG chart) are written atomically; ``check_outputs`` refuses a bad
path before anything is trained.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_lyrics.card import ModelCard
from tui_lyrics.durable import atomic_write_bytes
from tui_lyrics.errors import LyricsError, describe_os_error, store_error
from tui_lyrics.experiments import Experiment, owns
from tui_lyrics.metrics import read_metrics
from tui_lyrics.store import ModelStore


@dataclass(frozen=True)
class Row:
    """One line of the comparison table (one model, or the mean of a cell's repeats)."""

    cell: str
    input: str
    params: int
    chars_per_sec: float
    train_loss: float | None
    best_loss: float | None
    best_step: int | None
    seconds: float
    models: tuple[str, ...]
    best_loss_sd: float | None = None
    """Spread (sample standard deviation) over repeats; None for a single run."""
    quotes: float | None = None
    """The memorisation meter (``card.ModelMemorisation``): share of 8-character windows of seeded takes found in
    the corpus with the app's default quote limit, mean over the repeats measured; None: none measured."""
    quotes_off: float | None = None
    """The same with the quote limit off (what the model itself would quote)."""

    @property
    def best_ppl(self) -> float | None:
        return None if self.best_loss is None else math.exp(self.best_loss)


def table(home: Path, experiment: Experiment) -> list[Row]:
    """The comparison, read from each model's card; repeats are averaged with their spread."""
    store = ModelStore(home)
    groups: dict[tuple[str, str], list[ModelCard]] = {}
    for run in experiment.runs:
        if owns(run) and store.exists(run["model"]):
            groups.setdefault((run["cell"], run["input"]), []).append(store.card(run["model"]))
    return [_row(cell, inp, cards) for (cell, inp), cards in groups.items()]


def _row(cell: str, inp: str, cards: list[ModelCard]) -> Row:
    def mean(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.fmean(known) if known else None

    from tui_lyrics.quotes import quotes_of

    states = [c.state for c in cards]
    quotes = [m for m in map(quotes_of, cards) if m is not None]
    best = [s.best_loss for s in states]
    known_best = [b for b in best if b is not None]
    return Row(
        cell=cell,
        input=inp,
        params=cards[0].params,
        chars_per_sec=mean([s.chars / max(1e-9, s.train_seconds) for s in states]) or 0.0,
        train_loss=mean([s.train_loss for s in states]),
        best_loss=mean(best),
        best_step=round(mean([None if s.best_step is None else float(s.best_step) for s in states]) or 0)
        if known_best
        else None,
        seconds=mean([s.train_seconds for s in states]) or 0.0,
        models=tuple(c.name for c in cards),
        best_loss_sd=statistics.stdev(known_best) if len(known_best) > 1 else None,
        quotes=mean([m.limited.share for m in quotes]),
        quotes_off=mean([m.unlimited.share for m in quotes]),
    )


def curves(home: Path, experiment: Experiment) -> dict[str, dict[str, list[dict[str, float]]]]:
    """Every model's held-out curve (from its card) and training curve (from its metrics)."""
    store = ModelStore(home)
    result = {}
    for run in experiment.runs:
        if not (owns(run) and store.exists(run["model"])):
            continue
        card = store.card(run["model"])
        train_points = [
            {"step": m["step"], "loss": m["loss"], "elapsed": m["elapsed"]}
            for m in read_metrics(store.path(run["model"]))
            if m.get("kind") == "train"
        ]
        result[run["model"]] = {"held": [p.to_dict() for p in card.history], "train": train_points}
    return result


TABLE_FIELDS = ("cell", "input", "params", "chars_per_sec", "train_loss", "best_loss", "best_loss_sd",
                "best_ppl", "best_step", "seconds", "models", "quotes", "quotes_off")  # fmt: skip


def table_records(rows: list[Row]) -> list[dict[str, Any]]:
    return [{f: (list(getattr(r, f)) if f == "models" else getattr(r, f)) for f in TABLE_FIELDS} for r in rows]


def check_outputs(*, folder: Path | None = None, png: Path | None = None, flags: bool = True) -> None:
    """Refuse, before anything is trained, an export folder or PNG file that could not be written.

    The folder may be new but its parent must exist; the PNG's name must end in .png, its folder
    must exist, and matplotlib must be installed. Writability is tested by making a file there.
    Messages start with the flag and its value (``flags``, for the CLI) or the path alone.
    """
    if folder is not None:
        what = f"--export {folder}" if flags else str(folder)
        _check_name(folder, what)
        if folder.exists() and not folder.is_dir():
            raise LyricsError(f"{what}: it is a file, not a folder")
        _check_writable(folder if folder.is_dir() else folder.parent, what)
    if png is not None:
        what = f"--png {png}" if flags else str(png)
        if png.suffix.lower() != ".png":
            raise LyricsError(f"{what}: the file name must end in .png")
        _check_name(png, what)
        if png.is_dir():
            raise LyricsError(f"{what}: it is a folder; give a file name ending in .png")
        _check_writable(png.parent, what)
        import importlib.util

        if importlib.util.find_spec("matplotlib") is None:
            raise LyricsError("PNG export needs matplotlib: pip install 'lyrics-tui[plot]'")


def _check_name(path: Path, what: str) -> None:
    import os

    with contextlib.suppress(OSError, ValueError):  # a parent that does not exist is reported next
        if len(os.fsencode(path.name)) > os.pathconf(path.parent, "PC_NAME_MAX"):
            raise LyricsError(f"{what}: the name is too long for the file system; use a shorter name")


def _check_writable(parent: Path, what: str) -> None:
    import os
    import tempfile

    if not parent.is_dir():
        raise LyricsError(f"{what}: the folder {parent} does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=parent, prefix=".lyrics-tui-probe-")
    except OSError as error:
        raise LyricsError(f"{what}: {describe_os_error(error, 'write in', parent)}") from None
    os.close(fd)
    os.unlink(probe)


def export(home: Path, experiment: Experiment, out: Path) -> list[Path]:
    """Write the table and curves as CSV and JSON into ``out``; returns the files written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise store_error(error, "create", out) from error
    rows = table_records(table(home, experiment))
    all_curves = curves(home, experiment)
    files = {
        out / f"{experiment.id}-table.csv": _csv(rows, TABLE_FIELDS),
        out / f"{experiment.id}-curves.csv": _csv(
            _flat_curves(all_curves), ("model", "kind", "step", "loss", "elapsed")
        ),
        out / f"{experiment.id}.json": _json({"experiment": experiment.data, "table": rows, "curves": all_curves}),
    }
    for path, text in files.items():
        atomic_write_bytes(path, text.encode("utf-8"))
    return list(files)


def _flat_curves(all_curves: dict[str, dict[str, list[dict[str, float]]]]) -> list[dict[str, Any]]:
    flat = []
    for model, kinds in all_curves.items():
        flat += [{"model": model, "kind": "held", "step": p["step"], "loss": p["held_loss"],
                  "elapsed": p["elapsed"]} for p in kinds["held"]]  # fmt: skip
        flat += [{"model": model, "kind": "train", **p} for p in kinds["train"]]
    return flat


def _csv(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (";".join(v) if isinstance(v, list) else v) for k, v in row.items()})
    return buffer.getvalue()


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=1)


def export_png(home: Path, experiment: Experiment, path: Path) -> Path:
    """The report's figure: every model's held-out loss over steps (needs the plot extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise LyricsError("PNG export needs matplotlib: pip install 'lyrics-tui[plot]'") from error
    fig, ax = plt.subplots(figsize=(8, 5))
    for model, kinds in curves(home, experiment).items():
        ax.plot([p["step"] for p in kinds["held"]], [p["held_loss"] for p in kinds["held"]], label=model)
    ax.set_xlabel("step")
    ax.set_ylabel("held-out cross-entropy (nats/char)")
    ax.set_title(f"{experiment.id}: held-out loss")
    ax.legend(fontsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path
