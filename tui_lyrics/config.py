"""Settings as frozen dataclasses: what a model is and how it is trained.

CLI flags map one to one onto these fields; the model card stores them as JSON and
``from_dict`` rejects unknown keys so a stale or foreign file fails loudly. ``Settings`` is the
shared round trip and validation; how a model samples is ``sample_config``, what is on by
default ``sample_defaults``, the named sizes ``presets``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

from tui_lyrics.errors import ConfigError

CELLS = ("rnn", "lstm", "gru")
INPUTS = ("embed", "onehot")
BATCHING = ("stream", "random")
DEVICES = ("auto", "cpu", "cuda", "mps")
COMBINE = ("product", "mix")
DEFAULT_MAX_PARAMS = 100_000_000
"""The largest network built unless raised with --max-params: ~1.6 GB of weights and AdamW state in float32.

The largest preset has ~15M parameters; a GRU of `--hidden 8192 --layers 8` would have 3 billion."""
MAX_SEED = 2**63 - 1
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}


class Settings:
    """Shared JSON round trip and validation for the settings dataclasses."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]  # each subclass is a dataclass

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown {cls.__name__} setting(s): {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as error:  # a value of the wrong type, e.g. "2" for an int in a hand-edited card
            raise ConfigError(f"bad {cls.__name__} setting: {error}") from error

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)

    def _check_types(self) -> None:
        """Each value has its field's type (an int is a float too; a bool is not a number)."""
        for f in fields(self):
            value, kinds = getattr(self, f.name), str(f.type).replace(" ", "").split("|")
            if value is None and "None" in kinds:
                continue
            ok = any(_TYPE_OK[k](value) for k in kinds if k in _TYPE_OK)
            if not ok:
                wanted = " or ".join(_TYPE_WORD.get(k, k) for k in kinds)
                raise ConfigError(f"bad {type(self).__name__} setting: {f.name} must be {wanted}, not {value!r}")


_TYPE_OK = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}
_TYPE_WORD = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false", "None": "null"}


