"""A file error in a training run reaches the app as one line in TrainingFinished, never a crash."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tui_lyrics.store import ModelStore
from tui_lyrics.ui.jobs import TrainingJob, TrainPlan
from tui_lyrics.ui.messages import TrainingFinished


def test_an_os_error_while_training_is_a_message(tiny_model: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui_lyrics.core.train as core_train

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(home / "models" / tiny_model / "metrics.jsonl"))

    monkeypatch.setattr(core_train, "train", full_disk)
    engine = SimpleNamespace(ready=threading.Event(), error=None)
    engine.ready.set()
    posted: list[object] = []
    job = TrainingJob(TrainPlan(tiny_model), store=ModelStore(home), engine=engine, post=posted.append)
    job.run()
    finished = posted[-1]
    assert isinstance(finished, TrainingFinished) and finished.event.reason == "error"
    assert finished.event.message == (
        f"{home}/models/{tiny_model}/metrics.jsonl: the disk is full; free some space and try again"
    )
    assert job.done.is_set()


def test_an_os_error_in_the_grid_is_a_message(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_lyrics import experiment_run
    from tui_lyrics import experiments as ex
    from tui_lyrics.ui.compare.jobs import GridFinished, run_grid

    def read_only(*args: object, **kwargs: object) -> bool:
        raise OSError(errno.EROFS, "Read-only file system", str(home / "models" / "g"))

    monkeypatch.setattr(experiment_run, "run_experiment", read_only)
    experiment = ex.Experiment("g", home, {"runs": [], "settings": {}})
    posted: list[object] = []
    run_grid(home, experiment, post=posted.append, stop=threading.Event())
    (finished,) = posted
    assert isinstance(finished, GridFinished) and not finished.done
    assert (
        finished.error
        == f"{home}/models/g: the file system is read-only; use another folder (--home or LYRICS_TUI_HOME)"
    )


def test_an_export_to_a_bad_path_is_one_line_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    from tui_lyrics.ui.compare.jobs import write_exports

    written = write_exports(home, "nothing-yet", png=tmp_path / "chart.jpg")
    assert written.paths == () and written.error == f"{tmp_path / 'chart.jpg'}: the file name must end in .png"
    written = write_exports(home, "nothing-yet", folder=tmp_path / "no" / "out")
    assert written.error == f"{tmp_path / 'no' / 'out'}: the folder {tmp_path / 'no'} does not exist"
