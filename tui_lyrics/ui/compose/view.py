"""TakeView: the prefix and a take, line by line, wrapped by display width, with a cursor.

Generated line breaks are kept; a long line wraps by terminal cells (a Chinese character is
two). Each generated character can be coloured by the probability it was sampled with, and
in alternatives mode a cursor sits on one generated character.

It is a line-API scroll view: it wraps the text itself (so it knows each character's row),
re-wraps only the last line as characters stream in, and renders only the rows in sight,
each cached, so a long take stays cheap to draw over SSH.

With rhyme on, each completed line's rhyme class (十三辙) is shown, dim, in a right margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_lyrics.rhyme import line_class
from tui_lyrics.ui.compose.takes import DOUBTFUL, SURE, TakeChar, confidence
from tui_lyrics.ui.messages import fact

NEWLINE_MARK = "↵"
PLACEHOLDER = "Type a first line above, press Enter."
LEGEND = f"model's probability: ≥{SURE:.0%} [$warning]≥{DOUBTFUL:.0%}[/] [$error]<{DOUBTFUL:.0%}[/]"
STYLE_NAMES = ("prefix", "unknown", "unsure", "doubtful", "chosen", "cursor", "newline", "placeholder", "rhyme")
RHYME_MARGIN = 5
"""Cells kept at the right of each row for a line's rhyme class (a space and two CJK characters)."""


def wrap_rows(chars: Sequence[str], width: int, start: int = 0) -> list[list[int]]:
    """The indices of ``chars[start:]`` on each screen row.

    A newline ends its row and stays on it (one cell, so the cursor can sit on it); other
    characters fill a row up to ``width - 1`` cells, leaving that cell for a newline.
    """
    limit = max(2, width - 1)
    rows: list[list[int]] = []
    row: list[int] = []
    used = 0
    for i in range(start, len(chars)):
        char = chars[i]
        if char == "\n":
            row.append(i)
            rows.append(row)
            row, used = [], 0
            continue
        cells = cell_len(char)
        if row and used + cells > limit:
            rows.append(row)
            row, used = [], 0
        row.append(i)
        used += cells
    if row:
        rows.append(row)
    return rows


