"""A run's status as the app shows it: one enum and one table of the words for it.

The monitor's title and the header's subtitle read their words from ``LABELS``, so a status
is named once. ``RunStatus`` is a ``StrEnum``: it compares equal to its plain word.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    WAITING = "waiting"
    """Started; waiting for the engine to load."""
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"
    """Asked to stop; saving its checkpoint."""
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    WATCHING = "watching"
    """Trained by another process; this app reads its metrics."""
    IDLE = "idle"
    """Not training: a model looked at, not run."""

    @property
    def active(self) -> bool:
        """Still this app's run (it can be paused or stopped)."""
        return self in ACTIVE

    @property
    def label(self) -> str:
        """The words in the training monitor's title."""
        return LABELS[self][0]

    @property
    def badge(self) -> str:
        """The words in the header's subtitle, before the model's name."""
        return LABELS[self][1]


ACTIVE = frozenset({RunStatus.WAITING, RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.STOPPING})

LABELS: dict[RunStatus, tuple[str, str]] = {
    RunStatus.WAITING: ("starting…", "● starting"),
    RunStatus.RUNNING: ("● training", "● training"),
    RunStatus.PAUSED: ("⏸ paused", "⏸ paused"),
    RunStatus.STOPPING: ("stopping, saving the checkpoint…", "● saving"),
    RunStatus.FINISHED: ("✓ finished", "✓ finished"),
    RunStatus.STOPPED: ("■ stopped (checkpoint saved)", "■ stopped"),
    RunStatus.FAILED: ("✗ failed", "✗ failed"),
    RunStatus.WATCHING: ("● trained by another process (read-only)", "● elsewhere:"),
    RunStatus.IDLE: ("not training", "not training"),
}
"""Each status: (the monitor's words, the header's words)."""
