"""Settings as frozen dataclasses: what a model is, how it is trained, how it samples.

CLI flags map one to one onto these fields; the model card stores them as JSON and
``from_dict`` rejects unknown keys so a stale or foreign file fails loudly.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
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
MIN_TEMPERATURE = 0.01
"""The lowest temperature above 0 (greedy): below ~1e-37 the scaled logits overflow float32 and sampling
draws from NaN."""
MAX_SEED = 2**63 - 1
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}


class _Settings:
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


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True)
class ModelConfig(_Settings):
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
        _check(self.cell in CELLS, f"cell must be one of {', '.join(CELLS)}, not {self.cell!r}")
        _check(self.input in INPUTS, f"input must be one of {', '.join(INPUTS)}, not {self.input!r}")
        _check(1 <= self.layers <= 8, f"layers must be 1–8, not {self.layers}")
        _check(8 <= self.hidden <= 8192, f"hidden must be 8–8192, not {self.hidden}")
        _check(4 <= self.embed_dim <= 8192, f"embed-dim must be 4–8192, not {self.embed_dim}")
        _check(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), not {self.dropout}")
        _check(-1 <= self.ngram <= 9, f"ngram must be 0–9 or auto (-1), not {self.ngram}")
        _check(self.combine in COMBINE, f"combine must be one of {', '.join(COMBINE)}, not {self.combine!r}")


@dataclass(frozen=True)
class TrainConfig(_Settings):
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
        _check(1 <= self.batch <= 4096, f"batch must be 1–4096, not {self.batch}")
        _check(2 <= self.seq <= 4096, f"seq must be 2–4096, not {self.seq}")
        _check(0 < self.lr < 1, f"lr must be in (0, 1), not {self.lr}")
        _check(self.weight_decay >= 0, "weight decay must not be negative")
        _check(self.clip > 0, f"clip must be positive, not {self.clip}")
        _check(self.warmup >= 0, "warm-up must not be negative")
        _check(0 <= self.min_lr_ratio <= 1, "min-lr-ratio must be in [0, 1]")
        budgets = [b for b in (self.steps, self.epochs, self.minutes) if b is not None]
        _check(len(budgets) <= 1, "give only one budget: --steps, --epochs or --minutes")
        _check(all(b > 0 and math.isfinite(b) for b in budgets), "the budget must be positive")
        _check(self.eval_every >= 1, "eval-every must be at least 1")
        _check(self.patience >= 0, "patience must not be negative")
        _check(self.batching in BATCHING, f"batching must be one of {', '.join(BATCHING)}")
        _check(0 < self.held_out < 0.5, f"held-out must be in (0, 0.5), not {self.held_out}")
        _check(self.min_count >= 1, "min-count must be at least 1")
        _check(self.max_vocab is None or self.max_vocab >= 2, "max-vocab must be at least 2")
        _check(self.device in DEVICES, f"device must be one of {', '.join(DEVICES)}")
        # torch accepts any count and then crashes (10,000,000 threads: a segmentation fault).
        _check(self.threads is None or 1 <= self.threads <= 256, f"threads must be 1–256, not {self.threads}")
        _check(0 <= self.seed <= MAX_SEED, f"seed must be 0–{MAX_SEED}, not {self.seed}")

    @property
    def has_budget(self) -> bool:
        return any(b is not None for b in (self.steps, self.epochs, self.minutes))


@dataclass(frozen=True)
class SampleConfig(_Settings):
    """How characters are drawn from the model."""

    temperature: float = 0.8
    """Divides the logits; near 0 is greedy, 1 is the model's own distribution."""
    top_k: int = 5
    """Sample only among the k most likely characters (0: no limit)."""
    top_p: float = 1.0
    """Then keep the smallest set whose probability reaches p (1: no limit)."""
    length: int = 200
    """Maximum number of characters to generate."""
    lines: int | None = None
    """Stop after this many completed lines (None: no limit)."""
    seed: int | None = None
    """Seed for reproducible takes (None: a fresh random one)."""
    alternatives: int = 8
    """How many top candidates to report with each sampled character."""
    line_chars: int | None = None
    """Target characters per line, newline not counted (None: lines end where the model ends them)."""
    line_tolerance: int = 2
    """With line_chars: every line has line_chars ± this many characters."""
    verse_lines: int | None = None
    """Put a blank line after every this many lines, and nowhere else (None: blank lines as the model likes)."""
    rhyme: str = "off"
    """Line-end rhyme, Chinese only (十三辙): off, follow (rhyme with the first line) or a class (江阳 or jiangyang)."""
    repetition_penalty: float = 1.0
    """Divide a character's probability by this per occurrence in the last repetition_window characters (1: off)."""
    repetition_window: int = 32
    """How many recent characters the repetition penalty looks at."""
    no_repeat_ngram: int = 0
    """Never repeat an n-gram of this many characters within lines of the take and its prefix (0: off)."""
    loop_repeats: int = 0
    """Step out of loops: after a unit repeats this many times in a row, the next character must break it; with it
    the line rule (``core.constraints``): no line equal to one of the last two, a chorus may come back (0: off)."""
    quote_limit: int = 0
    """Never extend a verbatim match with the model's corpus beyond this many characters; the song's own text
    (prefix and take) may be quoted (0: off; `generate` and the app use QUOTE_LIMIT)."""
    corpus_lines: bool = False
    """Lines and verse breaks in the shape of the model's corpus copy (``core.corpus_shape``): no line shorter than
    the corpus's short lines, no blank line before its shortest verses nor two in a row; the chars/line and verse
    controls govern where set (off, or no corpus copy: as the model likes)."""
    song_memory: bool = True
    """The mixture's n-gram also counts the song so far (the prefix and every character written), so a chorus
    can come back; off: it sees only its last few characters, as in training."""

    def __post_init__(self) -> None:
        self._check_types()
        _check(
            self.temperature == 0 or MIN_TEMPERATURE <= self.temperature <= 10,
            f"temperature must be 0 (greedy) or {MIN_TEMPERATURE}–10, not {self.temperature}",
        )
        _check(self.top_k >= 0, f"top-k must be 0 or more, not {self.top_k}")
        _check(0 < self.top_p <= 1, f"top-p must be in (0, 1], not {self.top_p}")
        _check(1 <= self.length <= 1_000_000, f"length must be 1–1000000, not {self.length}")
        _check(self.lines is None or self.lines >= 1, "lines must be at least 1")
        _check(self.seed is None or 0 <= self.seed <= MAX_SEED, f"seed must be 0–{MAX_SEED}, not {self.seed}")
        _check(self.alternatives >= 0, "alternatives must not be negative")
        _check(self.line_chars is None or 1 <= self.line_chars <= 200, "line-chars must be 1–200")
        _check(0 <= self.line_tolerance <= 100, f"line-tolerance must be 0–100, not {self.line_tolerance}")
        _check(self.verse_lines is None or self.verse_lines >= 1, "verse-lines must be at least 1")
        _check(_rhyme_ok(self.rhyme), f"rhyme must be off, follow or a 十三辙 class, not {self.rhyme!r}")
        object.__setattr__(self, "rhyme", _rhyme_setting(self.rhyme))  # jiangyang -> 江阳: one spelling
        _check(1.0 <= self.repetition_penalty <= 100, "repetition-penalty must be 1–100 (1: off)")
        _check(1 <= self.repetition_window <= 10_000, "repetition-window must be 1–10000")
        _check(self.no_repeat_ngram == 0 or 2 <= self.no_repeat_ngram <= 64, "no-repeat-ngram must be 0 (off) or 2–64")
        _check(self.loop_repeats == 0 or 2 <= self.loop_repeats <= 100, "loop-repeats must be 0 (off) or 2–100")
        _check(0 <= self.quote_limit <= 1000, f"quote-limit must be 0 (off) or 1–1000, not {self.quote_limit}")

    @property
    def line_bounds(self) -> tuple[int, int] | None:
        """The shortest and longest line allowed, in characters (None: no line shape)."""
        if self.line_chars is None:
            return None
        return max(1, self.line_chars - self.line_tolerance), self.line_chars + self.line_tolerance

    @property
    def shape_chars(self) -> int | None:
        """The most characters the requested shape can take (lines × longest line + verse breaks), or None."""
        bounds = self.line_bounds
        if bounds is None or self.lines is None:
            return None
        breaks = (self.lines - 1) // self.verse_lines if self.verse_lines else 0
        return self.lines * (bounds[1] + 1) + breaks

    @property
    def has_controls(self) -> bool:
        """Any lyric control (line shape, verses, rhyme, repetition, quote limit) is on."""
        return (
            self.line_chars is not None
            or self.verse_lines is not None
            or self.rhyme != "off"
            or self.repetition_penalty != 1.0
            or self.no_repeat_ngram > 0
            or self.loop_repeats > 0
            or self.quote_limit > 0
            or self.corpus_lines
        )


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


