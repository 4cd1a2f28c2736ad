"""Takes: what a composing session produced, as plain data (no torch, no Textual).

A take can always be replayed: its prompt (the writer's prefix plus any characters it kept
from the take it branched from) and its settings, with the seed resolved, give the same text
again through the engine. Choosing an alternative at one position makes a new take that
keeps everything before that position, puts the chosen character there and continues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tui_lyrics.durable import atomic_write_bytes
from tui_lyrics.memorise import Memorisation
from tui_lyrics.sample_config import SampleConfig

GENERATING = "generating"
DONE = "done"
STOPPED = "stopped"
FAILED = "failed"

SURE = 0.4
"""Characters sampled with at least this probability are drawn plainly."""
DOUBTFUL = 0.1
"""Below this the model was guessing; between the two it was unsure. (With a few thousand
characters to choose from, even a good model gives most characters well under one half.)"""


def confidence(prob: float) -> str:
    """The colour class of a sampled character: sure, unsure or doubtful."""
    return "sure" if prob >= SURE else "unsure" if prob >= DOUBTFUL else "doubtful"


@dataclass(frozen=True)
class TakeChar:
    """One generated character, with the model's view of that position."""

    char: str
    prob: float
    """The model's own probability of this character when it was sampled."""
    alternatives: tuple[tuple[str, float], ...] = ()
    """The model's top candidates at this position, most likely first."""
    chosen: bool = False
    """Picked by the writer from the alternatives rather than sampled."""

    @classmethod
    def of(cls, sampled: Any) -> TakeChar:
        """From the engine's ``SampledChar`` (duck-typed: that class lives with torch)."""
        return cls(sampled.char, float(sampled.prob), tuple((c, float(p)) for c, p in sampled.alternatives))


def completed_lines(prefix: str, text: str) -> int:
    """Lines ``text`` completes after ``prefix``, counted as the engine counts them.

    A newline ends a line only when the line has text, so blank lines are free.
    """
    lines, has_text = 0, bool(prefix) and not prefix.endswith("\n")
    for char in text:
        if char == "\n":
            lines += has_text
            has_text = False
        else:
            has_text = True
    return lines


@dataclass
class Take:
    """One generation: prompt, settings (seed resolved) and the characters it produced."""

    number: int
    """Its number in the session, shown to the writer and carried by the worker's messages."""
    model: str
    prefix: str
    settings: SampleConfig
    kept: tuple[TakeChar, ...] = ()
    """Characters carried over from the take this one branched from, the chosen one last."""
    chars: list[TakeChar] = field(default_factory=list)
    """Characters sampled in this take, after ``kept``."""
    state: str = GENERATING
    branched_from: int | None = None
    error: str = ""
    saved: bool = False
    """Written to a file this session (leaving the screen asks first about unsaved takes)."""
    memorisation: Memorisation | None = None
    """The memorisation meter's reading of the text, once the take has ended and been measured."""

    def __post_init__(self) -> None:
        if self.settings.seed is None:
            raise ValueError("a take needs a resolved seed so it can be replayed")

    @property
    def seed(self) -> int:
        return int(self.settings.seed or 0)

    @property
    def generated(self) -> list[TakeChar]:
        """Everything after the prefix: kept characters, then sampled ones."""
        return [*self.kept, *self.chars]

    @property
    def text(self) -> str:
        """The generated text (without the prefix)."""
        return "".join(c.char for c in self.kept) + "".join(c.char for c in self.chars)

    @property
    def prompt(self) -> str:
        """What the engine continues: the prefix and the kept characters."""
        return self.prefix + "".join(c.char for c in self.kept)

    def engine_config(self) -> SampleConfig:
        """The settings for the engine: a branch spends what is left of the take's budget."""
        length = max(1, self.settings.length - len(self.kept))
        lines = self.settings.lines
        if lines is not None:
            lines = max(1, lines - completed_lines(self.prefix, "".join(c.char for c in self.kept)))
        return self.settings.replace(length=length, lines=lines)

    def again(self, *, number: int, settings: SampleConfig) -> Take:
        """The same prompt with (possibly) other settings or seed: regenerate."""
        return Take(number, self.model, self.prefix, settings, self.kept, branched_from=self.branched_from)

    def branch(self, index: int, choice: int, *, number: int, settings: SampleConfig) -> Take:
        """Keep ``generated[:index]``, put alternative ``choice`` at ``index`` and continue."""
        generated = self.generated
        at = generated[index]
        char, prob = at.alternatives[choice]
        picked = TakeChar(char, prob, at.alternatives, chosen=True)
        return Take(number, self.model, self.prefix, settings, (*generated[:index], picked), branched_from=self.number)

    def describe(self) -> str:
        """The settings in words, for the take list and the saved file."""
        s = self.settings
        return " · ".join(
            [
                f"seed {self.seed}",
                f"temperature {s.temperature:g}",
                f"top-k {s.top_k or 'all'}",
                f"top-p {s.top_p:g}",
                f"length {s.length}",
                f"lines {s.lines or 'all'}",
                *craft_words(s),
            ]
        )

    def to_text(self) -> str:
        """The take as it is saved: a comment header, then the prefix and the text."""
        header = f"# take {self.number} · model {self.model} · {self.describe()}"
        if self.state == STOPPED:
            header += " · stopped early"
        if self.branched_from is not None:
            header += f"\n# branched from take {self.branched_from} at character {len(self.kept)}"
        body = (self.prefix + self.text).rstrip("\n")
        return f"{header}\n{body}\n"


