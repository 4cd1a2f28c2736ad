"""The corpus's own line shape as a decoding control: no broken-off lines, verse breaks at the corpus's rate.

A model with song memory learns from a take's own short lines and blank lines to write more of them ("后来我",
a blank line after nearly every line). ``SampleConfig.corpus_lines`` holds a take to the shape of the model's
corpus copy, measured once per corpus index:

- **line floor**: a newline may not end a non-empty line shorter than ``FLOOR_PERCENTILE`` of the corpus's
  non-empty line lengths (characters, at least 1), unless the user's chars/line shape control is set;
- **verse floor**: a blank line (a newline right after a newline) only after at least ``VERSE_PERCENTILE`` of
  the corpus's verse lengths (non-empty lines between blank lines, at least 1) lines since the last blank line
  or the take's start, and never two blank lines in a row, unless the user's verse control is on.

Like every line rule it bans only the newline, and gives way where that would leave no character
(``LyricControls.adjust``); the characters it changed carry the tag ``corpus-shape``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from tui_lyrics.memorise import CorpusIndex

FLOOR_PERCENTILE = 5
"""A line is at least as long as this percentile of the corpus's non-empty lines."""
VERSE_PERCENTILE = 10
"""A verse has at least as many lines as this percentile of the corpus's verses."""
TAG = "corpus-shape"
"""The name a character's ``controls`` carries where this rule changed its distribution."""


@dataclass(frozen=True)
class CorpusShape:
    """The corpus's short-line floor and shortest typical verse."""

    line_floor: int
    """Fewest characters a non-empty line ends with."""
    verse_floor: int
    """Fewest non-empty lines before a blank line."""


_CACHE: weakref.WeakKeyDictionary[CorpusIndex, CorpusShape] = weakref.WeakKeyDictionary()


def corpus_shape(index: CorpusIndex) -> CorpusShape:
    """The shape of ``index``'s text, measured once per index (a pass over the corpus)."""
    found = _CACHE.get(index)
    if found is None:
        found = _CACHE[index] = measure_shape(index.text)
    return found


def measure_shape(text: str) -> CorpusShape:
    """The floors of ``text``: percentiles (nearest rank below) of its line lengths and verse lengths."""
    lengths: list[int] = []
    verses: list[int] = []
    run = 0
    for line in text.split("\n"):
        if line.strip():
            lengths.append(len(line.strip()))
            run += 1
        elif run:
            verses.append(run)
            run = 0
    if run:
        verses.append(run)
    return CorpusShape(
        line_floor=_percentile(lengths, FLOOR_PERCENTILE), verse_floor=_percentile(verses, VERSE_PERCENTILE)
    )


def _percentile(values: list[int], q: int) -> int:
    """The ``q``-th percentile of ``values`` (the rank rounded down), at least 1; 1 for none."""
    if not values:
        return 1
    ordered = sorted(values)
    return max(1, ordered[(len(ordered) - 1) * q // 100])


def bans_newline(
    shape: CorpusShape, *, line: str, verse: int, context: list[str], line_shape: bool, verses: bool
) -> bool:
    """Whether the rule bans a newline next: ``line`` the current line so far, ``verse`` the non-empty lines since
    the last blank line (or the start), ``context`` the text so far; ``line_shape``/``verses``: the user's
    chars/line and verse controls are set (they govern instead)."""
    if line:
        return not line_shape and len(line.strip()) < shape.line_floor
    if verses:
        return False
    if context[-2:] == ["\n", "\n"]:
        return True  # never two blank lines in a row
    return verse < shape.verse_floor  # a newline here is a blank line: not before the verse's shortest
