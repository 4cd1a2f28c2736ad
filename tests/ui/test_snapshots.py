"""Snapshots of the library and training screens at 100×30 and 80×24, on fixed data.

Cards and metrics are written with known numbers (no clock, no training), the engine is
loaded and its device list pinned before the picture is taken, and input cursors do not
blink, so the frames are the same on every machine.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from app_support import quote_reading, wait_for, write_card, write_metrics
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label

from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.training.screen import TrainingScreen
from tui_lyrics.ui.training.sparkline import LossSparkline
from tui_lyrics.ui.widgets.corpus_picker import CorpusPicker

SIZES = [
    pytest.param((100, 30), id="100x30"),
    pytest.param((80, 24), id="80x24"),
    pytest.param((60, 16), id="60x16"),
    pytest.param((40, 12), id="40x12"),
]


@pytest.fixture
def library(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three models with fixed cards; one has a fixed training curve."""
    import tui_lyrics.core.runtime as runtime  # the engine: its device list is pinned below

    monkeypatch.setattr(runtime, "available_devices", lambda: ["cpu"])
    folder = write_card(home, "周杰伦风格", params=1_490_000, best_loss=2.83, steps=2000, seconds=754,
                        corpus="jaychou_lyrics.txt.zip", memorisation=quote_reading(2000))  # fmt: skip
    write_metrics(folder, steps=2000)
    write_card(home, "shakespeare", cell="lstm", params=3_270_000, best_loss=1.41, steps=5000, seconds=3725,
               finished=False, corpus="tinyshakespeare.txt")  # fmt: skip
    write_card(home, "draft", input="onehot", params=48_200, best_loss=None, steps=0, seconds=0, finished=False)
    return home


async def settled(pilot: Pilot) -> None:
    """Engine loaded, library read, cursors still: nothing left that changes the frame."""
    app = pilot.app
    assert isinstance(app, LyricsApp)
    await app.engine.wait()
    await wait_for(pilot, lambda: getattr(app.screen, "rows", None) is not None, what="the library")
    if isinstance(app.screen, LibraryScreen):
        # The table measures new rows when it is next idle: until then its columns are as wide as their headers
        # (the state column, headed "", is 0 wide), and a busy machine can take the picture in between.
        columns = app.screen.query_one("#models", DataTable).columns.values()
        await wait_for(pilot, lambda: min(column.content_width for column in columns) > 0, what="the columns")
    await pilot.pause()


def still(pilot: Pilot) -> None:
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


@pytest.mark.parametrize("size", SIZES)
def test_library_screen(snap_compare, library: Path, size: tuple[int, int]) -> None:
    assert snap_compare(LyricsApp(), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_training_setup(snap_compare, library: Path, corpus_file: Path, monkeypatch, size: tuple[int, int]) -> None:
    monkeypatch.chdir(corpus_file.parent)  # the path shown is relative, the same everywhere
    monkeypatch.setattr("tui_lyrics.ui.training.estimate._now", lambda: datetime(2026, 1, 1, 12, 0))

    async def run_before(pilot: Pilot) -> None:
        await settled(pilot)
        await pilot.press("n")
        screen = pilot.app.screen
        assert isinstance(screen, TrainingScreen)
        screen.query_one(CorpusPicker).choose(corpus_file.name)
        await wait_for(pilot, lambda: screen.query_one("#model-name", Input).value == "songs", what="the check")
        estimate = screen.query_one("#budget-estimate", Label)
        await wait_for(pilot, lambda: "12:02" in str(estimate.render()), what="the time estimate")
        still(pilot)

    assert snap_compare(LyricsApp(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_training_monitor_of_a_finished_model(snap_compare, library: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settled(pilot)
        await pilot.press("down", "down", "v")
        screen = pilot.app.screen
        assert isinstance(screen, TrainingScreen)
        curve = screen.query_one("#held-curve", LossSparkline)
        await wait_for(pilot, lambda: len(curve.points) == 8, what="the curve")

    assert snap_compare(LyricsApp(), terminal_size=size, run_before=run_before)
