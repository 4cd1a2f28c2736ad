"""A character n-gram with interpolated modified Kneser-Ney smoothing, fitted on training text.

On a small corpus such as one singer's lyrics a 5-gram fitted in a second beats a recurrent
network trained for minutes, and mixing the two beats both (see ``bench/BENCHMARKS.md``). The
network and the n-gram then make one model: it is scored, and it writes, with the mixture.

Events are every character of the training text plus one ``<unk>`` (id 0) for the never
seen: the canonical event space in which held-out text is scored. Smoothing follows Chen and
Goodman (1998), "An empirical study of smoothing techniques for language modeling": three
discounts per order from the count-of-counts, continuation counts below the top order,
interpolation down to a uniform distribution. Torch-free and vectorised with numpy: fitting
1 MB of text takes about a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tui_lyrics.vocab import ids_of

UNK_ID = 0


@dataclass(frozen=True)
class _Order:
    """The k-grams of one order, sorted by (context id, last event)."""

    keys: np.ndarray  # context id * V + event, ascending; the k-gram's id is its index here
    counts: np.ndarray  # per gram: the count this order smooths (raw at the top order, else continuation), >= 1
    discounts: np.ndarray  # (4,): 0, D1, D2, D3+; a gram counted c times keeps c - discounts[min(c, 3)]
    total: np.ndarray  # per context id of order k-1: sum of counts
    backoff: np.ndarray  # per context id of order k-1: the mass discounted (D1 N1 + D2 N2 + D3 N3+)
    discounted: np.ndarray  # per gram: its count after its discount, never below zero
    events: np.ndarray  # per gram: its last event
    first: np.ndarray  # first[c]:first[c + 1] are the grams that follow context c


SHORT = 256
"""Texts shorter than this are encoded through the index dict (building ``ids_of``'s table costs more)."""


class KneserNey:
    """An interpolated modified Kneser-Ney character model of a given order."""

    def __init__(self, events: Sequence[str], orders: list[_Order]) -> None:
        self.events = tuple(events)
        """The characters with an id, ``events[i - 1]`` for id i; id 0 is <unk>."""
        self.index = {c: i + 1 for i, c in enumerate(self.events)}
        self._orders = orders

    @property
    def order(self) -> int:
        return len(self._orders)

    @property
    def size(self) -> int:
        """Number of events, <unk> included."""
        return len(self.events) + 1

    @classmethod
    def fit(cls, text: str, *, order: int = 5, events: Sequence[str] | None = None) -> KneserNey:
        """Count ``text``; ``events`` fixes the id order (default: by frequency)."""
        return cls.fit_orders(text, orders=[order], events=events)[order]

    @classmethod
    def fit_orders(
        cls, text: str, *, orders: Sequence[int], events: Sequence[str] | None = None
    ) -> dict[int, KneserNey]:
        """One model per order, from one count of the text up to the highest (cheaper than fitting each)."""
        if min(orders) < 1:
            raise ValueError("the order must be at least 1")
        if events is None:
            counts = Counter(text)
            events = sorted(counts, key=lambda c: (-counts[c], ord(c)))
        V = len(events) + 1
        keys, raw, cont = _count(ids_of(text, events), V, max(orders))
        return {order: cls(events, _levels(keys, raw, cont, V, order)) for order in orders}

    def to_arrays(self) -> dict[str, np.ndarray]:
        """What the fit produced, as named arrays (for a safetensors file): the rest is derived on load."""
        arrays = {"events": np.array([ord(c) for c in self.events], dtype=np.int64)}
        for k, level in enumerate(self._orders):
            arrays |= {f"keys.{k}": level.keys, f"counts.{k}": level.counts, f"discounts.{k}": level.discounts}
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> KneserNey:
        """The model ``to_arrays`` describes; KeyError or ValueError if the arrays are not one."""
        events = [chr(int(c)) for c in arrays["events"]]
        V, order = len(events) + 1, sum(1 for name in arrays if name.startswith("keys."))
        if order < 1:
            raise ValueError("no orders")
        levels, contexts = [], 1
        for k in range(order):
            keys, counts = arrays[f"keys.{k}"].astype(np.int64), arrays[f"counts.{k}"].astype(np.int64)
            discounts = arrays[f"discounts.{k}"].astype(np.float64)
            if keys.shape != counts.shape or discounts.shape != (4,) or (len(keys) and keys.max() >= contexts * V):
                raise ValueError(f"order {k + 1} is inconsistent")
            levels.append(_smooth(keys, counts, V, contexts, discounts))
            contexts = len(keys)
        return cls(events, levels)

    def encode(self, text: str) -> np.ndarray:
        if len(text) < SHORT:  # a character or a line while composing: the dict, not a sorted code table
            index = self.index
            return np.array([index.get(c, 0) for c in text], dtype=np.int64)
        return ids_of(text, self.events)

    def probs_of(self, ids: np.ndarray, start: int = 0) -> np.ndarray:
        """p(ids[i] | ids[:i]) for every i >= start, all at once: shape (len(ids) - start,)."""
        V = self.size
        p = np.full(len(ids) - start, 1.0 / V)
        for level, parent in zip(self._orders, self._contexts(ids), strict=True):
            ctx = parent[start:]  # (n,) each position's context id at this order, -1 if unseen
            known = ctx >= 0
            gram, found = _lookup(level.keys, ctx * V + ids[start:], known)
            kept = np.where(found, level.discounted[gram], 0.0)
            safe = np.where(known, ctx, 0)
            total = np.where(known, level.total[safe], 0.0)
            p = np.where(total > 0, (kept + level.backoff[safe] * p) / np.maximum(total, 1.0), p)
        return p

    def dists(self, ids: np.ndarray, start: int = 0) -> np.ndarray:
        """The distribution over all events at every position i >= start, given ids[:i]: shape
        (len(ids) - start, V). ``dist`` for many positions at once (training beside the n-gram)."""
        V, n = self.size, len(ids) - start
        p = np.full((n, V), 1.0 / V)
        rows = np.arange(n)
        for level, parent in zip(self._orders, self._contexts(ids), strict=True):
            ctx = parent[start:]  # (n,) each position's context id at this order, -1 if unseen
            safe = np.where(ctx >= 0, ctx, 0)
            total = np.where(ctx >= 0, level.total[safe], 0.0)
            here = total > 0
            if not here.any():
                continue
            scale = np.where(here, level.backoff[safe] / np.maximum(total, 1.0), 1.0)
            if len(level.total) == 1:  # order 1: one context (the empty one), so one dense row for all
                dense = np.zeros(V)
                dense[level.events] = level.discounted / total.max()
                p *= scale[:, None]
                p[here] += dense
                continue
            p *= scale[:, None]
            c, t = safe[here], total[here]
            lo, hi = level.first[c], level.first[c + 1]
            length = hi - lo  # each row's grams: lo..hi, one range per row, flattened
            row = np.repeat(rows[here], length)
            gram = np.repeat(lo - np.cumsum(length) + length, length) + np.arange(length.sum())
            flat = p.reshape(-1)
            flat[row * V + level.events[gram]] += level.discounted[gram] / np.repeat(t, length)
        return p

    def dist(self, history: Sequence[int]) -> np.ndarray:
        """The distribution over all events after ``history`` (event ids), shape (V,).

        One call per sampled character, so it works on scalars where ``probs_of`` works on
        arrays: a few binary searches and one scatter per order (~0.1 ms for a 5-gram).
        """
        V = self.size
        p = np.full(V, 1.0 / V)
        tail = [int(e) for e in history[len(history) - (self.order - 1) :]] if self.order > 1 else []
        for k, level in enumerate(self._orders):  # order k + 1: the context is the last k events
            ctx = self._find(tail[len(tail) - k :]) if k <= len(tail) else None
            if ctx is None or ctx >= len(level.total) or level.total[ctx] == 0:
                continue
            lo, hi = level.first[ctx], level.first[ctx + 1]
            total = level.total[ctx]
            p *= level.backoff[ctx] / total
            p[level.events[lo:hi]] += level.discounted[lo:hi] / total
        return p

    def _find(self, gram: list[int]) -> int | None:
        """The id of ``gram`` (a tuple of events) in its order's table, or None if never counted."""
        found = 0  # the empty gram
        for level, event in zip(self._orders, gram, strict=False):
            key = found * self.size + event
            i = int(level.keys.searchsorted(key))
            if i == len(level.keys) or level.keys[i] != key:
                return None
            found = i
        return found

    def _contexts(self, ids: np.ndarray) -> list[np.ndarray]:
        """Per order k: for each position i, the id of the (k-1)-gram ids[i-k+1:i] (-1 if unseen)."""
        V = self.size
        out = [np.zeros(len(ids), dtype=np.int64)]  # order 1: the empty context, id 0
        for level in self._orders[:-1]:
            parent = out[-1]
            gram, found = _lookup(level.keys, parent * V + ids, parent >= 0)
            ends = np.where(found, gram, -1)  # the id of the gram ending at each position
            out.append(np.concatenate([[-1], ends[:-1]]))  # ... is the context of the next one
        return out


ORDERS = range(3, 10)
"""The orders ``choose_order`` tries."""


def choose_order(
    text: str, *, events: Sequence[str] | None = None, orders: Sequence[int] = ORDERS, tolerance: float = 2e-4
) -> tuple[int, dict[int, float]]:
    """The order for a model of ``text``, chosen on a slice at its end: fit on the text before it,
    score the slice (static cross-entropy, nats/char). The lowest order within ``tolerance`` of the
    best wins. Also every order's score. The slice is the last 10% (at most 100,000 characters) and
    the fit sees at most the 2,000,000 characters before it, so a large corpus costs seconds, not minutes.
    """
    cut = len(text) - min(len(text) // 10, 100_000)
    if cut < 1 or cut == len(text):
        return min(orders), {}
    before, held = text[max(0, cut - 2_000_000) : cut], text[cut:]
    if events is None:
        counts = Counter(text)
        events = sorted(counts, key=lambda c: (-counts[c], ord(c)))
    scores = {}
    for order, kn in KneserNey.fit_orders(before, orders=orders, events=events).items():
        ids = kn.encode(before[len(before) - (order - 1) :] + held)
        scores[order] = float(-np.log(kn.probs_of(ids, start=len(ids) - len(held))).mean())
    best = min(scores.values())
    return min(o for o, s in scores.items() if s <= best + tolerance), scores


def _lookup(keys: np.ndarray, query: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of ``query`` in the sorted ``keys`` and whether each is there."""
    if not len(keys):  # an order with no grams (an empty text)
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
    i = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return i, valid & (keys[i] == query)


def _count(ids: np.ndarray, V: int, order: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Every k-gram for k = 1..order: per order its sorted keys, raw counts and continuation counts.

    The continuation count of a gram is how many distinct events come before it in the text (for
    k < order); the text-initial gram, which has none, counts once, as the reference program does.
    """
    n = len(ids)
    keys_by_order, raw, cont = [], [], []
    parent = np.zeros(n, dtype=np.int64)  # the context id before each position (order 1: empty)
    ends = None  # the id of the gram of the previous order ending at each position
    for k in range(order):
        valid = parent >= 0
        keys, at, counts = np.unique((parent * V + ids)[valid], return_inverse=True, return_counts=True)
        here = np.full(n, -1, dtype=np.int64)
        here[valid] = at
        if ends is not None:  # the previous order's continuation counts, from this order's distinct grams
            _, first = np.unique(here[valid], return_index=True)
            suffix = ends[np.flatnonzero(valid)[first]]  # each gram's last k events
            cont.append(np.maximum(np.bincount(suffix, minlength=len(keys_by_order[k - 1])), 1))
        keys_by_order.append(keys)
        raw.append(counts)
        ends = here
        parent = np.concatenate([[-1], here[:-1]])
    return keys_by_order, raw, cont


def _levels(keys: list[np.ndarray], raw: list[np.ndarray], cont: list[np.ndarray], V: int, order: int) -> list[_Order]:
    """The smoothing tables of an ``order``-gram from counts of at least that order."""
    smoothed = [*cont[: order - 1], raw[order - 1]]
    contexts = [1] + [len(k) for k in keys[: order - 1]]  # order k's contexts are the (k-1)-grams
    return [_smooth(keys[k], smoothed[k], V, contexts[k]) for k in range(order)]


def _smooth(keys: np.ndarray, counts: np.ndarray, V: int, contexts: int, discounts: np.ndarray | None = None) -> _Order:
    """``counts``: the counts this order smooths, raw at the top order, else continuation counts."""
    counts = counts.astype(np.int64)
    ctx = keys // V
    if discounts is None:
        discounts = _discounts(counts)
    total = np.bincount(ctx, weights=counts, minlength=contexts)
    each = discounts[np.minimum(counts, 3)]  # each gram's discount
    backoff = np.bincount(ctx, weights=each, minlength=contexts)
    first = np.searchsorted(keys, np.arange(contexts + 1) * V)
    return _Order(keys, counts, discounts, total, backoff, np.maximum(counts - each, 0.0), keys % V, first)


def _discounts(counts: np.ndarray) -> np.ndarray:
    """Chen and Goodman's D1, D2, D3+ from the count-of-counts n1..n4, as the reference program has them.

    Where some n_r is 0 the estimate is undefined and D = 0.5, 1.0, 1.5; every D stays in [0.05, r].
    """
    n = [int(np.sum(counts == r)) for r in range(1, 5)]
    if not all(n):
        d = [0.5, 1.0, 1.5]
    else:
        y = n[0] / (n[0] + 2 * n[1])
        d = [r - (r + 1) * y * n[r] / n[r - 1] for r in (1, 2, 3)]
    return np.array([0.0] + [min(max(x, 0.05), r) for x, r in zip(d, (1, 2, 3), strict=True)])
