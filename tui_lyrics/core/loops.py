"""The loop control (``loop_repeats``) at two scales: a unit repeating in the text, and lines coming back.

One of the lyric controls of ``core.constraints`` (which applies what this module finds, as bans):

- **Character loops** (``loop_chars``): when the text ends in a unit repeated ``loop_repeats`` times (the
  repeated span at least ``MIN_LOOP_SPAN`` characters, the unit at most ``MAX_PERIOD``), the character that
  would repeat it once more is banned (for every such unit at once).
- **The line rule** (``LineRule``), the same loop at the scale of lines: a line may not be one of the last
  ``LINE_GAP`` (2) lines, a block of lines that came back right after itself may not begin a third round, a line
  is written at most ``MAX_TIMES`` (4) times, at most ``MAX_RUN`` (4) lines in a row come back, and after a run
  of lines that came back as many new ones follow before another line may come back (a chorus, then a verse).
  So a line or a couplet never comes back right after itself, a chorus of four lines may come back whole, and a
  take does not recite its own lines on and on. It bans the newline that would end such a line or a strict
  beginning of one (``MIN_FRAGMENT`` characters or more: 我们还 for a banned 我们还要, not written broken off)
  and, for a line of four or more characters, the character that would complete it (with n-gram blocking on,
  the line has usually parted from it earlier: such a line is not followed past the blocking, see
  ``core.constraints``).
"""

from __future__ import annotations

from collections import Counter

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


def loop_chars(context: list[str], repeats: int) -> set[str]:
    """The characters that would repeat a loop once more, for each loop the text ``context`` ends in (a unit
    repeated ``repeats`` times; 0: the control is off)."""
    r = repeats
    ctx = context
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


class LineRule:
    """The lines completed through one take and what the line rule bans next: call ``complete`` per line."""

    def __init__(self, loop_repeats: int) -> None:
        """``loop_repeats``: the loop control's setting (0: off, and the rule bans nothing)."""
        self.loop_repeats = loop_repeats
        self.lines: list[str] = []
        """The distinct lines completed so far (prompt and take), which may come back as a chorus."""
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

    def complete(self, done: str) -> None:
        """Record a non-blank line just completed, and what the rule bans for the next one."""
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

    def allowed_back(self, besides: str) -> list[str]:
        """The earlier lines that may come back next as a chorus: any the rule does not ban, but ``besides`` (the
        line just before: the same line twice in a row is no chorus)."""
        return [x for x in self.lines if x != besides and x not in self.repeats]

    def repeat_chars(self, line: str) -> set[str]:
        """What would make ``line`` (the current line so far) one the line rule bans, or a broken-off beginning of
        one: the newline after it, and (a line of four or more characters) the character that would complete it,
        so the line parts from it before its end."""
        found: set[str] = set()
        n = len(line)
        if line in self.fragments:
            found.add("\n")
        if n not in self.repeat_lengths and n + 1 not in self.repeat_lengths:
            return found
        for banned in self.repeats:
            if banned == line:
                found.add("\n")
            elif len(banned) >= 4 and n == len(banned) - 1 and banned.startswith(line):
                found.add(banned[-1])
        return found

    def _repeats(self) -> set[str]:
        """The line rule: the next line may not be one of the last LINE_GAP lines, nor begin the third round in a
        row of a block, nor be written more than MAX_TIMES times, nor be any earlier line after MAX_RUN lines in a
        row that came back or while new lines are owed after such a run."""
        if not (self.loop_repeats and LINE_LOOPS):
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
