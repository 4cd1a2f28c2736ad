"""AlternativesPanel: the model's top candidates at the cursor, as numbered probability bars."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from tui_lyrics.ui.compose.takes import TakeChar

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_CELLS = 8
AROUND_BAR = 10
"""Cells of a candidate's row besides its bar: number, character, percentage."""


def bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """A horizontal bar ``cells`` wide, filled to ``fraction`` in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * cells * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (BLOCKS[rest] if rest else "")).ljust(cells)


def shown(char: str) -> str:
    """A character as it can be seen in a list: line break and space get a mark."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(char, char)


class AlternativesPanel(Widget):
    """For one generated character: what else the model considered there, and how likely."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "alternatives--key",
        "alternatives--bar",
        "alternatives--current",
        "alternatives--hint",
    }
    DEFAULT_CSS = """
    AlternativesPanel {
        height: auto;
        padding: 0 1;
        & > .alternatives--key { color: $accent; text-style: bold; }
        & > .alternatives--bar { color: $primary; }
        & > .alternatives--current { text-style: bold reverse; }
        & > .alternatives--hint { color: $text-muted; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._at: TakeChar | None = None
        self._position = 0
        self._measuring = 0
        """The width the layout is measuring the panel at (0 when painting)."""

    def show(self, at: TakeChar | None, position: int = 0) -> None:
        """Show the candidates for character ``at`` (at ``position`` in the take)."""
        self._at, self._position = at, position
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._measuring = width  # the bars are sized to this width, so the measured rows are the painted ones
        try:
            return super().get_content_height(container, viewport, width)
        finally:
            self._measuring = 0

    def render(self) -> Text:
        hint = self.get_component_rich_style("alternatives--hint", partial=True)
        at = self._at
        if at is None:
            return Text("Move the cursor onto a generated character.", style=hint)
        if not at.alternatives:
            return Text(f"No candidates were kept for {shown(at.char)}.", style=hint)
        key = self.get_component_rich_style("alternatives--key", partial=True)
        bar_style = self.get_component_rich_style("alternatives--bar", partial=True)
        current = self.get_component_rich_style("alternatives--current", partial=True)
        top = max(p for _, p in at.alternatives) or 1.0
        width = self._measuring or self.size.width  # a narrow panel (40 columns) shortens the bars: one row each
        cells = BAR_CELLS if not width else max(2, min(BAR_CELLS, width - AROUND_BAR))
        what = f"{self._position + 1}: {shown(at.char)} ({at.prob:.0%})"
        heads = (f"At character {what}", f"Character {what}", f"#{what}")  # the longest that fits one row
        out = Text(next((h for h in heads if not width or cell_len(h) <= width), heads[-1]) + "\n", end="")
        for n, (char, prob) in enumerate(at.alternatives[:9], start=1):
            out.append(f"{n} ", key)
            out.append(shown(char), current if char == at.char else "")
            out.append(" " * max(1, 3 - cell_len(shown(char))))  # bars line up: CJK is 2 cells
            out.append(bar(prob / top, cells), bar_style)
            out.append(f" {prob:4.0%}\n")
        out.append("1–9 pick · Esc done", hint)
        return out
