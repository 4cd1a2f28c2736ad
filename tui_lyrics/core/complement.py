"""Training the network to complement its n-gram: a product of experts.

The model's distribution is softmax(network logits + log p_ngram): the network is trained
through that sum, so it learns what the n-gram misses rather than what the n-gram already knows.

On the training text the n-gram fitted on that same text has seen every target, so its
probabilities there are far too confident, and a network trained beside them would learn to
trust it too much. The training positions get held-out-style probabilities instead
(``cross_fitted``): the text is cut into ``FOLDS`` contiguous folds and each fold is scored by an
n-gram fitted on the other folds only. At evaluation and in composing the n-gram fitted on all of
the training text is used, as for the interpolated mixture (``core.mixture``).

Over the network's ids the n-gram's mass on the rare characters the network trains as <unk> goes
to <unk>; scoring a rare character then splits the product's <unk> probability in the n-gram's
proportions (``product_probs``), so every figure is a proper distribution over the canonical events.

An option (``--combine product``), not the default: measured step-matched on Jay Chou it scored
5.151 against 4.976 for the network trained alone and interpolated (``bench/BENCHMARKS.md``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from tui_lyrics.core.evaluate import char_log_dists, unk_shares
from tui_lyrics.core.mixture_reading import HeldOutNgram, Reading, read_held_out
from tui_lyrics.core.model import CharRNN
from tui_lyrics.ngram import KneserNey
from tui_lyrics.song_memory import SongMemory
from tui_lyrics.vocab import UNK_ID, CharVocab

FOLDS = 10
"""Folds of the training text for the cross-fitted n-gram: each is scored by a fit on the other nine."""
MAX_TABLE = 400_000_000
"""The most entries (positions x network ids, float16) the training table may hold (800 MB); a larger
corpus trains the network alone and interpolates it (``create_model`` records "mix" in the card)."""
CHUNK = 1 << 22  # entries per ``KneserNey.dists`` call


def fits(train_chars: int, vocab_size: int) -> bool:
    """Whether the cross-fitted table of a training text this long fits in ``MAX_TABLE``."""
    return train_chars * vocab_size <= MAX_TABLE


def folded(p: np.ndarray, own: int) -> np.ndarray:
    """n-gram distributions over its events (n, E) as distributions over the network's ids (n, own):
    the mass of the events past ``own`` (the rare characters) joins <unk>."""
    out = p[:, :own].copy()
    out[:, UNK_ID] += p[:, own:].sum(1)
    return out


def ngram_rows(kn: KneserNey, text: str, lo: int, hi: int, own: int) -> np.ndarray:
    """log p_ngram(. | text[:j]) over the network's ids for j in lo..hi-1, float32 (hi - lo, own)."""
    step = max(1, CHUNK // kn.size)
    out = np.empty((hi - lo, own), dtype=np.float32)
    for a in range(lo, hi, step):
        b = min(hi, a + step)
        before = max(0, a - (kn.order - 1))
        dists = kn.dists(kn.encode(text[before:b]), start=a - before)  # (b - a, E)
        out[a - lo : b - lo] = np.log(folded(dists, own))
    return out


def fold_bounds(n: int, folds: int = FOLDS) -> list[int]:
    return [n * f // folds for f in range(folds + 1)]


def cross_fitted(train_text: str, vocab: CharVocab, *, order: int, folds: int = FOLDS) -> torch.Tensor:
    """Row j: log p_ngram(. | train_text[:j]) over the network's ids (N, V) float16, from an n-gram of
    ``order`` fitted on every fold but j's (the folds are contiguous, ``fold_bounds``)."""
    events = list(vocab.chars) + list(vocab.rare)
    bounds = fold_bounds(len(train_text), folds)
    table = torch.empty((len(train_text), vocab.size), dtype=torch.float16)
    for lo, hi in itertools.pairwise(bounds):
        if lo == hi:
            continue
        # The other folds joined: the one n-gram spanning the seam is a negligible false count.
        kn = KneserNey.fit(train_text[:lo] + train_text[hi:], order=order, events=events)
        table[lo:hi] = torch.from_numpy(ngram_rows(kn, train_text, lo, hi, vocab.size))
    return table


@dataclass(frozen=True)
class HeldOutDists:
    """The n-gram's side of a held-out text for the product, computed once (it does not change while the
    network trains): log-distributions over the network's ids before each character, static and with song
    memory, and each character's share of <unk> where it has no id of its own (1 where it has)."""

    static: np.ndarray  # (n, V) float32
    static_share: np.ndarray  # (n,)
    song: np.ndarray  # (n, V) float32
    song_share: np.ndarray  # (n,)
    targets: np.ndarray  # (n,) the network's id of each character

    @classmethod
    def score(cls, kn: KneserNey, vocab: CharVocab, text: str, *, context: str) -> HeldOutDists:
        own = vocab.size
        before = context[-(kn.order - 1) :] if kn.order > 1 else ""
        events = kn.encode(before + text)[len(before) :]
        static = ngram_rows(kn, before + text, len(before), len(before) + len(text), own)
        memory = SongMemory(kn)
        song = np.empty_like(static)
        song_p = np.empty(len(text))
        for i, e in enumerate(events.tolist()):  # the song read so far, one character at a time
            dist = memory.dist()
            song[i] = np.log(folded(dist[None], own)[0])
            song_p[i] = dist[e]
            memory.read([e])
        targets = np.where(events < own, events, UNK_ID)
        static_p = kn.probs_of(kn.encode(before + text), start=len(before))
        rare = targets != events  # a character the network trains as <unk>: its share of the folded <unk>
        never = events == UNK_ID
        static_share, song_share = np.ones(len(text)), np.ones(len(text))
        for share, p, logs in ((static_share, static_p, static), (song_share, song_p, song)):
            share[rare | never] = p[rare | never] / np.exp(logs[rare | never, UNK_ID].astype(np.float64))
        return cls(static, static_share, song, song_share, targets)


def product_probs(network: torch.Tensor, ngram: np.ndarray, share: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The product's probability of each character (n,) in the canonical events, from the network's
    log-distributions (n, V) and the n-gram's (``HeldOutDists``)."""
    z = network.double() + torch.from_numpy(ngram).double()  # (n, V)
    t = torch.from_numpy(targets)
    logp = z.gather(1, t[:, None])[:, 0] - torch.logsumexp(z, 1)  # (n,)
    probs: np.ndarray = logp.exp().numpy() * share
    return probs


def product_reading(
    network: torch.Tensor, vocab: CharVocab, text: str, held: HeldOutNgram, dists: HeldOutDists
) -> Reading:
    """Both readings of a product model from the network's log-distributions over ``text`` (n, V)."""
    alone = network.gather(1, torch.from_numpy(dists.targets)[:, None])[:, 0].double().exp() * unk_shares(text, vocab)
    static = product_probs(network, dists.static, dists.static_share, dists.targets)
    song = product_probs(network, dists.song, dists.song_share, dists.targets)
    return read_held_out(alone.numpy(), held, product=(static, song))


def held_out_product(
    model: CharRNN, vocab: CharVocab, kn: KneserNey, text: str, context: str, device: torch.device | str = "cpu"
) -> tuple[np.ndarray, np.ndarray]:
    """A product model's probability of each character of ``text`` (n,), static and with song memory."""
    dists = HeldOutDists.score(kn, vocab, text, context=context)
    network = char_log_dists(model, vocab, text, context=context, device=device).cpu()
    static = product_probs(network, dists.static, dists.static_share, dists.targets)
    return static, product_probs(network, dists.song, dists.song_share, dists.targets)
