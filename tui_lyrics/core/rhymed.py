"""Rhymed takes that do not break words: with rhyme on, each line is the most natural of a few whole lines.

The rhyme control (``core.constraints``) lands every line on its class one character at a time; on
its own it may stop a line mid-word to do so ("我不懂上"), and a class with few common characters
ends line after line on the same one. So ``stream_take`` writes a rhymed take line by line: for
each line it samples ``PER_LINE`` whole lines after the text so far (``stream_chars`` with the same
controls, one line each), and keeps the one the model itself would end best, ranked as the song
draft ranks candidates (``candidates.natural_key``) but with the end weighed as much as the line's
average character (``ending_score``): the line's own probability *and* the model's probability of a
line break right after its rhymed character; a line ending on the character one of the last four
ended on only when nothing else is left. The rhyme character is thus chosen together
with what comes before it. Without rhyme it is ``stream_chars`` itself, character by character.

Everything is replayable: the line ``i``'s ``j``-th try uses a seed derived from the take's seed,
and the controls, the song memory and the quote limit are rebuilt from the text at each line, as
they would read it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

from tui_lyrics.config import MAX_SEED
from tui_lyrics.core.candidates import PER_LINE, Candidate, candidate_of, natural_key
from tui_lyrics.core.sample import LoadedModel, SampledChar, resolve_seed, stream_chars
from tui_lyrics.sample_config import SampleConfig


def line_seed(seed: int, line: int, attempt: int) -> int:
    """The seed of try ``attempt`` at line ``line`` of a take of seed ``seed`` (the first try of the first
    line uses the take's own seed)."""
    return (seed + 7919 * line + 104_729 * attempt) % (MAX_SEED + 1)


def stream_take(
    lm: LoadedModel,
    prefix: str,
    config: SampleConfig,
    *,
    stop: threading.Event | None = None,
    per_line: int = PER_LINE,
) -> Iterator[SampledChar]:
    """Yield a take's characters after ``prefix``: with rhyme on, a line at a time, each the best of
    ``per_line`` whole lines; otherwise as ``stream_chars`` samples them. ``config.seed`` is resolved."""
    if config.rhyme == "off" or per_line <= 1:
        yield from stream_chars(lm, prefix, config, stop=stop)
        return
    seed, text, left = resolve_seed(config.seed), prefix, config.length
    for line in range(config.lines if config.lines is not None else config.length):
        if left <= 0 or (stop is not None and stop.is_set()):
            return
        step = config.replace(lines=1, length=left)
        tries = [
            list(stream_chars(lm, text, step.replace(seed=line_seed(seed, line, j)), stop=stop))
            for j in range(per_line)
        ]
        if stop is not None and stop.is_set():
            return  # the line was not finished: the take ends with the lines already written
        chars = _best(tries, text)
        if not chars:
            return
        yield from chars
        text += "".join(c.char for c in chars)
        left -= len(chars)
        if chars[-1].char != "\n":
            return  # the length ran out part way through the line


def ending_score(line: Candidate) -> float:
    """The line's mean log-probability per character plus the log-probability of the line break after it:
    its end weighs as much as its average character, so a line the model would not end there ranks low
    (``Candidate.score`` spreads the end over the line's characters; measured in bench/LYRIC_CRAFT.md)."""
    return line.mean_logprob + math.log(line.end_prob) if line.end_prob else -math.inf


def _best(tries: list[list[SampledChar]], before: str) -> list[SampledChar]:
    """The try holding the most natural line after ``before`` (``candidates.natural_key`` with
    ``ending_score``); a try with no line in it (only blank lines, or nothing) only when every try is like that."""
    key = natural_key(before, score=ending_score)

    def rank(chars: list[SampledChar]) -> tuple[bool, tuple[bool, bool, float]]:
        found = candidate_of(chars, prefix=before, seed=0)
        return (True, key(found)) if found is not None else (False, (False, False, -math.inf))

    return max(tries, key=rank, default=[])
