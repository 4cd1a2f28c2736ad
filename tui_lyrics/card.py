"""A model's card as a type: frozen dataclasses read strictly from ``card.json``.

The card is what a model says about itself (settings, vocabulary, corpus, where training
stands, the held-out history). ``ModelCard.from_dict`` rejects unknown keys and values of
the wrong type with the field named (``state.step must be an integer, not '3'``), so a
stale, foreign or hand-broken card fails loudly once, where it is read. New optional fields
take a default so that older cards keep loading; ``to_dict`` leaves an optional field out
while it holds its default ``None``, so a card written today reads the same in older code.
The strict reading itself (type checks, ``CardError``, the ``Strict`` base) is ``card_fields``.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from tui_lyrics.card_fields import OMIT_NONE, CardError, Strict, check_fields, check_value
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import CorpusSummary
from tui_lyrics.errors import LyricsError
from tui_lyrics.vocab import CharVocab

_Config = TypeVar("_Config", ModelConfig, TrainConfig)

CARD_FORMAT = "lyrics-tui/model"
CARD_VERSION = 1
BUDGETS = ("steps", "epochs", "minutes")


@dataclass
class TrainState(Strict):
    """Where a model's training stands; the card's ``state``.

    Not frozen: the training loop counts in it. A card holds its own copy (``ModelCard.with_state``).
    """

    step: int = 0
    chars: int = 0
    train_seconds: float = 0.0
    train_loss: float | None = None
    best_loss: float | None = None
    best_step: int | None = None
    scored_step: int = 0
    saved_step: int = 0
    finished: bool = False
    device: str = ""
    optimizer: dict[str, Any] | None = None
    """The optimiser's non-tensor state (hyper-parameters, step counts); its tensors are in the checkpoint."""

    def __post_init__(self) -> None:
        if self.step < 0 or self.chars < 0:
            raise ValueError("step and chars must not be negative")


@dataclass(frozen=True)
class HeldOutPoint(Strict):
    """One held-out score in the card's history."""

    step: int
    held_loss: float
    train_loss: float | None = None
    elapsed: float = 0.0
    network_loss: float | None = field(default=None, metadata=OMIT_NONE)
    """The network's own held-out loss, when it is mixed with an n-gram."""
    weight: float | None = field(default=None, metadata=OMIT_NONE)
    """The network's share in that mixture."""
    song_loss: float | None = field(default=None, metadata=OMIT_NONE)
    """The same model's held-out loss with song memory (``held_loss`` is the static one, given the training
    text only); None for the network alone."""


@dataclass(frozen=True)
class MixtureSpec(Strict):
    """The n-gram the network is mixed with: its order and the network's weight."""

    order: int
    weight: float
    song_weights: list[list[float]] | None = field(default=None, metadata=OMIT_NONE)
    """With song memory, per match bucket (``core.mixture.BUCKETS``): the network's share and the song's own
    n-gram's, chosen on the held-out text like ``weight``."""
    order_scores: dict[str, float] | None = field(default=None, metadata=OMIT_NONE)
    """When the order was chosen per corpus: each order's cross-entropy on a slice of the training text."""
    combine: str | None = field(default=None, metadata=OMIT_NONE)
    """How the network meets the n-gram: "product" (trained to complement it, ``core.complement``: the
    network's side is softmax(logits + log p_ngram)), or None, as every card before it: the interpolation
    of softmax(logits) and the n-gram. ``weight`` interpolates either side with the n-gram."""

    def __post_init__(self) -> None:
        if not (1 <= self.order <= 9 and 0.0 <= self.weight <= 1.0):
            raise ValueError(f"mixture out of range: order {self.order}, weight {self.weight}")
        if self.combine not in (None, "product"):
            raise ValueError(f"mixture combine must be product or absent, not {self.combine!r}")


@dataclass(frozen=True)
class SplitSizes(Strict):
    """How many characters the train and held-out parts have."""

    train_chars: int
    held_chars: int


