"""The memorisation meter on the composing screen: index the corpus, measure takes, say it in words.

Indexing a model's corpus copy (a suffix array, about a second per million characters) and
measuring a take both run in thread workers that report by message; ``ComposeMeter`` is the
screen's side of it (a mixin, like ``ComposeActions``). The measuring itself is
``tui_lyrics.memorise`` (no torch).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import Static

from tui_lyrics.memorise import CorpusIndex, Memorisation, corpus_index
from tui_lyrics.ui.compose_takes import GENERATING, Take
from tui_lyrics.ui.messages import fact

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui_lyrics.store import ModelStore
    from tui_lyrics.ui.compose_takes import TakeSession

    _Base = Screen[None]
else:
    _Base = object

INDEXING = "indexing"
READY = "ready"
MISSING = "missing"
QUOTE_CHARS = 12
"""The longest quote is shown up to this many characters."""


@fact
class CorpusIndexed(Message):
    """The corpus copy of model ``name`` is indexed (None: the model has no usable copy)."""

    name: str
    index: CorpusIndex | None


@fact
class TakeMeasured(Message):
    take: int
    memorisation: Memorisation


def index_job(folder: Path, name: str, *, post: Callable[[Message], Any]) -> None:
    """Worker body: index the corpus copy in ``folder`` (cached per process) and say so."""
    try:
        index = corpus_index(folder)
    except Exception:  # a corpus that cannot be indexed only costs the meter, never the screen
        index = None
    post(CorpusIndexed(name, index))


def measure_job(index: CorpusIndex, take: int, text: str, *, post: Callable[[Message], Any]) -> None:
    """Worker body: measure a take's text against the corpus."""
    post(TakeMeasured(take, index.measure(text)))


def meter_text(memorisation: Memorisation) -> str:
    """The reading in words: the longest quote and the share of windows found, the quote last."""
    m = memorisation
    head = f"longest quote {m.longest} chars"
    if m.window_share is None:
        share = f"too short for {m.window}-char windows"
    else:
        share = f"{100 * m.window_share:.0f}% of {m.window}-char windows in the corpus"
    quote = m.longest_text.replace("\n", "/")
    quote = quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS] + "…"
    return f"{head} · {share}" + (f" · «{quote}»" if quote else "")


def meter_line(take: Take | None, *, state: str, indexed_for: str | None) -> str:
    """The meter row for ``take``: its reading, or why there is none yet."""
    if take is None:
        return ""
    if take.memorisation is not None:
        return "Memorisation: " + meter_text(take.memorisation)
    if take.model != indexed_for:
        return f"Memorisation meter: load {take.model} to measure this take"
    if state == MISSING:
        return "Memorisation: no corpus copy: meter unavailable"
    if take.state == GENERATING:
        return "Memorisation meter: measured when the take ends"
    if state == INDEXING:
        return "Memorisation meter: indexing the corpus…"
    return "Memorisation meter: measuring…" if take.text else ""


class ComposeMeter(_Base):
    """The screen's side of the meter: one index per model, one reading per ended take."""

    if TYPE_CHECKING:  # provided by ComposeScreen
        store: ModelStore
        session: TakeSession
        timings: dict[int, list[float | None]]
        corpus: CorpusIndex | None
        corpus_state: str
        corpus_for: str | None
        measuring: set[int]

    def start_indexing(self, name: str) -> None:
        """Index model ``name``'s corpus copy in a worker (the meter waits for it)."""
        self.corpus, self.corpus_state, self.corpus_for = None, INDEXING, name
        self._index(name)

    @work(thread=True, exclusive=True, group="corpus")
    def _index(self, name: str) -> None:
        index_job(self.store.path(name), name, post=self.post_message)

    def on_corpus_indexed(self, message: CorpusIndexed) -> None:
        if message.name != self.corpus_for:
            return
        self.corpus, self.corpus_state = message.index, READY if message.index is not None else MISSING
        self.show_meter()

    @work(thread=True, group="meter")
    def _measure(self, index: CorpusIndex, take: int, text: str) -> None:
        measure_job(index, take, text, post=self.post_message)

    def on_take_measured(self, message: TakeMeasured) -> None:
        take = self.session.get(message.take)
        self.measuring.discard(message.take)
        if take is not None:
            take.memorisation = message.memorisation
            if take is self.session.current:
                self.show_meter()

    def show_meter(self) -> None:
        """Show the current take's meter, measuring it first if it has ended and can be measured."""
        take = self.session.current
        ended = take is not None and (self.timings.get(take.number) or [None])[-1] is not None
        if (
            take is not None and ended and take.memorisation is None and take.number not in self.measuring
            and take.text and self.corpus is not None and take.model == self.corpus_for
        ):  # fmt: skip
            self.measuring.add(take.number)
            self._measure(self.corpus, take.number, take.text)
        line = meter_line(take, state=self.corpus_state, indexed_for=self.corpus_for)
        self.query_one("#take-meter", Static).update(line, layout=False)
