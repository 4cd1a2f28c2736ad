"""A save that hits a full disk keeps the previous checkpoint, and says so in one line."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_lyrics
from tests.core.test_train import new_model, quick, small
from tui_lyrics import checkpoint_sets
from tui_lyrics.core.sample import load_model
from tui_lyrics.core.train import train
from tui_lyrics.store import ModelStore, is_live


def test_a_full_disk_during_a_save_keeps_the_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ModelStore(tmp_path)
    new_model(store, text=make_lyrics(600), model=small(), train=quick(steps=4, eval_every=4))
    assert train(store, "m").step == 4
    before = store.folder("m").checkpoint()

    def full(path: Path, data: bytes, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_sets, "write_durably", full)
    result = train(store, "m", train_config=quick(steps=8, eval_every=4))
    monkeypatch.undo()

    assert result.reason == "error" and "\n" not in result.message
    assert "the disk is full; free some space" in result.message and "previous checkpoint is kept" in result.message
    after = store.folder("m").checkpoint()
    assert after.card == before.card and after.last == before.last and after.note == ""
    assert not list(store.folder("m").checkpoints_path.glob(".*"))  # the half-made set is gone
    assert load_model(store, "m").weights == "best"  # still composes
    assert not is_live(store.path("m"))
    assert train(store, "m", train_config=quick(steps=8, eval_every=4)).step == 8  # and trains on with room
