"""Lyric controls as constrained decoding: line shape, verses, rhyme and repetition, per step.

``stream_chars`` asks a ``LyricControls`` to adjust the model's logits before each draw and
tells it each character drawn. Nothing is pasted in: every character is still drawn from the
model's own distribution, restricted or reweighted, and the model's unconstrained
probability of it is reported (``SampledChar.prob``) so a take can be scored for fluency.

The controls, in priority order (a lower one gives way when it would leave no character):

1. **Verses** (``verse_lines``): after every K lines the next character is a newline (a
   blank line); no other blank lines. With any control on, a blank line is never followed by
   another: song memory would otherwise learn from a take's own blank lines to write runs of them.
2. **Line shape** (``line_chars`` ± ``line_tolerance``, counted in characters): a newline is
   banned before the shortest line and forced after the longest.
   **The corpus's shape** (``corpus_lines``, with the model's corpus copy; ``core.corpus_shape``): where the
   user's line shape (for lines) or verse control (for blank lines) is not set, no line ends shorter than the
   corpus's short lines and no blank line comes before its shortest verses.
3. **Rhyme** (``rhyme``): a line may end only on a character of the target class (十三辙, see
   ``tui_lyrics.rhyme``): the newline is banned after any other character, and the last slot
   of the longest line is restricted to the class. With ``follow`` the target is the class of
   the first line (of the prompt, if it has one). Without a line shape a line is at most
   ``FREE_LINE_MAX`` characters.
4. **Quote limit** (``quote_limit`` = N, with the model's corpus index): no stretch of more than
   N characters of the text is copied from the corpus (the model's whole corpus copy, as the
   memorisation meter reads it), unless the song itself has it. Precisely: a character ``c`` is
   banned when the last N characters of the text (prompt and take) followed by ``c`` occur in
   the corpus and do not occur earlier in the text. So every (N + 1)-gram of the take is new to
   the corpus or already in the song: a chorus may come back in full, the prompt may be quoted
   again, but the take never walks on into a corpus line beyond N characters. (The text's end is
   tracked on the corpus suffix array by ``memorise.QuoteGuard``; most steps cost two binary
   searches and ban nothing.) When it would leave no character it gives way and the step reports
   ``quote-lifted``. For CJK text, ``WINDOW_PENALTY`` also discourages, softly, each corpus 8-gram the
   song does not have (the step reports ``quote`` too).
5. **Loops** (``loop_repeats``): when the text ends in a unit repeated that many times (the
   repeated span at least ``MIN_LOOP_SPAN`` characters, the unit at most ``MAX_PERIOD``), the
   character that would repeat it once more is banned (for every such unit at once). And the
   **line rule**, the same loop at the scale of lines: a line may not be one of the last
   ``LINE_GAP`` (2) lines, a block of lines that came back right after itself may not begin a
   third round, a line is written at most ``MAX_TIMES`` (4) times, at most ``MAX_RUN`` (4) lines in
   a row come back, and after a run of lines that came back as many new ones follow before another
   line may come back (a chorus, then a verse). So a line or a couplet never comes back right after
   itself, a chorus of four lines may come back whole, and a take does not recite its own lines on
   and on. It bans the newline that would end such a line or a strict beginning of one (``MIN_FRAGMENT``
   characters or more: 我们还 for a banned 我们还要, not written broken off) and, for a line of four or more
   characters, the character that would complete it (with n-gram blocking on, the line has
   usually parted from it earlier: such a line is not followed past the blocking, below).
6. **N-gram blocking** (``no_repeat_ngram``): a character that would complete an n-gram
   already used, within a line, in the prompt or the take is banned.
7. **Repetition penalty** (``repetition_penalty``): a character's probability is divided by
   the penalty once per occurrence in the last ``repetition_window`` characters (newlines
   exempt: every line needs one). Dividing probabilities, not logits, keeps it independent of the
   logits' offset.

**A chorus is not a stutter.** A whole line coming back (a chorus) is wanted; a unit looping
inside a line is not. So while the line so far is the beginning of an earlier line of the
prompt or the take (from its first character), the character that continues that earlier line
is exempt from n-gram blocking by other lines; an n-gram used earlier in the *same* line is
still banned, and neither the line just before nor a line the line rule bans is followed (a line
twice in a row is a stutter at the scale of lines). The repetition penalty, soft and over the last
few lines only, still applies: a chorus coming back right after itself is discouraged, one after a
verse is not. Measured in bench/LYRIC_CRAFT.md ("Choruses, loops and stutters"): with song memory
weighted per match, a typed chorus line comes back in a fair share of takes, and none loops.

**One-step lookahead.** Where a line may or must end at the next step, each of the top
``LOOKAHEAD`` candidates ``c`` is weighted by the model's probability that the line goes on
legally after it: ``P(newline | c)`` where the newline will be forced, ``1 - P(newline | c)``
where it will be banned (too short, or ``c`` does not rhyme). That is exact conditioning of
the next step on the constraint, so the line ends on a character the model itself would end
a line with, rather than on whatever rhyming character scored best mid-phrase. It costs one
batched step of the model over the candidates, only near the line's end.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from tui_lyrics.core.corpus_shape import TAG as SHAPE_TAG
from tui_lyrics.core.corpus_shape import bans_newline, corpus_shape
from tui_lyrics.errors import ConfigError
from tui_lyrics.memorise import WINDOW, CorpusIndex, QuoteGuard
from tui_lyrics.rhyme import class_of, line_class
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import cjk_script
from tui_lyrics.vocab import UNK_ID, CharVocab

LOOKAHEAD = 16
"""Candidates whose next-step newline probability is computed (64 when top-k is off or larger; 0: no lookahead)."""
FREE_LINE_MAX = 30
"""With rhyme on and no line shape, a line ends (on a rhyme) by this many characters."""
MAX_PERIOD = 40
"""Longest repeated unit the loop detector looks for (a line and its newline)."""
MIN_LOOP_SPAN = 6
"""A loop must span at least this many characters (so 啦啦 is not a loop, 啦啦啦啦啦啦 is)."""
LINE_LOOPS = True
"""With the loop control on, the line rule too (see the module docstring); False only to measure without it."""
LINE_GAP = 2
"""The line rule: a line comes back only after at least this many other lines (2: not right after itself, nor
after one line, so a couplet cannot come back right after itself)."""
MAX_BLOCK = 8
"""The line rule: a block of lines (LINE_GAP + 1 to this many) that came back right after itself once may not
begin a third round."""
MAX_RUN = 4
"""The line rule: at most this many lines in a row come back (a chorus of up to four lines, whole); after a run of
lines that came back, as many new lines are written before a line may come back again (a chorus, then a verse),
so a song does not recite itself on and on."""
MAX_TIMES = 4
"""The line rule: a line is written at most this many times (typed ones included): a chorus comes back three times."""
MIN_FRAGMENT = 1
"""The line rule: a line may not end as the beginning of a line it bans, from this many characters on (a strict
beginning: 我们还 for a banned 我们还要, 一 for a banned 一起去看), so a banned line is not written broken off; the
line goes somewhere new. 1 rather than 2: the demo's broken-off lines are often one character (bench/LYRIC_CRAFT.md)."""