@dataclass(frozen=True)
class QuoteReading(Strict):
    """The memorisation meter read over a model's seeded takes, drawn with one quote limit."""

    limit: int
    """The quote limit the takes were drawn with (0: off, what the model itself would quote)."""
    share: float
    """Mean share of a take's 8-character windows found in the corpus copy (0–1)."""
    longest_mean: float
    """Mean over takes of the longest stretch a take shares with the corpus, in characters."""
    longest_max: int
    """The longest of those stretches."""
    takes: int
    chars: int
    """Characters written over all the takes."""

    def __post_init__(self) -> None:
        if not (self.limit >= 0 and 0.0 <= self.share <= 1.0 and self.takes > 0 and self.chars >= 0):
            raise ValueError(f"quote reading out of range: limit {self.limit}, share {self.share}, takes {self.takes}")


@dataclass(frozen=True)
class ModelMemorisation(Strict):
    """How much a model quotes its corpus (``core.quote_meter``): seeded takes drawn with generate's defaults,
    read with the quote limit the app uses and with it off. Measured on the weights of ``step``."""

    step: int
    """The step of the weights measured (the best ones when there are)."""
    limited: QuoteReading
    """With the app's default quote limit: what a user gets."""
    unlimited: QuoteReading
    """With the quote limit off: what the model itself would quote."""
    window: int = 8


def _settings(cls: type[_Config], data: Any, where: str) -> _Config:
    values = check_fields(cls, data, where)  # types first: "2" for an int names the field
    try:
        return cls.from_dict(values)
    except LyricsError as error:
        raise CardError(f"{where}: {error}") from error


def _old_combine(model: Any) -> Any:
    """A card from before ``ModelConfig.combine`` was trained alone and interpolated: it reads as "mix"."""
    return {"combine": "mix", **model} if isinstance(model, dict) else model


def _vocab(data: Any, where: str) -> CharVocab:
    if not isinstance(data, dict):
        raise CardError(f"{where} must be an object, not {data!r}")
    unknown = sorted(set(data) - {"chars", "rare", "singletons"})
    if unknown:
        raise CardError(f"{where} has unknown field(s): {', '.join(unknown)}")
    try:
        check_value(data.get("chars"), str, f"{where}.chars")
        check_value(data.get("rare", {}), dict[str, int], f"{where}.rare")
        check_value(data.get("singletons", 0), int, f"{where}.singletons")
        for char, count in data.get("rare", {}).items():
            check_value(count, int, f"{where}.rare[{char!r}]")
        return CharVocab.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise CardError(f"{where}: {error}") from error


def _corpus(data: Any, where: str) -> CorpusSummary:
    values = check_fields(CorpusSummary, data, where)
    return CorpusSummary(**values)


