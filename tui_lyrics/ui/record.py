"""What the training screen shows about one run, kept on the UI thread.

A ``RunRecord`` is fed either by the engine's events (a run in this app) or by the rows
another process appends to ``metrics.jsonl`` (a headless run being watched). The monitor
widget draws whichever it is given, so both look the same.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from tui_lyrics import progress
from tui_lyrics.card import ModelCard, ModelMemorisation
from tui_lyrics.quotes import quotes_of
from tui_lyrics.ui.status import RunStatus

CURVE_POINTS = 1024
SMOOTHING = 0.1
"""Weight of the newest reading in the headline loss and speed (an exponential moving average):
one progress event averages only ~0.1 s of steps, so single readings jump batch to batch."""


def smooth(average: float | None, value: float, weight: float = SMOOTHING) -> float:
    """The next value of an exponential moving average (the first reading starts it)."""
    return value if average is None else average + weight * (value - average)


class Curve:
    """A loss curve with a bounded number of points.

    When it fills up, neighbouring points are averaged in pairs and later points are
    averaged over twice as many values, so the x-axis stays uniform however long it runs.
    """

    def __init__(self, limit: int = CURVE_POINTS) -> None:
        self.limit = limit
        self.values: list[float] = []
        self.stride = 1
        self._pending: list[float] = []
        self.last: float | None = None

    def add(self, value: float) -> None:
        self.last = value
        self._pending.append(value)
        if len(self._pending) < self.stride:
            return
        self.values.append(sum(self._pending) / len(self._pending))
        self._pending = []
        if len(self.values) >= self.limit:
            pairs = zip(self.values[0::2], self.values[1::2], strict=False)
            self.values = [(a + b) / 2 for a, b in pairs]
            self.stride *= 2

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class HeldPoint:
    step: int
    held_loss: float
    train_loss: float
    song_loss: float | None = None
    """The same scoring read with song memory (``held_loss`` is the static one)."""


@dataclass
class RunRecord:
    """One run as the screen needs it; the status words are what the user reads."""

    name: str
    status: RunStatus = RunStatus.WAITING
    """Its words are in ``ui/status.py``'s one table."""
    read_only: bool = False
    """Watched from metrics another process writes: no pause or stop here."""
    device: str = ""
    params: int = 0
    step: int = 0
    total_steps: int | None = None
    epoch: float | None = None
    chars_per_sec: float | None = None
    lr: float | None = None
    elapsed: float | None = None
    eta: float | None = None
    fraction: float | None = None
    train: Curve = field(default_factory=Curve)
    held: list[HeldPoint] = field(default_factory=list)
    best_loss: float | None = None
    sample: tuple[int, str] | None = None
    message: str = ""
    train_loss: float | None = None
    """The training loss smoothed over recent events: the headline (the curve keeps every reading)."""
    budget_seconds: float | None = None
    """A minutes budget in seconds (from the card of a watched run)."""
    memorisation: ModelMemorisation | None = None
    """The memorisation meter of the best weights: read as the run ended, or from the card."""
    read_at: float | None = None
    """When ``elapsed`` was last read (monotonic seconds), to keep a watched run's clock moving."""
    _pace: tuple[int, float] | None = None
    """The first step and elapsed time seen in a watched run, for its ETA."""

    @property
    def active(self) -> bool:
        """Is the run still going (so it can be paused or stopped)?"""
        return RunStatus(self.status).active

    @property
    def overfitting(self) -> bool:
        """Held-out loss rose at the last two scorings while the training loss fell."""
        if len(self.held) < 3:
            return False
        a, b, c = self.held[-3:]
        return a.held_loss < b.held_loss < c.held_loss and a.train_loss > b.train_loss > c.train_loss

    def apply(self, event: progress.TrainEvent) -> None:
        """Fold one engine event into the record."""
        if isinstance(event, progress.TrainingProgressed):
            self._progressed(event)
        elif isinstance(event, progress.HeldOutScored):
            self.add_held(event.step, event.held_loss, event.train_loss, event.song_loss)
        elif isinstance(event, progress.SamplePreviewed):
            self.sample = (event.step, event.text)
        elif isinstance(event, progress.TrainingStarted):
            if self.status == RunStatus.WAITING:  # paused early stays paused
                self.status = RunStatus.RUNNING
            self.device, self.params, self.step = event.device, event.params, event.start_step
            self.total_steps = event.total_steps
        elif isinstance(event, progress.TrainingFinished):
            self.memorisation = event.memorisation
            ends = {"budget": RunStatus.FINISHED, "early": RunStatus.FINISHED, "stopped": RunStatus.STOPPED}
            self.status = ends.get(event.reason, RunStatus.FAILED)
            self.best_loss = event.best_loss if event.best_loss is not None else self.best_loss
            self.step = max(self.step, event.step)  # progress is throttled; the last step may be unseen
            self.message = event.message
            self.eta = None

    def _progressed(self, event: progress.TrainingProgressed) -> None:
        self.step, self.total_steps, self.epoch = event.step, event.total_steps, event.epoch
        self.chars_per_sec = smooth(self.chars_per_sec, event.chars_per_sec)
        self.lr, self.elapsed, self.read_at = event.lr, event.elapsed, time.monotonic()
        self.fraction, self.eta = event.fraction, event.eta
        self._add_loss(event.train_loss)

    def _add_loss(self, loss: float) -> None:
        self.train.add(loss)
        self.train_loss = smooth(self.train_loss, loss)

    def live_elapsed(self, now: float | None = None) -> float | None:
        """Training time now: a running or watched run's clock keeps moving between readings."""
        if self.elapsed is None or self.read_at is None or self.status not in (RunStatus.RUNNING, RunStatus.WATCHING):
            return self.elapsed
        return self.elapsed + max(0.0, (now if now is not None else time.monotonic()) - self.read_at)

    def add_held(self, step: int, held_loss: float, train_loss: float, song_loss: float | None = None) -> None:
        self.held.append(HeldPoint(step, held_loss, train_loss, song_loss))
        if self.best_loss is None or held_loss < self.best_loss:
            self.best_loss = held_loss

    def add_rows(self, rows: tuple[dict[str, Any], ...] | list[dict[str, Any]], chars_per_step: int = 0) -> None:
        """Fold rows of ``metrics.jsonl`` into the record (a watched or past run)."""
        for row in rows:
            try:
                if row.get("kind") == "train":
                    self._train_row(row, chars_per_step)
                elif row.get("kind") == "held":
                    song = row.get("song_loss")
                    held = (float(row["held_loss"]), float(row["train_loss"]))
                    self.add_held(int(row["step"]), *held, None if song is None else float(song))
            except (KeyError, TypeError, ValueError):
                continue  # a foreign or torn row: skip it, as the store's reader does

    def _train_row(self, row: dict[str, Any], chars_per_step: int) -> None:
        step, elapsed = int(row["step"]), float(row["elapsed"])
        if chars_per_step and self.elapsed is not None and elapsed > self.elapsed and step > self.step:
            self.chars_per_sec = smooth(
                self.chars_per_sec, (step - self.step) * chars_per_step / (elapsed - self.elapsed)
            )
        self.step, self.elapsed, self.read_at = step, elapsed, time.monotonic()
        self._pace = self._pace or (step, elapsed)
        self._budget_left(step, elapsed)
        self._add_loss(float(row["loss"]))

    def _budget_left(self, step: int, elapsed: float) -> None:
        """Fraction and ETA of a watched run, from its own rows and its card's budget."""
        if self.budget_seconds:
            self.fraction = min(1.0, elapsed / self.budget_seconds)
            self.eta = max(0.0, self.budget_seconds - elapsed)
        elif self.total_steps:
            self.fraction = min(1.0, step / self.total_steps)
            first_step, first_elapsed = self._pace or (step, elapsed)
            if step > first_step and elapsed > first_elapsed:
                self.eta = (self.total_steps - step) * (elapsed - first_elapsed) / (step - first_step)

    def take_card(self, card: ModelCard) -> int:
        """Settings from a model card; returns characters per step (to estimate speed)."""
        state, train = card.state, card.train
        self.params = card.params
        self.total_steps = train.steps or self.total_steps
        self.budget_seconds = train.minutes * 60 if train.minutes else None
        per_step = train.batch * train.seq
        if train.epochs and per_step and card.split is not None and card.split.train_chars:
            self.total_steps = max(1, math.ceil(train.epochs * card.split.train_chars / per_step))
        self.device = state.device or self.device
        self.memorisation = quotes_of(card)
        if state.best_loss is not None:
            self.best_loss = state.best_loss
        return per_step
