"""How long a training budget will take, said in words before the run starts.

A minutes budget is its own answer; a budget in steps or epochs needs this machine's time per
step, which ``core.speed`` measures in about a second. The loop does more than steps: held-out
scoring (at most ~10%, ``core.train``), sample previews and saves; runs started from the form on
two shared cores took 1.06–1.4x the measured step time, so the estimate adds a quarter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

OVERHEAD = 0.25
"""Time the training loop spends besides optimiser steps, as a share of them (scoring, previews, saves)."""
SETUP_SECONDS = 5.0
"""Reading the corpus, building the vocabulary and the n-gram, before the clock starts."""


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


def budget_seconds(budget: Budget, *, seconds_per_step: float | None, per_epoch: int) -> float | None:
    """Wall-clock seconds the budget should take here; None while the speed is unknown."""
    if budget.kind == "minutes":
        return budget.value * 60
    steps = budget_steps(budget, per_epoch=per_epoch)
    if steps is None or seconds_per_step is None:
        return None
    return steps * seconds_per_step * (1 + OVERHEAD)


def in_words(seconds: float) -> str:
    """``42 s``, ``14 min``, ``1 h 05 min``: a duration as a sentence says it."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _now() -> datetime:
    return datetime.now()  # a seam: tests pin the clock so the line is the same every time


def describe(budget: Budget, *, seconds_per_step: float | None, per_epoch: int, now: datetime | None = None) -> str:
    """One line for the form: how long, until when, and where the number comes from."""
    seconds = budget_seconds(budget, seconds_per_step=seconds_per_step, per_epoch=per_epoch)
    if seconds is None:
        return "Time: measuring this machine's speed…"
    end = ((now or _now()) + timedelta(seconds=seconds + SETUP_SECONDS)).strftime("%H:%M")
    if budget.kind == "minutes":
        return f"Time: {in_words(seconds)} of training, done about {end} (then it saves and stops)"
    assert seconds_per_step is not None
    steps = budget_steps(budget, per_epoch=per_epoch) or 0
    return (
        f"Time: about {in_words(seconds)} on this machine, done about {end} "
        f"({steps:,} steps × {seconds_per_step:.2f} s measured, +25% for scoring and previews)"
    )
