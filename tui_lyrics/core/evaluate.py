"""Held-out scoring: mean cross-entropy per character as a proper distribution.

The events are every character seen in the training text plus one class for the never
seen. A character the model trained as ``<unk>`` (rare, or never seen) gets its share of the
``<unk>`` probability (``CharVocab.unk_share``), so the figure compares with any other
model's, an n-gram's included. Context: parallel contiguous chunks with carried state, each
warmed up (unscored) on the text just before it, which a left-to-right reader has seen.
"""

from __future__ import annotations

import itertools

import torch

from tui_lyrics.core.model import CharRNN
from tui_lyrics.vocab import CharVocab

WARM_UP = 256
CHUNK = 512


def unk_shares(text: str, vocab: CharVocab) -> torch.Tensor:
    """Per character: 1 for one with its own id, else its share of the <unk> probability."""
    return torch.tensor([1.0 if c in vocab else vocab.unk_share(c) for c in text], dtype=torch.float64)


@torch.no_grad()
def char_probs(
    model: CharRNN,
    vocab: CharVocab,
    text: str,
    *,
    context: str = "",
    streams: int | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """The network's probability of each character of ``text`` (n,) in the canonical events,
    conditioned on ``context`` before it."""
    log_probs = _read(model, vocab, text, context=context, streams=streams, device=device, full=False)
    return log_probs.double().exp() * unk_shares(text, vocab)


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
    probs = char_probs(model, vocab, text, context=context, streams=streams, device=device)
    return float(-probs.log().mean())


@torch.no_grad()
def char_log_dists(
    model: CharRNN, vocab: CharVocab, text: str, *, context: str = "", device: torch.device | str = "cpu"
) -> torch.Tensor:
    """The network's log-distribution over its ids before each character of ``text`` (n, V), read as
    ``char_probs`` reads it (the same streams, warmed up on ``context``): for combining with an n-gram."""
    return _read(model, vocab, text, context=context, streams=None, device=device, full=True)


def _read(
    model: CharRNN,
    vocab: CharVocab,
    text: str,
    *,
    context: str,
    streams: int | None,
    device: torch.device | str,
    full: bool,
) -> torch.Tensor:
    """``text`` read in ``streams`` contiguous chunks (by default one per 4,096 characters, at most 16), each
    warmed up on what comes before it: each character's log p (n,), or ``full``: every id's (n, V)."""
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
    try:
        newline = vocab.id_of("\n")
        spans = [
            _span_log_probs(model, ids, lo, hi, newline=newline, device=device, full=full)
            for lo, hi in itertools.pairwise(bounds)
        ]
    finally:
        model.train(was_training)
    return torch.cat(spans)


def _span_log_probs(
    model: CharRNN, ids: list[int], lo: int, hi: int, *, newline: int, device: torch.device | str, full: bool = False
) -> torch.Tensor:
    """log p of ids[lo:hi] (hi - lo,), warming up on up to WARM_UP ids before lo; ``full``: every id's (hi - lo, V)."""
    first = max(0, lo - WARM_UP)
    seq = torch.tensor(ids[first:hi], device=device)
    if first == lo:  # nothing before: predict the first character from a newline
        seq = torch.cat([torch.tensor([newline], device=device), seq])
        first = lo - 1
    state = None
    parts = []
    for a in range(0, len(seq) - 1, CHUNK):
        x = seq[a : a + CHUNK][None]  # (1, t)
        y = seq[a + 1 : a + CHUNK + 1][None]
        x = x[:, : y.shape[1]]
        logits, state = model(x, state)  # (1, t, V)
        logp = torch.log_softmax(logits[0].float(), -1)  # (t, V)
        if not full:
            logp = logp.gather(1, y[0][:, None])[:, 0]  # (t,)
        parts.append(logp[max(0, lo - first - 1 - a) :].cpu())
    return torch.cat(parts)
