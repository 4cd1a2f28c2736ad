"""The messages threads and widgets send: small frozen facts named in the past tense.

The training thread, the engine import thread and the corpus/metrics readers reach the UI
only by posting these; a message only one screen uses lives in that screen's package
(``ui/library/messages.py``, ``ui/training/messages.py``, ``ui/compare/jobs.py``). Progress and
previews come often, so they define ``can_replace``: a backlog collapses to the newest one
instead of piling up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass
from typing import Any, TypeVar, dataclass_transform

from textual.message import Message

from tui_lyrics import progress
from tui_lyrics.card import ModelCard
from tui_lyrics.corpus import Corpus

M = TypeVar("M", bound=type[Message])


@dataclass_transform(eq_default=False)
def fact(cls: M) -> M:
    """A dataclass Message whose fields cannot be reassigned once made.

    ``dataclass(frozen=True)`` would forbid every attribute, and Textual writes its own
    bookkeeping (sender, stop flags) on each message as it travels; only the fields freeze.
    """
    # The same class, made a dataclass in place; Any because mypy cannot see a Message subclass
    # as a dataclass instance nor let a method be assigned on a class.
    made: Any = dataclass(eq=False)(cls)
    frozen = frozenset(f.name for f in dataclasses.fields(made))

    def __setattr__(self: Message, name: str, value: Any) -> None:
        if name in frozen and name in self.__dict__:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    made.__setattr__ = __setattr__
    return cls


@fact
class EngineLoaded(Message, bubble=False):
    """The torch engine finished importing in the background (or failed to)."""

    devices: tuple[str, ...]
    error: str | None = None


@fact
class HungUp(Message, bubble=False):
    """The terminal hung up (SIGHUP) and the run, if any, is saved: time to exit."""

    code: int


@fact
class ModelCreated(Message, bubble=False):
    """A new model folder was written; training is about to start."""

    name: str


@fact
class TrainingStarted(Message, bubble=False):
    name: str
    event: progress.TrainingStarted


@fact
class TrainingProgressed(Message, bubble=False):
    name: str
    event: progress.TrainingProgressed

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingProgressed) and message.name == self.name


@fact
class HeldOutScored(Message, bubble=False):
    name: str
    event: progress.HeldOutScored


@fact
class SamplePreviewed(Message, bubble=False):
    name: str
    event: progress.SamplePreviewed

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SamplePreviewed) and message.name == self.name


@fact
class TrainingFinished(Message, bubble=False):
    name: str
    event: progress.TrainingFinished
    takeover: bool = False
    """Refused by a lock whose holder cannot be checked from here: the app offers to take it over."""


# Each message class is called with the name and the matching event.
ENGINE_MESSAGES: dict[type, Callable[..., Message]] = {
    progress.TrainingStarted: TrainingStarted,
    progress.TrainingProgressed: TrainingProgressed,
    progress.HeldOutScored: HeldOutScored,
    progress.SamplePreviewed: SamplePreviewed,
    progress.TrainingFinished: TrainingFinished,
}


def message_for(name: str, event: progress.TrainEvent) -> Message:
    """Wrap an engine event in the matching app message."""
    return ENGINE_MESSAGES[type(event)](name=name, event=event)


@fact
class CorpusChecked(Message):
    """A corpus path was loaded and checked (in a thread): the corpus, or the engine's message."""

    path: str
    corpus: Corpus | None
    error: str | None = None


@fact
class MetricsRead(Message, bubble=False):
    """New rows of a model's ``metrics.jsonl`` (written by whichever process trains it)."""

    name: str
    rows: tuple[dict[str, Any], ...]
    card: ModelCard | None
    live: bool
    reset: bool = False
    """The rows start from the beginning of the file (the first read, or it was rewritten)."""


@fact
class RunsChanged(Message, bubble=False):
    """The run service began or ended a run, or a grid moved to its next model: the header redraws."""


@fact
class HeadlessRunsSeen(Message, bubble=False):
    """The models whose locks are held now, read in a thread (the app's own runs included)."""

    names: tuple[str, ...]
    fractions: tuple[tuple[str, float], ...] = ()
    """How far each run of another process is through its budget, where its metrics tell."""
