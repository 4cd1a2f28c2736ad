"""Experiments: the report's cell x input grid, planned and kept on disk.

An experiment is a folder under ``<home>/experiments/<id>`` holding ``experiment.json``: the
settings, one run per (cell, input, seed) with the name of its model, and, once done, the
samples. This module owns that folder: planning, opening, listing and deleting. Running the
grid is ``experiment_run``'s job (resumable: finished runs are skipped, a stopped one continues
from its checkpoint); the table, curves and exports are ``experiment_report``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_lyrics.durable import atomic_write_json, read_json
from tui_lyrics.errors import LyricsError, StoreError, store_error
from tui_lyrics.store import ModelStore, validate_name

FILE = "experiment.json"
FORMAT = "lyrics-tui/experiment"
MAX_ID = 40
"""An experiment name's longest: its models' names add up to 16 characters and stay within 64."""


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
            "model": free_name(store, f"{exp_id}-{c}-{i}" + (f"-s{seed + r}" if repeats > 1 else ""), taken),
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


def free_name(store: ModelStore, base: str, taken: set[str]) -> str:
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
