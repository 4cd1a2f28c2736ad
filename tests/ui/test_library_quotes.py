"""The library's details line shows the memorisation meter beside the held-out perplexity, or says it is unmeasured."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import quote_reading, write_card
from test_library import details, library
from textual.geometry import Region
from textual.widgets import Static

from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.library.screen import LibraryScreen


async def test_the_details_show_the_meter_beside_the_perplexity(home: Path) -> None:
    write_card(home, "measured", best_loss=2.0, steps=2000, memorisation=quote_reading(2000))
    write_card(home, "older", best_loss=2.1, steps=1500)  # a card from before the meter
    write_card(home, "stale", best_loss=2.2, steps=900, memorisation=quote_reading(400))  # of weights since beaten
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 3)
        shown = {}
        for _ in range(3):
            text = details(screen)
            shown[text.split(" · ")[0]] = text
            await pilot.press("down")
        measured, older, stale = shown["measured"], shown["older"], shown["stale"]
        assert "held-out perplexity 7.4 · quotes the corpus: 1.9% of 8-char windows (limit 8) · 7.1% with no " \
            "limit" in measured  # fmt: skip
        assert "quotes the corpus: not measured — eval measures it" in older
        assert "quotes the corpus: not measured — eval measures it" in stale


def shown(screen: LibraryScreen) -> str:
    """The details line as the terminal shows it: its visible rows below the rule, joined."""
    line = screen.query_one("#model-details", Static)
    rows = line.render_lines(Region(0, 1, line.outer_size.width, line.outer_size.height - 1))
    return " ".join("".join(segment.text for segment in row).strip() for row in rows)


@pytest.mark.demo
@pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 16)], ids=["100x30", "80x24", "60x16"])
async def test_the_demo_details_keep_their_figures_and_state_in_view(home: Path, size: tuple[int, int]) -> None:
    """The perplexity (static and with song memory), the meter and 'built-in, read-only' come first and stay visible."""
    async with LyricsApp().run_test(size=size) as pilot:
        screen = await library(pilot, 1)
        text = shown(screen)
        assert text.startswith("demo-zh · held-out perplexity ") and "(with song memory " in text
        assert "quotes the corpus: 0.7% of 8-char windows (limit 8) · 3.0% with no limit" in text
        assert "built-in, read-only" in text
        if size[0] >= 80:  # the whole line
            assert text.endswith(" steps, 1:19")


@pytest.mark.demo
async def test_a_low_terminal_shows_the_demo_name_and_perplexity_first(home: Path) -> None:
    async with LyricsApp().run_test(size=(40, 12)) as pilot:
        screen = await library(pilot, 1)
        assert shown(screen).startswith("demo-zh · held-out perplexity ")
