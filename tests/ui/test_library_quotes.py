"""The library's details line shows the memorisation meter beside the held-out perplexity, or says it is unmeasured."""

from __future__ import annotations

from pathlib import Path

from app_support import quote_reading, write_card
from test_library import details, library

from tui_lyrics.ui.app import LyricsApp


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
