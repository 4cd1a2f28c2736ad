"""The Write screen's line input under fast typing: every line and every Enter lands as typed, in order.

A terminal delivers a fast typist's keys (or a paste without bracketed paste) in one read, so the app
gets them back to back; a bracketed paste arrives as one ``Paste`` event holding every line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import wait_for
from textual import events
from textual.app import App
from textual.pilot import Pilot

from tui_lyrics.paths import data_home
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.write.screen import WriteScreen

pytestmark = pytest.mark.demo
FIRST, SECOND = "我在雨里等你", "风吹过旧窗台"


class Host(App[None]):
    def on_mount(self) -> None:
        self.push_screen(WriteScreen(store=ModelStore.open(data_home()), model_name="demo-zh", seed=1))


async def _typing(pilot: Pilot) -> WriteScreen:
    """The screen once the model is loaded and a new song's line input has focus."""
    screen = pilot.app.screen
    assert isinstance(screen, WriteScreen)
    await wait_for(pilot, lambda: screen.lm is not None and screen.focused is screen.line_input, what="the model")
    return screen


async def _burst(pilot: Pilot, *keys: str) -> None:
    """Send ``keys`` as one read from the terminal does: all queued before the app handles the first."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        character = {"enter": "\r", "ctrl+j": "\n"}.get(key, key)
        driver.send_message(events.Key(key, character))
    await pilot.pause()
    await pilot.pause()


async def test_two_lines_typed_back_to_back_stay_two_lines(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await pilot.press(*FIRST, "enter", *SECOND, "enter")
        assert screen.draft_lines() == [FIRST, SECOND]


async def test_a_burst_of_keys_keeps_each_line_and_enter_in_order(home: Path) -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter", *SECOND, "enter", *"雨停")  # the last line not entered yet
        assert screen.draft_lines() == [FIRST, SECOND]
        assert screen.line_input.value == "雨停" and screen.focused is screen.line_input
        await _burst(pilot, "enter", "enter", *FIRST, "ctrl+j")  # an empty line: a verse break; a newline: Enter
        assert screen.session is not None and screen.session.draft.text == f"{FIRST}\n{SECOND}\n雨停\n\n{FIRST}\n"
        assert screen.line_input.value == ""


async def test_a_pasted_song_enters_every_line(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *"雨")
        screen.line_input.post_message(events.Paste(f"夜{FIRST}\r\n{SECOND}\n\n灯火"))
        await pilot.pause()
        assert screen.session is not None and screen.session.draft.text == f"雨夜{FIRST}\n{SECOND}\n\n"
        assert screen.line_input.value == "灯火"  # the part after the last line break waits for its Enter


async def test_lines_typed_while_candidates_come_and_after_accepting_one(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter")
        await pilot.press("escape", "g", "i")  # candidates for the next line, and back to typing while they come
        await _burst(pilot, *SECOND, "enter", *FIRST, "enter")  # (they were for after line 1: dropped)
        assert screen.draft_lines() == [FIRST, SECOND, FIRST]
        await pilot.press("escape", "g")
        await wait_for(pilot, lambda: not screen.generating and screen.candidates, what="candidates")
        await pilot.press("1", "i")
        await _burst(pilot, *SECOND, "enter", *FIRST, "enter")
        accepted = screen.draft_lines()[3]
        assert screen.draft_lines() == [FIRST, SECOND, FIRST, accepted, SECOND, FIRST]
