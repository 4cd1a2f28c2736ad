"""A titled loss curve: a caption with the latest value over a ``Sparkline``."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Label, Sparkline


class LossSparkline(Widget):
    """One loss curve; ``show`` replaces its points and caption."""

    DEFAULT_CSS = """
    LossSparkline { height: auto; }
    LossSparkline > Label { width: 1fr; }
    LossSparkline > Sparkline { height: 2; margin: 0 0 0 2; }
    """

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="curve-caption")
        # A bucket of many points is drawn at its mean: max would trace the noise's upper edge.
        yield Sparkline([], summary_function=fmean)

    @property
    def points(self) -> Sequence[float]:
        return self.query_one(Sparkline).data or ()

    def show(self, values: Sequence[float], caption: str) -> None:
        self.query_one(Label).update(f"{self.title}  {caption}")
        # A fresh tuple: the reactive compares by value and a mutated list would look unchanged.
        # One point would fill the whole width with a block: wait for a second one.
        self.query_one(Sparkline).data = tuple(values) if len(values) > 1 else ()
