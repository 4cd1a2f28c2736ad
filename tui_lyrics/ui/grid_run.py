"""A compare grid training in a thread: its handle (``GridRun``) and its worker body (``train_grid``).

The run service (``ui/runs.py``) starts, stops and waits for the grid; this module holds what
the grid's own thread does: train every run of the experiment, note which model is training
(the header and the library read it), relay the grid's messages to whichever Compare screen is
listening, and mark the grid done once every model it touched is saved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tui_lyrics.ui.compare.jobs import GridRunStarted, run_grid
from tui_lyrics.ui.messages import RunsChanged

if TYPE_CHECKING:
    from tui_lyrics import experiments as ex


@dataclass
class GridRun:
    """A compare grid training in a thread: what it is, how to stop it, whether it has saved."""

    experiment_id: str
    total: int
    models: frozenset[str] = frozenset()
    """Every model of the grid (its locks are this app's, not another process's)."""
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    """Set by the grid's thread once it has returned (every model it touched is saved)."""
    model: str = ""
    """The model being trained now; written by the grid's thread (one reference), read by the UI."""
    last_run: GridRunStarted | None = None
    """The latest run the grid began, so a Compare screen opened later can show its progress."""
    listener: Callable[[Message], Any] | None = None
    """Where the grid's messages go: the Compare screen showing it, or None while none is open."""


def train_grid(grid: GridRun, home: Path, experiment: ex.Experiment, *, post: Callable[[Message], Any]) -> None:
    """Worker body: train ``experiment``'s grid; ``post`` (the app's) hears ``RunsChanged`` as it moves."""

    def relay(message: Message) -> None:
        if isinstance(message, GridRunStarted):
            grid.model, grid.last_run = message.model, message
            post(RunsChanged())  # the header names the grid's model count
        listener = grid.listener  # read once: the UI thread may swap it
        if listener is not None:
            listener(message)

    try:
        run_grid(home, experiment, post=relay, stop=grid.stop)
    finally:
        grid.model = ""
        grid.done.set()
        post(RunsChanged())
