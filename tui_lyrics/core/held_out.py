"""The held-out side of a training run: its n-gram, prepared once, and the readings of the network's weights.

What does not change while the network trains is computed before the first step: the n-gram mixed with
the network (``core.mixture``), its side of the held-out text, and for the product its cross-fitted
log-probabilities on the training text (``core.complement``). ``HeldOut.read`` then scores the current
weights; ``core.run_record`` writes the reading down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from tui_lyrics.card import MixtureSpec
from tui_lyrics.config import ModelConfig
from tui_lyrics.core.complement import HeldOutDists, cross_fitted, fits, product_reading
from tui_lyrics.core.evaluate import char_log_dists, char_probs
from tui_lyrics.core.mixture import Mixture
from tui_lyrics.core.mixture_reading import HeldOutNgram, Reading, read_held_out
from tui_lyrics.core.model import CharRNN
from tui_lyrics.vocab import CharVocab


@dataclass(frozen=True, eq=False)
class HeldOut:
    """A run's held-out text and the n-gram's fixed part of scoring it (all None for the network alone)."""

    vocab: CharVocab
    train_text: str
    held_text: str
    mixture: Mixture | None = None
    ngram: HeldOutNgram | None = None
    """The n-gram's side of the held-out text, static and with song memory."""
    complement: torch.Tensor | None = None
    """(N, V) the cross-fitted n-gram's log-probs over the training text, for the product."""
    dists: HeldOutDists | None = None
    """The n-gram's log-distributions over the held-out text, for the product."""

    @classmethod
    def prepare(
        cls,
        folder: Path,
        vocab: CharVocab,
        train_text: str,
        held_text: str,
        *,
        model: ModelConfig,
        held_out: float,
        card: MixtureSpec | None,
    ) -> HeldOut:
        """Fit (or load) the model's n-gram and score its side of the held-out text; ``card``: the card's
        ``mixture``, which a resumed run keeps."""
        if not model.ngram:
            return cls(vocab, train_text, held_text)
        # ngram below 0: the order is chosen on a slice of the training text
        product = model.combine == "product" and fits(len(train_text), vocab.size)
        mixture = Mixture.for_training(
            folder, vocab, train_text, order=model.ngram, held_out=held_out, card=card, product=product
        )
        ngram = HeldOutNgram.score(mixture, held_text, context=train_text)
        if not mixture.product:
            return cls(vocab, train_text, held_text, mixture, ngram)
        complement = cross_fitted(train_text, vocab, order=mixture.ngram.order)
        dists = HeldOutDists.score(mixture.ngram, vocab, held_text, context=train_text)
        return cls(vocab, train_text, held_text, mixture, ngram, complement, dists)

    def read(self, model: CharRNN, device: torch.device) -> Reading:
        """The model's held-out readings: static and with song memory, the network's own, the weights."""
        if self.complement is not None:
            return self._product_reading(model, device)
        probs = char_probs(model, self.vocab, self.held_text, context=self.train_text, device=device)
        return read_held_out(probs.numpy(), self.ngram)

    def _product_reading(self, model: CharRNN, device: torch.device) -> Reading:
        """The product's readings: the network's log-distributions combined with the n-gram's, both readings."""
        assert self.ngram is not None and self.dists is not None  # prepared with the complement
        logd = char_log_dists(model, self.vocab, self.held_text, context=self.train_text, device=device)
        return product_reading(logd.cpu(), self.vocab, self.held_text, self.ngram, self.dists)


__all__ = ["HeldOut"]
