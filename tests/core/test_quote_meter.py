"""The memorisation meter of a whole model: seeded takes read against its corpus, with the quote limit and without."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import make_lyrics
from tests.core.test_constraints import CYCLE, bigram_model
from tests.core.test_train import new_model, quick, small
from tui_lyrics.core.control import TrainControl
from tui_lyrics.core.quote_meter import TAKES_ENV, MeterUnreadable, measure_model
from tui_lyrics.core.sample import LoadedModel, load_model
from tui_lyrics.core.train import train
from tui_lyrics.memorise import CorpusIndex
from tui_lyrics.paths import data_home
from tui_lyrics.store import ModelStore


def reciting() -> LoadedModel:
    """A model built to copy its corpus: every character has one likely successor in it."""
    corpus = CYCLE * 2 + "\n"
    lm = bigram_model(corpus, smoothing=0.01)
    lm.card, lm.corpus = None, CorpusIndex(corpus)
    return lm


def test_a_model_built_to_copy_reads_high_without_the_limit_and_within_it_with_it() -> None:
    m = measure_model(reciting(), takes=3, chars=120, limit=8)
    assert m is not None
    off, on = m.unlimited, m.limited
    assert off.limit == 0 and on.limit == 8 and off.takes == on.takes == 3 and off.chars == on.chars == 360
    assert off.share > 0.9 and off.longest_max >= 60  # left alone it recites
    assert on.longest_max <= 8 and on.share < 0.2  # the limit holds every take to 8 characters of the corpus
    assert on.longest_mean <= on.longest_max


def test_a_model_without_a_corpus_copy_says_the_meter_cannot_be_read() -> None:
    lm = reciting()
    lm.corpus, lm.name = None, "bare"
    with pytest.raises(MeterUnreadable, match=r"bare has no corpus copy .* the memorisation meter cannot be read"):
        measure_model(lm, takes=1, chars=20)


def test_a_stop_leaves_no_reading() -> None:
    stop = threading.Event()
    stop.set()
    assert measure_model(reciting(), takes=2, chars=40, stop=stop) is None


def test_the_mixture_and_the_network_alone_both_read(tiny_model: str) -> None:
    lm = load_model(ModelStore(data_home()), tiny_model)
    assert lm.mixture is not None
    mixed = measure_model(lm, takes=2, chars=60)
    lm.mixture = None
    alone = measure_model(lm, takes=2, chars=60)
    for m in (mixed, alone):
        assert m is not None and m.limited.limit == 8 and m.unlimited.limit == 0  # Chinese text: the CJK default
        assert m.step == lm.card.state.best_step if lm.card else False
        assert 0.0 <= m.limited.share <= 1.0 and m.limited.chars == 120


def test_the_end_of_a_run_commits_the_reading_with_the_card(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TAKES_ENV, "2")
    store = ModelStore(home)
    name = new_model(store, text=make_lyrics(3000), model=small(), train=quick(steps=3))
    assert train(store, name).reason == "budget"
    committed = store.folder(name).checkpoint().card  # the committed set's card, not only the top-level one
    m = committed.memorisation
    assert m is not None and m.step == committed.state.best_step and m.limited.takes == 2
    assert store.card(name).memorisation == m
    # More training that finds a better best measures again; a quit (hurry) saves and leaves without measuring.
    control = TrainControl()
    control.hurry.set()
    more = committed.budget_from_here("steps", 3)
    assert train(store, name, train_config=more, control=control).reason == "budget"
    again = store.folder(name).checkpoint().card
    assert again.state.step == 6
    assert again.memorisation is None or again.memorisation.step == again.state.best_step == m.step


def test_the_demo_cards_reading_is_what_the_meter_reads_now(home: Path) -> None:
    lm = load_model(ModelStore.open(home), "demo-zh")
    assert lm.card is not None and lm.card.memorisation is not None
    assert measure_model(lm) == lm.card.memorisation  # seeded takes: the same figures eval prints
