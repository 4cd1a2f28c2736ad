"""Candidate lines for a song draft: K next lines, one rewritten line, or a whole song to a template.

Each candidate is one line sampled by ``core.sample.stream_chars`` after the draft so far, with
the lyric controls of ``core.constraints`` when a template gives the line its shape (exact
length, the template's rhyme class). Candidates are yielded one at a time, so the first can be
shown while the next is sampled.

A candidate carries what the writer needs to choose: the model's mean log-probability per
character of the line (its own distribution, before any control), the line's length and rhyme
class, the model's probability of a line break right after its last character, and a flag when
the line quotes the model's corpus (``memorise``).

**Rhymes that do not break words.** The controls land a line on its rhyme class; on their own
they may end a line mid-word ("我不懂上"). Writing a song to a template therefore samples several
whole lines per slot and keeps the one the model finds most natural *including its end*: the
highest mean log-probability of the line's characters and the line break after them. A line
that stops mid-phrase pays for it in ``P(newline | line)``, which the model gives a line only
where it would end one itself. A line that ends on the same character as one of the last four
is kept only when no other is left.
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from tui_lyrics.core.sample import LoadedModel, SampledChar, stream_chars
from tui_lyrics.errors import ConfigError
from tui_lyrics.memorise import CorpusIndex
from tui_lyrics.rhyme import last_char, line_class, text_lines
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.template import Slot, Template
from tui_lyrics.vocab import UNK_ID

FREE_LINE_MAX = 40
"""Without a template a candidate line is cut after this many characters (its end then scores nothing)."""
QUOTE_FLAG = 8
"""A line is flagged as quoting the corpus when it shares this many characters with it (or all of a shorter line)."""
MIN_FLAGGED = 6
"""Lines shorter than this are never flagged: a short phrase (下午的天) is somewhere in any corpus."""
MIN_FREE_CHARS = 3
"""Without a template, a line shorter than this (a stray "列") is not offered; another is drawn."""
RECENT_ENDS = 4
"""When ranking lines, one ending on the same character as one of this many lines before it comes last."""
PER_LINE = 5
"""Whole lines sampled per template slot when writing a song; the most natural one is kept."""
NO_BLANK = 1_000_000
"""A ``verse_lines`` never reached: with it the sampler writes no blank line (free candidates draw the verse break
apart, ``verse_break_prob``)."""


@dataclass(frozen=True)
class Candidate:
    """One candidate line."""

    text: str
    """The line, without its line break."""
    mean_logprob: float
    """The model's mean log-probability per character of the line (its own distribution, controls not applied)."""
    end_prob: float | None
    """The model's probability of a line break right after the last character (None: the line was cut)."""
    rhyme: str | None
    """The line's rhyme class (十三辙), None if it does not end on a Chinese character."""
    seed: int
    """The seed that replays this line after the same draft."""
    memorised: bool = False
    """The line quotes the model's corpus (a stretch of ``QUOTE_FLAG`` characters, or all of it)."""
    longest_quote: int = 0
    """The longest stretch the line shares with the corpus (0 when the corpus is not known)."""
    verse_break: bool = False
    """The model began a new verse (a blank line) before this line."""

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def score(self) -> float:
        """Mean log-probability per character of the line *and* its line break: how candidates are ranked."""
        end = math.log(self.end_prob) if self.end_prob else -30.0  # a cut line ranks last
        return (self.mean_logprob * self.chars + end) / (self.chars + 1)


def line_config(base: SampleConfig, slot: Slot | None, *, seed: int) -> SampleConfig:
    """The settings for sampling one line: the template slot's exact length and rhyme, else a free line."""
    if slot is None:
        return base.replace(seed=seed, lines=1, length=FREE_LINE_MAX + 2, line_chars=None, rhyme="off")
    return base.replace(
        seed=seed, lines=1, length=slot.chars + 1, line_chars=slot.chars, line_tolerance=0,
        rhyme=slot.rhyme or "off", verse_lines=None,
    )  # fmt: skip


def sample_line(
    lm: LoadedModel,
    prefix: str,
    config: SampleConfig,
    *,
    index: CorpusIndex | None = None,
    stop: threading.Event | None = None,
) -> Candidate | None:
    """One line after ``prefix`` (which should end with a line break); None if stopped before it began."""
    try:
        chars = list(stream_chars(lm, prefix, config, stop=stop))
    except ConfigError:
        if config.rhyme == "off":
            raise
        # The class has no character in this model's vocabulary: write the line unrhymed rather than fail.
        chars = list(stream_chars(lm, prefix, config.replace(rhyme="off"), stop=stop))
    return candidate_of(chars, prefix=prefix, seed=int(config.seed or 0), index=index)


def candidate_of(
    chars: Sequence[SampledChar], *, prefix: str, seed: int, index: CorpusIndex | None = None
) -> Candidate | None:
    """The candidate line in ``chars`` (one line as ``stream_chars`` wrote it after ``prefix``, with
    ``lines=1``): blank lines before it are a verse break; None when it holds no line."""
    chars = list(chars)
    verse_break = False
    while chars and chars[0].char == "\n":  # a blank line first: the model starts a new verse
        verse_break = bool(prefix)
        chars.pop(0)
    if not chars:
        return None
    end_prob = chars[-1].prob if chars[-1].char == "\n" else None
    body = chars[:-1] if end_prob is not None else chars
    if not body:
        return None
    text = "".join(c.char for c in body)
    mean = sum(math.log(max(c.prob, 1e-30)) for c in body) / len(body)
    longest = index.measure(text).longest if index is not None else 0
    memorised = len(text.strip()) >= MIN_FLAGGED and longest >= min(QUOTE_FLAG, len(text))
    return Candidate(text, mean, end_prob, line_class(text), seed, memorised, longest, verse_break)


