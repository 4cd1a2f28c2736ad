"""Rhyme classes of Chinese characters (十三辙) and rhyme figures of lines; no torch.

Mandarin pop rhymes its line ends (押韵): the last character of a line carries the rhyme,
and two lines rhyme when the finals (韵母) of their last characters fall in the same class.
We use the traditional thirteen classes of northern song and opera, 十三辙, keyed by the
final that ``pypinyin`` gives in its strict (standard) spelling:

======  =========  ==============================================================
class   ASCII      finals (strict pypinyin spelling; ``v`` is ü)
======  =========  ==============================================================
发花    fahua      a, ia, ua
梭波    suobo      o, e, uo, io
乜斜    miexie     ie, ve (üe), ê
一七    yiqi       i (with the apical -i of zhi chi shi ri zi ci si), v (ü), er (儿)
姑苏    gusu       u
怀来    huailai    ai, uai
灰堆    huidui     ei, uei (ui)
遥条    yaotiao    ao, iao
油求    youqiu     ou, iou (iu)
言前    yanqian    an, ian, uan, van (üan)
人辰    renchen    en, in, uen (un), vn (ün); the syllabic n of 嗯 (n)
江阳    jiangyang  ang, iang, uang
中东    zhongdong  eng, ing, ong, iong, ueng; the syllabic ng of 嗯 (ng, hng)
======  =========  ==============================================================

Notes on the mapping:

* The apical vowels (-i after z c s and zh ch sh r: 字 是 日) are spelled ``i`` by pinyin and
  rhyme with 一七, as the traditional scheme has them; 儿 (er) is also put in 一七, its usual
  place among the thirteen (some modern schemes give it a class of its own).
* A character has one reading here: pypinyin's default (most common) reading of the single
  character, without context. So 了 is ``le`` (梭波) even in 受不了, 还 is ``hai`` (怀来) and
  长 ``zhang`` (江阳). The classes must be fixed per character because the sampler restricts
  the vocabulary to a class before the line's context is known; the cost is a wrong class for
  a polyphonic character read unusually.
* Characters without a Mandarin reading (Latin letters, digits, punctuation, kana) have no
  class: rhyme is for Chinese only. English lines are not rhymed (no pronunciation
  dictionary is shipped); a model with no Chinese characters cannot use the rhyme control.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

CLASSES: tuple[str, ...] = (
    "发花", "梭波", "乜斜", "一七", "姑苏", "怀来", "灰堆", "遥条", "油求", "言前", "人辰", "江阳", "中东",
)  # fmt: skip
"""The thirteen rhyme classes (十三辙) in their traditional order."""
ASCII: dict[str, str] = dict(
    zip(
        ("fahua", "suobo", "miexie", "yiqi", "gusu", "huailai", "huidui", "yaotiao", "youqiu", "yanqian", "renchen",
         "jiangyang", "zhongdong"),
        CLASSES,
        strict=True,
    )
)  # fmt: skip
"""Pinyin names of the classes, for typing them on a keyboard without a Chinese input method."""

MODES = ("off", "follow")
"""Rhyme modes besides a class name: no rhyme, or every line rhymes with the first."""

_FINALS: dict[str, str] = {
    **dict.fromkeys(("a", "ia", "ua"), "发花"),
    **dict.fromkeys(("o", "e", "uo", "io"), "梭波"),
    **dict.fromkeys(("ie", "ve", "ê"), "乜斜"),
    **dict.fromkeys(("i", "v", "er"), "一七"),
    "u": "姑苏",
    **dict.fromkeys(("ai", "uai"), "怀来"),
    **dict.fromkeys(("ei", "uei"), "灰堆"),
    **dict.fromkeys(("ao", "iao"), "遥条"),
    **dict.fromkeys(("ou", "iou"), "油求"),
    **dict.fromkeys(("an", "ian", "uan", "van"), "言前"),
    **dict.fromkeys(("en", "in", "uen", "vn"), "人辰"),
    **dict.fromkeys(("ang", "iang", "uang"), "江阳"),
    **dict.fromkeys(("eng", "ing", "ong", "iong", "ueng"), "中东"),
}
# Syllables pypinyin gives no final for (syllabic nasals of interjections): by their sound.
_BARE: dict[str, str] = {"n": "人辰", "ng": "中东", "hng": "中东"}


def class_name(name: str) -> str:
    """The class a user named, in Chinese or pinyin (``jiangyang``); ``ValueError`` if none."""
    cleaned = name.strip()
    if cleaned in CLASSES:
        return cleaned
    if cleaned.lower() in ASCII:
        return ASCII[cleaned.lower()]
    raise ValueError(f"unknown rhyme class {name!r}: choose one of {' '.join(CLASSES)} (or its pinyin)")


def final_of(char: str) -> str | None:
    """The final of ``char``'s default reading in strict pinyin (``v`` for ü), or None."""
    return _final(char) if len(char) == 1 else None


