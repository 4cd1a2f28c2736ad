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
    job = TrainingJob(TrainPlan(tiny_model), store=ModelStore(home), engine=engine, post=posted.append)  # type: ignore[arg-type]
    job.run()
    finished = posted[-1]
    assert isinstance(finished, TrainingFinished) and finished.event.reason == "error"
    assert finished.event.message == (
        f"{home}/models/{tiny_model}/metrics.jsonl: the disk is full; free some space and try again"
    )
    assert job.done.is_set()
