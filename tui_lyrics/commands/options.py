"""Options and argument types that several commands' parsers share.

``generate`` and ``write`` both take ``--quote-limit`` (a number or off); ``train``, ``generate`` and ``eval``
take ``--max-params``; ``generate``'s lyric controls are one option group. Torch-free, like every parser: the
defaults shown in ``--help`` come from ``sample_defaults`` and ``config``, imported when a parser is built.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any


def add_lyric_controls(p: argparse.ArgumentParser) -> None:
    """``generate``'s lyric controls, one option group, their defaults the recommended ones."""
    from tui_lyrics.sample_defaults import QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC
    from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS as rec

    craft = p.add_argument_group("lyric controls (constrained decoding: the model's own probabilities, restricted)")
    craft.add_argument("--line-chars", type=int, help="target characters per line (default: where the model ends them)")
    craft.add_argument("--line-tolerance", type=int, default=2, help="lines have line-chars ± this many (default 2)")
    craft.add_argument("--verse-lines", type=int, help="a blank line after every N lines, and nowhere else")
    craft.add_argument(
        "--rhyme",
        default="off",
        metavar="MODE",
        help="line-end rhyme, Chinese only (English lines are not rhymed): off (default), follow (every line "
        "rhymes with the first), or a 十三辙 class: 发花 梭波 乜斜 一七 姑苏 怀来 灰堆 遥条 油求 言前 人辰 江阳 中东 "
        "(or its pinyin, e.g. jiangyang); best with --line-chars, or lines run long looking for a rhyme",
    )
    craft.add_argument(
        "--repetition-penalty",
        type=float,
        default=rec["repetition_penalty"],
        help=f"divide a character's probability by this per use in the last --repetition-window characters "
        f"(default {rec['repetition_penalty']}; 1: off)",
    )
    craft.add_argument(
        "--repetition-window", type=int, default=32, help="recent characters the penalty looks at (default 32)"
    )
    craft.add_argument(
        "--no-repeat-ngram",
        type=int,
        default=rec["no_repeat_ngram"],
        help=f"never repeat an n-gram of this many characters within lines (default {rec['no_repeat_ngram']}; 0: off)",
    )
    craft.add_argument(
        "--loop-repeats",
        type=int,
        default=rec["loop_repeats"],
        help=f"step out of a loop once a unit has repeated this many times in a row, and never write a line "
        f"equal to one of the last two (a chorus may come back) (default {rec['loop_repeats']}; 0: off)",
    )
    craft.add_argument(
        "--quote-limit",
        type=parse_quote_limit,
        metavar="N",
        help=f"never copy more than N characters in a row from the model's corpus; the song's own text (the "
        f"prefix, a chorus coming back) is exempt (default {QUOTE_LIMIT} for Chinese, Japanese or Korean models, "
        f"{QUOTE_LIMIT_ALPHABETIC} for alphabetic ones; 0 or off: no limit)",
    )
    craft.add_argument(
        "--song-memory",
        choices=["on", "off"],
        default="on",
        help="the n-gram also counts the prefix and what is written, so a chorus can come back (default on)",
    )
    craft.add_argument(
        "--corpus-lines",
        choices=["on", "off"],
        default="on",
        help="lines and verse breaks in the corpus's shape: no line shorter than its short lines, no blank line "
        "before its shortest verses (--line-chars and --verse-lines govern where set; default on)",
    )


def parse_quote_limit(value: str) -> int:
    """--quote-limit: a number of characters, or off."""
    if value.strip().lower() == "off":
        return 0
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of characters or off, not {value!r}") from None


def add_max_params(p: argparse.ArgumentParser) -> None:
    """``--max-params``: the size check made before a network is built."""
    from tui_lyrics.config import DEFAULT_MAX_PARAMS

    p.add_argument(
        "--max-params",
        type=positive(int),
        default=DEFAULT_MAX_PARAMS,
        metavar="N",
        help=f"refuse a network with more parameters than this, checked before it is built "
        f"(default {DEFAULT_MAX_PARAMS:,})",
    )


def positive(kind: type) -> Callable[[str], Any]:
    """An argparse type: a finite number above 0 of ``kind``, or a one-line usage error."""

    def parse(value: str) -> Any:
        try:
            number = kind(float(value)) if kind is int and float(value).is_integer() else kind(value)  # 2e8 too
        except (ValueError, OverflowError):
            word = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {word}, not {value!r}") from None
        if not (0 < number < math.inf):
            raise argparse.ArgumentTypeError(f"expected a number above 0, not {value!r}")
        return number

    return parse
