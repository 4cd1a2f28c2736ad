"""The one owner of the engine work behind the Write screen: the model, the current request, its candidates.

It starts the thread workers (through the ``run`` it is given: the screen's ``run_worker``),
numbers each request so that late messages from an abandoned one are ignored, stops the
running one when a new one starts, and keeps the candidates in arrival order. It says when
the draft has changed under them (``outdated``): candidates go only where they were asked for. It never
touches a widget: the screen asks it and shows what it holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tui_lyrics.ui.write.jobs import CandidateFound, CandidatesFinished, LineWritten, Post
from tui_lyrics.ui.write.session import Request, WriteSession

MAX_SHOWN = 9
"""Candidates a request can gather with "more": one digit key each."""


class Writer:
    """Engine requests for one song."""

    def __init__(self, run: Callable[[Callable[[], None]], object], post: Post, *, k: int, seed: int | None) -> None:
        self.run, self.post, self.k, self.seed = run, post, k, seed
        self.lm: Any = None
        """The loaded ``core.sample.LoadedModel`` (None until the load job reports)."""
        self.index: Any = None
        self.failed: str | None = None
        """Why the model could not be loaded (the screen says so instead of waiting)."""
        self.number = 0
        self.request: Request | None = None
        self.candidates: list[Any] = []
        self.stop = threading.Event()
        self.generating = False
        self.filling: tuple[str, Any] | None = None
        """Where the running fill writes its next line (``WriteSession.spot``): a change there stops it."""

    @property
    def ready(self) -> bool:
        return self.lm is not None

    def next_seed(self) -> int | None:
        """``seed + 1000 n`` for request n when the screen was given a seed (replayable), else None: random."""
        return None if self.seed is None else self.seed + 1000 * self.number

    def _begin(self) -> int:
        self.stop.set()
        self.stop = threading.Event()
        self.number += 1
        self.generating = True
        return self.number

    def ask(self, session: WriteSession, target: int | None, *, more: bool = False) -> bool:
        """Start sampling candidates for the next line or line ``target``; False when nine are already shown.

        Raises ``LyricsError`` when the line is locked.
        """
        from tui_lyrics.ui.write.jobs import candidates_job

        k = self.k if not more else min(self.k, MAX_SHOWN - len(self.candidates))
        if k <= 0:
            return False
        request = session.request(target, seed=self.next_seed())
        number = self._begin()
        self.request = request
        if not more:
            self.candidates = []
        lm, index, stop, settings, post = self.lm, self.index, self.stop, session.settings, self.post
        self.run(lambda: candidates_job(lm, index, request, number, k=k, settings=settings, stop=stop, post=post))
        return True

    def fill(self, session: WriteSession) -> None:
        """Start writing every template line the draft has not filled yet."""
        from tui_lyrics.ui.write.jobs import fill_job

        seed = session.new_seed(self.next_seed())
        number = self._begin()
        self.request, self.candidates, self.filling = None, [], session.spot()
        lm, index, stop, draft, settings, post, k = (self.lm, self.index, self.stop, session.draft, session.settings,
                                                     self.post, self.k)  # fmt: skip
        self.run(lambda: fill_job(lm, index, draft, number, seed=seed, per_line=k, settings=settings, stop=stop,
                                  post=post))  # fmt: skip

    def found(self, message: CandidateFound) -> bool:
        """Keep a candidate of the current request; False for one from an abandoned request."""
        if message.request != self.number or any(c.text == message.candidate.text for c in self.candidates):
            return False  # late, from an abandoned request; or already shown (asking for more can repeat one)
        self.candidates.append(message.candidate)
        return True

    def finished(self, message: CandidatesFinished) -> bool:
        if message.request != self.number:
            return False
        self.generating, self.filling = False, None
        return True

    def outdated(self, session: WriteSession) -> bool:
        """Whether the draft changed under the work in hand: the candidates' request no longer fits it (they were
        sampled for another place), or a running fill's next line would not follow what the fill wrote last."""
        if self.request is not None:
            return not session.fits(self.request)
        return self.filling is not None and session.spot() != self.filling

    def summary(self, message: CandidatesFinished, *, line: int | None = None) -> str:
        """What the status line says once request ``message.request`` (the current one) has finished; ``line``: the
        rewritten line's number as the writer counts it."""
        if message.error:
            return f"Stopped: {message.error}"
        if self.request is None:
            return f"{message.count} lines written to the template in {message.seconds:.1f} s"
        n, rewrite = len(self.candidates), self.request.target is not None
        what = f"for line {line or self.request.target + 1}" if self.request.target is not None else "for the next line"
        more = " · m more" if n < MAX_SHOWN else ""
        return f"{n} candidates {what} in {message.seconds:.2f} s · 1–{n} accept{more} · {'r' if rewrite else 'g'} new"

    def current(self, message: LineWritten) -> bool:
        return message.request == self.number

    def drop(self) -> str:
        """Stop and forget what is ``outdated``; returns what the status line says about it, with the key for more."""
        request = self.request
        self.halt()
        if request is None:
            return "Draft changed, so filling stopped · f: write the rest to the template"
        if request.target is None:
            return "Draft changed: candidates for the old next line dropped · g: fresh ones"
        return "Draft changed: rewrite candidates dropped · r: fresh ones"

    def halt(self) -> None:
        """Stop what is running and forget the candidates (a candidate was accepted, or the user left)."""
        self.stop.set()
        self.number += 1
        self.generating, self.filling = False, None
        self.request, self.candidates = None, []
