"""What ``generate`` and the app turn on by default: the repetition controls and the quote limit by script.

``SampleConfig``'s own defaults leave them off, so a config means plain sampling unless it asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

RECOMMENDED_CONTROLS: dict[str, Any] = {
    "repetition_penalty": 1.2,
    "no_repeat_ngram": 5,
    "loop_repeats": 3,
    "corpus_lines": True,
}
"""Repetition controls that `generate` uses by default: see bench/LYRIC_CRAFT.md for what they cost."""
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
