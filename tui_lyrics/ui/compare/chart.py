"""One chart of every model's loss: held-out lines, optional training dots, and a legend.

The plot is a real terminal chart (textual-plotext); the legend beside it names each model
in the colour of its line. The x axis is optimiser steps or elapsed training time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui_lyrics.fmt import fmt_ppl

PALETTE: tuple[tuple[int, int, int], ...] = (
    (86, 156, 214),
    (230, 126, 60),
    (110, 200, 110),
    (214, 100, 214),
    (230, 200, 70),
    (80, 205, 205),
    (240, 90, 90),
    (170, 150, 250),
)
"""Line colours, one per model in grid order (cycled past eight)."""
HELD_MARKER = "braille"
TRAIN_MARKER = "·"
BEST_MARKER = "●"
REDRAW_SECONDS = 0.5
MAX_POINTS = 400
"""Longer curves are thinned to about this many points (the plot is narrower than that anyway)."""


class Point(NamedTuple):
    step: int
    elapsed: float
    """Seconds of training in the model's life."""
    loss: float


@dataclass(frozen=True)
class Series:
    """One model's curves."""

    model: str
    label: str
    held: tuple[Point, ...] = ()
    train: tuple[Point, ...] = ()

    def extended(self, *, held: Iterable[Point] = (), train: Iterable[Point] = ()) -> Series:
        return replace(self, held=self.held + tuple(held), train=self.train + tuple(train))

    @property
    def best(self) -> float | None:
        return min((p.loss for p in self.held), default=None)


def colour(index: int) -> tuple[int, int, int]:
    return PALETTE[index % len(PALETTE)]


def time_scale(series: Iterable[Series]) -> tuple[float, str]:
    """Divide seconds by this to get the unit named: minutes once any run passes two."""
    longest = max((p.elapsed for s in series for p in (*s.held, *s.train)), default=0.0)
    return (60.0, "minutes") if longest > 120 else (1.0, "seconds")


class CompareChart(Horizontal):
    """Held-out loss of every model over steps or time; ``show_train`` adds training loss."""

    DEFAULT_CSS = """
    CompareChart { height: 1fr; min-height: 8; }
    CompareChart > PlotextPlot { width: 1fr; height: 1fr; }
    CompareChart > #chart-legend { width: auto; max-width: 26; height: 1fr; padding: 0 0 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: list[Series] = []
        """What is drawn: one entry per model, in grid order."""
        self.x_axis = "step"
        """``step`` or ``time``."""
        self.show_train = False
        """Draw every model's training loss too (the live model's always is)."""
        self.live: str | None = None
        """The model training now."""
        self._drawn_at = 0.0
        self._pending = False

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="chart-plot")
        yield Static("", id="chart-legend")

    def on_mount(self) -> None:
        self._redraw()

    # -- data -------------------------------------------------------------------------------
    def set_series(self, series: Iterable[Series]) -> None:
        self.series = list(series)
        self._redraw()

    def put(self, one: Series) -> None:
        """Add a model's series, or replace the one with the same model (drawn at most twice a second)."""
        for index, old in enumerate(self.series):
            if old.model == one.model:
                self.series[index] = one
                break
        else:
            self.series.append(one)
        self._redraw_soon()

    def get(self, model: str) -> Series | None:
        return next((s for s in self.series if s.model == model), None)

    # -- switches ---------------------------------------------------------------------------
    def toggle_x_axis(self) -> str:
        self.x_axis = "time" if self.x_axis == "step" else "step"
        self._redraw()
        return self.x_axis

    def toggle_train(self) -> bool:
        self.show_train = not self.show_train
        self._redraw()
        return self.show_train

    @property
    def title(self) -> str:
        what = "held-out and training loss" if self.show_train else "held-out loss"
        if self.x_axis == "time":
            return f"{what} (nats/char) over training {time_scale(self.series)[1]}"
        return f"{what} (nats/char) over steps"

    # -- drawing ----------------------------------------------------------------------------
    def _redraw_soon(self) -> None:
        """Live points come ~10 times a second; building the plot costs tens of ms of the UI thread."""
        if self._pending:
            return
        wait = self._drawn_at + REDRAW_SECONDS - time.monotonic()
        if wait <= 0:
            self._redraw()
        else:
            self._pending = True
            self.set_timer(wait, self._redraw)

    def _redraw(self) -> None:
        self._pending = False
        if not self.is_mounted:
            return
        self._drawn_at = time.monotonic()
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        scale = time_scale(self.series)[0]
        for index, one in enumerate(self.series):
            train = self.show_train or one.model == self.live
            curves = [(one.held, HELD_MARKER)] + ([(one.train, TRAIN_MARKER)] if train else [])
            for points, marker in curves:
                if points:
                    points = points[:: 1 + len(points) // MAX_POINTS]
                    plt.plot(
                        [self._x(p, scale) for p in points],
                        [p.loss for p in points],
                        marker=marker,
                        color=colour(index),
                    )
            if one.held:  # the best checkpoint, and a single scoring, stand out
                best = min(one.held, key=lambda p: p.loss)
                plt.scatter([self._x(best, scale)], [best.loss], marker=BEST_MARKER, color=colour(index))
        self.border_title = self.title
        plot.refresh()
        self.query_one("#chart-legend", Static).update(self._legend())

    def _x(self, point: Point, scale: float) -> float:
        return point.step if self.x_axis == "step" else point.elapsed / scale

    def _legend(self) -> Text:
        legend = Text(no_wrap=True, overflow="ellipsis")
        if self.series:
            legend.append(f"{'':17}best ppl\n", style="dim")
        for index, one in enumerate(self.series):
            r, g, b = colour(index)
            legend.append("━━ ", style=f"bold rgb({r},{g},{b})")
            legend.append(f"{one.label:<13}")
            legend.append(f" {fmt_ppl(one.best):>6}\n", style="dim")
        if not self.series:
            legend.append("no curves yet", style="dim")
        else:
            legend.append("\n━━ held-out  ● best\n·· training", style="dim")
        return legend