def class_of(char: str) -> str | None:
    """The 十三辙 class of one character (its default reading), or None if it has no reading."""
    return _class(char) if len(char) == 1 else None


def _no_reading(_: str) -> Any:
    return [None]


@lru_cache(maxsize=65536)
def _final(char: str) -> str | None:
    if char.isascii() or not char.isprintable() or char.isspace():
        return None  # fast path: never Chinese
    from pypinyin import Style, lazy_pinyin  # 0.3 s to import its dictionaries: only when rhyme is used

    # pypinyin passes what ``errors`` returns through: [None] marks "no reading" (its stubs say str only).
    final = cast("str | None", lazy_pinyin(char, style=Style.FINALS, strict=True, errors=_no_reading)[0])
    if final is None:
        return None
    if final == "":
        bare = lazy_pinyin(char, style=Style.NORMAL, errors=_no_reading)[0]
        return bare if bare in _BARE else None
    return final


@lru_cache(maxsize=65536)
def _class(char: str) -> str | None:
    final = _final(char)
    if final is None:
        return None
    return _BARE.get(final) or _FINALS.get(final)


def last_char(line: str) -> str | None:
    """The character that carries a line's rhyme: the last one, trailing punctuation and spaces skipped."""
    for char in reversed(line):
        if not unicodedata.category(char).startswith(("P", "Z", "S", "C")):
            return char
    return None


def line_class(line: str) -> str | None:
    """The rhyme class of a line: that of its last character (see ``last_char``), or None."""
    char = last_char(line)
    return None if char is None else class_of(char)


def text_lines(text: str) -> list[str]:
    """The non-empty lines of ``text`` (blank lines, e.g. between verses, are not lines)."""
    return [line for line in text.split("\n") if line.strip()]


def line_classes(text: str) -> list[str | None]:
    """The rhyme class of each non-empty line of ``text``, in order."""
    return [line_class(line) for line in text_lines(text)]


def pair_rate(classes: Iterable[str | None]) -> float | None:
    """The share of consecutive line pairs that rhyme (same class, neither None); None if no pair."""
    seq = list(classes)
    pairs = list(itertools.pairwise(seq))
    if not pairs:
        return None
    return sum(1 for a, b in pairs if a is not None and a == b) / len(pairs)


def follow_rate(classes: Iterable[str | None], target: str | None = None) -> float | None:
    """The share of lines in ``target`` (default: the first line's class), first line excluded if no target."""
    seq = list(classes)
    if target is None:
        if not seq:
            return None
        target, seq = seq[0], seq[1:]
    if not seq or target is None:
        return None if not seq else 0.0
    return sum(1 for c in seq if c == target) / len(seq)


def is_rhyme_mode(value: str) -> bool:
    """A valid rhyme setting: off, follow, or a class (Chinese or pinyin name)."""
    if value in MODES:
        return True
    try:
        class_name(value)
    except ValueError:
        return False
    return True