def stream_candidates(
    lm: LoadedModel,
    prefix: str,
    *,
    k: int = 5,
    config: SampleConfig | None = None,
    seed: int = 0,
    slot: Slot | None = None,
    index: CorpusIndex | None = None,
    stop: threading.Event | None = None,
) -> Iterator[Candidate]:
    """Up to ``k`` distinct candidate lines after ``prefix``, yielded as each is sampled.

    Candidate ``i`` is drawn with seed ``seed + i``; a duplicate, a title line in the middle of a
    song, or (without a template) a line under ``MIN_FREE_CHARS``, is dropped and another seed
    tried (at most ``3k`` draws), so the same draft and seed give the same candidates.
    """
    config = config or SampleConfig()
    prefix = prefix if not prefix or prefix.endswith("\n") else prefix + "\n"
    new_verse = verse_break_prob(lm, prefix, config) if slot is None else 0.0
    seen: set[str] = set()
    for i in range(3 * k):
        if len(seen) >= k or (stop is not None and stop.is_set()):
            return
        line = line_config(config, slot, seed=seed + i)
        if slot is None and new_verse is not None:  # the verse break drawn at the model's own odds, then the line
            brk = random.Random(seed + i).random() < new_verse
            found = sample_line(lm, prefix + "\n" * brk, line.replace(verse_lines=NO_BLANK), index=index, stop=stop)
            found = None if found is None else dataclasses.replace(found, verse_break=brk)
        else:
            found = sample_line(lm, prefix, line, index=index, stop=stop)
        if found is None or found.text in seen or (prefix.strip() and _is_title(found.text)):
            continue
        if slot is None and len(found.text.strip()) < MIN_FREE_CHARS:
            continue
        seen.add(found.text)
        yield found


def verse_break_prob(lm: LoadedModel, prefix: str, config: SampleConfig) -> float | None:
    """The model's own probability that a new verse (a blank line) comes next after ``prefix``: at temperature 1,
    nothing cut. Sampled with the controls, a blank line would come far more often than the model means it (on
    the demo model 75% of candidates against 22% of corpus lines): the repetition penalty spares line breaks
    while it lowers every other character, and top-k then leaves the line break most of the mass. 0 at the
    start of a song; None when the model has no line break (nothing to decide)."""
    if lm.vocab.id_of("\n") == UNK_ID:
        return None
    if not prefix.strip():
        return 0.0
    probe = SampleConfig(length=1, alternatives=lm.vocab.size - 1, seed=0, song_memory=config.song_memory)
    step = next(stream_chars(lm, prefix, probe), None)
    return 0.0 if step is None else dict(step.alternatives).get("\n", 0.0)


def best_line(
    lm: LoadedModel,
    prefix: str,
    *,
    slot: Slot | None,
    config: SampleConfig,
    seed: int,
    n: int = PER_LINE,
    index: CorpusIndex | None = None,
    stop: threading.Event | None = None,
) -> Candidate | None:
    """The most natural of ``n`` sampled lines: the highest ``Candidate.score`` among those that neither
    quote the corpus nor end on a character one of the last ``RECENT_ENDS`` lines ended on (a rhyme
    class makes that easy: four lines ending on 上), falling back to those that do."""
    found = list(stream_candidates(lm, prefix, k=n, config=config, seed=seed, slot=slot, index=index, stop=stop))
    if not found:
        return None
    return max(found, key=natural_key(prefix))


def natural_key(
    prefix: str, *, score: Callable[[Candidate], float] = lambda c: c.score
) -> Callable[[Candidate], tuple[bool, bool, float]]:
    """How lines after ``prefix`` are ranked, best highest: not quoting the corpus, then not ending on a
    character one of the last ``RECENT_ENDS`` lines ended on, then ``score`` (``Candidate.score``)."""
    recent = {last_char(line) for line in text_lines(prefix)[-RECENT_ENDS:]}
    return lambda c: (not c.memorised, last_char(c.text) not in recent, score(c))


def _is_title(text: str) -> bool:
    """A title line (《...》 or ``# ...``), which corpus files carry between songs: not a lyric line of this song."""
    return text.lstrip().startswith(("《", "# "))


@dataclass(frozen=True)
class WrittenLine:
    """A line of a song written to a template: the slot it fills and the chosen candidate (None: typed)."""

    number: int
    """Which template line (0-based)."""
    slot: Slot
    text: str
    candidate: Candidate | None


def write_song(
    lm: LoadedModel,
    template: Template,
    *,
    draft: Draft | None = None,
    config: SampleConfig | None = None,
    seed: int = 0,
    per_line: int = PER_LINE,
    index: CorpusIndex | None = None,
    stop: threading.Event | None = None,
) -> Iterator[WrittenLine]:
    """Fill every slot of ``template`` after the draft's lines (which fill the first slots as typed).

    Yields each line as it is chosen. Slot ``i`` is sampled with seeds from ``seed + 1000 * i``.
    Verse breaks come from the template; the draft's own lines are kept as they are.
    """
    config = config or SampleConfig()
    draft = (draft or Draft()).with_template(template)
    for number, line in enumerate(x for x in draft.lines if not x.is_break):
        if number < len(template.slots):
            yield WrittenLine(number, template.slots[number], line.text, None)
    for number in range(draft.lyric_count, len(template.slots)):
        if stop is not None and stop.is_set():
            return
        slot = template.slots[number]
        if slot.verse_break:
            draft = draft.append("")
        chosen = best_line(
            lm, draft.text, slot=slot, config=config, seed=seed + 1000 * number, n=per_line, index=index, stop=stop
        )
        if chosen is None:
            return
        draft = draft.append(chosen.text, author="model", seed=chosen.seed)
        yield WrittenLine(number, slot, chosen.text, chosen)
