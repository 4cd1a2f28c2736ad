"""How long a training budget will take, said in words before the run starts.

A minutes budget is its own answer; a budget in steps or epochs needs this machine's time per
step. The best source is the newest model trained in this library (``PastRun``): its card's
characters over its training seconds is the speed a real run had here, scoring, previews, saves
and the machine's usual load included. With the same settings that speed is the answer. With
other settings ``core.speed`` measures both in about a second each, and the new measurement is
scaled by how much slower the last run ran than its own measurement (measured under load, runs
took 1.25-1.9x the measured step time). With no past run, the measurement gets a quarter more
for the loop's other work (held-out scoring is at most ~10%, ``core.train``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tui_lyrics.config import ModelConfig, TrainConfig, default_threads
from tui_lyrics.errors import LyricsError

if TYPE_CHECKING:
    from tui_lyrics.store import ModelStore

OVERHEAD = 0.25
"""Time the training loop spends besides optimiser steps, as a share of them (scoring, previews, saves)."""
SETUP_SECONDS = 5.0
"""Reading the corpus, building the vocabulary and the n-gram, before the clock starts."""
MIN_PAST_SECONDS = 10.0
"""A past run shorter than this says more about start-up than about speed: it is not used."""
FACTOR_RANGE = (0.5, 4.0)
"""How far a past run's real speed may scale a measurement (beyond it, one of them was a fluke)."""


@dataclass(frozen=True)
class PastRun:
    """The newest model trained in this library: its settings and the speed it really trained at."""

    name: str
    model: ModelConfig
    train: TrainConfig
    vocab: int
    chars_per_sec: float
    """Characters trained on over training seconds, from its card: the loop's other work included."""

    def matches(self, model: ModelConfig, train: TrainConfig) -> bool:
        """Would a run of these settings go at this run's speed (same network, batch, threads, device)?"""
        a, b = self.train, train
        threads = (a.threads or default_threads()) == (b.threads or default_threads())
        return self.model == model and (a.batch, a.seq, a.device) == (b.batch, b.seq, b.device) and threads

    def seconds_per_step(self, train: TrainConfig) -> float:
        return train.batch * train.seq / self.chars_per_sec


def newest_run(store: ModelStore) -> PastRun | None:
    """The user's model trained most recently, with enough training time to judge its speed (reads cards)."""
    rows = [r for r in store.list() if not (r.read_only or r.error) and r.train_seconds >= MIN_PAST_SECONDS]
    for info in sorted(rows, key=lambda r: r.updated, reverse=True):
        try:
            card = store.card(info.name)
        except (LyricsError, OSError):
            continue
        state = card.state
        if state.chars > 0 and state.train_seconds >= MIN_PAST_SECONDS:
            speed = state.chars / state.train_seconds
            return PastRun(info.name, card.model, card.train, card.vocab.size, speed)
    return None


def calibration(past: PastRun, measured_seconds_per_step: float) -> float:
    """How many times slower ``past`` really ran than a measurement of its settings says (kept in range)."""
    factor = past.seconds_per_step(past.train) / measured_seconds_per_step
    return min(max(factor, FACTOR_RANGE[0]), FACTOR_RANGE[1])


@dataclass(frozen=True)
class Budget:
    """A budget as the form holds it: ``kind`` is steps, epochs or minutes."""

    kind: str
    value: float


def steps_per_epoch(train_chars: int, *, batch: int, seq: int) -> int:
    """Steps in one pass over ``train_chars`` characters, as the stream batches count them."""
    return max(1, (train_chars // max(1, batch) - 1) // max(1, seq))


def budget_steps(budget: Budget, *, per_epoch: int) -> int | None:
    """Optimiser steps a steps or epochs budget allows (None for minutes)."""
    if budget.kind == "steps":
        return int(budget.value)
    if budget.kind == "epochs":
        return max(1, math.ceil(budget.value * per_epoch))
    return None


def budget_seconds(
    budget: Budget, *, seconds_per_step: float | None, per_epoch: int, overhead: float = OVERHEAD
) -> float | None:
    """Wall-clock seconds the budget should take here; None while the speed is unknown."""
    if budget.kind == "minutes":
        return budget.value * 60
    steps = budget_steps(budget, per_epoch=per_epoch)
    if steps is None or seconds_per_step is None:
        return None
    return steps * seconds_per_step * (1 + overhead)


def in_words(seconds: float) -> str:
    """``42 s``, ``14 min``, ``1 h 05 min``: a duration as a sentence says it."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _now() -> datetime:
    return datetime.now()  # a seam: tests pin the clock so the line is the same every time


def describe(
    budget: Budget,
    *,
    seconds_per_step: float | None,
    per_epoch: int,
    now: datetime | None = None,
    overhead: float = OVERHEAD,
    source: str = "",
) -> str:
    """One line for the form: how long, until when, and where the number comes from.

    ``seconds_per_step`` is a measurement that ``overhead`` scales; ``source`` replaces the words
    after the step count when the speed comes from elsewhere (a past run).
    """
    seconds = budget_seconds(budget, seconds_per_step=seconds_per_step, per_epoch=per_epoch, overhead=overhead)
    if seconds is None:
        return "Time: measuring this machine's speed…"
    end = ((now or _now()) + timedelta(seconds=seconds + SETUP_SECONDS)).strftime("%H:%M")
    if budget.kind == "minutes":
        return f"Time: {in_words(seconds)} of training, done about {end} (then it saves and stops)"
    assert seconds_per_step is not None
    steps = budget_steps(budget, per_epoch=per_epoch) or 0
    source = source or f"{seconds_per_step:.2f} s measured, +{overhead:.0%} for scoring and previews"
    return f"Time: about {in_words(seconds)} on this machine, done about {end} ({steps:,} steps × {source})"
