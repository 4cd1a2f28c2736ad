"""Creating a model: its folder made from a corpus (the split, the vocabulary, the corpus copy, a fresh card).

The first half of a model's life; ``core.train`` trains the folder this makes. A card records the versions
that made it (``versions``) and when (``now_iso``, also the stamp of every later save).
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path

import torch

from tui_lyrics import __version__
from tui_lyrics.card import ModelCard, SplitSizes
from tui_lyrics.config import DEFAULT_MAX_PARAMS, ModelConfig, TrainConfig, check_size, count_params
from tui_lyrics.core.complement import fits
from tui_lyrics.corpus import Corpus, split_text
from tui_lyrics.folder import ModelFolder
from tui_lyrics.store import ModelStore, validate_name
from tui_lyrics.vocab import CharVocab


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_model(
    store: ModelStore,
    corpus: Corpus,
    *,
    name: str,
    model: ModelConfig,
    train: TrainConfig,
    max_params: int = DEFAULT_MAX_PARAMS,
) -> str:
    """Make a model folder: the split, the vocabulary, the corpus copy and a fresh card.

    A network over ``max_params`` is refused before the folder is made.
    """
    train_text, held_text = split_text(corpus.text, held_out=train.held_out)
    vocab = CharVocab.build(train_text, min_count=train.min_count, max_size=train.max_vocab)
    check_size(model, vocab.size, max_params=max_params)
    if model.combine == "product" and not (model.ngram and fits(len(train_text), vocab.size)):
        model = model.replace(combine="mix")  # no n-gram, or its training table too large: the card says so
    card = ModelCard(
        name=validate_name(name),
        created=now_iso(),
        updated=now_iso(),
        model=model,
        train=train,
        vocab=vocab,
        corpus=corpus.summary,
        split=SplitSizes(train_chars=len(train_text), held_chars=len(held_text)),
        params=count_params(model, vocab.size),
        versions=versions(),
    )

    def fill(path: Path) -> None:  # in a hidden temp folder: the model appears complete or not at all
        folder = ModelFolder(path)
        folder.write_corpus(corpus.text)
        folder.write_card(card)

    return store.create(card.name, fill).name


def versions() -> dict[str, str]:
    return {"lyrics_tui": __version__, "torch": torch.__version__, "python": platform.python_version()}


__all__ = ["create_model", "now_iso", "versions"]