def default_threads() -> int:
    """Torch CPU threads when none are set: all cores but one (at least one).

    On a busy two-core machine two torch threads fighting other work (the app's UI thread,
    anything else) trained ~5x slower than one (806 vs 3,858 chars/s measured).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)


def check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True)
class ModelConfig(Settings):
    """The network: a stack of recurrent layers between an input encoding and a softmax."""

    cell: str = "gru"
    """Recurrent cell: rnn (tanh), lstm or gru."""
    input: str = "embed"
    """How a character enters the network: a learned embedding or a one-hot vector."""
    layers: int = 2
    """Number of stacked recurrent layers."""
    hidden: int = 256
    """Units per recurrent layer."""
    embed_dim: int = 128
    """Width of the character embedding (ignored for one-hot input)."""
    dropout: float = 0.2
    """Dropout on the embedding, between layers and before the output projection."""
    ngram: int = -1
    """Order of the Kneser-Ney character n-gram mixed with the network (0: the network alone; -1: chosen
    per corpus, 3–9, on a slice of the training text; the card's ``mixture`` says which)."""
    combine: str = "mix"
    """How the network meets the n-gram: product (trained to complement it: softmax(logits + log p_ngram),
    ``core.complement``; the medium and large presets' choice) or mix (trained alone, then interpolated)."""

    def __post_init__(self) -> None:
        self._check_types()
        check(self.cell in CELLS, f"cell must be one of {', '.join(CELLS)}, not {self.cell!r}")
        check(self.input in INPUTS, f"input must be one of {', '.join(INPUTS)}, not {self.input!r}")
        check(1 <= self.layers <= 8, f"layers must be 1–8, not {self.layers}")
        check(8 <= self.hidden <= 8192, f"hidden must be 8–8192, not {self.hidden}")
        check(4 <= self.embed_dim <= 8192, f"embed-dim must be 4–8192, not {self.embed_dim}")
        check(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), not {self.dropout}")
        check(-1 <= self.ngram <= 9, f"ngram must be 0–9 or auto (-1), not {self.ngram}")
        check(self.combine in COMBINE, f"combine must be one of {', '.join(COMBINE)}, not {self.combine!r}")


@dataclass(frozen=True)
class TrainConfig(Settings):
    """How a model is trained. Exactly one budget (steps, epochs or minutes) applies."""

    batch: int = 32
    """Parallel streams (B) per step."""
    seq: int = 128
    """Characters per truncated back-propagation window (T)."""
    lr: float = 3e-3
    """Peak learning rate of AdamW."""
    weight_decay: float = 0.01
    """AdamW weight decay (not applied to biases)."""
    clip: float = 1.0
    """Gradient clipping by global norm."""
    warmup: int = 50
    """Steps of linear learning-rate warm-up."""
    min_lr_ratio: float = 0.05
    """The cosine decay ends at this fraction of the peak learning rate."""
    steps: int | None = None
    """Budget in optimiser steps."""
    epochs: float | None = None
    """Budget in passes over the training text."""
    minutes: float | None = None
    """Budget in wall-clock minutes of training."""
    eval_every: int = 100
    """Score the held-out text every this many steps (and at the end)."""
    patience: int = 10
    """Stop early after this many held-out scores without a new best (0: never stop early)."""
    batching: str = "stream"
    """stream: contiguous streams with carried state; random: the report's random windows."""
    held_out: float = 0.1
    """Fraction of the text held out for scoring: its end, cut exactly at floor((1 - held_out) × N)."""
    min_count: int = 2
    """Characters seen fewer times in training are trained as <unk>."""
    max_vocab: int | None = None
    """Keep at most this many characters (most frequent first); the rest are <unk>."""
    device: str = "auto"
    """auto (cuda, then mps, then cpu), cpu, cuda or mps."""
    amp: bool = True
    """Mixed precision (bfloat16 autocast) when training on CUDA."""
    seed: int = 0
    """Seeds weights, dropout and batch order: the same seed gives the same model."""
    threads: int | None = None
    """CPU threads for torch (None: all cores but one, at least one)."""

    def __post_init__(self) -> None:
        self._check_types()
        check(1 <= self.batch <= 4096, f"batch must be 1–4096, not {self.batch}")
        check(2 <= self.seq <= 4096, f"seq must be 2–4096, not {self.seq}")
        check(0 < self.lr < 1, f"lr must be in (0, 1), not {self.lr}")
        check(self.weight_decay >= 0, "weight decay must not be negative")
        check(self.clip > 0, f"clip must be positive, not {self.clip}")
        check(self.warmup >= 0, "warm-up must not be negative")
        check(0 <= self.min_lr_ratio <= 1, "min-lr-ratio must be in [0, 1]")
        budgets = [b for b in (self.steps, self.epochs, self.minutes) if b is not None]
        check(len(budgets) <= 1, "give only one budget: --steps, --epochs or --minutes")
        check(all(b > 0 and math.isfinite(b) for b in budgets), "the budget must be positive")
        check(self.eval_every >= 1, "eval-every must be at least 1")
        check(self.patience >= 0, "patience must not be negative")
        check(self.batching in BATCHING, f"batching must be one of {', '.join(BATCHING)}")
        check(0 < self.held_out < 0.5, f"held-out must be in (0, 0.5), not {self.held_out}")
        check(self.min_count >= 1, "min-count must be at least 1")
        check(self.max_vocab is None or self.max_vocab >= 2, "max-vocab must be at least 2")
        check(self.device in DEVICES, f"device must be one of {', '.join(DEVICES)}")
        # torch accepts any count and then crashes (10,000,000 threads: a segmentation fault).
        check(self.threads is None or 1 <= self.threads <= 256, f"threads must be 1–256, not {self.threads}")
        check(0 <= self.seed <= MAX_SEED, f"seed must be 0–{MAX_SEED}, not {self.seed}")

    @property
    def has_budget(self) -> bool:
        return any(b is not None for b in (self.steps, self.epochs, self.minutes))


def count_params(model: ModelConfig, vocab_size: int) -> int:
    """The parameters of ``CharRNN(model, vocab_size)``, by arithmetic: nothing is built to count them.

    Per layer G gate blocks (rnn 1, gru 3, lstm 4) of input and recurrent weights and two biases;
    the first layer's input is the embedding (or the one-hot vector), the others' the layer below.
    """
    gates, hidden = _GATES[model.cell], model.hidden
    embed = vocab_size * model.embed_dim if model.input == "embed" else 0
    width = model.embed_dim if model.input == "embed" else vocab_size
    first = gates * hidden * (width + hidden + 2)
    above = (model.layers - 1) * gates * hidden * (2 * hidden + 2)
    head = (hidden + 1) * vocab_size
    return embed + first + above + head


def check_size(
    model: ModelConfig, vocab_size: int, *, max_params: int = DEFAULT_MAX_PARAMS, what: str = "the model"
) -> int:
    """The parameter count, or a ConfigError naming it and --max-params when it is over the limit.

    Called from the settings before a network is built: for a new model, and for a card read from
    disk (a hand-edited card can declare any size).
    """
    params = count_params(model, vocab_size)
    if params > max_params:
        layers = f"{model.layers} layer{'s' if model.layers > 1 else ''}"
        shape = f"{layers} of {model.hidden} {model.cell} units, {vocab_size:,} characters"
        raise ConfigError(
            f"{what} ({shape}) has {params:,} parameters, over the limit of {max_params:,} "
            f"(raise it with --max-params {_round_up(params)})"
        )
    return params


def _round_up(n: int) -> int:
    """A round figure at or above ``n`` to suggest, e.g. 3,221,225,472 -> 4,000,000,000."""
    scale: int = 10 ** (len(str(n)) - 1)
    return -(-n // scale) * scale