WINDOW_PENALTY = 5.0
"""For CJK text with a quote limit of at least ``memorise.WINDOW`` (8): divide by this the probability of a
character that would complete a corpus 8-gram (the meter's window, a phrase) the song does not have (1: off).
On the 5-minute Jay Chou model (200 seeded takes, generate's defaults, limit 8) it took the share of 8-windows
found in the corpus from 2.20% to 1.12% (3 gave 1.51%, 10 gave 0.67%) at a fluency cost of 3.6% of log p per
character against no limit (3.3% with the limit alone). Not for alphabetic text, where most 8-character windows
(a word or two) occur somewhere in the corpus: its default limit of 16 stands alone."""

Peek = Callable[[np.ndarray], np.ndarray]
"""Candidate ids (K,) -> the model's probability of a newline right after each one (K,)."""


@lru_cache(maxsize=8)
def _vocab_classes(chars: tuple[str, ...]) -> tuple[str | None, ...]:
    """The rhyme class of each id of a vocabulary (<unk> first: None)."""
    return (None, *(class_of(c) for c in chars))


class LyricControls:
    """The state of the lyric controls through one take: call ``adjust`` then ``advance`` per step."""

    def __init__(
        self, vocab: CharVocab, config: SampleConfig, prompt: str = "", *, corpus: CorpusIndex | None = None
    ) -> None:
        """``corpus``: the index the quote limit checks against (None: no quote limit, whatever the config)."""
        self.vocab, self.config = vocab, config
        self.size = vocab.size
        self.newline = vocab.id_of("\n")
        self.rhyme_on = config.rhyme != "off"
        self.follow = config.rhyme == "follow"
        self.structured = config.line_chars is not None or config.verse_lines is not None
        if (self.structured or self.rhyme_on) and self.newline == UNK_ID:
            raise ConfigError("this model never saw a line break, so it cannot shape or rhyme lines")
        self.bounds = config.line_bounds or ((1, FREE_LINE_MAX) if self.rhyme_on else None)
        self.lookahead = 0 if LOOKAHEAD <= 0 else LOOKAHEAD if 0 < config.top_k <= LOOKAHEAD else max(LOOKAHEAD, 64)
        self.classes = _vocab_classes(vocab.chars) if self.rhyme_on else ()
        self.target: str | None = None if self.follow or not self.rhyme_on else config.rhyme
        if self.rhyme_on:
            self._check_reachable()
        self.context: list[str] = []
        self.window: Counter[int] = Counter()
        """The ids in the last ``repetition_window`` characters (newlines and <unk> aside), kept as they come."""
        self.line = ""
        self.verse = 0
        self.ngrams: dict[str, set[str]] = {}
        self.line_ngrams: dict[str, set[str]] = {}
        """The n-grams of the current line only (a stutter: banned even where a chorus line is followed)."""
        self.lines: list[str] = []
        """The distinct lines completed so far (prompt and take), which may come back as a chorus."""
        self.following: list[str] = []
        """The earlier lines the current line is, so far, the beginning of (never the line just before it)."""
        self.sequence: list[str] = []
        """Every non-blank line completed so far, in order (the line rule reads it)."""
        self.repeats: set[str] = set()
        """The lines the current line may not be, by the line rule (a loop, not a chorus)."""
        self.repeat_lengths: set[int] = set()
        """Their lengths (most steps are at a length none of them has: nothing to check)."""
        self.fragments: set[str] = set()
        """The strict beginnings (MIN_FRAGMENT characters or more) of those lines, which may not end a line either
        (unless one is itself an earlier line the rule allows back)."""
        self.run = 0
        """How many of the last lines in a row came back (each equal to an earlier line)."""
        self.owed = 0
        """New lines still to write before a line may come back (as many as the last run that came back)."""
        self.times: Counter[str] = Counter()
        """How many times each line has been written."""
        self.last = ""
        self._only_newline = self._one(self.newline)
        self._no_newline = ~self._only_newline
        self._rhymes = self._rhyme_mask()
        limit = config.quote_limit if corpus is not None else 0
        self.quotes = QuoteGuard(corpus, limit) if corpus is not None and limit else None
        soft = corpus is not None and WINDOW_PENALTY > 1 and limit >= WINDOW and cjk_script(vocab.chars)
        self.windows = QuoteGuard(corpus, WINDOW - 1) if corpus is not None and soft else None
        self.shape = corpus_shape(corpus) if corpus is not None and config.corpus_lines else None
        """The corpus's line and verse floors (``core.corpus_shape``; None: that rule is off)."""
        for char in prompt:
            self.advance(char)

    def _check_reachable(self) -> None:
        present = {c for c in self.classes if c is not None}
        if not present:
            raise ConfigError("rhyme works on Chinese lyrics only: this model's vocabulary has no Chinese characters")
        if self.target is not None and self.target not in present:
            raise ConfigError(f"no character of this model's vocabulary is in the rhyme class {self.target}")

    def _rhyme_mask(self) -> np.ndarray:
        """Ids that may end a line: the target class, or (follow, first line) any classed character."""
        if not self.rhyme_on:
            return np.ones(self.size, dtype=bool)
        ok = [c is not None and (self.target is None or c == self.target) for c in self.classes]
        return np.array(ok, dtype=bool)

    def ends_ok(self, char: str) -> bool:
        """Whether a line may end on ``char`` under the rhyme setting."""
        if not self.rhyme_on:
            return True
        cls = class_of(char)
        return cls is not None and (self.target is None or cls == self.target)

    # -- per step -------------------------------------------------------------------------

    def adjust(self, logits: np.ndarray, peek: Peek | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
        """The logits to draw from (banned ids at -inf), float32 (V,), and the names of the controls that acted.
        ``logits`` (V,) is left as it was."""
        work = np.array(logits, dtype=np.float32)  # (V,) a copy
        allowed = np.isfinite(work)
        left = int(np.count_nonzero(allowed))
        changed = False
        used: list[str] = []

        def restrict(mask: np.ndarray, name: str) -> None:
            nonlocal allowed, left, changed
            narrowed = allowed & mask
            n = int(np.count_nonzero(narrowed))
            if n and n != left:
                allowed, left, changed = narrowed, n, True
                used.append(name)

        def ban(chars: set[str], name: str) -> bool:
            """``restrict`` for a few characters banned (an index, not a mask: most steps ban a handful);
            False where it would leave no character, and nothing is banned."""
            nonlocal left, changed
            ids = self._ids(chars)
            hit = ids[allowed[ids]]
            if left - len(hit) <= 0:
                return False
            if len(hit):
                allowed[hit] = False
                left, changed = left - len(hit), True
                used.append(name)
            return True

        for mask, name in self._line_rules():
            restrict(mask, name)
        if self.shape is not None and self._shape_bans():
            restrict(self._no_newline, SHAPE_TAG)
        quoted = self.quotes.banned() if self.quotes is not None else set()
        if quoted and not ban(quoted, "quote"):
            used.append("quote-lifted")  # every allowed character would quote the corpus: give way
        loop = self._loop_chars() | self._repeat_chars()
        if loop:
            ban(loop, "loop")
        chorus = self.chorus_next()
        blocked = self._blocked(chorus)
        if blocked:
            ban(blocked, "ngram")
        if changed:
            work[~allowed] = -np.inf
        if self.windows is not None and self._discourage(work, self.windows.banned()):
            used.append("quote")
        if self._penalise(work):
            used.append("penalty")
        if peek is not None and self._look_ahead(work, allowed, peek):
            used.append("lookahead")
        return work, tuple(dict.fromkeys(used))

    def advance(self, char: str) -> str | None:
        """Record a drawn character; for a newline that completes a line, return the line's class (rhyme on)."""
        self.context.append(char)
        self._count(char, 1)
        if len(self.context) > self.config.repetition_window:
            self._count(self.context[-1 - self.config.repetition_window], -1)  # out of the window
        for guard in (self.quotes, self.windows):
            if guard is not None:
                guard.feed(char)
        if char != "\n":
            self.line += char
            at = len(self.line) - 1
            self.following = [x for x in self.following if len(x) > at and x[at] == char]
            n = self.config.no_repeat_ngram
            if n and len(self.line) >= n:
                self.ngrams.setdefault(self.line[-n:-1], set()).add(char)
                self.line_ngrams.setdefault(self.line[-n:-1], set()).add(char)
            return None
        self.line_ngrams = {}
        if not self.line:
            self.verse = 0  # a blank line: a new verse begins
            self.following = [x for x in self.lines if x != self.last and x not in self.repeats]
            return None
        done, self.line, self.last = self.line, "", self.line
        if done in self.lines:
            self.run += 1
        else:
            self.owed = self.run - 1 if self.run else max(0, self.owed - 1)  # this new line is one of them
            self.run = 0
        if done not in self.lines:
            self.lines.append(done)
        self.sequence.append(done)
        self.times[done] += 1
        self.repeats = self._repeats()
        self.repeat_lengths = {len(x) for x in self.repeats}
        self.fragments = self._fragments()
        # the same line twice in a row is no chorus, nor is any line the line rule bans next
        self.following = [x for x in self.lines if x != done and x not in self.repeats]
        self.verse += 1
        cls = line_class(done) if self.rhyme_on else None
        if self.follow and self.target is None and cls is not None:
            self.target = cls
            self._rhymes = self._rhyme_mask()
        return cls

    # -- the rules ------------------------------------------------------------------------

    def _one(self, index: int) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[index] = True
        return mask

    def _ids(self, chars: set[str]) -> np.ndarray:
        """The ids of ``chars`` (<unk> left out: it is never drawn anyway)."""
        ids = [i for i in (self.vocab.id_of(c) for c in chars) if i != UNK_ID]
        return np.array(ids, dtype=np.int64)

    def _line_rules(self) -> list[tuple[np.ndarray, str]]:
        """Verse, shape and rhyme restrictions for the next character, highest priority first."""
        n = len(self.line)
        verse_lines = self.config.verse_lines
        if n == 0:
            if self.context[-2:] == ["\n", "\n"]:
                return [(self._no_newline, "verse")]  # one blank line between verses, never a run of them
            at_break = bool(self.context) and self.context[-1] == "\n" and self.verse > 0
            if verse_lines is not None and at_break and self.verse >= verse_lines:
                return [(self._only_newline, "verse")]
            return [(self._no_newline, "verse" if verse_lines else "shape")] if self.structured else []
        if self.bounds is None:
            return []
        lo, hi = self.bounds
        if n >= hi:
            return [(self._only_newline, "shape")]
        rules: list[tuple[np.ndarray, str]] = []
        if n < lo:
            rules.append((self._no_newline, "shape"))
        elif not self.ends_ok(self.line[-1]):
            rules.append((self._no_newline, "rhyme"))
        if self.rhyme_on and n + 1 == hi:  # the next character is the line's last: it must rhyme
            rules.append((self._rhymes | self._only_newline, "rhyme"))
        return rules

    def _shape_bans(self) -> bool:
        """Whether the corpus's shape bans a newline next (``core.corpus_shape``)."""
        assert self.shape is not None
        line_shape, verses = self.config.line_chars is not None, self.config.verse_lines is not None
        return bans_newline(self.shape, line=self.line, verse=self.verse, context=self.context, line_shape=line_shape,
                            verses=verses)  # fmt: skip

    def _loop_chars(self) -> set[str]:
        """The characters that would repeat a loop once more, for each loop the text ends in."""
        r = self.config.loop_repeats
        ctx = self.context
        found: set[str] = set()
        if not r:
            return found
        n = len(ctx)
        longest = min(MAX_PERIOD, n // r) if n >= MIN_LOOP_SPAN else 0  # the periods whose span fits in the text
        last = ctx[-1] if n else ""
        if not longest or last not in ctx[-1 - longest : -1]:
            return found  # the last character is not among the ones before it: no loop ends here (most steps)
        # a period p is checked only where its first comparison holds (most do not: one pass, no call per p)
        for p in [p for p in range(1, longest + 1) if ctx[-1 - p] == last]:
            span = max(r * p, MIN_LOOP_SPAN)
            if all(ctx[-i] == ctx[-i - p] for i in range(1, span - p + 1)):
                found.add(ctx[-p])
        return found

    def _repeats(self) -> set[str]:
        """The line rule: the next line may not be one of the last LINE_GAP lines, nor begin the third round in a
        row of a block, nor be written more than MAX_TIMES times, nor be any earlier line after MAX_RUN lines in a
        row that came back or while new lines are owed after such a run."""
        if not (self.config.loop_repeats and LINE_LOOPS):
            return set()
        if self.run >= MAX_RUN or self.owed:
            return set(self.lines)
        seq = self.sequence
        found = set(seq[-LINE_GAP:]) | {x for x, k in self.times.items() if k >= MAX_TIMES}
        for p in range(LINE_GAP + 1, min(MAX_BLOCK, len(seq) // 2) + 1):
            if seq[-p:] == seq[-2 * p : -p]:
                found.add(seq[-p])
        return found

    def _fragments(self) -> set[str]:
        """The strict beginnings of the lines the rule bans that may not end a line (see ``fragments``)."""
        found = {x[:k] for x in self.repeats for k in range(MIN_FRAGMENT, len(x))}
        return found - {x for x in self.lines if x not in self.repeats} if found else found

    def _repeat_chars(self) -> set[str]:
        """What would make the current line one the line rule bans, or a broken-off beginning of one: the
        newline after it, and (a line of four or more characters) the character that would complete it, so the
        line parts from it before its end."""
        found: set[str] = set()
        n = len(self.line)
        if self.line in self.fragments:
            found.add("\n")
        if n not in self.repeat_lengths and n + 1 not in self.repeat_lengths:
            return found
        for banned in self.repeats:
            if banned == self.line:
                found.add("\n")
            elif len(banned) >= 4 and n == len(banned) - 1 and banned.startswith(self.line):
                found.add(banned[-1])
        return found

    def _discourage(self, work: np.ndarray, chars: set[str]) -> bool:
        """Divide the probability of ``chars`` by WINDOW_PENALTY (in place); whether any was allowed."""
        ids = [i for i in (self.vocab.id_of(c) for c in chars) if i != UNK_ID]
        ids = [i for i in ids if math.isfinite(float(work[i]))]
        if ids:
            work[ids] -= np.float32(math.log(WINDOW_PENALTY))
        return bool(ids)

    def chorus_next(self) -> set[str]:
        """The characters that continue an earlier line the current line so far is the beginning of."""
        at = len(self.line)
        return {x[at] for x in self.following if len(x) > at}

    def _blocked(self, chorus: set[str]) -> set[str]:
        """N-grams used before (except where they continue a chorus line) or earlier in this line (always)."""
        n = self.config.no_repeat_ngram
        if not n or len(self.line) < n - 1:
            return set()
        key = self.line[len(self.line) - (n - 1) :]
        return (self.ngrams.get(key, set()) - chorus) | self.line_ngrams.get(key, set())

    def _penalise(self, work: np.ndarray) -> bool:
        penalty = self.config.repetition_penalty
        if penalty == 1.0 or not self.context:
            return False
        if not self.window:
            return False
        ids = np.fromiter(self.window, np.int64, len(self.window))
        counts = np.fromiter(self.window.values(), np.float32, len(self.window))
        work[ids] -= np.float32(math.log(penalty)) * counts  # P(c) / penalty**count, before renormalising
        return True

    def _count(self, char: str, change: int) -> None:
        """``window``'s count of ``char`` changed by ``change`` (newlines and <unk> are not counted)."""
        index = self.vocab.id_of(char)
        if char == "\n" or index == UNK_ID:
            return
        left = self.window[index] + change
        if left:
            self.window[index] = left
        else:
            del self.window[index]

    def _look_ahead(self, work: np.ndarray, allowed: np.ndarray, peek: Peek) -> bool:
        """Weight candidates by the model's chance that the line goes on legally after them."""
        if self.bounds is None:
            return False
        lo, hi = self.bounds
        m = len(self.line) + 1  # the line's length after a candidate
        if m < lo - 1:
            return False  # far from the end the model rarely wants a newline: skip the extra step
        if lo <= m < hi and not self.rhyme_on:
            return False  # any candidate may end the line or go on: nothing to weigh
        candidates = allowed.copy()
        candidates[self.newline] = False
        k = min(self.lookahead, int(candidates.sum()))
        if k == 0:
            return False
        scores = np.where(candidates, work, -np.inf)
        ids = np.argpartition(-scores, k - 1)[:k]  # (K,) the top k, in no particular order
        base = work[ids]  # (K,) a copy: advanced indexing
        ends = np.clip(np.asarray(peek(ids), dtype=np.float64), 1e-12, 1 - 1e-12)  # (K,) P(newline | candidate)
        if m >= hi:
            weight = ends  # the newline will be forced
            work[candidates] = -np.inf  # only evaluated candidates may take the last slot
        elif m < lo:
            weight = 1 - ends  # the newline will be banned
        else:
            weight = np.where(self._rhymes[ids], 1.0, 1 - ends)  # banned unless it rhymes
        work[ids] = base + np.log(weight).astype(np.float32)
        return True
