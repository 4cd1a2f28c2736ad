"""The model a user trains: the network mixed with a Kneser-Ney n-gram of the same training text.

p(c) = w * p_network(c) + (1 - w) * p_ngram(c), in the canonical events (every training
character plus one never-seen class). The n-gram's order and the weight ``w`` are in the
card's ``mixture``. The weight is chosen at each held-out evaluation, from a grid, as early
stopping chooses the checkpoint; the network's own score is kept beside the mixture's. That
reading and choice are ``core.mixture_reading``; this module is the mixture they choose for,
as sampling and scoring use it.

With song memory (``tui_lyrics.song_memory``) the n-gram also counts the song read so far, and
the song's own n-gram (the song's counts only) joins in. Their copy of the song overlaps what
the network's state remembers, so one fixed weight mixes them badly: the shares of the network
and of the song's own n-gram depend on how long the recent text's match with the song so far is
(the match bucket), one pair per bucket, chosen like ``w`` on the held-out text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tui_lyrics.card import MixtureSpec
from tui_lyrics.ngram import KneserNey, choose_order
from tui_lyrics.ngram_file import load_ngram, store_ngram
from tui_lyrics.song_memory import LADDER, SongMemory, SongReading, song_probs
from tui_lyrics.vocab import UNK_ID, CharVocab

BUCKETS = len(LADDER) + 1  # match buckets: song_weights has one pair per bucket
WRITTEN_SONG_SHARE = 0.3
"""Writing is not reading: in a take, where the text's match with the song so far is not in the typed prompt (the
song matches only what the model wrote itself), the song's own n-gram gets at most this share and the network the
rest. The per-bucket shares were fitted reading songs, where a long match is a chorus coming back; in writing, a
long match with the model's own lines feeds on itself and the take recites itself (bench/LYRIC_CRAFT.md, "Choruses,
loops and stutters"). Sampling only: scoring (``mix_song``) uses the fitted shares as they are."""