class TakeView(ScrollView, can_focus=True):
    """Shows the prefix (unknown characters marked) and the generated characters."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"take-view--{name}" for name in STYLE_NAMES}
    DEFAULT_CSS = """
    TakeView {
        height: 1fr;
        padding: 0 1;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        & > .take-view--prefix { text-style: bold; }
        & > .take-view--unknown { color: $error; text-style: bold underline; }
        & > .take-view--unsure { color: $warning; }
        & > .take-view--doubtful { color: $error; }
        & > .take-view--chosen { color: $accent; text-style: underline; }
        & > .take-view--cursor { background: $accent; color: $text; text-style: bold; }
        & > .take-view--newline { color: $text-muted; }
        & > .take-view--placeholder { color: $text-muted; text-style: italic; }
        & > .take-view--rhyme { color: $text-muted; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "Previous character", show=False),
        Binding("right", "step(1)", "Next character", show=False),
        Binding("up", "row(-1)", "Row up", show=False),
        Binding("down", "row(1)", "Row down", show=False),
        Binding("home", "edge(-1)", "First character", show=False),
        Binding("end", "edge(1)", "Last character", show=False),
    ]

    cursor: reactive[int | None] = reactive(None, always_update=True)
    """Index into the generated characters, or None outside alternatives mode."""
    colour: reactive[bool] = reactive(True, init=True)
    """Colour characters by the probability they were sampled with."""

    @fact
    class CursorMoved(Message):
        index: int | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._prefix = ""
        self._unknown: frozenset[str] = frozenset()
        self._chars: list[TakeChar] = []
        self._text: list[str] = []
        self._rows: list[list[int]] = []
        self._width = 0
        self._strips: dict[int, Strip] = {}
        self._base = Style()
        self._styles: dict[str, Style] = {}
        self._rhyme = False

    @property
    def chars(self) -> list[TakeChar]:
        return self._chars

    def show(
        self, prefix: str, chars: Sequence[TakeChar], *, unknown: frozenset[str] = frozenset(), rhyme: bool = False
    ) -> None:
        """Replace what is shown, from where the model's text starts (a long prefix scrolls away above it,
        its last row kept for context); ``rhyme`` shows each line's rhyme class in a margin."""
        self._prefix, self._chars, self._unknown, self._rhyme = prefix, list(chars), unknown, rhyme
        self._text = [*prefix, *(c.char for c in self._chars)]
        self._relayout(0)
        if self._chars:
            top = max(0, self._row_of(0) - 1)
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
        else:  # a take about to stream: at the bottom, so the view follows the new characters
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        if self.cursor is not None:
            self.cursor = min(self.cursor, len(self._chars) - 1) if self._chars else None

    def extend(self, chars: Sequence[TakeChar]) -> None:
        """Add newly sampled characters; the view follows them while the writer is at the bottom."""
        # Where the writer asked to be, not where an animated scroll has got to so far.
        follow = self.scroll_target_y >= self.max_scroll_y
        first_new = len(self._text)
        self._chars.extend(chars)
        self._text.extend(c.char for c in chars)
        self._relayout(first_new)
        if follow:
            # force: the scrollbar (and so "can scroll") only appears at the next layout
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def _relayout(self, changed_from: int) -> None:
        """Re-wrap from the row holding character ``changed_from`` on; drop stale cached rows."""
        width = self.scrollable_content_region.width
        if width != self._width or changed_from == 0:
            self._width, self._rows, self._strips = width, [], {}
        keep = len(self._rows)
        if keep and self._text[self._rows[-1][-1]] != "\n":
            keep -= 1  # the last row is open (only the last one can be): it may take more characters
        start = self._rows[keep - 1][-1] + 1 if keep else 0
        self._rows[keep:] = wrap_rows(self._text, width - RHYME_MARGIN if self._rhyme else width, start)
        for row in [r for r in self._strips if r >= keep]:
            del self._strips[row]
        self.virtual_size = Size(width, max(1, len(self._rows)))
        top = self.scroll_offset.y
        if changed_from == 0 or keep < top:
            self.refresh()
        else:  # only the rows from the re-wrapped one down changed
            self.refresh_lines(keep, max(1, top + self.size.height - keep))

    def on_resize(self, event: events.Resize) -> None:
        self._relayout(0)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the theme changed: cached rows have old colours

    def render_lines(self, crop: Region) -> list[Strip]:
        self._prepare_styles()
        return super().render_lines(crop)

    def _prepare_styles(self) -> None:
        """The widget's style walks the DOM: work it out once per paint, not once per row."""
        self._base = self.rich_style
        self._styles = {
            n: self._base + self.get_component_rich_style(f"take-view--{n}", partial=True) for n in STYLE_NAMES
        }

    def render_line(self, y: int) -> Strip:
        if not self._styles:
            self._prepare_styles()
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._base
        if not self._text:
            text = PLACEHOLDER if row == 0 else ""
            return Strip([Segment(text, self._styles["placeholder"])]).crop_extend(0, width, base)
        if row >= len(self._rows):
            return Strip.blank(width, base)
        strip = self._strips.get(row)
        if strip is None:
            strip = self._strips[row] = self._render_row(self._rows[row])
        return strip.crop_extend(0, width, base)

    def _render_row(self, row: list[int]) -> Strip:
        """One row as segments, neighbouring characters of one style merged."""
        base, styles = self._base, self._styles
        segments: list[Segment] = []
        run, run_style = "", ""
        for i in row:
            char = self._text[i]
            glyph = char if char != "\n" else (NEWLINE_MARK if self.cursor is not None else " ")
            name = self._style_name(i, char)
            if name != run_style and run:
                segments.append(Segment(run, styles.get(run_style, base)))
                run = ""
            run, run_style = run + glyph, name
        if run:
            segments.append(Segment(run, styles.get(run_style, base)))
        strip = Strip(segments)
        if self._rhyme and row and self._text[row[-1]] == "\n":
            rhyme = line_class(self._line_before(row[-1]))
            if rhyme is not None:
                margin = Segment(f" {rhyme}", styles["rhyme"])
                strip = Strip([*strip.extend_cell_length(self._width - RHYME_MARGIN, base), margin])
        return strip

    def _line_before(self, newline: int) -> str:
        """The text of the line that the newline at index ``newline`` ends."""
        start = newline
        while start > 0 and self._text[start - 1] != "\n":
            start -= 1
        return "".join(self._text[start:newline])

    def _style_name(self, i: int, char: str) -> str:
        start = len(self._prefix)
        if i < start:
            return "unknown" if char in self._unknown else "prefix"
        if self.cursor is not None and i - start == self.cursor:
            return "cursor"
        if char == "\n":
            return "newline"
        taken = self._chars[i - start]
        if taken.chosen:
            return "chosen"
        return confidence(taken.prob) if self.colour else ""

    def watch_cursor(self, index: int | None) -> None:
        self._strips.clear()  # newline marks and the cursor's row change
        self.refresh()
        if index is not None:
            self.scroll_to_region(Region(0, self._row_of(index), 1, 1), animate=False, immediate=True)
        self.post_message(self.CursorMoved(index))

    def watch_colour(self, colour: bool) -> None:
        self._strips.clear()
        self.refresh()
        self.border_subtitle = LEGEND if colour else "c: colour by probability"

    def _row_of(self, index: int) -> int:
        target = len(self._prefix) + index
        for n, row in enumerate(self._rows):
            if row and row[0] <= target <= row[-1]:
                return n
        return 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            return self.cursor is not None and bool(self._chars)
        return True

    def action_step(self, step: int) -> None:
        if self.cursor is not None and self._chars:
            self.cursor = max(0, min(len(self._chars) - 1, self.cursor + step))

    def action_edge(self, step: int) -> None:
        """Home/End: the first or last character, or the top or bottom outside alternatives mode."""
        if self.cursor is None:
            (self.scroll_home if step < 0 else self.scroll_end)(animate=False)
        elif self._chars:
            self.cursor = 0 if step < 0 else len(self._chars) - 1

    def action_row(self, step: int) -> None:
        """Up/Down: to the character nearest the same column on the next row, or scroll a line."""
        if self.cursor is None:
            self.scroll_relative(y=step, animate=False)
            return
        start = len(self._prefix)
        row = self._row_of(self.cursor)
        if not 0 <= row + step < len(self._rows):
            return
        column = sum(cell_len(self._text[i]) for i in self._rows[row] if i < start + self.cursor)
        best, used = self._rows[row + step][-1], 0
        for i in self._rows[row + step]:
            if used >= column:
                best = i
                break
            used += cell_len(self._text[i])
        if best >= start:
            self.cursor = best - start
