"""The card's memorisation reading: optional, strictly typed, worded the same everywhere; no torch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_card
from tui_lyrics.card import ModelCard, ModelMemorisation, QuoteReading
from tui_lyrics.card_fields import CardError
from tui_lyrics.quotes import UNMEASURED, quotes_line, quotes_of, quotes_record, quotes_short

READING = ModelMemorisation(
    step=40,
    limited=QuoteReading(limit=8, share=0.019, longest_mean=7.4, longest_max=8, takes=8, chars=1600),
    unlimited=QuoteReading(limit=0, share=0.071, longest_mean=11.0, longest_max=14, takes=8, chars=1600),
)


def card(**changes: Any) -> ModelCard:
    return make_card(state={"step": 50, "best_step": 40, "best_loss": 4.0}).replace(**changes)


def test_the_reading_round_trips_and_an_old_card_reads_without_it() -> None:
    with_it = card(memorisation=READING)
    assert ModelCard.from_dict(with_it.to_dict()) == with_it
    old = card().to_dict()
    assert "memorisation" not in old  # left out while unmeasured: older code reads today's cards
    assert ModelCard.from_dict(old).memorisation is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d | {"limited": {**d["limited"], "share": "2%"}}, r"memorisation\.limited\.share must be a number"),
        (lambda d: d | {"limited": 3}, r"memorisation\.limited must be an object"),
        (lambda d: {"step": 1}, r"memorisation is missing limited, unlimited"),
        (lambda d: d | {"extra": 1}, r"memorisation has unknown field\(s\): extra"),
        (lambda d: d | {"unlimited": {**d["unlimited"], "share": 7.1}}, r"memorisation\.unlimited: .*out of range"),
    ],
)
def test_a_malformed_reading_is_a_card_error_naming_the_field(change: Any, message: str) -> None:
    data = card(memorisation=READING).to_dict()
    data["memorisation"] = change(data["memorisation"])
    with pytest.raises(CardError, match=message):
        ModelCard.from_dict(data)


def test_the_wording_names_both_readings_and_an_unmeasured_model_says_so() -> None:
    line = quotes_line(READING)
    assert line == (
        "quotes the corpus: 1.9% of 8-char windows, longest 8 (limit 8) · 7.1%, longest 14 with the limit off"
    )
    assert quotes_short(READING) == "1.9%/7.1%" and quotes_short(None) == "—"
    assert quotes_line(None).endswith(UNMEASURED)
    record = quotes_record(READING)
    assert record is not None and record["limited"]["limit"] == 8 and "8-character windows" in record["what"]


def test_a_reading_of_weights_no_longer_best_is_not_shown() -> None:
    assert quotes_of(card(memorisation=READING)) == READING
    assert quotes_of(card(memorisation=ModelMemorisation(step=30, limited=READING.limited,
                                                          unlimited=READING.unlimited))) is None  # fmt: skip
    assert quotes_of(None) is None and quotes_of(card()) is None
