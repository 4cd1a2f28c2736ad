"""Clocks for a training run: loss and speed between progress events, training time.

Torch-free helpers of ``core.train``; the training time excludes pauses and carries over
from earlier sessions of the same model.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_lyrics.core.control import TrainControl


class Meter:
    """Averages the training loss and measures characters/s between two progress events."""

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.losses: list[float] = []
        self.chars = 0

    def add(self, loss: float, chars: int) -> None:
        self.losses.append(loss)
        self.chars += chars

    def take(self) -> tuple[float, float]:
        now = time.monotonic()
        result = (sum(self.losses) / len(self.losses), self.chars / max(1e-9, now - self.since))
        self.since, self.losses, self.chars = now, [], 0
        return result


class Clock:
    """Training time across sessions, not counting pauses."""

    def __init__(self, before: float) -> None:
        self.before = before
        self.started = time.monotonic()
        self.paused = 0.0
        self.last_save = self.last_preview = self.started

    def session(self) -> float:
        return time.monotonic() - self.started - self.paused

    def elapsed(self) -> float:
        return self.before + self.session()

    def pause_while(self, control: TrainControl) -> None:
        began = time.monotonic()
        while control.pause.is_set() and not control.stop.is_set():
            control.stop.wait(0.1)
        self.paused += time.monotonic() - began
