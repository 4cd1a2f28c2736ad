"""``generate`` writes a take to the terminal in batches: the first character at once, then per line or time."""

from __future__ import annotations

import io

from tui_lyrics.commands.generate import BatchedWriter


class CountingOut(io.StringIO):
    """A stream that remembers what had reached it at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes: list[str] = []

    def flush(self) -> None:
        self.flushes.append(self.getvalue())


def test_first_char_and_each_line_reach_the_terminal_at_once() -> None:
    out = CountingOut()
    writer = BatchedWriter(out, every=3600.0)  # no flush by time in this test
    for char in "ab\ncd":
        writer.write(char)
    assert out.flushes == ["a", "ab\n"]  # the first character, then the newline; c and d wait
    writer.flush()
    assert out.flushes[-1] == "ab\ncd"  # the end of the take writes what waited


def test_characters_wait_no_longer_than_the_interval() -> None:
    out = CountingOut()
    writer = BatchedWriter(out, every=0.0)  # every write is past the interval
    for char in "abc":
        writer.write(char)
    assert out.flushes == ["a", "ab", "abc"]
