"""A snapshot of the Write screen at 80×24: a typed line, an accepted one, five candidates on a fixed seed.

The model is the hand-built bigram model of the Compose snapshot, so the picture is the same on
every machine.
"""

from __future__ import annotations

from pathlib import Path

from test_compose_snapshot import build_bigram_model
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from tui_lyrics.store import ModelStore
from tui_lyrics.ui.write.screen import WriteScreen


class Host(App[None]):
    def __init__(self, store: ModelStore) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(WriteScreen(store=self.store, model_name="bigram", seed=3))


async def draft_with_candidates(pilot: Pilot) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, WriteScreen)
    for _ in range(1000):
        if screen.lm is not None:
            break
        await pilot.pause(0.02)
    screen.query_one("#line", Input).value = "月光下的街道很安静"
    await pilot.press("enter", "escape")
    for _ in range(2):
        await pilot.press("g")
        for _ in range(1000):
            if not screen.generating:
                break
            await pilot.pause(0.02)
        if len(screen.draft_lines()) == 1:
            await pilot.press("1")
    await pilot.app.workers.wait_for_complete()
    screen.say("5 candidates for the next line · 1–5 accept · m more · g new")  # no wall-clock time in the picture
    await pilot.pause()


def test_write_screen_snapshot(snap_compare, home: Path) -> None:
    store = ModelStore(home)
    build_bigram_model(store)
    assert snap_compare(Host(store), terminal_size=(80, 24), run_before=draft_with_candidates)
