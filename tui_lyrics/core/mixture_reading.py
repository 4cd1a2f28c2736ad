"""The held-out readings of a mixture, and the choice of its weights from them.

What a training run's held-out evaluation and ``lyrics-tui eval`` compute: the n-gram's side of the
held-out text once (``HeldOutNgram``), then both readings of the model (``Reading``: static, and with
song memory) with the network's share ``w`` chosen from the grid ``WEIGHTS`` (``best_weight``) and,
with song memory, the (network, song's own n-gram) shares per match bucket from ``PAIRS``
(``best_song_weights``). Sampling with the weights chosen is ``core.mixture.Mixture``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tui_lyrics.core.mixture import BUCKETS, Mixture
from tui_lyrics.song_memory import SongReading

WEIGHTS = np.linspace(0.0, 1.0, 21)  # the grid the network's share is chosen from
PAIRS = [(a, c) for a in WEIGHTS for c in WEIGHTS if a + c <= 1 + 1e-9]  # (network, song's own n-gram) shares


@dataclass(frozen=True)
class HeldOutNgram:
    """The n-gram's side of a held-out text, computed once: it does not change while the network trains."""

    static: np.ndarray
    """Per character, given the training text only (n,)."""
    song: SongReading
    """Per character, with song memory: counting the held-out text as it reads it."""

    @classmethod
    def score(cls, mixture: Mixture, text: str, *, context: str) -> HeldOutNgram:
        return cls(mixture.ngram_probs(text, context=context), mixture.song_ngram_probs(text, context=context))


@dataclass(frozen=True)
class Reading:
    """One held-out evaluation of a model, both readings side by side, in nats per character."""

    loss: float
    """Static: each character given the training text and the text before it, nothing counted."""
    network: float
    """The network alone (its recurrent state is its only memory of the text before)."""
    song_loss: float | None = None
    """With song memory: the n-gram also counts the held-out text it has read. None: no n-gram."""
    weight: float | None = None
    song_weights: tuple[tuple[float, float], ...] | None = None
    ngram: float | None = None
    """The n-gram alone, static."""
    ngram_song: float | None = None
    """The n-gram alone, with song memory."""


def read_held_out(
    network: np.ndarray, held: HeldOutNgram | None, *, product: tuple[np.ndarray, np.ndarray] | None = None
) -> Reading:
    """Both readings of the model from the network's probabilities (n,), weights chosen on this text.

    ``product``: a network trained to complement the n-gram (``core.complement``): its side of the
    mixture is the product's probabilities, static and with song memory, in place of ``network``'s.
    """
    with np.errstate(divide="ignore"):
        alone = float(-np.log(network).mean())
    if held is None or (not math.isfinite(alone) and product is None):
        return Reading(loss=alone, network=alone)
    static_side, song_side = product if product is not None else (network, network)
    weight, loss = best_weight(static_side, held.static)
    song_weights, song_loss = best_song_weights(song_side, held.song)
    return Reading(
        loss=loss,
        network=alone,
        song_loss=song_loss,
        weight=weight,
        song_weights=song_weights,
        ngram=float(-np.log(held.static).mean()),
        ngram_song=float(-np.log(held.song.probs).mean()),
    )


def best_weight(network: np.ndarray, ngram: np.ndarray) -> tuple[float, float]:
    """The grid weight with the lowest mean cross-entropy, and that cross-entropy."""
    with np.errstate(divide="ignore"):  # a network probability of 0 makes w = 1 infinitely bad, not an error
        losses = [float(-np.log(w * network + (1 - w) * ngram).mean()) for w in WEIGHTS]
    i = int(np.argmin(losses))
    return round(float(WEIGHTS[i]), 4), losses[i]


def best_song_weights(network: np.ndarray, song: SongReading) -> tuple[tuple[tuple[float, float], ...], float]:
    """Per match bucket, the (network, song's own n-gram) shares from ``PAIRS`` with the lowest cross-entropy
    there (the loss is a sum over positions, so each bucket's pair is chosen on its own), and the mixture's
    mean cross-entropy. A bucket with no positions gets the best single weight and no own n-gram."""
    single, _ = best_weight(network, song.probs)
    pairs, total = [], 0.0
    for b in range(BUCKETS):
        here = song.buckets == b
        if not here.any():
            pairs.append((single, 0.0))
            continue
        p, q, r = network[here], song.probs[here], song.own[here]
        with np.errstate(divide="ignore"):
            losses = [float(-np.log(q + a * (p - q) + c * (r - q)).sum()) for a, c in PAIRS]
        i = int(np.argmin(losses))
        pairs.append((round(float(PAIRS[i][0]), 4), round(float(PAIRS[i][1]), 4)))
        total += losses[i]
    return tuple(pairs), total / len(network)
