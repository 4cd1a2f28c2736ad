"""What a new user meets in the first hour, driven through the app (issue 15)."""

from __future__ import annotations

from pathlib import Path

from app_support import wait_for
from test_training import open_setup
from textual.widgets import Button, Input, Label, Select

from tui_lyrics.config import SampleConfig
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.compose_takes import Take
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog


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


async def test_a_dialog_dims_the_screen_and_enter_takes_the_button_marked_enter(home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        answers: list[bool | None] = []
        app.push_screen(ConfirmDialog("Delete it?", yes="Delete", no="Keep"), answers.append)
        await pilot.pause()
        dialog = app.screen
        assert 0 < dialog.styles.background.a < 1  # the library shows through, dimmed
        labels = {str(button.label) for button in dialog.query(Button)}
        assert labels == {"Delete (y)", "Keep (Enter)"}
        await pilot.press("enter")
        assert answers == [False]


async def test_quitting_with_nothing_to_save_asks_nothing(home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
    assert app.return_code == 0


async def test_quitting_with_unsaved_takes_asks_first(home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.compose_memory.takes.add(Take(number=1, model="m", prefix="雨", settings=SampleConfig(seed=1)))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 take is not saved" in str(app.screen.query_one(".dialog-question", Label).render())
