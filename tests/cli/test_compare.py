"""The experiment grid: six models under one budget, a table from their cards, resume, exports."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from tui_lyrics import experiments as ex
from tui_lyrics.store import ModelStore

TINY_MODEL = {"layers": 1, "hidden": 16, "embed_dim": 8, "dropout": 0.0}
TINY_TRAIN = {"batch": 4, "seq": 16, "eval_every": 2, "patience": 0, "seed": 0}


def plan(home: Path, corpus_file: Path, **kwargs: object) -> ex.Experiment:
    options = {"cells": ["rnn", "lstm", "gru"], "inputs": ["embed", "onehot"], "budget": {"steps": 4},
               "model": TINY_MODEL, "train": TINY_TRAIN, "prefix": "我"} | kwargs  # fmt: skip
    return ex.new_experiment(home, str(corpus_file), **options)  # type: ignore[arg-type]


def test_grid_finishes_with_six_rows_from_the_cards(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file)
    assert ex.run_experiment(home, experiment)
    rows = ex.table(home, experiment)
    assert sorted((r.cell, r.input) for r in rows) == sorted(
        (c, i) for c in ("rnn", "lstm", "gru") for i in ("embed", "onehot")
    )
    store = ModelStore(home)
    for row in rows:
        card = store.read_card(row.models[0])
        assert row.best_loss == card["state"]["best_loss"] and row.params == card["params"]
        assert card["model"]["cell"] == row.cell and card["state"]["step"] == 4
    assert set(experiment.data["samples"]) == {r.models[0] for r in rows}
    assert all(text.startswith("我") for text in experiment.data["samples"].values())


def test_resume_skips_finished_models(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed", "onehot"])
    stop = threading.Event()
    started: list[int] = []

    def on_run(index: int, run: dict) -> None:
        started.append(index)
        if index == 1:
            stop.set()  # interrupt the second model before it takes a step

    assert not ex.run_experiment(home, experiment, on_run=on_run, stop=stop)
    first = ModelStore(home).folder(experiment.runs[0]["model"]).checkpoint().last
    stamp = first.stat().st_mtime_ns
    again = ex.open_experiment(home, experiment.id)
    resumed: list[int] = []
    assert ex.run_experiment(home, again, on_run=lambda i, r: resumed.append(i))
    assert resumed == [1] and first.stat().st_mtime_ns == stamp
    assert all(r["status"] == "done" for r in ex.open_experiment(home, experiment.id).runs)


def test_repeats_report_mean_and_spread(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file, cells=["rnn"], inputs=["embed"], repeats=2)
    ex.run_experiment(home, experiment)
    (row,) = ex.table(home, experiment)
    losses = [ModelStore(home).read_card(m)["state"]["best_loss"] for m in row.models]
    assert len(row.models) == 2 and row.best_loss == pytest.approx(sum(losses) / 2)
    assert row.best_loss_sd is not None and row.best_loss_sd > 0


def test_exports_round_trip(home: Path, corpus_file: Path, tmp_path: Path) -> None:
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"])
    ex.run_experiment(home, experiment)
    table_csv, curves_csv, whole = ex.export(home, experiment, tmp_path / "out")
    (row,) = ex.table(home, experiment)
    (read,) = list(csv.DictReader(table_csv.open(encoding="utf-8")))
    assert float(read["best_loss"]) == pytest.approx(row.best_loss) and read["cell"] == "gru"
    points = list(csv.DictReader(curves_csv.open(encoding="utf-8")))
    held = [p for p in points if p["kind"] == "held"]
    assert [int(p["step"]) for p in held] == [1, 2, 3, 4]  # short budgets are scored often
    data = json.loads(whole.read_text(encoding="utf-8"))
    assert data["table"][0]["best_loss"] == pytest.approx(row.best_loss)
    assert list(data["curves"]) == [row.models[0]]


def test_png_export(home: Path, corpus_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"])
    ex.run_experiment(home, experiment)
    png = ex.export_png(home, experiment, tmp_path / "plot.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_experiments_are_listed_and_deleted(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"], name="mine")
    assert [e.id for e in ex.list_experiments(home)] == ["mine"]
    ex.delete_experiment(home, experiment.id)
    assert ex.list_experiments(home) == []
