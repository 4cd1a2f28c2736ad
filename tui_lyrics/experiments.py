"""Experiments: the report's cell x input grid, trained under one budget and compared honestly.

An experiment is a folder under ``<home>/experiments/<id>`` holding ``experiment.json``: the
settings, one run per (cell, input, seed) with the name of its model, and, once done, the
samples. Figures are always read back from the models' own cards, so the table cannot
disagree with the library. Running is resumable: finished runs are skipped, a stopped one
continues from its checkpoint.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_lyrics.card import ModelCard
from tui_lyrics.config import DEFAULT_MAX_PARAMS as MAX_PARAMS
from tui_lyrics.durable import atomic_write_bytes, atomic_write_json, read_json
from tui_lyrics.errors import LyricsError, StoreError, describe_os_error, store_error
from tui_lyrics.metrics import read_metrics
from tui_lyrics.store import ModelStore, validate_name

FILE = "experiment.json"
FORMAT = "lyrics-tui/experiment"
MAX_ID = 40
"""An experiment name's longest: its models' names add up to 16 characters and stay within 64."""


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


@dataclass
class Experiment:
    id: str
    folder: Path
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def runs(self) -> list[dict[str, Any]]:
        runs: list[dict[str, Any]] = self.data["runs"]
        return runs

    def save(self) -> None:
        atomic_write_json(self.folder / FILE, self.data)


def experiments_dir(home: Path) -> Path:
    return home / "experiments"


def new_experiment(
    home: Path,
    corpus_path: str,
    *,
    cells: list[str],
    inputs: list[str],
    budget: dict[str, float],
    model: dict[str, Any],
    train: dict[str, Any],
    repeats: int = 1,
    prefix: str = "",
    name: str | None = None,
) -> Experiment:
    """Plan a grid: one run per cell x input x repeat, each with its own model name."""
    if repeats < 1:
        raise LyricsError("--repeats must be at least 1")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    exp_id = validate_name(name or f"cmp-{stamp}")
    if len(exp_id) > MAX_ID:
        raise StoreError(f"experiment name {exp_id!r} is too long: at most {MAX_ID} characters (its models add more)")
    folder = experiments_dir(home) / exp_id
    if folder.exists():
        raise StoreError(f"an experiment named {exp_id!r} already exists; resume it with --resume {exp_id}")
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise store_error(error, "create", folder) from error
    seed = int(train.get("seed", 0))
    store, taken = ModelStore(home), set[str]()
    runs = [
        {
            "cell": c,
            "input": i,
            "seed": seed + r,
            "model": _free_name(store, f"{exp_id}-{c}-{i}" + (f"-s{seed + r}" if repeats > 1 else ""), taken),
        }
        for c in cells
        for i in inputs
        for r in range(repeats)
    ]
    data = {
        "format": FORMAT,
        "id": exp_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(Path(corpus_path).resolve()),
        "settings": {
            "cells": cells,
            "inputs": inputs,
            "budget": budget,
            "model": model,
            "train": train,
            "repeats": repeats,
            "prefix": prefix,
        },
        "runs": runs,
        "samples": {},
    }
    experiment = Experiment(exp_id, folder, data)
    experiment.save()
    return experiment


def _free_name(store: ModelStore, base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``...: a name no model or folder has, so a user's model is never adopted."""
    name, n = validate_name(base), 2
    while name in taken or store.exists(name) or (store.root / name).exists():
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def owns(run: dict[str, Any]) -> bool:
    """Did this experiment make the run's model? Only then is it trained, tabled or deleted with it.

    ``created`` is recorded when the experiment makes the model; a run with a status (from
    experiments saved before ``created`` existed) was trained by it too.
    """
    return bool(run.get("created")) or run.get("status") is not None


def open_experiment(home: Path, exp_id: str) -> Experiment:
    folder = experiments_dir(home) / validate_name(exp_id)
    data = read_json(folder / FILE)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f"{folder / FILE} is not a lyrics-tui experiment")
    return Experiment(exp_id, folder, data)


