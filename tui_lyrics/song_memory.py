"""Song memory: a fitted Kneser-Ney n-gram that keeps counting the song it reads.

Songs repeat themselves (choruses, the song's own words), so a model that counts what it has
read of this song predicts the rest far better. After reading each character its n-grams are
added to the training counts, with the discounts fixed as fitted on the training text, so every
distribution stays proper (the reference program's ``--dynamic`` does the same, and this
reproduces it). What the song added lives in small dicts on top of the fitted numpy tables,
keyed by the song's own event codes, so reading a character costs a few dict updates (those
counts and the one-pass sum of their distributions are ``song_counts``).

Beside it, the song's own n-gram (``OWN_ORDER``, counts of the song only, the same fixed
discounts): where the song repeats itself (a chorus) it predicts the continuation far more
sharply than counts diluted by the training text. The mixture weighs the two, and the network,
by how long the current match with the song so far is (``LADDER``).

Two ways in: ``song_probs`` scores a whole text left to right (held-out scoring), and
``SongMemory`` reads one character at a time and gives the next distributions (composing).
Torch-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from tui_lyrics.ngram import KneserNey, _lookup
from tui_lyrics.song_counts import Overlay, Parts

LADDER = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
"""Match lengths: a position's match bucket is how many of these its recent text matches the song at."""
OWN_ORDER = 9
"""The order of the song's own n-gram (measured on Jay Chou: 5 helps less than 9)."""

_NO_COUNTS = [0] * OWN_ORDER  # the song's own n-gram has no training counts under it (read only, never changed)
_Training = tuple[float, float, np.ndarray | None, np.ndarray | None]
"""A training context as ``SongMemory.dist`` reads it: total, backoff mass, its events and their discounted counts."""


class _Matches:
    """Which lengths of the recent text occurred earlier in the song (LADDER), as sets of codes."""

    def __init__(self) -> None:
        self.seen: list[set[str]] = [set() for _ in LADDER]

    def bucket(self, code: str, end: int, floor: int = 0) -> int:
        """How many LADDER lengths of code[floor:end]'s end occurred in it before, ending earlier."""
        b = 0
        for length, seen in zip(LADDER, self.seen, strict=True):
            if end - length < floor or code[end - length : end] not in seen:
                break
            b += 1
        return b

    def add(self, code: str, end: int, floor: int = 0) -> None:
        """Remember the ends of code[floor:end] (the song up to but not including the newest event)."""
        for length, seen in zip(LADDER, self.seen, strict=True):
            if end - length < floor:
                break
            seen.add(code[end - length : end])


class SongReading(NamedTuple):
    """A text read with song memory, per character (n,) each."""

    probs: np.ndarray
    """The n-gram counting the song on top of the training text (what the reference's --dynamic reads)."""
    buckets: np.ndarray
    """The match bucket (``LADDER``), from the song before the character only."""
    own: np.ndarray
    """The song's own n-gram (``OWN_ORDER``), from the song before the character only."""


def song_probs(kn: KneserNey, ids: np.ndarray, start: int) -> SongReading:
    """p(ids[i] | ids[:i]) for i >= start, counting ids[i]'s n-grams after scoring it.

    The song is ids[start:]; contexts reach back into ids[:start] (the end of the training text),
    and so do the first n-grams counted, as in the reference. The match buckets and the song's own
    n-gram see the song only.
    """
    V, n = kn.size, kn.order
    levels = kn._orders
    tables = []  # per order: context total, backoff mass and the gram's count, from the training text
    for level, ctx in zip(levels, kn._contexts(ids), strict=True):
        known = ctx >= 0
        gram, found = _lookup(level.keys, ctx * V + ids, known)
        safe = np.where(known, ctx, 0)
        tables.append(
            (
                np.where(known, level.total[safe], 0.0).tolist(),
                np.where(known, level.backoff[safe], 0.0).tolist(),
                np.where(found, level.counts[gram], 0).tolist(),
            )
        )
    overlay, own, matches = Overlay(kn), Overlay(kn, OWN_ORDER), _Matches()
    d = overlay.discounts
    code = "".join(map(chr, ids.tolist()))
    out, own_out = np.empty(len(ids) - start), np.empty(len(ids) - start)
    buckets = np.empty(len(ids) - start, dtype=np.int64)
    zeros = [0] * OWN_ORDER
    for i in range(start, len(ids)):
        w = int(ids[i])
        p = 1.0 / V
        for k in range(n):
            if k > i:
                break
            total, backoff, counts = tables[k]
            t, b, c = total[i], backoff[i], counts[i]
            context = overlay.contexts[k].get(code[i - k : i])
            if context is not None:
                t += context[0]
                b += context[1]
                c += context[2].get(w, 0)
            if t:
                p = ((c - d[k][min(c, 3)] if c else 0.0) + b * p) / t
        out[i - start] = p
        buckets[i - start] = matches.bucket(code, i, start)
        matches.add(code, i, start)
        overlay.add(code[max(0, i - n + 1) : i + 1], [tables[k][2][i] for k in range(n)])
        own_out[i - start] = own.prob(code, i, start)
        own.add(code[max(start, i - OWN_ORDER + 1) : i + 1], zeros)
    return SongReading(out, buckets, own_out)


