"""The composing screen's background work: load a model, stream a take, report by message.

Both bodies run in Textual thread workers. They import the engine (and so torch) inside the
function, never at module level, and reach the UI only through ``post``, a thread-safe
``post_message``. Sampled characters are posted in small chunks, not one message each, so
the screen stays smooth over a slow SSH link.

The messages are frozen facts named in the past tense (``messages.py``). Indexing a model's
corpus copy (a suffix array, about a second per million characters) and measuring a take for
the memorisation meter are worker bodies too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message

from tui_lyrics.memorise import CorpusIndex, corpus_index
from tui_lyrics.ui.compose.messages import (
    CharsSampled,
    CorpusIndexed,
    ModelLoaded,
    ModelLoadFailed,
    TakeFinished,
    TakeMeasured,
)
from tui_lyrics.ui.compose.takes import DONE, FAILED, STOPPED, Take, TakeChar

if TYPE_CHECKING:
    from tui_lyrics.core.sample import LoadedModel
    from tui_lyrics.store import ModelStore

T = TypeVar("T")
CHUNK_CHARS = 16
CHUNK_SECONDS = 0.03


def chunked(
    items: Iterable[T], *, max_items: int = CHUNK_CHARS, max_seconds: float = CHUNK_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[list[T]]:  # fmt: skip
    """Group ``items`` into lists of at most ``max_items``, or what arrived in ``max_seconds``.

    The first item goes out alone at once, so the writer sees the take start immediately.
    """
    chunk: list[T] = []
    last = -float("inf")
    for item in items:
        chunk.append(item)
        now = clock()
        if len(chunk) >= max_items or now - last >= max_seconds:
            yield chunk
            chunk, last = [], now
    if chunk:
        yield chunk


def load_for_composing(store: ModelStore, name: str, *, live: bool) -> LoadedModel:
    """Load ``name`` (a model in training: its latest weights) and warm it up with one step."""
    # The engine imports torch: only ever called in a worker thread.
    from tui_lyrics.core.sample import load_model, stream_chars
    from tui_lyrics.sample_config import SampleConfig

    lm = load_model(store, name, which="last" if live else "best")
    next(stream_chars(lm, "", SampleConfig(length=1, seed=0, alternatives=0)), None)
    return lm


def load_job(store: ModelStore, name: str, *, live: bool, post: Callable[[Message], Any]) -> None:
    """Worker body: load a model and say how it went."""
    started = time.monotonic()
    try:
        lm = load_for_composing(store, name, live=live)
    except Exception as error:  # any failure is shown to the writer, never a crash
        post(ModelLoadFailed(name, str(error) or type(error).__name__))
        return
    post(ModelLoaded(name, lm, lm.weights, time.monotonic() - started))


def generate_job(
    lm: LoadedModel, take: Take, *, stop: threading.Event, post: Callable[[Message], Any], lock: threading.Lock
) -> None:
    """Worker body: stream ``take`` from the engine as ``CharsSampled`` chunks, then ``TakeFinished``.

    ``lock`` makes takes run one at a time: a new take waits for the one it stopped, which
    ends within one step.
    """
    # torch: only in the worker thread. With rhyme on, a line at a time: each the most natural of a few.
    from tui_lyrics.core.rhymed import stream_take

    with lock:
        try:
            sampled = stream_take(lm, take.prompt, take.engine_config(), stop=stop)
            for chunk in chunked(TakeChar.of(s) for s in sampled):
                post(CharsSampled(take.number, tuple(chunk)))
        except Exception as error:  # a failed take is reported, the app goes on
            post(TakeFinished(take.number, FAILED, str(error) or type(error).__name__))
            return
    post(TakeFinished(take.number, STOPPED if stop.is_set() else DONE))


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