def take_settings(settings: SampleConfig, seed: int) -> SampleConfig:
    """What a take records: the controls' settings, its seed, and room for the line shape asked for.

    As ``generate`` does, a shape (lines × longest line) longer than the length raises the
    length, so the take stops at its last line rather than part way through.
    """
    shape = settings.shape_chars
    if shape is not None and shape > settings.length:
        settings = settings.replace(length=shape)
    return settings.replace(seed=seed)


def status_line(take: Take | None, timing: Sequence[float | None] | None) -> str:
    """One line about a take: number, seed, progress or outcome, and speed."""
    if take is None:
        return ""
    head = f"Take {take.number} · seed {take.seed} · {len(take.generated)} chars"
    start, first, end = timing if timing is not None else (None, None, None)
    speed = ""
    if start is not None and first is not None:
        speed = f" · first char {(first - start) * 1000:.0f} ms"
        if end is not None and end > first and len(take.chars) > 1:
            speed += f" · {(len(take.chars) - 1) / (end - first):.0f} chars/s"
    if take.state == GENERATING:
        return f"{head} · generating… Esc stops{speed}"
    if take.state == STOPPED:
        return f"{head} · stopped{speed}"
    if take.state == FAILED:
        return f"{head} · failed: {take.error}"
    assert take.state == DONE
    return f"{head} · done{speed}"


def craft_words(s: SampleConfig) -> list[str]:
    """The lyric-craft settings that are on, in words (nothing for plain sampling)."""
    words = []
    if s.line_chars is not None:
        words.append(f"{s.line_chars}±{s.line_tolerance} chars/line")
    if s.verse_lines is not None:
        words.append(f"verses of {s.verse_lines}")
    if s.rhyme != "off":
        words.append(f"rhyme {s.rhyme}")
    if s.repetition_penalty != 1.0:
        words.append(f"repetition penalty {s.repetition_penalty:g}/{s.repetition_window}")
    if s.no_repeat_ngram:
        words.append(f"no repeated {s.no_repeat_ngram}-grams")
    if s.loop_repeats:
        words.append(f"loops broken after {s.loop_repeats}")
    if s.quote_limit:
        words.append(f"corpus quotes ≤{s.quote_limit} chars")
    if not s.song_memory:
        words.append("song memory off")
    return words


class TakeSession:
    """The takes of one composing session, in order, with one current take."""

    def __init__(self) -> None:
        self.takes: list[Take] = []
        self.index: int | None = None
        self._numbers = 0

    def next_number(self) -> int:
        self._numbers += 1
        return self._numbers

    def restore(self, takes: Iterable[Take]) -> None:
        """Start from ``takes`` (kept from an earlier run), the last one current; numbers go on after theirs,
        and a number met twice (files from different runs) is given a fresh one."""
        for take in takes:
            if self.get(take.number) is not None:
                take.number = max(self._numbers, take.number) + 1
            self._numbers = max(self._numbers, take.number)
            self.add(take)

    @property
    def current(self) -> Take | None:
        return None if self.index is None else self.takes[self.index]

    def add(self, take: Take) -> Take:
        """Append ``take`` and make it current."""
        self.takes.append(take)
        self.index = len(self.takes) - 1
        return take

    def get(self, number: int) -> Take | None:
        return next((t for t in self.takes if t.number == number), None)

    def select(self, number: int) -> Take | None:
        for i, take in enumerate(self.takes):
            if take.number == number:
                self.index = i
                return take
        return None

    def move(self, step: int) -> Take | None:
        """Make the previous (-1) or next (+1) take current; stays put at either end."""
        if self.index is None:
            return None
        self.index = max(0, min(len(self.takes) - 1, self.index + step))
        return self.current

    def delete_current(self) -> Take | None:
        """Remove the current take; the one after it (or before, at the end) becomes current."""
        if self.index is None:
            return None
        gone = self.takes.pop(self.index)
        self.index = min(self.index, len(self.takes) - 1) if self.takes else None
        return gone


def format_takes(takes: Iterable[Take]) -> str:
    """The text file of ``takes``: each with its header, one blank line between them."""
    return "\n".join(t.to_text() for t in takes)


def default_filename(model: str, *, when: datetime | None = None) -> str:
    """``takes-<model>-<date>-<time>.txt``, safe as a file name."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model) or "model"
    return f"takes-{safe}-{stamp}.txt"


def resolve_path(typed: str, *, default_name: str, cwd: Path | None = None) -> Path:
    """Where a typed path points: ``~`` expanded, relative to ``cwd``, a folder gets the default name."""
    base = cwd or Path.cwd()
    path = Path(typed.strip() or default_name).expanduser()
    path = path if path.is_absolute() else base / path
    return path / default_name if path.is_dir() else path


def save_takes(path: Path, takes: Sequence[Take]) -> Path:
    """Write the takes as UTF-8 text, atomically; a StoreError says why it could not."""
    atomic_write_bytes(path, format_takes(takes).encode("utf-8"))
    return path.resolve()
