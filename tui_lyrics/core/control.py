"""How another thread steers a running ``core.train.train``: stop, pause, hurry, and what to report.

Plain Python (threading events and numbers, no torch), so a screen or a command can make one and keep it
while the engine trains in a worker; the loop polls it between steps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tui_lyrics.config import DEFAULT_MAX_PARAMS


@dataclass
class TrainControl:
    """Lets another thread steer a running ``train``: the loop polls these between steps."""

    stop: threading.Event = field(default_factory=threading.Event)
    pause: threading.Event = field(default_factory=threading.Event)
    """Set: the loop waits (and its clock stops) until cleared or stopped."""
    preview_seconds: float | None = None
    """Send a SamplePreviewed from the current weights this often (None: never)."""
    eval_seconds: float | None = None
    """Also score the held-out text when this many seconds passed since the last time."""
    max_params: int = DEFAULT_MAX_PARAMS
    """Refuse to build a network larger than this (the card's settings are checked first)."""
    hurry: threading.Event = field(default_factory=threading.Event)
    """Set (a quit, a hang-up): once the run is saved, return without measuring its quotes
    (``RunRecord.measure_quotes``)."""
    measure_quotes: bool = True
    """Measure the memorisation meter on the best weights when the run ends (``core.quote_meter``)."""


__all__ = ["TrainControl"]