def list_experiments(home: Path) -> list[Experiment]:
    root = experiments_dir(home)
    found = []
    try:
        folders = sorted(root.iterdir()) if root.is_dir() else []
    except OSError as error:
        raise store_error(error, "read", root) from error
    for folder in folders:
        try:
            found.append(open_experiment(home, folder.name))
        except (StoreError, LyricsError):
            continue
    return found


def delete_experiment(home: Path, exp_id: str, *, with_models: bool = False) -> None:
    import shutil

    experiment = open_experiment(home, exp_id)
    if with_models:
        store = ModelStore(home)
        for run in experiment.runs:
            if owns(run) and store.exists(run["model"]):
                store.delete(run["model"])
    try:
        shutil.rmtree(experiment.folder)
    except OSError as error:
        raise store_error(error, "delete", experiment.folder) from error


def run_experiment(
    home: Path,
    experiment: Experiment,
    *,
    on_run: Callable[[int, dict[str, Any]], None] | None = None,
    callback: Callable[[Any], None] | None = None,
    stop: threading.Event | None = None,
) -> bool:
    """Train every unfinished run in order; True when the whole grid is done.

    ``on_run(index, run)`` is called as each run starts; ``callback`` gets the engine's
    training events; ``stop`` interrupts the current run (it saves) and the grid.
    """
    from tui_lyrics.config import ModelConfig, TrainConfig
    from tui_lyrics.core.train import TrainControl, create_model, train
    from tui_lyrics.corpus import load_corpus

    store = ModelStore(home)
    settings = experiment.data["settings"]
    stop = stop or threading.Event()
    corpus = None
    for index, run in enumerate(experiment.runs):
        if stop.is_set():
            return False
        if run.get("status") == "done":
            continue
        mine = owns(run) and store.exists(run["model"])
        if not mine and (store.exists(run["model"]) or (store.root / run["model"]).exists()):
            run["model"] = _free_name(store, run["model"], {r["model"] for r in experiment.runs})  # taken since
        if on_run:
            on_run(index, run)
        if not mine:
            corpus = corpus or load_corpus(experiment.data["corpus"])
            # The grid compares networks, so each trains alone: an n-gram in the mix would hide
            # the differences between cells (on a small corpus it can carry most of the score).
            model = ModelConfig.from_dict({**settings["model"], "cell": run["cell"], "input": run["input"], "ngram": 0})
            budget = {"steps": None, "epochs": None, "minutes": None, **settings["budget"]}
            config = TrainConfig.from_dict({**settings["train"], **budget, "seed": run["seed"]})
            if config.steps:  # at least ~10 points on every held-out curve
                config = config.replace(eval_every=min(config.eval_every, max(1, config.steps // 10)))
            limit = settings.get("max_params", MAX_PARAMS)
            create_model(store, corpus, name=run["model"], model=model, train=config, max_params=limit)
            run["created"] = True
            experiment.save()
        minutes = settings["budget"].get("minutes")
        control = TrainControl(
            stop=stop, eval_seconds=minutes * 6 if minutes else None, max_params=settings.get("max_params", MAX_PARAMS),
            hurry=stop,  # a grid stopped (a quit too) measures a model's quotes when it resumes and finishes
        )  # fmt: skip
        finished = train(store, run["model"], callback=callback, control=control)
        run["status"] = "done" if finished.reason in ("budget", "early") else finished.reason
        experiment.save()
        if finished.reason == "error":
            raise LyricsError(f"{run['model']}: {finished.message}")
    if stop.is_set():
        return False
    _sample_all(store, experiment)
    return True


def _sample_all(store: ModelStore, experiment: Experiment) -> None:
    """One sample per model from the same prefix and seed, side by side in the table."""
    from tui_lyrics.config import SampleConfig
    from tui_lyrics.core.sample import load_model, sample_text

    prefix = experiment.data["settings"].get("prefix", "")
    config = SampleConfig(seed=0, length=120, lines=4, alternatives=0)
    for run in experiment.runs:
        lm = load_model(store, run["model"])
        experiment.data["samples"][run["model"]] = prefix + sample_text(lm, prefix, config)
    experiment.save()


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
