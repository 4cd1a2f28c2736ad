"""The experiment grid: six models under one budget, a table from their cards, resume, exports."""

from __future__ import annotations

import csv
import errno
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from tui_lyrics import experiment_report, experiment_run
from tui_lyrics import experiments as ex
from tui_lyrics.errors import LyricsError, StoreError
from tui_lyrics.store import ModelStore

TINY_MODEL = {"layers": 1, "hidden": 16, "embed_dim": 8, "dropout": 0.0}
TINY_TRAIN = {"batch": 4, "seq": 16, "eval_every": 2, "patience": 0, "seed": 0}


def plan(home: Path, corpus_file: Path, **kwargs: object) -> ex.Experiment:
    options = {"cells": ["rnn", "lstm", "gru"], "inputs": ["embed", "onehot"], "budget": {"steps": 4},
               "model": TINY_MODEL, "train": TINY_TRAIN, "prefix": "我"} | kwargs  # fmt: skip
    return ex.new_experiment(home, str(corpus_file), **options)


def test_grid_finishes_with_six_rows_from_the_cards(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file)
    assert experiment_run.run_experiment(home, experiment)
    rows = experiment_report.table(home, experiment)
    assert sorted((r.cell, r.input) for r in rows) == sorted(
        (c, i) for c in ("rnn", "lstm", "gru") for i in ("embed", "onehot")
    )
    store = ModelStore(home)
    for row in rows:
        card = store.card(row.models[0])
        assert row.best_loss == card.state.best_loss and row.params == card.params
        assert card.model.cell == row.cell and card.state.step == 4
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

    assert not experiment_run.run_experiment(home, experiment, on_run=on_run, stop=stop)
    first = ModelStore(home).folder(experiment.runs[0]["model"]).checkpoint().last
    stamp = first.stat().st_mtime_ns
    again = ex.open_experiment(home, experiment.id)
    resumed: list[int] = []
    assert experiment_run.run_experiment(home, again, on_run=lambda i, r: resumed.append(i))
    assert resumed == [1] and first.stat().st_mtime_ns == stamp
    assert all(r["status"] == "done" for r in ex.open_experiment(home, experiment.id).runs)


def test_repeats_report_mean_and_spread(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file, cells=["rnn"], inputs=["embed"], repeats=2)
    experiment_run.run_experiment(home, experiment)
    (row,) = experiment_report.table(home, experiment)
    losses = [ModelStore(home).card(m).state.best_loss for m in row.models]
    assert len(row.models) == 2 and row.best_loss == pytest.approx(sum(losses) / 2)
    assert row.best_loss_sd is not None and row.best_loss_sd > 0


def test_exports_round_trip(home: Path, corpus_file: Path, tmp_path: Path) -> None:
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"])
    experiment_run.run_experiment(home, experiment)
    table_csv, curves_csv, whole = experiment_report.export(home, experiment, tmp_path / "out")
    (row,) = experiment_report.table(home, experiment)
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
    experiment_run.run_experiment(home, experiment)
    png = experiment_report.export_png(home, experiment, tmp_path / "plot.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_experiments_are_listed_and_deleted(home: Path, corpus_file: Path) -> None:
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"], name="mine")
    assert [e.id for e in ex.list_experiments(home)] == ["mine"]
    ex.delete_experiment(home, experiment.id)
    assert ex.list_experiments(home) == []


# --- names of its own, and outputs checked first ------------------------------------


def user_model(home: Path, source: str, name: str) -> Path:
    """A model of the user's named ``name`` (a copy of ``source``)."""
    shutil.copytree(home / "models" / source, home / "models" / name)
    return home / "models" / name


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_a_users_model_with_the_planned_name_is_never_adopted(home: Path, corpus_file: Path, tiny_model: str) -> None:
    mine = user_model(home, tiny_model, "jay-gru-embed")
    before = snapshot(mine)
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"], name="jay")
    assert [r["model"] for r in experiment.runs] == ["jay-gru-embed-2"]
    assert experiment_run.run_experiment(home, experiment)
    (row,) = experiment_report.table(home, experiment)
    assert row.models == ("jay-gru-embed-2",) and snapshot(mine) == before


def test_a_model_made_after_the_plan_is_not_adopted_nor_deleted(home: Path, corpus_file: Path, tiny_model: str) -> None:
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"], name="x")
    mine = user_model(home, tiny_model, "x-gru-embed")  # the user takes the name before the grid runs
    before = snapshot(mine)
    started: list[str] = []
    assert experiment_run.run_experiment(home, experiment, on_run=lambda i, run: started.append(run["model"]))
    assert started == ["x-gru-embed-2"]  # the app's progress names the model that trains
    assert experiment.runs[0]["model"] == "x-gru-embed-2" and experiment.runs[0]["created"]
    assert [r.models for r in experiment_report.table(home, experiment)] == [("x-gru-embed-2",)]
    ex.delete_experiment(home, "x", with_models=True)
    assert snapshot(mine) == before and not (home / "models" / "x-gru-embed-2").exists()


def test_an_experiment_name_too_long_for_its_models_is_refused(home: Path, corpus_file: Path) -> None:
    with pytest.raises(StoreError, match=r"is too long: at most 40 characters"):
        plan(home, corpus_file, name="n" * 41)


@pytest.mark.parametrize(
    ("folder", "png", "message"),
    [
        (None, "plot.jpg", r"^--png .*plot\.jpg: the file name must end in \.png$"),
        (None, "missing/plot.png", r"^--png .*plot\.png: the folder .*missing does not exist$"),
        (None, "adir", r"^--png .*adir: the file name must end in \.png$"),
        ("afile", None, r"^--export .*afile: it is a file, not a folder$"),
        ("missing/out", None, r"^--export .*out: the folder .*missing does not exist$"),
        ("x" * 300, None, r"the name is too long for the file system; use a shorter name$"),
    ],
)
def test_output_paths_are_checked(tmp_path: Path, folder: str | None, png: str | None, message: str) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    with pytest.raises(LyricsError, match=message):
        experiment_report.check_outputs(folder=folder and tmp_path / folder, png=png and tmp_path / png)


def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".probe"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(LyricsError) as caught:
        experiment_report.check_outputs(folder=tmp_path / "out")
    assert str(caught.value) == (
        f"--export {tmp_path / 'out'}: could not write in {tmp_path}: the file system is read-only; "
        "use another folder (--home or LYRICS_TUI_HOME)"
    )
    experiment_report.check_outputs()  # nothing asked, nothing checked


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--png", "plot.jpg"], "plot.jpg: the file name must end in .png"),
        (["--export", "no/such/dir"], "the folder no/such does not exist"),
        (["--hidden", "8192", "--layers", "8"], "over the limit of 100,000,000 (raise it with --max-params"),
        (["--steps", "0"], "the budget must be positive"),
        (["--hidden", "0"], "hidden must be 8–8192, not 0"),
    ],
)
def test_bad_compare_options_fail_before_anything_is_trained(
    home: Path, corpus_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui_lyrics", "compare", str(corpus_file), "--cells", "gru", *args],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("lyrics-tui: error: ") and message in result.stderr
    assert not (home / "experiments").exists() or not any((home / "experiments").iterdir())
    assert not (home / "models").exists()
