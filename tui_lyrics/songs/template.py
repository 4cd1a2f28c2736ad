"""A template from a reference song: each line's length (字数), the verse breaks, each line's rhyme.

New words are written to a melody by matching the reference line for line: the same number
of characters, a blank line where it has one, and a line end in the same rhyme class (十三辙,
see ``tui_lyrics.rhyme``). Only that shape is kept, never the reference's words.

A line's length (``zi_count``) counts its characters, punctuation included, spaces not (an
.lrc file often spaces its phrases): the count the constrained decoding writes a line to
(``SampleConfig.line_chars``), so a written line can match it exactly. ``.lrc`` time tags and header lines are
ignored, and so are credit lines (``作词：…``). A file holding several songs (each opened by a
title line: ``《标题》`` or ``# Title``) gives one song, chosen by number or title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_lyrics.errors import LyricsError
from tui_lyrics.rhyme import line_class

MAX_BYTES = 1024 * 1024
"""A reference song is small: refuse files larger than this."""
MAX_SLOTS = 300
"""A template longer than this is a corpus, not a song: the user is asked to pick one song."""
_TITLE = re.compile(r"^\s*(?:《[^》]*》|#\s+\S.*)\s*$")
_CREDIT = re.compile(r"^\s*[\w\u4e00-\u9fff ]{1,8}\s*[:：]")
"""A credit line (作词：…, 作曲 : …, Composer: …), as .lrc files often carry: not a lyric line."""


def zi_count(line: str) -> int:
    """A line's 字数: its characters less spaces (which .lrc files often put between phrases)."""
    return sum(1 for c in line if not c.isspace())


class TemplateError(LyricsError):
    """The reference song cannot be read or has no lines."""


@dataclass(frozen=True)
class Slot:
    """One line of the template."""

    chars: int
    """Characters the line must have (its 字数)."""
    rhyme: str | None
    """Rhyme class of the reference line's end (None: it ends on no Chinese character; the line is free)."""
    verse_break: bool = False
    """A blank line comes before this line (a new verse or chorus begins)."""

    def label(self, text: str | None = None) -> str:
        """``12/12 字 · 江阳`` for a written line, ``12 字 · 江阳`` for an empty slot."""
        count = f"{zi_count(text)}/{self.chars}" if text is not None else f"{self.chars}"
        return f"{count} 字 · {self.rhyme or '–'}"

    def to_dict(self) -> dict[str, Any]:
        return {"chars": self.chars, "rhyme": self.rhyme, "verse_break": self.verse_break}


@dataclass(frozen=True)
class Template:
    """The shape of a reference song, line by line."""

    slots: tuple[Slot, ...]
    source: str = ""
    """Where it came from, for the user (file name, and the song's title in a file of several)."""

    def __len__(self) -> int:
        return len(self.slots)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "slots": [s.to_dict() for s in self.slots]}


def template_from_text(text: str, *, source: str = "", song: str | int | None = None) -> Template:
    """The template of one song of ``text`` (the first, or ``song``: a 1-based number or part of a title)."""
    title, lines = _pick_song(_songs(text), song, source)
    slots: list[Slot] = []
    pending_break = False
    for line in lines:
        line = line.rstrip()
        if _CREDIT.match(line):
            continue
        if not line.strip():
            pending_break = bool(slots)
            continue
        slots.append(Slot(chars=zi_count(line), rhyme=line_class(line), verse_break=pending_break))
        pending_break = False
    if not slots:
        raise TemplateError(f"{source or 'the reference song'} has no lyric lines to make a template from")
    if len(slots) > MAX_SLOTS:
        raise TemplateError(
            f"{source or 'the reference text'} has {len(slots)} lines: a template is one song of at most "
            f"{MAX_SLOTS}; pick one (by title or number when the file titles its songs 《...》 or '# ...', else by "
            "its verses, e.g. 'verses 1-4': --song in `write`, FILE#verses 1-4 in the app) or cut the file to one song"
        )
    shown = f"{source} {title}".strip() if title else source
    return Template(slots=tuple(slots), source=shown)


