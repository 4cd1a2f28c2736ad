"""How characters are drawn from a model: ``SampleConfig``, a frozen dataclass with a docstring per field.

Its defaults mean plain sampling; the controls ``generate`` and the app turn on by default are
``sample_defaults``. Validation and the JSON round trip come from ``config.Settings``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_lyrics.config import MAX_SEED, Settings, check

MIN_TEMPERATURE = 0.01
"""The lowest temperature above 0 (greedy): below ~1e-37 the scaled logits overflow float32 and sampling
draws from NaN."""


@dataclass(frozen=True)
class SampleConfig(Settings):
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
        check(
            self.temperature == 0 or MIN_TEMPERATURE <= self.temperature <= 10,
            f"temperature must be 0 (greedy) or {MIN_TEMPERATURE}–10, not {self.temperature}",
        )
        check(self.top_k >= 0, f"top-k must be 0 or more, not {self.top_k}")
        check(0 < self.top_p <= 1, f"top-p must be in (0, 1], not {self.top_p}")
        check(1 <= self.length <= 1_000_000, f"length must be 1–1000000, not {self.length}")
        check(self.lines is None or self.lines >= 1, "lines must be at least 1")
        check(self.seed is None or 0 <= self.seed <= MAX_SEED, f"seed must be 0–{MAX_SEED}, not {self.seed}")
        check(self.alternatives >= 0, "alternatives must not be negative")
        check(self.line_chars is None or 1 <= self.line_chars <= 200, "line-chars must be 1–200")
        check(0 <= self.line_tolerance <= 100, f"line-tolerance must be 0–100, not {self.line_tolerance}")
        check(self.verse_lines is None or self.verse_lines >= 1, "verse-lines must be at least 1")
        check(_rhyme_ok(self.rhyme), f"rhyme must be off, follow or a 十三辙 class, not {self.rhyme!r}")
        object.__setattr__(self, "rhyme", _rhyme_setting(self.rhyme))  # jiangyang -> 江阳: one spelling
        check(1.0 <= self.repetition_penalty <= 100, "repetition-penalty must be 1–100 (1: off)")
        check(1 <= self.repetition_window <= 10_000, "repetition-window must be 1–10000")
        check(self.no_repeat_ngram == 0 or 2 <= self.no_repeat_ngram <= 64, "no-repeat-ngram must be 0 (off) or 2–64")
        check(self.loop_repeats == 0 or 2 <= self.loop_repeats <= 100, "loop-repeats must be 0 (off) or 2–100")
        check(0 <= self.quote_limit <= 1000, f"quote-limit must be 0 (off) or 1–1000, not {self.quote_limit}")

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


def _rhyme_ok(value: object) -> bool:
    from tui_lyrics.rhyme import is_rhyme_mode  # torch-free and light (pypinyin loads only on use)

    return isinstance(value, str) and is_rhyme_mode(value)


def _rhyme_setting(value: str) -> str:
    from tui_lyrics.rhyme import MODES, class_name

    return value if value in MODES else class_name(value)
