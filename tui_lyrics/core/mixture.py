"""The model a user trains: the network mixed with a Kneser-Ney n-gram of the same training text.

p(c) = w * p_network(c) + (1 - w) * p_ngram(c), in the canonical events (every training
character plus one never-seen class). The n-gram is refitted from the model's corpus copy
when the model loads (a second at most), so only its order and the weight ``w`` are stored,
in the card's ``mixture``. The weight is chosen at each held-out evaluation, from a grid, as
early stopping chooses the checkpoint; the network's own score is kept beside the mixture's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from tui_lyrics.ngram import KneserNey
from tui_lyrics.vocab import UNK_ID, CharVocab

WEIGHTS = np.linspace(0.0, 1.0, 21)  # the grid the network's share is chosen from


@dataclass(frozen=True)
class Mixture:
    """A fitted n-gram in the network's vocabulary order, and the network's share."""

    ngram: KneserNey
    weight: float
    own: int
    """Events 0..own-1 are the network's ids; the rest are rare characters it trains as <unk>."""

    @classmethod
    def fit(cls, train_text: str, vocab: CharVocab, *, order: int, weight: float = 0.5) -> Mixture:
        # Event ids line up with the network's: its characters first, then the ones it folds into <unk>.
        events = list(vocab.chars) + list(vocab.rare)
        return cls(KneserNey.fit(train_text, order=order, events=events), weight, vocab.size)

    def with_weight(self, weight: float) -> Mixture:
        return Mixture(self.ngram, weight, self.own)

    def to_card(self) -> dict[str, Any]:
        return {"order": self.ngram.order, "weight": self.weight}

    def ngram_probs(self, text: str, *, context: str = "") -> np.ndarray:
        """The n-gram's probability of each character of ``text`` after ``context`` (n,)."""
        before = context[-(self.ngram.order - 1) :] if self.ngram.order > 1 else ""
        return self.ngram.probs_of(self.ngram.encode(before + text), start=len(before))

    def mix(self, network: np.ndarray, ngram: np.ndarray) -> np.ndarray:
        return self.weight * network + (1 - self.weight) * ngram

    def history(self, text: str) -> list[int]:
        """Event ids of the text so far, as ``next_logits`` takes them."""
        index = self.ngram.index
        return [index.get(c, UNK_ID) for c in text[-self.ngram.order :]]

    def next_logits(self, logits: torch.Tensor, history: list[int]) -> torch.Tensor:
        """The mixture's log-probabilities over the network's ids (V,), from its logits (V,).

        The n-gram's mass on characters the network trains as <unk> goes to <unk>, which the
        sampler never emits; scoring keeps them apart (``ngram_probs``).
        """
        ngram = self.ngram.dist(history)
        mixed = (1 - self.weight) * ngram[: self.own]
        mixed[UNK_ID] += (1 - self.weight) * ngram[self.own :].sum()
        mixed += self.weight * torch.softmax(logits.float(), -1).cpu().numpy()
        return torch.from_numpy(np.log(mixed)).to(device=logits.device, dtype=torch.float32)


def best_weight(network: np.ndarray, ngram: np.ndarray) -> tuple[float, float]:
    """The grid weight with the lowest mean cross-entropy, and that cross-entropy."""
    with np.errstate(divide="ignore"):  # a network probability of 0 makes w = 1 infinitely bad, not an error
        losses = [float(-np.log(w * network + (1 - w) * ngram).mean()) for w in WEIGHTS]
    i = int(np.argmin(losses))
    return round(float(WEIGHTS[i]), 4), losses[i]
