"""Compose's model line and model picker show the memorisation meter beside the held-out perplexity, at any width."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from app_support import quote_reading
from rich.cells import cell_len
from test_compose import Host, ready, wait_for
from textual.widgets import OptionList

from tui_lyrics.card import ModelMemorisation
from tui_lyrics.store import ModelInfo
from tui_lyrics.ui.compose.dialogs import ModelPicker
from tui_lyrics.ui.compose.model_line import about_line

READING = ModelMemorisation.from_dict(quote_reading(475, share=0.008, off=0.021))
DEMO = ModelInfo(
    "demo-zh", Path("demo-zh"), cell="gru", corpus="zh_lyrics.txt", best_loss=math.log(120.4), steps=475,
    memorisation=READING,
)  # fmt: skip
HEAD = "demo-zh · held-out ppl 120.4 · "


@pytest.mark.parametrize(
    ("width", "line"),
    [
        (58, HEAD + "quotes 0.8% (2.1% no limit)"),
        (78, HEAD + "quotes 0.8% (limit 8), 2.1% with no limit"),
        (98, HEAD + "quotes 0.8% (limit 8), 2.1% with no limit · best weights"),
        (
            200,
            HEAD + "quotes 0.8% (limit 8), 2.1% with no limit · best weights · GRU 1×128 · zh_lyrics.txt · 475 steps",
        ),
    ],
    ids=["60 columns", "80 columns", "100 columns", "wide"],
)
def test_the_line_keeps_the_meter_beside_the_perplexity(width: int, line: str) -> None:
    """The meter's wording shortens to fit; the other facts come after it, whole or not at all."""
    assert about_line(DEMO, shape="GRU 1×128", width=width, weights="best weights") == line


def test_an_old_card_says_not_measured_and_training_is_always_said() -> None:
    old = ModelInfo("old", Path("old"), best_loss=math.log(7.4), steps=2000, corpus="songs.txt")
    assert about_line(old, shape="GRU 1×32", width=58) == "old · held-out ppl 7.4 · quotes: not measured · GRU 1×32"
    live = about_line(DEMO, shape="GRU 1×128", width=98, status="latest weights (training now)")
    assert live == HEAD + "quotes 0.8% (2.1% no limit) · latest weights (training now)"  # the meter gives way


def test_wide_characters_count_twice() -> None:
    named = ModelInfo("周杰伦风格", Path("x"), best_loss=math.log(16.9), memorisation=READING)
    line = about_line(named, shape="GRU 1×128", width=60)
    assert line == "周杰伦风格 · held-out ppl 16.9 · quotes 0.8% (2.1% no limit)" and cell_len(line) <= 60


def add_reading(home: Path, name: str) -> None:
    """Give a model's card a reading of its best weights (the suite's runs skip the meter)."""
    path = home / "models" / name / "card.json"
    card = json.loads(path.read_text(encoding="utf-8"))
    card["memorisation"] = quote_reading(card["state"]["best_step"], share=0.008, off=0.021)
    path.write_text(json.dumps(card), encoding="utf-8")


@pytest.mark.parametrize("size", [(60, 16), (80, 24), (100, 30)], ids=["60x16", "80x24", "100x30"])
async def test_the_model_line_shows_the_meter(tiny_model: str, home: Path, size: tuple[int, int]) -> None:
    add_reading(home, tiny_model)
    async with Host().run_test(size=size) as pilot:
        screen = await ready(pilot)
        line = screen.query_one("#model-line")
        text = str(line.render())
        assert text.startswith("tiny · held-out ppl ") and " · quotes 0.8% (" in text
        assert cell_len(text) <= line.content_size.width  # whole: nothing for the ellipsis to cut
        assert ("best weights" in text) == (size[0] >= 100)  # the weights in use once there is room
        await pilot.resize_terminal(60, 16)  # worded again for the new width
        await wait_for(pilot, lambda: str(line.render()).endswith("quotes 0.8% (2.1% no limit)"))


async def test_the_picker_shows_the_meter_beside_the_perplexity(tiny_model: str, home: Path) -> None:
    add_reading(home, tiny_model)
    async with Host(model_name=None).run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ModelPicker))
        (option,) = pilot.app.screen.query_one("#models", OptionList).options
        prompt = str(option.prompt)
        assert "held-out ppl " in prompt and " · quotes 0.8% (limit 8), 2.1% with no limit · songs.txt" in prompt
