"""The training form's time estimate and the monitor's smoothed readouts (no torch)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_card
from tui_lyrics.config import TrainConfig
from tui_lyrics.presets import preset
from tui_lyrics.ui.record import RunRecord
from tui_lyrics.ui.training.estimate import (
    Budget,
    budget_seconds,
    calibration,
    describe,
    in_words,
    newest_run,
    steps_per_epoch,
)

NOON = datetime(2026, 1, 1, 12, 0)


def test_a_minutes_budget_is_its_own_estimate() -> None:
    line = describe(Budget("minutes", 5), seconds_per_step=None, per_epoch=10, now=NOON)
    assert line.startswith("Time: 5 min of training, done about 12:05")


def test_steps_need_the_measured_speed_and_add_the_scoring_share() -> None:
    assert describe(Budget("steps", 4000), seconds_per_step=None, per_epoch=10).endswith("speed…")
    assert budget_seconds(Budget("steps", 4000), seconds_per_step=0.2, per_epoch=10) == 4000 * 0.2 * 1.25
    line = describe(Budget("steps", 4000), seconds_per_step=0.2, per_epoch=10, now=NOON)
    assert "about 17 min" in line and "12:16" in line and "4,000 steps" in line


def test_epochs_count_the_stream_steps() -> None:
    per_epoch = steps_per_epoch(51_000, batch=8, seq=64)
    assert per_epoch == (51_000 // 8 - 1) // 64
    assert budget_seconds(Budget("epochs", 2), seconds_per_step=1.0, per_epoch=per_epoch) == 2 * per_epoch * 1.25


def test_durations_in_words() -> None:
    assert [in_words(s) for s in (0.2, 42, 300, 3900)] == ["1 s", "42 s", "5 min", "1 h 05 min"]


def test_the_headline_loss_and_speed_are_smoothed_while_the_curve_keeps_every_reading() -> None:
    record = RunRecord("m", status="watching", read_only=True)
    rows = [
        {"kind": "train", "step": 10 * i, "loss": loss, "elapsed": float(i)}
        for i, loss in enumerate([5.1, 5.6, 5.8, 5.1])
    ]
    record.add_rows(rows, chars_per_step=100)
    assert record.train.values == [5.1, 5.6, 5.8, 5.1]
    assert record.train_loss is not None and 5.1 < record.train_loss < 5.4
    assert record.chars_per_sec == 1000.0


def test_a_watched_run_has_a_step_total_and_an_eta_from_its_own_rows() -> None:
    record = RunRecord("m", status="watching", read_only=True)
    record.take_card(make_card(params=10, train=TrainConfig(steps=1000, batch=8, seq=64)))
    record.add_rows([{"kind": "train", "step": s, "loss": 3.0, "elapsed": s / 10} for s in (100, 200)], 512)
    assert record.total_steps == 1000 and record.fraction == 0.2
    assert record.eta == 80.0  # 800 steps left at 0.1 s a step
    minutes = RunRecord("n", status="watching", read_only=True)
    minutes.take_card(make_card(train=TrainConfig(minutes=2, batch=8, seq=64)))
    minutes.add_rows([{"kind": "train", "step": 5, "loss": 3.0, "elapsed": 30.0}], 512)
    assert minutes.fraction == 0.25 and minutes.eta == 90.0


def test_a_watched_runs_clock_moves_between_readings() -> None:
    record = RunRecord("m", status="watching", read_only=True)
    record.add_rows([{"kind": "train", "step": 5, "loss": 3.0, "elapsed": 14.0}])
    assert record.read_at is not None
    assert record.live_elapsed(now=record.read_at + 16) == 30.0
    record.status = "idle"
    assert record.live_elapsed(now=record.read_at + 16) == 14.0


def write_past(home: Path, name: str, *, updated: str, chars: int, seconds: float, **fields: Any) -> None:
    folder = home / "models" / name
    folder.mkdir(parents=True)
    state = {"step": 100, "chars": chars, "train_seconds": seconds, "finished": True}
    card = make_card(name, state=state, updated=updated, **fields).to_dict()
    (folder / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")


def test_the_newest_run_trained_here_gives_its_real_speed(tmp_path: Path) -> None:
    from tui_lyrics.store import ModelStore

    assert newest_run(ModelStore(tmp_path)) is None
    tiny = preset("tiny")
    write_past(tmp_path, "old", updated="2026-01-01T00:00:00+00:00", chars=64_000, seconds=100.0)
    write_past(tmp_path, "new", updated="2026-02-01T00:00:00+00:00", chars=32_000, seconds=40.0, model=tiny.model,
               train=tiny.train)  # fmt: skip
    write_past(tmp_path, "blip", updated="2026-03-01T00:00:00+00:00", chars=900, seconds=2.0)  # too short to judge
    past = newest_run(ModelStore(tmp_path))
    assert past is not None and past.name == "new" and past.chars_per_sec == 800.0
    assert past.matches(tiny.model, tiny.train) and not past.matches(preset("small").model, tiny.train)
    assert not past.matches(tiny.model, replace(tiny.train, batch=tiny.train.batch * 2))
    per_step = tiny.train.batch * tiny.train.seq
    assert past.seconds_per_step(tiny.train) == per_step / 800.0
    # Ran 1.5x slower than its settings measure now: a new measurement is scaled by that, within range.
    assert calibration(past, per_step / 800.0 / 1.5) == pytest.approx(1.5)
    assert calibration(past, per_step / 800.0 / 50) == 4.0


def test_the_form_says_where_the_speed_comes_from() -> None:
    budget = Budget("steps", 4000)
    measured = describe(budget, seconds_per_step=0.2, per_epoch=10, now=NOON)
    assert "0.20 s measured, +25% for scoring and previews" in measured and "about 17 min" in measured
    past = describe(
        budget, seconds_per_step=0.2, per_epoch=10, now=NOON, overhead=0, source="0.20 s, as songs trained here"
    )
    assert "about 13 min" in past and "(4,000 steps × 0.20 s, as songs trained here)" in past
    scaled = describe(budget, seconds_per_step=0.2, per_epoch=10, now=NOON, overhead=0.5, source="×1.50")
    assert "about 20 min" in scaled
