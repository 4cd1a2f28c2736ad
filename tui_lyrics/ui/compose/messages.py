"""What Compose's workers report: small frozen facts named in the past tense.

Each worker message is posted by a thread worker to the widget that started it (the model line
loads models, the take desk streams takes, the meter indexes and measures). Two go on up to the
screen: ``ModelLoaded`` (the screen tells the desk it is ready) and ``TakesChanged`` (from the
desk; the screen keeps the takes).
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from tui_lyrics.memorise import CorpusIndex, Memorisation
from tui_lyrics.ui.compose.takes import TakeChar
from tui_lyrics.ui.messages import fact


@fact
class ModelLoaded(Message):
    """The model's weights are in memory and it has sampled once (so the first take is quick)."""

    name: str
    model: Any
    """A ``tui_lyrics.core.sample.LoadedModel`` (typed loosely: it belongs to the torch side)."""
    weights: str
    """Which checkpoint was loaded: best or last."""
    seconds: float


@fact
class ModelLoadFailed(Message, bubble=False):
    name: str
    error: str


@fact
class CharsSampled(Message, bubble=False):
    """A few more characters of take ``take``, in order."""

    take: int
    chars: tuple[TakeChar, ...]


@fact
class TakeFinished(Message, bubble=False):
    take: int
    state: str
    """done (length or lines reached), stopped (Escape) or failed."""
    error: str = ""


@fact
class CorpusIndexed(Message, bubble=False):
    """The corpus copy of model ``name`` is indexed (None: the model has no usable copy)."""

    name: str
    index: CorpusIndex | None


@fact
class TakeMeasured(Message, bubble=False):
    """Take ``take``'s text was measured against the corpus."""

    take: int
    memorisation: Memorisation


@fact
class TakesChanged(Message):
    """Model ``model``'s takes changed for good (one ended, was stopped or deleted): time to keep them."""

    model: str