def read_template(path: str | Path, *, song: str | int | None = None) -> Template:
    """Read a reference song from a ``.txt`` or ``.lrc`` file (any encoding the corpus reader knows)."""
    from tui_lyrics.lyrics_text import decode_bytes, normalise

    file = Path(path).expanduser()
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise TemplateError(f"{file} is {size:,} bytes: a reference song should be under {MAX_BYTES:,}")
        data = file.read_bytes()
    except IsADirectoryError as error:
        raise TemplateError(f"{file} is a folder: give one song's .txt or .lrc file") from error
    except OSError as error:
        raise TemplateError(f"cannot read {file}: {error.strerror or error}") from error
    text, _ = decode_bytes(data, name=file.name)
    return template_from_text(normalise(text, lrc=file.suffix.lower() == ".lrc"), source=file.name, song=song)


def template_from_answer(answer: str) -> Template | None:
    """The template an answer gives: a song pasted in (several lines), or the file a line names: ``FILE``,
    ``FILE#2`` or ``FILE#verses 1-4`` (one song of a file of several); None for an empty answer (no template)."""
    if len([line for line in answer.splitlines() if line.strip()]) > 1:
        from tui_lyrics.lyrics_text import normalise

        lrc = re.search(r"^\s*\[\d+:\d+", answer, re.MULTILINE) is not None  # pasted from an .lrc: timings go
        return template_from_text(normalise(answer, lrc=lrc), source="pasted song")
    raw, song = answer.strip(), ""
    if "#" in raw and not Path(raw).expanduser().exists():  # a file name may hold a # itself
        raw, _, song = raw.rpartition("#")
    return read_template(raw.strip(), song=song.strip() or None) if raw.strip() else None


_VERSES = re.compile(r"^\s*verses?\s+(\d+)(?:\s*[-–]\s*(\d+))?\s*$", re.IGNORECASE)


def _verses(lines: list[str]) -> list[list[str]]:
    """The verses of a song's lines: runs of non-blank lines."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _songs(text: str) -> list[tuple[str, list[str]]]:
    """The songs of a text: (title, lines); a text with no title line is one untitled song."""
    songs: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        if _TITLE.match(line):
            songs.append((line.strip(), []))
        elif songs:
            songs[-1][1].append(line)
        else:
            songs.append(("", [line]))
    return [(t, lines) for t, lines in songs if any(x.strip() for x in lines)]


def _pick_song(songs: list[tuple[str, list[str]]], song: str | int | None, source: str) -> tuple[str, list[str]]:
    where = source or "the reference text"
    if not songs:
        raise TemplateError(f"{where} has no lyric lines to make a template from")
    if song is None:
        return songs[0]
    verses = _VERSES.match(song) if isinstance(song, str) else None
    if verses:  # verses A-B of the first song (the whole text when it has no titles)
        first, last = int(verses[1]), int(verses[2] or verses[1])
        title, lines = songs[0]
        blocks = _verses(lines)
        if not 1 <= first <= last <= len(blocks):
            raise TemplateError(f"{where} has {len(blocks)} verse(s): choose verses from 1 to {len(blocks)}")
        picked = [x for block in blocks[first - 1 : last] for x in (*block, "")][:-1]
        return f"{title} verses {first}–{last}".strip(), picked
    if isinstance(song, int) or song.strip().isdigit():
        n = int(song)
        if not 1 <= n <= len(songs):
            raise TemplateError(f"{where} has {len(songs)} song(s): choose a number from 1 to {len(songs)}, not {n}")
        return songs[n - 1]
    found = [s for s in songs if song.strip() and song.strip() in s[0]]
    if not found:
        raise TemplateError(f"no song titled {song!r} in {where}")
    return found[0]
