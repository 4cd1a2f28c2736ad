"""Presets: named sizes for a model and its training, and the one chosen to suit a corpus."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.errors import ConfigError


@dataclass(frozen=True)
class Preset:
    """A named size for a model and its training, chosen to suit a corpus."""

    name: str
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def auto_preset(train_chars: int) -> Preset:
    """Size the model to the corpus so a new user gets a good, not an over-fitted, model.

    A few hundred thousand characters of lyrics cannot support a 13M-parameter network
    (the report's net memorises 57k characters in five epochs); small corpora get a
    small, heavily regularised GRU, large ones a wider, deeper stack.
    """
    if train_chars < 20_000:
        return preset("tiny")
    if train_chars < 300_000:
        return preset("small")
    if train_chars < 3_000_000:
        return preset("medium")
    return preset("large")


def preset(name: str) -> Preset:
    """A preset by name: tiny (a few pages of text), small, medium or large."""
    # Small corpora learn most per minute from many small, noisy updates and heavy dropout: on
    # Jay Chou (57k characters) batch 8 x 64 with dropout 0.5 reached 4.98 nats/char in 5 minutes
    # where batch 32 x 128 with dropout 0.3 reached 5.05 (bench/BENCHMARKS.md). The network trained to
    # complement its n-gram (combine="product") measured better on Tiny Shakespeare (1M characters, medium:
    # 1.4727 / 1.3545 with song memory against 1.4770 / 1.3747 at 264 steps) and worse on Jay Chou (small:
    # 5.151 against 4.976 at 2,524 steps), so the larger presets use it and the small ones do not.
    sizes = {
        "tiny": (ModelConfig(layers=1, hidden=128, embed_dim=64, dropout=0.3), TrainConfig(steps=500)),
        "small": (
            ModelConfig(layers=2, hidden=256, embed_dim=128, dropout=0.5),
            TrainConfig(steps=4000, batch=8, seq=64),
        ),
        "medium": (
            ModelConfig(layers=2, hidden=512, embed_dim=192, dropout=0.2, combine="product"),
            TrainConfig(steps=5000),
        ),
        "large": (
            ModelConfig(layers=3, hidden=768, embed_dim=256, dropout=0.15, combine="product"),
            TrainConfig(steps=10000),
        ),
    }
    if name not in sizes:
        raise ConfigError(f"unknown preset {name!r}: choose tiny, small, medium or large")
    model, train = sizes[name]
    return Preset(name=name, model=model, train=train)
