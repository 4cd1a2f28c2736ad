"""The training screen's held-out readout carries the memorisation meter once the run has ended."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import quote_reading, wait_for, write_card, write_metrics
from test_training import fast_app, text
from textual.pilot import Pilot
from textual.widgets import Input

from tui_lyrics.store import ModelStore
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.training.screen import TrainingScreen


async def test_a_run_that_ends_shows_the_meter_it_read(tiny_model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LYRICS_TUI_QUOTE_TAKES", "2")  # core.quote_meter.TAKES_ENV (the suite skips the reading)
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.rows, what="the library")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.query("#answer"), what="the prompt")
        app.screen.query_one("#answer", Input).value = "10"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen), what="the monitor")
        screen = app.screen
        assert isinstance(screen, TrainingScreen)
        await wait_for(pilot, lambda: app.job is None, what="the extra steps", timeout=120)
        await wait_for(pilot, lambda: "of 8-char windows" in text(screen, "#run-stats"), what="the meter")
        card = ModelStore(app.store.home).card(tiny_model)
        m = card.memorisation
        assert m is not None and m.limited.takes == 2 and m.step == card.state.best_step
        shown = text(screen, "#run-stats")
        assert f"quotes the corpus: {m.limited.share:.1%} of 8-char windows (limit 8)" in shown
        assert f"{m.unlimited.share:.1%} with no limit" in shown
        said = [str(n.message) for n in app._notifications if "finished" in str(n.message)]
        assert said and f"Quotes the corpus: {m.limited.share:.1%} of 8-char windows (limit 8)" in said[-1]


async def watched_readout(pilot: Pilot) -> str:
    """Open the monitor of the selected model (not training: watched from its card) and read its figures."""
    app = pilot.app
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen), what="the monitor")
    screen = app.screen
    assert isinstance(screen, TrainingScreen)
    await wait_for(pilot, lambda: "quotes the corpus" in text(screen, "#run-stats"), what="the readout")
    await wait_for(pilot, lambda: "read when" not in text(screen, "#run-stats"), what="the card")
    return text(screen, "#run-stats")


async def test_a_watched_model_shows_its_cards_meter_or_says_it_is_unmeasured(home: Path) -> None:
    write_metrics(write_card(home, "measured", best_loss=2.0, steps=2000, memorisation=quote_reading(2000)))
    write_metrics(write_card(home, "older", best_loss=2.1, steps=2000))
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "rows", None), what="the library")
        seen = [await watched_readout(pilot)]
        await pilot.press("escape", "down")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "rows", None), what="the library")
        seen.append(await watched_readout(pilot))
        assert any("1.9% of 8-char windows (limit 8) · 7.1% with no limit" in s for s in seen)
        assert any("quotes the corpus: not measured — eval measures it" in s for s in seen)
