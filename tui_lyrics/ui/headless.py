"""Runs of other processes: which models a headless ``lyrics-tui train`` is training now, and how far each is.

The run service (``runs.py``) asks ``read`` in a thread every few seconds: it reads the models'
locks, and for each run that is not the app's own, the card and the tail of the metrics
(``watch.headless_fraction``). ``saw`` keeps the answer on the UI thread; ``words`` is what the
header says of them.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

from tui_lyrics.store import is_live
from tui_lyrics.ui.messages import HeadlessRunsSeen
from tui_lyrics.ui.status import RunStatus
from tui_lyrics.ui.watch import headless_fraction

if TYPE_CHECKING:
    from tui_lyrics.store import ModelStore


def live_models(store: ModelStore) -> tuple[str, ...]:
    """Every model whose lock is held now (the app's own runs included): only the locks are read."""
    try:
        folders = sorted(store.root.iterdir())
    except OSError:
        return ()
    return tuple(f.name for f in folders if f.is_dir() and not f.name.startswith(".") and is_live(f))


def _said(fractions: dict[str, float]) -> dict[str, str]:
    return {name: f"{fraction:.0%}" for name, fraction in fractions.items()}


class HeadlessRuns:
    """The runs of other processes, from the last scan of the locks."""

    def __init__(self) -> None:
        self.names: tuple[str, ...] = ()
        """Models another process is training now."""
        self.fractions: dict[str, float] = {}
        """How far each of them is through its budget, where its metrics tell."""

    @staticmethod
    def read(store: ModelStore, mine: Set[str]) -> HeadlessRunsSeen:
        """Worker body: the held locks, and the progress of each run not in ``mine`` (the app's own)."""
        live = live_models(store)
        fractions = []
        for name in live:
            fraction = None if name in mine else headless_fraction(store, name)
            if fraction is not None:
                fractions.append((name, fraction))
        return HeadlessRunsSeen(names=live, fractions=tuple(fractions))

    def saw(self, live: tuple[str, ...], fractions: tuple[tuple[str, float], ...], *, mine: Set[str]) -> bool:
        """A scan's answer (on the UI thread): keep the runs not in ``mine``; True if what the header says of
        them changed (a run began or ended, or one moved by a percent)."""
        names = tuple(name for name in live if name not in mine)
        known = {name: fraction for name, fraction in fractions if name in names}
        changed = names != self.names or _said(known) != _said(self.fractions)
        self.names, self.fractions = names, known
        return changed

    def words(self) -> list[str]:
        """Each run for the header: ``● elsewhere: remote 30%`` (the name alone until its metrics tell)."""
        said = _said(self.fractions)
        return [
            f"{RunStatus.WATCHING.badge} {name}" + (f" {said[name]}" if name in said else "") for name in self.names
        ]
