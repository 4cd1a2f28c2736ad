"""The Write screen's background work: load the model, sample candidates, report by message.

Thread bodies for Textual workers: they import the engine (and so torch) inside the function
and reach the UI only through ``post`` (a thread-safe ``post_message``). Each candidate is
posted the moment it is sampled, so the first shows while the others are drawn. The
messages are frozen facts named in the past tense (``messages.fact``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.ui.messages import fact
from tui_lyrics.ui.write.session import Request

if TYPE_CHECKING:
    from tui_lyrics.store import ModelStore

Post = Callable[[Message], object]


@fact
class WriterLoaded(Message):
    """The model is in memory and its corpus indexed (for the memorisation flag)."""

    name: str
    model: Any
    """A ``core.sample.LoadedModel`` (typed loosely: it belongs to the torch side)."""
    index: Any
    """The corpus index (``memorise.CorpusIndex``), or None."""
    seconds: float


@fact
class WriterFailed(Message):
    name: str
    error: str


@fact
class CandidateFound(Message):
    """One more candidate for request ``request`` (a ``core.candidates.Candidate``)."""

    request: int
    candidate: Any


@fact
class CandidatesFinished(Message):
    request: int
    count: int
    seconds: float
    error: str | None = None


@fact
class LineWritten(Message):
    """The model wrote line ``number`` of the template (a ``core.candidates.WrittenLine``) while filling it."""

    request: int
    line: Any


def load_job(store: ModelStore, name: str, post: Post) -> None:
    began = time.perf_counter()
    try:
        from tui_lyrics.core.sample import load_model  # torch: in this thread, never the UI's
        from tui_lyrics.memorise import corpus_index

        lm = load_model(store, name)
        index = corpus_index(store.path(name))
    except Exception as error:  # any failure becomes a message the screen shows, never a crash
        post(WriterFailed(name=name, error=str(error) or type(error).__name__))
        return
    post(WriterLoaded(name=name, model=lm, index=index, seconds=time.perf_counter() - began))


def candidates_job(
    lm: Any,
    index: Any,
    request: Request,
    number: int,
    *,
    k: int,
    settings: SampleConfig,
    stop: threading.Event,
    post: Post,
) -> None:
    """Sample up to ``k`` candidates for ``request`` and post each as it comes."""
    from tui_lyrics.core.candidates import stream_candidates

    began, count, error = time.perf_counter(), 0, None
    try:
        for cand in stream_candidates(
            lm, request.prefix, k=k, config=settings, seed=request.seed, slot=request.slot, index=index, stop=stop
        ):
            count += 1
            post(CandidateFound(request=number, candidate=cand))
    except Exception as failure:  # a bad setting or a broken model: say it on screen
        error = str(failure) or type(failure).__name__
    post(CandidatesFinished(request=number, count=count, seconds=time.perf_counter() - began, error=error))


def fill_job(
    lm: Any,
    index: Any,
    draft: Any,
    number: int,
    *,
    seed: int,
    per_line: int,
    settings: SampleConfig,
    stop: threading.Event,
    post: Post,
) -> None:
    """Write every template line the draft has not filled yet, posting each as it is chosen."""
    from tui_lyrics.core.candidates import write_song

    began, count, error = time.perf_counter(), 0, None
    try:
        for written in write_song(lm, draft.template, draft=draft, config=settings, seed=seed, per_line=per_line,
                                  index=index, stop=stop):  # fmt: skip
            if written.candidate is not None:
                count += 1
                post(LineWritten(request=number, line=written))
    except Exception as failure:  # a bad setting or a broken model: say it on screen
        error = str(failure) or type(failure).__name__
    post(CandidatesFinished(request=number, count=count, seconds=time.perf_counter() - began, error=error))
