"""A finished training run leaves its corpus index beside the corpus copy: the first take reads it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_lyrics
from tests.core.test_train import new_model, quick, small
from tui_lyrics.core.train import train
from tui_lyrics.memorise import INDEX_FILE, _load_suffixes, _suffix_array, corpus_index
from tui_lyrics.store import ModelStore


def test_a_finished_run_stores_the_index(home: Path) -> None:
    store = ModelStore(home)
    text = make_lyrics(3000)
    name = new_model(store, text=text, model=small(), train=quick(steps=2))
    assert train(store, name).reason == "budget"
    folder = store.path(name)
    assert (folder / INDEX_FILE).is_file()
    index = corpus_index(folder)
    assert index is not None and index._suffixes.tolist() == _suffix_array(index.text).tolist()


def test_the_suffix_array_is_sorted() -> None:
    text = "abracadabra\n" * 3 + "banana\n"
    assert _suffix_array(text).tolist() == sorted(range(len(text)), key=lambda i: text[i:])
    assert _suffix_array("a").tolist() == [0] and _suffix_array("").tolist() == []
    assert _load_suffixes(Path("/nonexistent"), "x", 1) is None
