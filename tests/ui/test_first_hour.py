"""What a new user meets in the first hour, driven through the app (issue 15)."""

from __future__ import annotations

from pathlib import Path

from app_support import wait_for
from test_training import open_setup
from textual.widgets import Input, Label, Select

from tui_lyrics.ui.app import LyricsApp


def estimate(screen: object) -> str:
    return str(screen.query_one("#budget-estimate", Label).render())  # type: ignore[attr-defined]


async def test_the_form_offers_minutes_and_says_how_long_a_budget_takes(corpus_file: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, corpus_file)
        kind, value = screen.query_one("#budget-kind", Select), screen.query_one("#budget-value", Input)
        assert kind.value == "minutes" and value.value == "2"  # the tiny preset suits a few pages
        await wait_for(pilot, lambda: "2 min of training" in estimate(screen), what="the minutes estimate")

        value.value = "3"
        await wait_for(pilot, lambda: "3 min of training" in estimate(screen), what="a new minutes estimate")

        kind.value = "steps"
        value.value = "200"
        await wait_for(pilot, lambda: "200 steps ×" in estimate(screen), timeout=120, what="a measured estimate")
