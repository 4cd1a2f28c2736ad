"""The memorisation meter for a whole model: how much its seeded takes quote its corpus.

``memorise.CorpusIndex.measure`` reads one take; this draws a model's takes and averages the
readings, so a quality figure (held-out nats/char) can carry beside it what the model hands back
from its corpus. Every take is seeded (seeds 0..takes-1), starts at a line start (no prompt) and
is drawn as ``lyrics-tui generate`` draws it by default (temperature 0.8, top-k 5, the repetition
controls, song memory on). Two readings: with the quote limit the app uses by default for this
model's script (what a user gets), and with the limit off (what the model itself would quote).
The meter reads the take alone, as the Compose screen does; the corpus is the model's whole
corpus copy, held-out part included.
"""

from __future__ import annotations

import os
import statistics
import threading
from pathlib import Path

from tui_lyrics.card import ModelCard, ModelMemorisation, QuoteReading
from tui_lyrics.core.sample import LoadedModel, load_model, stream_chars
from tui_lyrics.errors import LyricsError
from tui_lyrics.folder import BEST, LAST, STATE
from tui_lyrics.memorise import WINDOW, CorpusIndex
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS, default_quote_limit
from tui_lyrics.store import ModelStore

TAKES = 8
"""Seeded takes per reading: ~3,200 characters in all, a few seconds at the default size."""
TAKE_CHARS = 200
TAKES_ENV = "LYRICS_TUI_QUOTE_TAKES"
"""Tests and scripts: how many takes the end of a training run reads (0: none; the test suite's default)."""


class MeterUnreadable(LyricsError):
    """The model has no corpus copy to measure its takes against."""


def measure_model(
    lm: LoadedModel,
    *,
    takes: int = TAKES,
    chars: int = TAKE_CHARS,
    limit: int | None = None,
    stop: threading.Event | None = None,
) -> ModelMemorisation | None:
    """Both readings for ``lm``; ``limit`` replaces the default quote limit. None if ``stop`` was set on the way.

    Raises ``MeterUnreadable`` (one line for the user) when the model has no corpus copy.
    """
    index = lm.quote_corpus()
    if index is None:
        raise MeterUnreadable(
            f"{lm.name or 'this model'} has no corpus copy (corpus.txt.gz): the memorisation meter cannot be read"
        )
    limited = limit if limit is not None else default_quote_limit(lm.vocab.chars)
    base = SampleConfig(length=chars, alternatives=0, **RECOMMENDED_CONTROLS)
    with_limit = read_takes(lm, index, base.replace(quote_limit=limited), takes=takes, stop=stop)
    without = read_takes(lm, index, base.replace(quote_limit=0), takes=takes, stop=stop)
    if with_limit is None or without is None:
        return None
    return ModelMemorisation(step=weights_step(lm), limited=with_limit, unlimited=without, window=WINDOW)


def read_takes(
    lm: LoadedModel, index: CorpusIndex, config: SampleConfig, *, takes: int, stop: threading.Event | None = None
) -> QuoteReading | None:
    """The meter over ``takes`` seeded takes drawn with ``config`` (seeds 0..takes-1); None if stopped."""
    shares: list[float] = []
    longest: list[int] = []
    written = 0
    for seed in range(takes):
        text = "".join(c.char for c in stream_chars(lm, "", config.replace(seed=seed), stop=stop))
        if stop is not None and stop.is_set():
            return None
        reading = index.measure(text, window=WINDOW)
        shares.append(reading.window_share or 0.0)  # a take shorter than a window quotes no window
        longest.append(reading.longest)
        written += len(text)
    return QuoteReading(
        limit=config.quote_limit,
        share=statistics.fmean(shares),
        longest_mean=statistics.fmean(longest),
        longest_max=max(longest),
        takes=takes,
        chars=written,
    )


def weights_step(lm: LoadedModel) -> int:
    """The step of the weights ``lm`` holds: its card's best step for the best weights, else its last."""
    if lm.card is None:
        return 0
    state = lm.card.state
    return state.best_step if lm.weights == "best" and state.best_step is not None else state.step


def commit_reading(
    store: ModelStore, name: str, *, step: int, stop: threading.Event | None = None, limit: int | None = None
) -> tuple[ModelCard, Path] | None:
    """Measure ``name``'s best weights and commit the reading with its card, at the end of a training run.

    The newest committed set must be of ``step`` (the run's last save); the reading goes into one more set
    of the same step whose files are shared (hard links) with it, so the committed card carries it.
    Returns the card and the set's folder, or None: stopped, no corpus copy, a full disk (the run is saved
    already; nothing here turns it into a failure). ``limit``: the largest network to load.
    """
    takes = training_takes()
    if takes == 0:
        return None
    folder = store.folder(name)
    try:
        lm = load_model(store, name) if limit is None else load_model(store, name, max_params=limit)
        reading = measure_model(lm, takes=takes, stop=stop)
        found = folder.checkpoint()
        if reading is None or found.card.state.step != step or found.last is None or found.state is None:
            return None
        files: dict[str, bytes | Path] = {LAST: found.last, STATE: found.state}
        if found.best is not None:
            files[BEST] = found.best
        card = found.card.replace(memorisation=reading)
        return card, folder.commit(card, files)
    except Exception:  # a LyricsError (no corpus copy, a full disk), even a bug: the saved run stays a success
        return None


def training_takes() -> int:
    """The takes the end of a run reads: ``TAKES``, or what ``TAKES_ENV`` says (a whole number, 0 to skip)."""
    value = os.environ.get(TAKES_ENV, "")
    return int(value) if value.isdigit() else TAKES
