"""``lyrics-tui models``: the song-memory figure is listed beside the static one, from the best step."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_card
from tui_lyrics.card import ModelCard
from tui_lyrics.commands.models import _row
from tui_lyrics.store import ModelInfo


def _card(history: list[dict[str, float]]) -> ModelCard:
    return make_card("m", state={"best_step": 20, "best_loss": 2.0}, history=tuple(history))


def test_the_song_figure_is_the_best_steps() -> None:
    history = [{"step": 10, "held_loss": 2.5, "song_loss": 2.2}, {"step": 20, "held_loss": 2.0, "song_loss": 1.5}]
    row = _row(ModelInfo.from_card(_card(history), Path("m")))
    assert (row["best_loss"], row["song_memory_loss"]) == (2.0, 1.5)
    assert row["song_memory_ppl"] is not None and row["song_memory_ppl"] < row["best_ppl"]


def test_a_card_without_song_memory_lists_none() -> None:
    row = _row(ModelInfo.from_card(_card([{"step": 20, "held_loss": 2.0}]), Path("m")))
    assert row["song_memory_loss"] is None and row["song_memory_ppl"] is None