@dataclass(frozen=True)
class ModelCard:
    """Everything a model folder says about its model, as read from (and written to) ``card.json``."""

    name: str
    model: ModelConfig
    train: TrainConfig
    vocab: CharVocab
    corpus: CorpusSummary
    state: TrainState = field(default_factory=TrainState)
    params: int = 0
    created: str = ""
    updated: str = ""
    split: SplitSizes | None = None
    history: tuple[HeldOutPoint, ...] = ()
    mixture: MixtureSpec | None = None
    versions: dict[str, str] = field(default_factory=dict)
    memorisation: ModelMemorisation | None = None
    """How much the model quotes its corpus, measured when a run ended (None: not measured, as older cards)."""
    format: str = CARD_FORMAT
    format_version: int = CARD_VERSION

    @classmethod
    def from_dict(cls, data: Any, where: str = "card") -> ModelCard:
        if not isinstance(data, dict) or data.get("format") != CARD_FORMAT:
            raise CardError(f"{where} is not a lyrics-tui model card")
        version = data.get("format_version")
        if not isinstance(version, int) or version > CARD_VERSION:
            raise CardError(f"{where} has card format {version!r}; this lyrics-tui reads up to {CARD_VERSION}")
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise CardError(f"{where} has unknown field(s): {', '.join(unknown)}")
        missing = [k for k in ("name", "model", "train", "vocab", "corpus") if k not in data]
        if missing:
            raise CardError(f"{where} is incomplete: it has no {missing[0]!r} section")
        nested = {"model", "train", "vocab", "corpus", "state", "split", "history", "mixture", "memorisation"}
        hints = typing.get_type_hints(cls)
        plain = {k: check_value(v, hints[k], f"{where}.{k}") for k, v in data.items() if k not in nested}
        history = data.get("history", [])
        if not isinstance(history, list):
            raise CardError(f"{where}.history must be a list, not {history!r}")
        split, mixture, quotes = data.get("split"), data.get("mixture"), data.get("memorisation")
        check_value(plain.get("versions", {}), dict[str, str], f"{where}.versions")
        for key, value in plain.get("versions", {}).items():
            check_value(value, str, f"{where}.versions.{key}")
        return cls(
            **plain,
            model=_settings(ModelConfig, _old_combine(data["model"]), f"{where}.model"),
            train=_settings(TrainConfig, data["train"], f"{where}.train"),
            vocab=_vocab(data["vocab"], f"{where}.vocab"),
            corpus=_corpus(data["corpus"], f"{where}.corpus"),
            state=TrainState.from_dict(data.get("state", {}), f"{where}.state"),
            split=None if split is None else SplitSizes.from_dict(split, f"{where}.split"),
            history=tuple(HeldOutPoint.from_dict(p, f"{where}.history[{i}]") for i, p in enumerate(history)),
            mixture=None if mixture is None else MixtureSpec.from_dict(mixture, f"{where}.mixture"),
            memorisation=None if quotes is None else ModelMemorisation.from_dict(quotes, f"{where}.memorisation"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": self.format, "format_version": self.format_version, "name": self.name}
        out |= {"created": self.created, "updated": self.updated}
        out |= {"model": self.model.to_dict(), "train": self.train.to_dict(), "vocab": self.vocab.to_dict()}
        out |= {"corpus": self.corpus.to_dict()}
        if self.split is not None:
            out["split"] = self.split.to_dict()
        out |= {"params": self.params, "state": self.state.to_dict(), "history": [p.to_dict() for p in self.history]}
        if self.mixture is not None:
            out["mixture"] = self.mixture.to_dict()
        out["versions"] = dict(self.versions)
        if self.memorisation is not None:  # left out while unmeasured: such a card reads the same in older code
            out["memorisation"] = self.memorisation.to_dict()
        return out

    def replace(self, **changes: Any) -> ModelCard:
        return dataclasses.replace(self, **changes)

    def with_state(self, state: TrainState) -> ModelCard:
        """This card holding a copy of ``state`` (the loop goes on counting in its own)."""
        return self.replace(state=dataclasses.replace(state))

    # -- "train more": one arithmetic for the CLI and the app ------------------------------------
    def epochs_done(self) -> float:
        train_chars = self.split.train_chars if self.split else 0
        return self.state.chars / max(1, train_chars)

    def budget_from_here(self, key: str, extra: float) -> TrainConfig:
        """The card's settings with a budget of ``extra`` more steps, epochs or minutes from where it stands."""
        if key not in BUDGETS:
            raise ValueError(f"unknown budget {key!r}")
        if not (extra > 0 and math.isfinite(extra)):
            raise LyricsError(f"the extra budget must be positive, not {extra}")
        state = self.state
        done = {"steps": state.step, "minutes": state.train_seconds / 60, "epochs": self.epochs_done()}[key]
        total = int(done + extra) if key == "steps" else done + extra
        return self.train.replace(**{**dict.fromkeys(BUDGETS), key: total})
