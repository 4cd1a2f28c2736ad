"""The events the engine emits while training, consumed alike by the CLI and the app.

The engine calls one callback with these small frozen dataclasses; it never prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_lyrics.card import ModelMemorisation


def perplexity(loss: float) -> float:
    """exp(cross-entropy in nats per character); inf when it overflows."""
    return math.exp(loss) if loss < 700 else math.inf


@dataclass(frozen=True)
class TrainingStarted:
    name: str
    device: str
    params: int
    total_steps: int | None
    """Known for step and epoch budgets; None for a wall-clock budget."""
    start_step: int
    train_chars: int
    held_chars: int
    note: str = ""
    """What opening the model repaired or fell back on (a damaged newer checkpoint, leftovers of a killed save)."""


@dataclass(frozen=True)
class TrainingProgressed:
    """Sent at most ~10 times a second."""

    step: int
    total_steps: int | None
    epoch: float
    train_loss: float
    """Mean training cross-entropy (nats/char) since the previous event."""
    chars_per_sec: float
    lr: float
    elapsed: float
    """Seconds of training in this model's life, resumed runs included."""
    fraction: float
    """How much of the budget is spent, 0..1."""
    eta: float | None
    """Seconds left, when it can be estimated."""


@dataclass(frozen=True)
class HeldOutScored:
    step: int
    held_loss: float
    train_loss: float
    elapsed: float
    best: bool
    """This is the lowest held-out loss so far (the ``best`` checkpoint was written)."""
    network_loss: float | None = None
    """The network's own held-out loss when ``held_loss`` is its mixture with the n-gram."""
    song_loss: float | None = None
    """The same model read with song memory (its n-gram also counts the held-out text read so far), beside
    ``held_loss`` (static: given the training text only); None for the network alone."""

    @property
    def held_ppl(self) -> float:
        return perplexity(self.held_loss)

    @property
    def train_ppl(self) -> float:
        return perplexity(self.train_loss)


@dataclass(frozen=True)
class SamplePreviewed:
    step: int
    text: str


@dataclass(frozen=True)
class TrainingFinished:
    name: str
    reason: str
    """budget (spent), early (held-out loss stopped improving), stopped (asked to) or error."""
    step: int
    best_loss: float | None
    message: str = ""
    memorisation: ModelMemorisation | None = None
    """The memorisation meter of the best weights, read as the run ended (None: not read, e.g. a quit)."""

    @property
    def best_ppl(self) -> float | None:
        return None if self.best_loss is None else perplexity(self.best_loss)


TrainEvent = TrainingStarted | TrainingProgressed | HeldOutScored | SamplePreviewed | TrainingFinished
Callback = Callable[[TrainEvent], None]