@dataclass(frozen=True)
class Mixture:
    """A fitted n-gram in the network's vocabulary order, and the network's share."""

    ngram: KneserNey
    weight: float
    own: int
    """Events 0..own-1 are the network's ids; the rest are rare characters it trains as <unk>."""
    song_weights: tuple[tuple[float, float], ...] | None = None
    """With song memory, per match bucket (``BUCKETS`` of them): the network's share and the song's own
    n-gram's (the n-gram counting the song on top of the training text has the rest); None: ``weight``."""
    order_scores: dict[int, float] | None = None
    """When the order was chosen: each order's cross-entropy on a slice of the training text (``choose_order``)."""
    product: bool = False
    """The network was trained to complement the n-gram (``core.complement``): its side of the mixture is
    softmax(logits + log p_ngram), not softmax(logits). False: the interpolation of the two."""

    @classmethod
    def fit(cls, train_text: str, vocab: CharVocab, *, order: int, weight: float = 0.5) -> Mixture:
        # Event ids line up with the network's: its characters first, then the ones it folds into <unk>.
        events = list(vocab.chars) + list(vocab.rare)
        return cls(KneserNey.fit(train_text, order=order, events=events), weight, vocab.size)

    @classmethod
    def for_folder(
        cls,
        folder: Path,
        vocab: CharVocab,
        *,
        order: int,
        held_out: float,
        train_text: Callable[[], str],
        weight: float = 0.5,
        song_weights: tuple[tuple[float, float], ...] | None = None,
        save: bool = True,
        product: bool = False,
    ) -> Mixture:
        """The model's n-gram as stored in its folder (``ngram_file``), else fitted on ``train_text()``
        and stored (``save``) so the next open is fast."""
        events = list(vocab.chars) + list(vocab.rare)
        ngram = load_ngram(folder, order=order, held_out=held_out, events=events)
        if ngram is None:
            ngram = KneserNey.fit(train_text(), order=order, events=events)
            if save:
                store_ngram(folder, ngram, held_out=held_out)
        return cls(ngram, weight, vocab.size, song_weights, product=product)

    @classmethod
    def for_training(
        cls,
        folder: Path,
        vocab: CharVocab,
        train_text: str,
        *,
        order: int,
        held_out: float,
        card: MixtureSpec | None = None,
        product: bool = False,
    ) -> Mixture:
        """The mixture a training run scores with. ``order`` < 0: chosen per corpus on a slice at the end
        of the training text (``ngram.choose_order``), unless the card's ``mixture`` already has one."""
        scores = None
        if card is not None:
            order, product = card.order, card.combine == "product"  # a resumed run keeps its n-gram and combination
            scores = {int(k): v for k, v in (card.order_scores or {}).items()} or None
        elif order < 0:
            events = list(vocab.chars) + list(vocab.rare)
            order, scores = choose_order(train_text, events=events)
        mixture = cls.for_folder(
            folder, vocab, order=order, held_out=held_out, train_text=lambda: train_text, product=product
        )
        return dataclasses.replace(mixture, order_scores=scores)

    def with_weight(self, weight: float, song_weights: tuple[tuple[float, float], ...] | None = None) -> Mixture:
        return dataclasses.replace(self, weight=weight, song_weights=song_weights)

    def to_card(self) -> MixtureSpec:
        return MixtureSpec(
            order=self.ngram.order,
            weight=self.weight,
            song_weights=None if self.song_weights is None else [list(pair) for pair in self.song_weights],
            order_scores={str(k): round(v, 6) for k, v in self.order_scores.items()} if self.order_scores else None,
            combine="product" if self.product else None,
        )

    def ngram_probs(self, text: str, *, context: str = "") -> np.ndarray:
        """The n-gram's probability of each character of ``text`` after ``context`` (n,)."""
        before = context[-(self.ngram.order - 1) :] if self.ngram.order > 1 else ""
        return self.ngram.probs_of(self.ngram.encode(before + text), start=len(before))

    def song_ngram_probs(self, text: str, *, context: str = "") -> SongReading:
        """With song memory: the n-grams' probabilities of each character of ``text``, counting ``text``
        as they read it, and each position's match bucket (``song_memory.song_probs``)."""
        before = context[-(self.ngram.order - 1) :] if self.ngram.order > 1 else ""
        return song_probs(self.ngram, self.ngram.encode(before + text), len(before))

    def mix(self, network: np.ndarray, ngram: np.ndarray) -> np.ndarray:
        return self.weight * network + (1 - self.weight) * ngram

    def mix_song(self, network: np.ndarray, song: SongReading) -> np.ndarray:
        """The mixture with song memory, per character: ``song`` from ``song_ngram_probs``."""
        if self.song_weights is None:
            return self.weight * network + (1 - self.weight) * song.probs
        pairs = np.asarray(self.song_weights)[song.buckets]  # (n, 2)
        a, c = pairs[:, 0], pairs[:, 1]
        mixed: np.ndarray = a * network + c * song.own + (1 - a - c) * song.probs
        return mixed

    def song_memory(self, text: str = "") -> SongMemory:
        """A song memory that has read ``text`` (the song so far), for ``next_log_probs``."""
        memory = SongMemory(self.ngram)
        memory.read_text(text)
        return memory

    def history(self, text: str) -> list[int]:
        """Event ids of the text so far, as ``next_log_probs`` takes them."""
        index = self.ngram.index
        return [index.get(c, UNK_ID) for c in text[-self.ngram.order :]]

    def next_logits(
        self,
        logits: torch.Tensor,
        history: list[int],
        memory: SongMemory | None = None,
        *,
        prompt: str | None = None,
        recent: str = "",
    ) -> torch.Tensor:
        """``next_log_probs`` for a torch row of logits (V,), on its device: for the tests (sampling calls
        ``next_log_probs``)."""
        row = logits.float().cpu().numpy()
        mixed = self.next_log_probs(lambda: row, history, memory, prompt=prompt, recent=recent)
        return torch.from_numpy(mixed).to(logits.device)

    def next_log_probs(
        self,
        logits: Callable[[], np.ndarray],
        history: list[int],
        memory: SongMemory | None = None,
        *,
        prompt: str | None = None,
        recent: str = "",
    ) -> np.ndarray:
        """The mixture's log-probabilities over the network's ids (V,) float32, from its logits (V,), which
        ``logits()`` gives when they are needed: not where the network's share is 0 (a long match with the song
        gives the song's own n-gram everything), which adds exactly nothing to the mixture.

        With ``memory`` the n-gram is the song memory (which has read the song so far) and the
        weight is its match bucket's; else the n-gram reads ``history`` only. The n-gram's mass on
        characters the network trains as <unk> goes to <unk>, which the sampler never emits;
        scoring keeps them apart (``ngram_probs``). Writing passes ``prompt`` (the typed text) and
        ``recent`` (the text's last ``LADDER[-1]`` characters or more): a match found only in what was
        written caps the song's own share at ``WRITTEN_SONG_SHARE``. Each n-gram distribution is
        computed once per call, also where the product's side needs it again.
        """
        w = self.weight
        side: np.ndarray | None
        if memory is None:
            side = ngram = self.ngram.dist(history)
        elif self.song_weights is None:
            side = ngram = memory.dist()
        else:
            b = memory.bucket()
            w, c = self.song_weights[b]
            if prompt is not None and b and c > WRITTEN_SONG_SHARE and recent[-LADDER[b - 1] :] not in prompt:
                w, c = w + c - WRITTEN_SONG_SHARE, WRITTEN_SONG_SHARE  # the model's own writing, not the song typed
            # a share of 0 adds exactly nothing: its distribution is not computed (a long match gives the song's
            # own n-gram everything; ``SongMemory.mixed`` skips it), unless the product's side needs it
            if self.product:
                side = memory.dist()
                ngram = (1 - w - c) * side
                if c:
                    ngram += c * memory.own_dist()
            else:  # the two n-grams' shares summed in one pass
                side, ngram = None, memory.mixed(1 - w - c, c)
        if memory is None or self.song_weights is None:
            ngram = (1 - w) * ngram  # the n-gram's share (with song weights, their two shares are in it already)
        mixed = ngram[: self.own]  # a view: ``ngram`` is this call's own array whichever way it came
        mixed[UNK_ID] += ngram[self.own :].sum()
        if self.product:  # the network's side: softmax(logits + log p_ngram), with the song memory's n-gram if any
            assert side is not None
            folded = side[: self.own].copy()
            folded[UNK_ID] += side[self.own :].sum()
            z = np.asarray(logits(), dtype=np.float32) + np.log(folded)
            z = np.exp(z - z.max())
            mixed += w * z / z.sum()
        elif w:
            z = np.asarray(logits(), dtype=np.float32)
            e = np.exp(z - z.max())  # float32, as torch's softmax of the logits
            mixed += (w / e.sum()) * e
        out: np.ndarray = np.log(mixed).astype(np.float32)  # the log in float64 first: equal odds stay equal
        return out
