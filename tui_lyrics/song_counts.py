"""Song counts: what one song adds to a fitted Kneser-Ney n-gram, and the one-pass sum of its distributions.

``Overlay`` holds the counts a song added, per order, in small dicts keyed by the song's own event
codes, on top of the fitted numpy tables, with the discounts fixed as fitted on the training text,
so every distribution stays proper; given an order it is the song's own n-gram instead (the song's
counts only, the same discounts). ``Parts`` sums an interpolated distribution (or a mixture of two)
in one pass. ``song_memory`` reads songs with these. Torch-free.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tui_lyrics.ngram import KneserNey

# One context's song counts: [added total, added backoff mass, {event: added count}, {event: training count},
# once it has many events a dense (V,) array of what they add to the discounted counts (else None),
# {event: what its song counts add to its discounted count} (``_gain``, kept up to date by ``_bump``),
# and those gains as arrays (ids, values) for ``dist``, built when first asked for since the last bump, else None]
Context = list[Any]
DENSE = 32  # a context with more song events than this keeps them dense too


class Overlay:
    """The counts one song added, per order, and the bump rule that keeps them Kneser-Ney."""

    def __init__(self, kn: KneserNey, order: int | None = None) -> None:
        """On top of ``kn``'s counts, or (``order`` given) alone: the song's own n-gram of that order,
        with ``kn``'s discounts (its top order's above it)."""
        self.order, self.size = order or kn.order, kn.size
        self.discounts = [kn._orders[min(k, kn.order - 1)].discounts.tolist() for k in range(self.order)]
        # what one more count adds to a context's backoff mass, by the gram's count before it (0, 1, 2; then 0)
        self.steps = [[d[1], d[2] - d[1], d[3] - d[2]] for d in self.discounts]
        self.contexts: list[dict[str, Context]] = [{} for _ in range(self.order)]
        self.seen: list[set[str]] = [set() for _ in range(self.order)]  # grams the song has that training lacks

    def prob(self, code: str, end: int, floor: int) -> float:
        """The song's own n-gram: p(code[end] | code[floor:end]), from the song's counts only."""
        w = ord(code[end])
        p = 1.0 / self.size
        for k in range(min(self.order, end - floor + 1)):
            context = self.contexts[k].get(code[end - k : end])
            if context is not None:
                c = context[2].get(w, 0)
                p = ((c - self.discounts[k][min(c, 3)] if c else 0.0) + context[1] * p) / context[0]
        return p

    def dist(self, code: str) -> np.ndarray:
        """The song's own n-gram: the distribution after ``code`` (V,)."""
        parts = Parts(self.size)
        self.add_dist(code, parts)
        return parts.sum()

    def add_dist(self, code: str, parts: Parts) -> None:
        """The song's own n-gram's distribution after ``code``, times ``parts.scale``, added to ``parts``."""
        found = [self.contexts[k].get(code[len(code) - k :]) for k in range(min(self.order, len(code) + 1))]
        for context in reversed(found):  # from the top order down: see ``Parts``
            if context:
                parts.add_context(context, 1.0 / context[0])
                parts.scale *= context[1] / context[0]

    def add(self, code: str, base: list[int]) -> None:
        """Count the last event of ``code`` (the song's last events); ``base[k]``: the training count of its
        (k+1)-gram at order k + 1 (raw at the top order, else continuation; 0 if absent)."""
        n = self.order
        new = [False] * (n + 1)
        for k in range(1, min(n, len(code))):  # a (k+1)-gram never seen before raises order k's continuation count
            if base[k] == 0:
                gram = code[-k - 1 :]
                if gram not in self.seen[k]:
                    self.seen[k].add(gram)
                    new[k] = True
        if len(code) >= n:
            self._bump(n - 1, code[-n:], base[n - 1])
        for k in range(n - 1):
            if new[k + 1]:
                self._bump(k, code[-k - 1 :], base[k])

    def _bump(self, k: int, gram: str, base: int) -> None:
        contexts, key = self.contexts[k], gram[:-1]
        context = contexts.get(key)
        if context is None:
            context = contexts[key] = [0, 0.0, {}, {}, None, {}, None]
        event = ord(gram[-1])
        children = context[2]
        added = children.get(event, 0)
        old = base + added
        context[0] += 1
        if old < 3:
            context[1] += self.steps[k][old]  # from D(old) to D(old + 1); D(0) is 0
        children[event] = added + 1
        if not added:
            context[3][event] = base
        gain = context[5][event] = _gain(self.discounts[k], base, added + 1)
        context[6] = None
        dense = context[4]
        if dense is not None:
            dense[event] = gain
        elif len(children) > DENSE:
            dense = context[4] = np.zeros(self.size)
            gains = context[5]
            dense[np.fromiter(gains, np.int64, len(gains))] = np.fromiter(gains.values(), np.float64, len(gains))


class Parts:
    """An interpolated distribution summed in one pass instead of order by order.

    Order by order, p_k = r_k p_(k-1) + a_k / t_k (r_k = backoff / total, a_k the context's discounted
    counts). Unrolled, p = (r_1 ... r_n) / V + sum_k a_k / t_k * (r_(k+1) ... r_n): walking the orders from
    the top down with ``scale`` = the product of the ratios above, each order's counts are added once,
    scaled, and the sparse ones are scattered together (one ``bincount``) instead of an array pass per order.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.scale = 1.0
        self.ids: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.factors: list[float] = []  # each sparse part's multiplier, applied in one pass by ``sum``
        self.dense: np.ndarray | None = None
        self.uniform = 0.0  # the uniform floor's weight of the distributions summed before the current one

    def restart(self, weight: float) -> None:
        """Begin another distribution, weighted ``weight``, in the same sum (a mixture of two in one pass)."""
        self.uniform += self.scale
        self.scale = weight

    def add_sparse(self, ids: np.ndarray, values: np.ndarray, factor: float) -> None:
        self.ids.append(ids)
        self.values.append(values)
        self.factors.append(factor * self.scale)

    def add_dense(self, values: np.ndarray, factor: float) -> None:
        scaled = values * (factor * self.scale)
        self.dense = scaled if self.dense is None else self.dense + scaled

    def add_context(self, context: Context, factor: float) -> None:
        """A song context's gains (``Overlay``), over ``factor`` (1 / its total)."""
        if context[4] is not None:
            self.add_dense(context[4], factor)
        else:
            if context[6] is None:  # a low order's context is read many times between bumps: keep its arrays
                gains: dict[int, float] = context[5]
                n = len(gains)
                context[6] = (np.fromiter(gains, np.int64, n), np.fromiter(gains.values(), np.float64, n))
            ids, values = context[6]
            self.add_sparse(ids, values, factor)

    def sum(self) -> np.ndarray:
        if self.ids:
            lengths = [len(ids) for ids in self.ids]
            weights = np.concatenate(self.values) * np.repeat(self.factors, lengths)  # the same products as one by one
            counts = np.bincount(np.concatenate(self.ids), weights, minlength=self.size)
            p = np.asarray(counts, dtype=np.float64)  # weighted: float64 already, so no copy
            p += (self.uniform + self.scale) / self.size
        else:
            p = np.full(self.size, (self.uniform + self.scale) / self.size)
        if self.dense is not None:
            p += self.dense
        return p


def _gain(d: list[float], base: int, added: int) -> float:
    """How much ``added`` song counts raise a gram's discounted count (``base``: its training count)."""
    now = base + added
    return now - d[min(now, 3)] - (base - d[min(base, 3)] if base else 0.0)
