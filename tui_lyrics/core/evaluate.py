"""Held-out scoring: mean cross-entropy per character as a proper distribution.

The events are every character seen in the training text plus one class for the never
seen. A character the model trained as ``<unk>`` (rare, or never seen) gets its share of the
``<unk>`` probability (``CharVocab.unk_share``), so the figure compares with any other
model's, an n-gram's included. Context: parallel contiguous chunks with carried state, each
warmed up (unscored) on the text just before it, which a left-to-right reader has seen.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F

from tui_lyrics.core.model import CharRNN
from tui_lyrics.vocab import CharVocab

WARM_UP = 256
CHUNK = 512


def unk_penalty(text: str, vocab: CharVocab) -> float:
    """Total extra nats for the characters scored through <unk>: -log of their share."""
    return sum(-math.log(vocab.unk_share(c)) for c in text if c not in vocab)


@torch.no_grad()
def evaluate(
    model: CharRNN,
    vocab: CharVocab,
    text: str,
    *,
    context: str = "",
    streams: int | None = None,
    device: torch.device | str = "cpu",
) -> float:
    """Mean cross-entropy (nats/char) of ``text``, conditioned on ``context`` before it."""
    if not text:
        raise ValueError("nothing to score")
    ids = vocab.encode(context[-WARM_UP:] + text)
    start = len(ids) - len(text)  # first scored position
    n = len(text)
    if streams is None:
        streams = max(1, min(16, n // 4096))
    bounds = [start + n * i // streams for i in range(streams + 1)]
    was_training = model.training
    model.eval()
    total = 0.0
    try:
        for lo, hi in itertools.pairwise(bounds):
            total += _score_span(model, ids, lo, hi, newline=vocab.id_of("\n"), device=device)
    finally:
        model.train(was_training)
    return (total + unk_penalty(text, vocab)) / n


def _score_span(model: CharRNN, ids: list[int], lo: int, hi: int, *, newline: int, device: torch.device | str) -> float:
    """Summed nats of predicting ids[lo:hi], warming up on up to WARM_UP ids before lo."""
    first = max(0, lo - WARM_UP)
    seq = torch.tensor(ids[first:hi], device=device)
    if first == lo:  # nothing before: predict the first character from a newline
        seq = torch.cat([torch.tensor([newline], device=device), seq])
        first = lo - 1
    state = None
    total = 0.0
    for a in range(0, len(seq) - 1, CHUNK):
        x = seq[a : a + CHUNK][None]  # (1, t)
        y = seq[a + 1 : a + CHUNK + 1][None]
        x = x[:, : y.shape[1]]
        logits, state = model(x, state)  # (1, t, V)
        nll = F.cross_entropy(logits[0].float(), y[0], reduction="none")
        scored_from = max(0, lo - first - 1 - a)
        total += float(nll[scored_from:].sum())
    return total
