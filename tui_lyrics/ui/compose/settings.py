"""The sampling settings Compose offers, as plain values: the ladders each setting steps along, the
toggles, and the words and keys each one is shown with (no Textual: ``controls.py`` shows them).

Each setting moves along a ladder of useful values (a lower-case key steps down, the upper-case one
up), so a writer can sweep temperature or top-k without typing numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from tui_lyrics.rhyme import CLASSES
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC, RECOMMENDED_CONTROLS, default_quote_limit

DEFAULT_SETTINGS = SampleConfig(**RECOMMENDED_CONTROLS, quote_limit=QUOTE_LIMIT)
"""What the screen starts from: plain sampling plus the repetition controls and quote limit `generate` uses."""
REPETITION_OFF: dict[str, float | int | bool] = {
    "repetition_penalty": 1.0,
    "no_repeat_ngram": 0,
    "loop_repeats": 0,
    "corpus_lines": False,
}
"""The recommended controls off: e turns all of them off and on together, the corpus's line shape included."""

LADDERS: dict[str, tuple[float | int | str | None, ...]] = {
    "temperature": (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0),
    "top_k": (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 0),
    "top_p": (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0),
    "length": (20, 50, 100, 150, 200, 300, 500, 1000, 2000),
    "lines": (1, 2, 3, 4, 6, 8, 12, 16, 24, None),
    "line_chars": (None, *range(5, 15)),
    "verse_lines": (None, 2, 4, 8),
    "rhyme": ("off", "follow", *CLASSES),
}
"""The values each setting steps through; 0 top-k and no line limit count as the largest,
no line shape and no verses as the smallest; rhyme steps through its modes in order."""


def _rank(name: str, value: float | int | str | None) -> float:
    if isinstance(value, str):
        ladder = LADDERS[name]
        return float(ladder.index(value)) if value in ladder else -math.inf
    if value is None:
        return math.inf if name == "lines" else -math.inf
    if name == "top_k" and value == 0:
        return math.inf
    return float(value)


def nudge(config: SampleConfig, name: str, step: int) -> SampleConfig:
    """``config`` with setting ``name`` one rung down (-1) or up (+1) its ladder."""
    ladder = LADDERS[name]
    here = _rank(name, getattr(config, name))
    ranks = [_rank(name, v) for v in ladder]
    if step > 0:
        higher = [v for v, r in zip(ladder, ranks, strict=True) if r > here]
        new = higher[0] if higher else ladder[-1]
    else:
        lower = [v for v, r in zip(ladder, ranks, strict=True) if r < here]
        new = lower[-1] if lower else ladder[0]
    return config.replace(**{name: new})


def repetition_on(config: SampleConfig) -> bool:
    """Whether any of the recommended controls (penalty, n-gram blocking, loop breaking, the corpus's line
    shape) is on."""
    return (
        config.repetition_penalty != 1.0 or config.no_repeat_ngram > 0 or config.loop_repeats > 0 or config.corpus_lines
    )


def toggle_repetition(config: SampleConfig) -> SampleConfig:
    """``config`` with the recommended controls off (the corpus's line shape too), or (when all are off) on."""
    return config.replace(**(REPETITION_OFF if repetition_on(config) else RECOMMENDED_CONTROLS))


def toggle_quote_limit(config: SampleConfig, default: int = QUOTE_LIMIT) -> SampleConfig:
    """``config`` with the quote limit off, or (when off) at ``default`` (the model's: see ``default_quote_limit``)."""
    return config.replace(quote_limit=0 if config.quote_limit else default)


def fit_quote_limit(config: SampleConfig, chars: Iterable[str]) -> SampleConfig:
    """``config`` with a default quote limit set to the default for a model of vocabulary ``chars``."""
    if config.quote_limit not in (QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC):
        return config  # off, or a limit the writer chose
    return config.replace(quote_limit=default_quote_limit(chars))


def quote_label(config: SampleConfig) -> str:
    return f"≤{config.quote_limit}" if config.quote_limit else "off"


def repetition_label(config: SampleConfig) -> str:
    if not repetition_on(config):
        return "off"
    on = {k: getattr(config, k) for k in RECOMMENDED_CONTROLS}
    if on == RECOMMENDED_CONTROLS:
        return "on"
    return f"×{config.repetition_penalty:g} n{config.no_repeat_ngram} loop{config.loop_repeats}"


@dataclass(frozen=True)
class Seed:
    """The seed setting: a fresh random seed per take, or one fixed seed."""

    fixed: int | None = None
    last: int | None = None
    """The seed the latest take used (shown so it can be fixed and replayed)."""

    def label(self) -> str:
        """How the control shows it: the fixed seed, or random with the one used last."""
        if self.fixed is not None:
            return f"{self.fixed} (fixed)"
        return "random" if self.last is None else f"random (last {self.last})"


Entry = tuple[str, str, str]

SHORT_LABELS = {
    "temperature": "temp",
    "length": "len",
    "chars/line": "chars",
    "repetition": "rep",
    "corpus quotes": "quote",
    "song memory": "memory",
}
"""The names the compact controls use where the full one is long (the rest are short already)."""


def short_label(label: str) -> str:
    """``label`` as the compact controls show it beside its key: ``t temp 0.8``."""
    return SHORT_LABELS.get(label, label)


def entries(config: SampleConfig, seed: Seed) -> list[Entry]:
    """(label, value, keys) for each sampling control, in display order."""
    return [
        ("temperature", f"{config.temperature:g}", "t/T"),
        ("top-k", str(config.top_k or "all"), "k/K"),
        ("top-p", "off" if config.top_p >= 1 else f"{config.top_p:g}", "p/P"),
        ("length", str(config.length), "l/L"),
        ("lines", str(config.lines or "all"), "v/V"),
        ("seed", seed.label(), "s/S"),
    ]


def craft_entries(config: SampleConfig) -> list[Entry]:
    """(label, value, keys) for each lyric-craft control, in display order."""
    shape = "off" if config.line_chars is None else f"{config.line_chars}±{config.line_tolerance}"
    return [
        ("chars/line", shape, "h/H"),
        ("verse", str(config.verse_lines or "off"), "b/B"),
        ("rhyme", config.rhyme, "g/G"),
        ("repetition", repetition_label(config), "e"),
        ("corpus quotes", quote_label(config), "o"),
        ("song memory", "on" if config.song_memory else "off", "u"),
    ]
