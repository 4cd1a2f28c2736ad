"""The draw of one character: the model's distribution, the lyric controls, temperature, top-k and top-p.

numpy on the CPU for whatever device the network ran on (the logits of one stream are a single (V,) row),
with the random numbers from a seeded ``torch.Generator``: the same stream, and the same draw, that
``torch.multinomial`` would make, so a seeded take replays (``sample.stream_chars``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from tui_lyrics.core.constraints import LyricControls
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.vocab import UNK_ID, CharVocab


@dataclass(frozen=True)
class SampledChar:
    char: str
    prob: float
    """The model's own probability of this character (temperature 1, <unk> excluded), before any
    lyric control: the sum of log(prob) over a take is its log-probability under the model."""
    alternatives: tuple[tuple[str, float], ...]
    """The model's top candidates at this position, most likely first."""
    controls: tuple[str, ...] = ()
    """The lyric controls that changed the distribution at this position (see ``core.constraints``):
    verse, shape, corpus-shape, rhyme, quote, loop, ngram, penalty, lookahead; quote-lifted where the quote limit
    gave way."""
    line_class: str | None = None
    """With rhyme on, on a newline that completes a line: that line's rhyme class (十三辙)."""


class Exponentials:
    """A seeded generator's Exp(1) stream, drawn ``BATCH`` at a time and handed out in order.

    torch's CPU ``exponential_`` fills a float32 tensor one variable per entry from the generator's stream, so
    one call for many entries gives the same numbers as many calls for a few (a test checks this on the torch
    installed): the draw makes one torch call per ``BATCH`` variables instead of one per character (~15 µs).
    The generator runs ahead of what was handed out, so it serves this stream alone.
    """

    BATCH = 1024

    def __init__(self, g: torch.Generator) -> None:
        self.g = g
        self.buffer = np.empty(0, dtype=np.float32)
        self.at = 0

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` variables of the stream (float32)."""
        if self.at + n > len(self.buffer):
            more = torch.empty(max(n, self.BATCH), dtype=torch.float32).exponential_(1, generator=self.g).numpy()
            self.buffer, self.at = np.concatenate((self.buffer[self.at :], more)), 0
        out = self.buffer[self.at : self.at + n]
        self.at += n
        return out


def _pick(
    logits: np.ndarray,
    vocab: CharVocab,
    config: SampleConfig,
    g: torch.Generator | Exponentials,
    *,
    controls: LyricControls | None = None,
    peek: Callable[[np.ndarray], np.ndarray] | None = None,
) -> SampledChar:
    """Draw the next character from log-probabilities or logits (V,), through the controls."""
    logits = np.array(logits, dtype=np.float32)  # a copy: the caller's array stays as it was
    logits[UNK_ID] = -np.inf  # never emit <unk>
    own = _softmax(logits)  # (V,) the model's distribution
    used: tuple[str, ...] = ()
    work = logits
    if controls is not None:
        work, used = controls.adjust(logits, peek)  # the model's logits, restricted and reweighted
    if config.temperature == 0:
        index = int(np.argmax(work))
    else:  # x / 1 is x exactly: a pass over V saved at the default temperature
        index = _draw(work if config.temperature == 1 else work / np.float32(config.temperature), config, g)
    alts: tuple[tuple[str, float], ...] = ()
    if config.alternatives:
        ids = _top(own, min(config.alternatives, vocab.size - 1))
        alts = tuple((vocab.chars[i - 1], float(own[i])) for i in ids.tolist())
    return SampledChar(char=vocab.chars[index - 1], prob=float(own[index]), alternatives=alts, controls=used)


def _softmax(x: np.ndarray) -> np.ndarray:
    """softmax of a row, in its dtype; -inf entries get 0, all NaN where the largest is not finite (the draw
    refuses that). No ``np.errstate``: entering one costs more than this softmax."""
    top = x.max()
    if not math.isfinite(top):
        return np.full_like(x, np.nan)
    e = np.exp(x - top)
    out: np.ndarray = e / e.sum()
    return out


def _top(x: np.ndarray, k: int) -> np.ndarray:
    """The ids of the ``k`` largest entries (V,), largest first: ``torch.topk`` on the same memory, so equal
    entries (a small model's penalties make exact ties) come in torch's order and a seeded take stays the one
    torch drew."""
    ids: np.ndarray = torch.topk(torch.from_numpy(x), k).indices.numpy()
    return ids


def _draw(logits: np.ndarray, config: SampleConfig, g: torch.Generator | Exponentials) -> int:
    k = config.top_k if config.top_k > 0 else len(logits)
    ids = _top(logits, min(k, len(logits) - 1))  # sorted, most likely first
    probs = _softmax(logits[ids])
    if config.top_p < 1.0:
        keep = int((np.cumsum(probs) < config.top_p).sum()) + 1  # smallest set reaching p
        probs = probs[:keep] / probs[:keep].sum()
        ids = ids[:keep]
    return int(ids[_multinomial_one(probs, g)])


def _multinomial_one(probs: np.ndarray, g: torch.Generator | Exponentials) -> int:
    """``torch.multinomial(probs, 1, generator=g)`` at a fraction of its cost: the same draw from the same stream.

    For one sample torch draws an Exp(1) variable per entry and takes argmax(probs / q) (the Gumbel-max
    trick, exponentiated); a test checks the two agree draw for draw. Invalid probabilities fail as there.
    ``g`` as ``Exponentials``: the same stream, drawn in batches.
    """
    total = float(probs.sum())
    if not math.isfinite(total) or total <= 0:
        raise RuntimeError(f"invalid multinomial distribution (sum of probabilities {total})")
    if isinstance(g, Exponentials):
        q = g.take(len(probs))
    else:
        q = torch.empty(len(probs), dtype=torch.float32).exponential_(1, generator=g).numpy()
    return int(np.argmax(probs.astype(np.float32, copy=False) / q))