RECOMMENDED_CONTROLS: dict[str, Any] = {
    "repetition_penalty": 1.2,
    "no_repeat_ngram": 5,
    "loop_repeats": 3,
    "corpus_lines": True,
}
QUOTE_LIMIT = 8
"""The quote limit `generate` and the app use by default for Chinese (CJK) text, where a character is about a word
(bench/LYRIC_CRAFT.md: on Jay Chou 1.1% of 8-windows in the corpus, no fluency cost; 12 left 3.6%)."""
QUOTE_LIMIT_ALPHABETIC = 16
"""The default for alphabetic text, where 8 characters are a word or two (Tiny Shakespeare: 8 cost 50% of
log-probability per character, 16 cost 4%)."""


def default_quote_limit(chars: Iterable[str]) -> int:
    """The default quote limit for a model whose vocabulary is ``chars``: QUOTE_LIMIT when most of its letters
    are CJK (Han, kana, hangul), else QUOTE_LIMIT_ALPHABETIC."""
    return QUOTE_LIMIT if cjk_script(chars) else QUOTE_LIMIT_ALPHABETIC


def cjk_script(chars: Iterable[str]) -> bool:
    """Whether most of the letters of ``chars`` (a vocabulary) are CJK (Han, kana, hangul): a character is about
    a word, and an 8-character window a phrase."""
    letters = [c for c in chars if c.isalpha()]
    return bool(letters) and 2 * sum(1 for c in letters if _cjk(c)) >= len(letters)


def _cjk(char: str) -> bool:
    code = ord(char)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or code >= 0x20000


"""Repetition controls that `generate` uses by default: see bench/LYRIC_CRAFT.md for what they cost.

``SampleConfig``'s own defaults leave them off, so a config means plain sampling unless it asks.
"""


def _rhyme_ok(value: object) -> bool:
    from tui_lyrics.rhyme import is_rhyme_mode  # torch-free and light (pypinyin loads only on use)

    return isinstance(value, str) and is_rhyme_mode(value)


def _rhyme_setting(value: str) -> str:
    from tui_lyrics.rhyme import MODES, class_name

    return value if value in MODES else class_name(value)


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
