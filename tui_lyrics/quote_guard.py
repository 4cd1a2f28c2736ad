"""The quote guard used while a take is drawn: which next characters would quote the corpus; no torch.

``SuffixMatch`` keeps the longest suffix of the text so far that occurs in the corpus, on the
suffix array of a ``memorise.CorpusIndex`` (a couple of binary searches per character), and
says which next characters would extend it. ``QuoteGuard`` builds the quote limit on it
(``core.constraints``): the characters that would make the take quote the corpus beyond the
limit, the song's own text exempt.
"""

from __future__ import annotations

import bisect

from tui_lyrics.memorise import CorpusIndex


class SuffixMatch:
    """The longest suffix of a growing text that occurs in the corpus, kept up to date per character.

    The state is the match itself and its interval ``[lo, hi)`` of the suffix array: the
    suffixes that start with it. Feeding a character narrows the interval to the suffixes whose
    next character is that one (two binary searches); when none is left, the match loses
    characters from its front until what remains, followed by the new character, occurs again
    (a fresh search for each length tried; the match only shrinks there, so this costs no more
    over a take than the narrowing did). With ``cap`` the match is kept at most ``cap`` long:
    the longest suffix of the text of length ``<= cap`` that occurs in the corpus, which is
    what a quote limit of ``cap`` needs (see ``followers``).

    Feeding ``take`` character by character, ``length`` after character ``j`` is the longest
    ``k`` such that ``take[j - k + 1 : j + 1]`` occurs in the corpus (capped): the matching
    statistics read from the other end.
    """

    def __init__(self, index: CorpusIndex, *, cap: int | None = None) -> None:
        self.index = index
        self.cap = cap
        self.match = ""
        """The matched suffix of the text fed so far."""
        self.lo, self.hi = 0, len(index.text)

    @property
    def length(self) -> int:
        return len(self.match)

    def feed(self, char: str) -> int:
        """Append ``char`` to the text; return the new match length."""
        if len(self.match) >= self.index.SHORT:
            lo, hi = self._narrow(self.lo, self.hi, len(self.match), char)
        else:  # a short match narrowed by one character is the interval of the two: asked often, kept by the index
            lo, hi = self.index.interval(self.match + char)
        if lo < hi:
            self.match += char
        else:
            for start in range(1, len(self.match) + 1):  # drop characters from the front
                lo, hi = self.index.interval(self.match[start:] + char)
                if lo < hi:
                    self.match = self.match[start:] + char
                    break
            else:
                self.match, lo, hi = "", 0, len(self.index.text)  # a character the corpus never has
        if self.cap is not None and len(self.match) > self.cap:
            self.match = self.match[len(self.match) - self.cap :]
            lo, hi = self.index.interval(self.match)
        self.lo, self.hi = lo, hi
        return len(self.match)

    def followers(self) -> set[str]:
        """The characters that follow the match somewhere in the corpus (each extends it by one)."""
        text, sa, d = self.index.text, self.index._suffixes, len(self.match)
        out: set[str] = set()
        k = self.lo
        while k < self.hi:
            char = text[sa[k] + d : sa[k] + d + 1]  # "" where the corpus ends: sorted first
            k = bisect.bisect_right(sa, char, k, self.hi, key=lambda s: text[s + d : s + d + 1])
            if char:
                out.add(char)
        return out

    def _narrow(self, lo: int, hi: int, d: int, char: str) -> tuple[int, int]:
        """The part of ``[lo, hi)`` (suffixes sharing their first ``d`` characters) whose next one is ``char``."""
        text, sa = self.index.text, self.index._suffixes

        def key(s: int) -> str:
            return text[s + d : s + d + 1]

        start = bisect.bisect_left(sa, char, lo, hi, key=key)
        return start, bisect.bisect_right(sa, char, start, hi, key=key)


class QuoteGuard:
    """Which next characters would quote the corpus beyond ``limit`` characters, the song's own text exempt.

    Fed the song character by character (prompt, then take), ``banned`` names each character
    ``c`` such that the last ``limit`` characters followed by ``c`` occur in the corpus but not
    earlier in the song. Banning them keeps every ``limit + 1``-gram of the take either new to
    the corpus or a repeat of the song's own text (a chorus coming back, the prompt quoted).
    """

    def __init__(self, index: CorpusIndex, limit: int) -> None:
        self.limit = limit
        self.match = SuffixMatch(index, cap=limit)
        self.song: dict[str, set[str]] = {}
        """Each ``limit``-gram of the song -> the characters that followed it there."""
        self._recent = ""

    def feed(self, char: str) -> None:
        if len(self._recent) == self.limit:
            self.song.setdefault(self._recent, set()).add(char)
        self._recent = (self._recent + char)[-self.limit :]
        self.match.feed(char)

    def banned(self) -> set[str]:
        if self.match.length < self.limit:
            return set()  # no corpus stretch of ``limit`` ends here: nothing can make one longer
        quoting = self.match.followers()  # the match is the song's last ``limit`` characters
        own = self.song.get(self.match.match)
        return quoting - own if own else quoting
