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
   tracked on the corpus suffix array by ``quote_guard.QuoteGuard``; most steps cost two binary
   searches and ban nothing.) When it would leave no character it gives way and the step reports
   ``quote-lifted``. For CJK text, the 8-window penalty (``core.soft_controls``) also discourages, softly,
   each corpus 8-gram the song does not have (the step reports ``quote`` too).
5. **Loops** (``loop_repeats``; ``core.loops``): the character that would repeat once more a unit the text ends
   in is banned. And the **line rule**, the same loop at the scale of lines, bans what would end or complete a
   line that loops (a line or a couplet right after itself, a take reciting its own lines on and on) and lets a
   chorus come back whole (not followed past n-gram blocking, below: ``core.loops`` says how).
6. **N-gram blocking** (``no_repeat_ngram``): a character that would complete an n-gram
   already used, within a line, in the prompt or the take is banned.
7. **Repetition penalty** (``repetition_penalty``): a character's probability is divided by
   the penalty once per occurrence in the last ``repetition_window`` characters (``core.soft_controls``).

**A chorus is not a stutter.** A whole line coming back (a chorus) is wanted; a unit looping
inside a line is not. So while the line so far is the beginning of an earlier line of the
prompt or the take (from its first character), the character that continues that earlier line
is exempt from n-gram blocking by other lines; an n-gram used earlier in the *same* line is
still banned, and neither the line just before nor a line the line rule bans is followed (a line
twice in a row is a stutter at the scale of lines). The repetition penalty, soft and over the last
few lines only, still applies: a chorus coming back right after itself is discouraged, one after a
verse is not. Measured in bench/LYRIC_CRAFT.md ("Choruses, loops and stutters"): with song memory
weighted per match, a typed chorus line comes back in a fair share of takes, and none loops.

**Soft controls, after the bans** (``core.soft_controls``): the 8-window and repetition penalties, and a
one-step lookahead where a line may or must end at the next step (the top candidates weighted by the model's
probability that the line goes on legally after them, so it ends where the model itself would end a line).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tui_lyrics.core.corpus_shape import TAG as SHAPE_TAG
from tui_lyrics.core.corpus_shape import bans_newline, corpus_shape
from tui_lyrics.core.loops import LineRule, loop_chars
from tui_lyrics.core.soft_controls import Peek, RepetitionWindow, discourage, look_ahead, lookahead_width, window_guard
from tui_lyrics.errors import ConfigError
from tui_lyrics.memorise import CorpusIndex
from tui_lyrics.quote_guard import QuoteGuard
from tui_lyrics.rhyme import class_of, line_class
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.vocab import UNK_ID, CharVocab

FREE_LINE_MAX = 30
"""With rhyme on and no line shape, a line ends (on a rhyme) by this many characters."""


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
        self.lookahead = lookahead_width(config.top_k)
        self.classes = _vocab_classes(vocab.chars) if self.rhyme_on else ()
        self.target: str | None = None if self.follow or not self.rhyme_on else config.rhyme
        if self.rhyme_on:
            self._check_reachable()
        self.context: list[str] = []
        self.window = RepetitionWindow(vocab, size=config.repetition_window, penalty=config.repetition_penalty)
        self.line = ""
        self.verse = 0
        self.ngrams: dict[str, set[str]] = {}
        self.line_ngrams: dict[str, set[str]] = {}
        """The n-grams of the current line only (a stutter: banned even where a chorus line is followed)."""
        self.line_rule = LineRule(config.loop_repeats)
        """The lines completed so far and what the line rule (``core.loops``) bans next."""
        self.following: list[str] = []
        """The earlier lines the current line is, so far, the beginning of (never the line just before it)."""
        self.last = ""
        self._only_newline = self._one(self.newline)
        self._no_newline = ~self._only_newline
        self._rhymes = self._rhyme_mask()
        limit = config.quote_limit if corpus is not None else 0
        self.quotes = QuoteGuard(corpus, limit) if corpus is not None and limit else None
        self.windows = window_guard(corpus, limit, vocab.chars)
        """The 8-window penalty's guard (``core.soft_controls``; None: the limit stands alone, or there is none)."""
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
        loop = loop_chars(self.context, self.config.loop_repeats) | self.line_rule.repeat_chars(self.line)
        if loop:
            ban(loop, "loop")
        chorus = self.chorus_next()
        blocked = self._blocked(chorus)
        if blocked:
            ban(blocked, "ngram")
        if changed:
            work[~allowed] = -np.inf
        if self.windows is not None and discourage(work, self.vocab, self.windows.banned()):
            used.append("quote")
        if self.window.penalise(work):
            used.append("penalty")
        if peek is not None and self._look_ahead(work, allowed, peek):
            used.append("lookahead")
        return work, tuple(dict.fromkeys(used))

    def advance(self, char: str) -> str | None:
        """Record a drawn character; for a newline that completes a line, return the line's class (rhyme on)."""
        self.context.append(char)
        self.window.feed(self.context)
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
            self.following = self.line_rule.allowed_back(self.last)
            return None
        done, self.line, self.last = self.line, "", self.line
        self.line_rule.complete(done)
        # the same line twice in a row is no chorus, nor is any line the line rule bans next
        self.following = self.line_rule.allowed_back(done)
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

    def _look_ahead(self, work: np.ndarray, allowed: np.ndarray, peek: Peek) -> bool:
        """Weight candidates by the model's chance that the line goes on legally after them (``core.soft_controls``)."""
        if self.bounds is None:
            return False
        rhymes = self._rhymes if self.rhyme_on else None
        return look_ahead(work, allowed, peek, length=len(self.line), bounds=self.bounds, rhymes=rhymes,
                          newline=self.newline, width=self.lookahead)  # fmt: skip
