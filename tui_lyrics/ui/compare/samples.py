"""The samples of an experiment, side by side: one card per model, same prefix, same seed."""

from __future__ import annotations

from collections.abc import Iterable

from rich.columns import Columns
from rich.console import RenderableType
from rich.panel import Panel
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

MIN_CARD_WIDTH = 24
NO_SAMPLES = "The samples appear here when the whole grid has finished: one per model, from the same prefix and seed."


class CompareSamples(VerticalScroll):
    """Cards flow left to right and wrap onto more rows as the terminal narrows."""

    DEFAULT_CSS = """
    CompareSamples { height: 1fr; }
    CompareSamples > Static { width: 1fr; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.samples: list[tuple[str, str]] = []
        """(label, text) in grid order."""

    def compose(self) -> Iterable[Static]:
        yield Static(NO_SAMPLES, id="samples-cards", markup=False)

    def show(self, samples: Iterable[tuple[str, str]]) -> None:
        self.samples = list(samples)
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        self.query_one("#samples-cards", Static).update(self._cards(self.scrollable_content_region.width))

    def _cards(self, width: int) -> RenderableType:
        """As many cards across as fit at least ``MIN_CARD_WIDTH`` wide, sharing the width."""
        if not self.samples:
            return Text(NO_SAMPLES, style="dim")
        across = max(1, min(len(self.samples), (width + 1) // (MIN_CARD_WIDTH + 1)))
        card_width = max(MIN_CARD_WIDTH, (width + 1) // across - 1)
        cards = [
            Panel(
                Text(text.strip(), overflow="fold"),
                title=Text(label, style="bold"),
                title_align="left",
                width=card_width,
            )
            for label, text in self.samples
        ]
        return Columns(cards, padding=(0, 1))
