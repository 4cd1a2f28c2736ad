"""The song draft: the plain model of a song the user and the model write together; no torch.

A draft is a tuple of lines. A line has its text, who wrote it (the user, the model, or
both: a model's line the user edited), an optional part (verse, chorus, bridge) and a lock
that keeps "rewrite" off it. A blank line is a verse break. The draft may carry a template
(``songs.template``): its n-th slot is the shape of the draft's n-th lyric line.

Every change returns a new draft (the old one is untouched), so the screen can keep an undo
history for free and a test can compare before and after. Widgets only show a draft and
forward keys; the engine (``core.candidates``) reads ``prefix_before`` and ``next_slot``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.template import Slot, Template

AUTHORS = ("user", "model", "both")
"""Who wrote a line: the user typed it, the model wrote it, or the user edited the model's line."""
PARTS = ("verse", "chorus", "bridge")
"""The parts a line can be marked as."""


class DraftError(LyricsError):
    """A change the draft refuses (a locked line, a line that does not exist, no chorus)."""


@dataclass(frozen=True)
class Line:
    """One line of the draft; an empty text is a verse break."""

    text: str
    author: str = "user"
    """user, model or both (see ``AUTHORS``)."""
    part: str | None = None
    """verse, chorus or bridge (None: unmarked)."""
    locked: bool = False
    """A locked line is never rewritten or edited until unlocked."""
    seed: int | None = None
    """The seed the model wrote the line with (None for a typed line), so a take can be replayed."""

    def __post_init__(self) -> None:
        if "\n" in self.text or "\r" in self.text:
            raise DraftError("a line cannot contain a line break: add each line on its own")
        if self.author not in AUTHORS:
            raise DraftError(f"author must be one of {', '.join(AUTHORS)}, not {self.author!r}")
        if self.part is not None and self.part not in PARTS:
            raise DraftError(f"part must be one of {', '.join(PARTS)}, not {self.part!r}")

    @property
    def is_break(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Draft:
    """A song being written: its lines in order and the template it is written to, if any."""

    lines: tuple[Line, ...] = ()
    template: Template | None = None

    @classmethod
    def from_text(cls, text: str, *, author: str = "user", template: Template | None = None) -> Draft:
        """A draft of a typed or pasted text: one line per text line, runs of blank lines as one break."""
        lines: list[Line] = []
        for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            raw = raw.rstrip()
            if raw or (lines and not lines[-1].is_break):
                lines.append(Line(raw, author=author if raw else "user"))
        while lines and lines[-1].is_break:
            lines.pop()
        return cls(lines=tuple(lines), template=template)

    # -- reading ----------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The song as plain text, one line per line and a newline at the end (empty for an empty draft)."""
        return "".join(line.text + "\n" for line in self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def lyric_number(self, index: int) -> int | None:
        """Which lyric line (0-based, breaks not counted) ``index`` is, or None for a break."""
        self._check(index)
        if self.lines[index].is_break:
            return None
        return sum(1 for line in self.lines[:index] if not line.is_break)

    def number(self, index: int) -> int:
        """Line ``index`` as the writer counts it: lyric lines from 1, breaks not counted (a break: the line after
        it)."""
        self._check(index)
        return sum(1 for line in self.lines[:index] if not line.is_break) + 1

    def next_lyric(self, index: int) -> int | None:
        """The first lyric line at or after ``index`` (None: only breaks follow)."""
        return next((i for i in range(index, len(self.lines)) if not self.lines[i].is_break), None)

    @property
    def lyric_count(self) -> int:
        return sum(1 for line in self.lines if not line.is_break)

    def prefix_before(self, index: int) -> str:
        """The text the model continues when it rewrites line ``index``: every line before it."""
        if not 0 <= index <= len(self.lines):
            raise DraftError(f"there is no line {index + 1}: the draft has {len(self.lines)}")
        return "".join(line.text + "\n" for line in self.lines[:index])

    def slot_of(self, index: int) -> Slot | None:
        """The template's shape for line ``index`` (None: no template, a break, or past its end)."""
        n = self.lyric_number(index)
        return self._slot(n)

    def next_slot(self) -> Slot | None:
        """The template's shape for the next line to write (None: no template or it is full)."""
        return self._slot(self.lyric_count)

    def label(self, index: int) -> str:
        """What the template panel shows beside line ``index``: ``12/12 字 · 江阳`` (empty without a shape)."""
        slot = self.slot_of(index)
        return "" if slot is None else slot.label(self.lines[index].text)

    def chorus(self) -> tuple[Line, ...]:
        """The chorus: the first run of consecutive lines marked chorus (breaks inside it kept)."""
        run: list[Line] = []
        for line in self.lines:
            if line.part == "chorus" or (run and line.is_break):
                run.append(line)
            elif run:
                break
        while run and run[-1].is_break:
            run.pop()
        return tuple(run)

    # -- changing ---------------------------------------------------------------------------

    def append(self, text: str, *, author: str = "user", seed: int | None = None) -> Draft:
        """Add a line at the end (``""`` adds a verse break; a break after a break is not added)."""
        line = Line(text.rstrip(), author=author, seed=seed)
        if line.is_break and (not self.lines or self.lines[-1].is_break):
            return self
        return self._with((*self.lines, line))

    def insert(self, index: int, text: str, *, author: str = "user", seed: int | None = None) -> Draft:
        """Add a line before line ``index`` (``len(draft)``: at the end)."""
        if not 0 <= index <= len(self.lines):
            raise DraftError(f"cannot insert at line {index + 1}: the draft has {len(self.lines)}")
        line = Line(text.rstrip(), author=author, seed=seed)
        return self._with((*self.lines[:index], line, *self.lines[index:]))

    def edit(self, index: int, text: str) -> Draft:
        """The user changes line ``index``; a model's line becomes one written by both."""
        old = self._unlocked(index, "edit")
        author = old.author if old.author != "model" else "both"
        if text.rstrip() == old.text:
            return self
        return self._set(index, dataclasses.replace(old, text=text.rstrip(), author=author))

    def rewrite(self, index: int, text: str, *, seed: int | None = None) -> Draft:
        """The model's new take of line ``index`` replaces it (its part kept)."""
        old = self._unlocked(index, "rewrite")
        return self._set(index, dataclasses.replace(old, text=text.rstrip(), author="model", seed=seed))

    def delete(self, index: int) -> Draft:
        self._unlocked(index, "delete")
        return self._with(self.lines[:index] + self.lines[index + 1 :])

    def mark(self, start: int, end: int, part: str | None) -> Draft:
        """Mark lines ``start``..``end`` (inclusive) as ``part`` (None: unmark); breaks stay unmarked."""
        if part is not None and part not in PARTS:
            raise DraftError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
        lo, hi = sorted((start, end))
        self._check(lo)
        self._check(hi)
        lines = list(self.lines)
        for i in range(lo, hi + 1):
            if not lines[i].is_break:
                lines[i] = dataclasses.replace(lines[i], part=part)
        return self._with(tuple(lines))

    def lock(self, index: int, locked: bool = True) -> Draft:
        self._check(index)
        return self._set(index, dataclasses.replace(self.lines[index], locked=locked))

    def insert_chorus(self) -> Draft:
        """Put the chorus back at the end, after a verse break: the model then continues after it."""
        chorus = self.chorus()
        if not chorus:
            raise DraftError("no chorus yet: mark its lines as chorus first")
        draft = self.append("")
        return draft._with(draft.lines + tuple(dataclasses.replace(line, locked=False) for line in chorus))

    def with_template(self, template: Template | None) -> Draft:
        return dataclasses.replace(self, template=template)

    # -- helpers ----------------------------------------------------------------------------

    def _slot(self, n: int | None) -> Slot | None:
        if n is None or self.template is None or n >= len(self.template.slots):
            return None
        return self.template.slots[n]

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self.lines):
            raise DraftError(f"there is no line {index + 1}: the draft has {len(self.lines)}")

    def _unlocked(self, index: int, what: str) -> Line:
        self._check(index)
        line = self.lines[index]
        if line.locked:
            raise DraftError(f"line {self.number(index)} is locked: unlock it to {what} it")
        return line

    def _set(self, index: int, line: Line) -> Draft:
        return self._with((*self.lines[:index], line, *self.lines[index + 1 :]))

    def _with(self, lines: tuple[Line, ...]) -> Draft:
        return dataclasses.replace(self, lines=lines)
