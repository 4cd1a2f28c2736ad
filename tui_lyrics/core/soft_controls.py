"""The soft lyric controls: they reweight the logits the hard controls of ``core.constraints`` left, never ban.

``LyricControls.adjust`` applies them after its bans, in this order:

- **The 8-window penalty** (``WINDOW_PENALTY``, beside the quote limit, for CJK text): the probability of a
  character that would complete a corpus 8-gram the song does not have is divided by the penalty.
- **The repetition penalty** (``repetition_penalty``, ``RepetitionWindow``): a character's probability is divided
  by the penalty once per occurrence in the last ``repetition_window`` characters (newlines exempt: every line
  needs one). Dividing probabilities, not logits, keeps it independent of the logits' offset.
- **One-step lookahead** (``look_ahead``). Where a line may or must end at the next step, each of the top
  ``LOOKAHEAD`` candidates ``c`` is weighted by the model's probability that the line goes on legally after it:
  ``P(newline | c)`` where the newline will be forced, ``1 - P(newline | c)`` where it will be banned (too short,
  or ``c`` does not rhyme). That is exact conditioning of the next step on the constraint, so the line ends on a
  character the model itself would end a line with, rather than on whatever rhyming character scored best
  mid-phrase. It costs one batched step of the model over the candidates, only near the line's end.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection

import numpy as np

from tui_lyrics.memorise import WINDOW, CorpusIndex
from tui_lyrics.quote_guard import QuoteGuard
from tui_lyrics.sample_defaults import cjk_script
from tui_lyrics.vocab import UNK_ID, CharVocab

LOOKAHEAD = 16
"""Candidates whose next-step newline probability is computed (64 when top-k is off or larger; 0: no lookahead)."""

WINDOW_PENALTY = 5.0
"""For CJK text with a quote limit of at least ``memorise.WINDOW`` (8): divide by this the probability of a
character that would complete a corpus 8-gram (the meter's window, a phrase) the song does not have (1: off).
On the 5-minute Jay Chou model (200 seeded takes, generate's defaults, limit 8) it took the share of 8-windows
found in the corpus from 2.20% to 1.12% (3 gave 1.51%, 10 gave 0.67%) at a fluency cost of 3.6% of log p per
character against no limit (3.3% with the limit alone). Not for alphabetic text, where most 8-character windows
(a word or two) occur somewhere in the corpus: its default limit of 16 stands alone."""

Peek = Callable[[np.ndarray], np.ndarray]
"""Candidate ids (K,) -> the model's probability of a newline right after each one (K,)."""


def window_guard(corpus: CorpusIndex | None, limit: int, chars: Collection[str]) -> QuoteGuard | None:
    """The guard that finds the corpus 8-grams to discourage, where the 8-window penalty stands beside a quote
    ``limit`` for a vocabulary of ``chars`` (None: it does not)."""
    soft = corpus is not None and WINDOW_PENALTY > 1 and limit >= WINDOW and cjk_script(chars)
    return QuoteGuard(corpus, WINDOW - 1) if corpus is not None and soft else None


def discourage(work: np.ndarray, vocab: CharVocab, chars: set[str]) -> bool:
    """Divide the probability of ``chars`` by WINDOW_PENALTY (in ``work`` (V,), in place); whether any was allowed."""
    ids = [i for i in (vocab.id_of(c) for c in chars) if i != UNK_ID]
    ids = [i for i in ids if math.isfinite(float(work[i]))]
    if ids:
        work[ids] -= np.float32(math.log(WINDOW_PENALTY))
    return bool(ids)


class RepetitionWindow:
    """The repetition penalty's memory: the ids in the last ``size`` characters (newlines and <unk> aside)."""

    def __init__(self, vocab: CharVocab, *, size: int, penalty: float) -> None:
        self.vocab, self.size, self.penalty = vocab, size, penalty
        self.counts: Counter[int] = Counter()
        """How many times each id occurs in the window, kept as characters come."""

    def feed(self, context: list[str]) -> None:
        """Count the text's last character (``context`` (the text so far) just grew by it) and drop the one that
        left the window."""
        self._count(context[-1], 1)
        if len(context) > self.size:
            self._count(context[-1 - self.size], -1)  # out of the window

    def penalise(self, work: np.ndarray) -> bool:
        """Divide each windowed character's probability by the penalty per occurrence (``work`` (V,), in place);
        whether it acted."""
        if self.penalty == 1.0 or not self.counts:
            return False
        ids = np.fromiter(self.counts, np.int64, len(self.counts))
        counts = np.fromiter(self.counts.values(), np.float32, len(self.counts))
        work[ids] -= np.float32(math.log(self.penalty)) * counts  # P(c) / penalty**count, before renormalising
        return True

    def _count(self, char: str, change: int) -> None:
        """The count of ``char`` changed by ``change`` (newlines and <unk> are not counted)."""
        index = self.vocab.id_of(char)
        if char == "\n" or index == UNK_ID:
            return
        left = self.counts[index] + change
        if left:
            self.counts[index] = left
        else:
            del self.counts[index]


def lookahead_width(top_k: int) -> int:
    """How many candidates the lookahead weighs for a draw with this ``top_k`` (0: no lookahead)."""
    return 0 if LOOKAHEAD <= 0 else LOOKAHEAD if 0 < top_k <= LOOKAHEAD else max(LOOKAHEAD, 64)


def look_ahead(
    work: np.ndarray,
    allowed: np.ndarray,
    peek: Peek,
    *,
    length: int,
    bounds: tuple[int, int],
    rhymes: np.ndarray | None,
    newline: int,
    width: int,
) -> bool:
    """Weight candidates by the model's chance that the line goes on legally after them (``work`` (V,), in place);
    whether it acted. ``length``: the current line's so far; ``bounds``: its shortest and longest; ``rhymes`` (V,):
    the ids a line may end on (None: rhyme off); ``width``: how many candidates (``lookahead_width``)."""
    lo, hi = bounds
    m = length + 1  # the line's length after a candidate
    if m < lo - 1:
        return False  # far from the end the model rarely wants a newline: skip the extra step
    if lo <= m < hi and rhymes is None:
        return False  # any candidate may end the line or go on: nothing to weigh
    candidates = allowed.copy()
    candidates[newline] = False
    k = min(width, int(candidates.sum()))
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
        assert rhymes is not None  # rhyme off returned above
        weight = np.where(rhymes[ids], 1.0, 1 - ends)  # banned unless it rhymes
    work[ids] = base + np.log(weight).astype(np.float32)
    return True