class SongMemory:
    """A fitted n-gram and the song read so far, one character at a time (for composing)."""

    def __init__(self, kn: KneserNey) -> None:
        self.kn = kn
        self._overlay = Overlay(kn)
        self._own = Overlay(kn, OWN_ORDER)
        self._matches = _Matches()
        self._tail = [0] + [-1] * (kn.order - 1)  # training id of the length-j gram ending here (j < order)
        self._code = ""  # the song's last LADDER[-1] event codes
        self.read_chars = 0
        self._contexts: dict[tuple[int, int], _Training] = {}
        """(order - 1, training context id) -> what ``dist`` reads of it (``_training``)."""
        self._lookups: dict[tuple[int, ...], tuple[list[int], list[int]]] = {}
        """(the context ids, the event) -> the ids of the grams ending at it and their training counts."""
        unigram = kn._orders[0]  # one context: the empty one
        self._unigram = np.zeros(kn.size)  # its discounted counts, dense (V,)
        self._unigram[unigram.events[unigram.first[0] : unigram.first[1]]] = unigram.discounted[
            unigram.first[0] : unigram.first[1]
        ]

    def read(self, events: Iterable[int]) -> None:
        """Count the song's next events (ids)."""
        kn, V = self.kn, self.kn.size
        for e in events:
            e = int(e)
            key = (*self._tail, e)  # what the lookups below depend on: a song comes back to the same ones
            found = self._lookups.get(key)
            if found is None:
                ends = [0]  # training id of the gram of each length ending at e
                for j in range(1, kn.order + 1):
                    parent = self._tail[j - 1] if j - 1 < len(self._tail) else -1
                    level = kn._orders[j - 1]
                    i = int(level.keys.searchsorted(parent * V + e)) if parent >= 0 else len(level.keys)
                    ends.append(i if i < len(level.keys) and level.keys[i] == parent * V + e else -1)
                counts = [int(kn._orders[j - 1].counts[ends[j]]) if ends[j] >= 0 else 0 for j in range(1, kn.order + 1)]
                found = self._lookups[key] = (ends, counts)
            ends, base = found
            self._matches.add(self._code, len(self._code))
            self._code = (self._code + chr(e))[-LADDER[-1] :]
            self._overlay.add(self._code[-kn.order :], base)
            self._own.add(self._code[-OWN_ORDER:], _NO_COUNTS)
            self._tail = ends[: kn.order]
            self.read_chars += 1

    def read_text(self, text: str) -> None:
        self.read(self.kn.encode(text).tolist())

    def bucket(self) -> int:
        """The match bucket of the next position (see ``LADDER``)."""
        return self._matches.bucket(self._code, len(self._code))

    def own_dist(self) -> np.ndarray:
        """The song's own n-gram: the distribution of the next event from the song's counts only (V,)."""
        return self._own.dist(self._code)

    def dist(self) -> np.ndarray:
        """The distribution of the next event given the training text and the song so far (V,)."""
        parts = Parts(self.kn.size)
        self._add_dist(parts)
        return parts.sum()

    def mixed(self, a: float, c: float) -> np.ndarray:
        """``a * dist() + c * own_dist()`` summed in one pass (one scatter for the two): what sampling mixes."""
        parts = Parts(self.kn.size)
        parts.scale = a
        if a:
            self._add_dist(parts)
        parts.restart(c)
        if c:
            self._own.add_dist(self._code, parts)
        return parts.sum()

    def _add_dist(self, parts: Parts) -> None:
        """``dist()`` times ``parts.scale``, added to ``parts``."""
        code, contexts = self._code, self._overlay.contexts
        found = []  # per order k + 1 (the context is the last k events): its training context and song counts
        for k in range(min(self.kn.order, len(code) + 1)):
            found.append((k, self._training(k, self._tail[k]), contexts[k].get(code[len(code) - k :])))
        for k, (total, backoff, events, discounted), context in reversed(found):  # top order down: see ``Parts``
            t = total + (context[0] if context else 0)
            if not t:
                continue
            if k == 0 and total:  # the unigram level: every event, the same each time
                parts.add_dense(self._unigram, 1.0 / t)
            elif events is not None and discounted is not None:
                parts.add_sparse(events, discounted, 1.0 / t)
            if context:
                parts.add_context(context, 1.0 / t)
            parts.scale *= (backoff + (context[1] if context else 0.0)) / t

    def _training(self, k: int, ctx: int) -> _Training:
        """Order k + 1's training context ``ctx`` (its id, -1 if unseen) as ``dist`` reads it, looked up once per
        take: Python floats and the array views of its events (numpy's scalar reads cost more than the sums)."""
        found = self._contexts.get((k, ctx))
        if found is None:
            level = self.kn._orders[k]
            if ctx < 0 or level.total[ctx] <= 0:
                found = (0.0, 0.0, None, None)
            else:
                lo, hi = int(level.first[ctx]), int(level.first[ctx + 1])
                found = (
                    float(level.total[ctx]),
                    float(level.backoff[ctx]),
                    level.events[lo:hi],
                    level.discounted[lo:hi],
                )
            self._contexts[(k, ctx)] = found
        return found
