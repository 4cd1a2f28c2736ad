"""What the Training screen's reading and measuring threads report: small frozen facts named in the past tense.

The run's own events (``TrainingProgressed`` and the rest) and ``MetricsRead`` are the app's and
the run service's too, so they stay in ``ui/messages.py``.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from tui_lyrics.ui.messages import fact
from tui_lyrics.ui.training.estimate import PastRun


@fact
class SpeedMeasured(Message, bubble=False):
    """This machine's time per training step for some settings (measured in a thread), or why not."""

    key: tuple[Any, ...]
    """The settings measured (model, batch, seq, device, threads, vocabulary size)."""
    seconds_per_step: float | None
    error: str | None = None
    factor: float | None = None
    """How many times slower the newest past run really trained than its own settings measure now."""


@fact
class PastRunRead(Message, bubble=False):
    """The newest model trained in this library and its real speed (read from the cards in a thread)."""

    run: PastRun | None
