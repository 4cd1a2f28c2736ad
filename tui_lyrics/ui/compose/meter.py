"""MemorisationMeter: one row saying how much of the current take quotes the model's corpus.

The widget owns what the reading needs: one corpus index per model (built in a thread worker,
a suffix array, about a second per million characters) and one reading per ended take (measured
in a worker too; the take keeps it). The measuring itself is ``tui_lyrics.memorise`` (no torch).
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.widgets import Static

from tui_lyrics.memorise import CorpusIndex, Memorisation
from tui_lyrics.ui.compose.jobs import index_job, measure_job
from tui_lyrics.ui.compose.messages import CorpusIndexed, TakeMeasured
from tui_lyrics.ui.compose.takes import GENERATING, Take

INDEXING = "indexing"
READY = "ready"
MISSING = "missing"
QUOTE_CHARS = 12
"""The longest quote is shown up to this many characters."""


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


class MemorisationMeter(Static):
    """The meter row: one corpus index (for the model in use), one reading per ended take."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.corpus: CorpusIndex | None = None
        """The model's corpus index, once built."""
        self.corpus_state = INDEXING
        self.corpus_for: str | None = None
        """The model whose corpus ``corpus`` indexes (or is being indexed)."""
        self._measuring: dict[int, Take] = {}
        """Takes whose reading is being worked out, by number."""
        self._take: Take | None = None
        self._ended = False

    def start_indexing(self, folder: Path, name: str) -> None:
        """Index model ``name``'s corpus copy in ``folder`` in a worker (the meter waits for it)."""
        self.corpus, self.corpus_state, self.corpus_for = None, INDEXING, name
        self._index(folder, name)

    @work(thread=True, exclusive=True, group="corpus")
    def _index(self, folder: Path, name: str) -> None:
        index_job(folder, name, post=self.post_message)

    def on_corpus_indexed(self, message: CorpusIndexed) -> None:
        if message.name != self.corpus_for:
            return
        self.corpus, self.corpus_state = message.index, READY if message.index is not None else MISSING
        self.show_take(self._take, ended=self._ended)

    @work(thread=True, group="meter")
    def _measure(self, index: CorpusIndex, take: int, text: str) -> None:
        measure_job(index, take, text, post=self.post_message)

    def on_take_measured(self, message: TakeMeasured) -> None:
        take = self._measuring.pop(message.take, None)
        if take is not None:
            take.memorisation = message.memorisation
            if take is self._take:
                self.show_take(take, ended=self._ended)

    def show_take(self, take: Take | None, *, ended: bool) -> None:
        """Show ``take``'s reading, measuring it first if it has ``ended`` and can be measured."""
        self._take, self._ended = take, ended
        if (
            take is not None and ended and take.memorisation is None and take.number not in self._measuring
            and take.text and self.corpus is not None and take.model == self.corpus_for
        ):  # fmt: skip
            self._measuring[take.number] = take
            self._measure(self.corpus, take.number, take.text)
        self.update(meter_line(take, state=self.corpus_state, indexed_for=self.corpus_for), layout=False)
