"""Candidate lines and whole songs on the demo model (CPU, seeded)."""

from __future__ import annotations

import math
import threading

import pytest

from tui_lyrics.core.candidates import Candidate, best_line, stream_candidates, write_song
from tui_lyrics.core.sample import LoadedModel, load_model
from tui_lyrics.memorise import CorpusIndex, corpus_index
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.template import template_from_text
from tui_lyrics.store import ModelStore

REFERENCE = "雨停在傍晚的月台上\n铁轨把余晖拉得很长\n\n你忘了一把伞\n斜靠在掉漆的长椅旁\n"
CONFIG = SampleConfig(**RECOMMENDED_CONTROLS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadedModel, CorpusIndex | None]:
    store = ModelStore.open(tmp_path_factory.mktemp("home"))  # the built-in demo model, read-only
    return load_model(store, "demo-zh"), corpus_index(store.path("demo-zh"))


def test_k_single_line_candidates_with_finite_scores(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    lm, index = demo
    found = list(stream_candidates(lm, "我在车站等一场雨\n", k=5, config=CONFIG, seed=1, index=index))
    assert len(found) == 5 and len({c.text for c in found}) == 5
    for c in found:
        assert c.text and "\n" not in c.text and c.chars == len(c.text)
        assert math.isfinite(c.mean_logprob) and c.mean_logprob < 0 and math.isfinite(c.score)
        assert c.end_prob is None or 0 < c.end_prob <= 1
        assert isinstance(c.memorised, bool) and c.longest_quote >= 1
    again = list(stream_candidates(lm, "我在车站等一场雨", k=5, config=CONFIG, seed=1, index=index))
    assert again == found  # same draft and seed: the same candidates (a missing final newline is added)


def test_candidates_stream_and_stop(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    lm, _ = demo
    stop = threading.Event()
    stream = stream_candidates(lm, "", k=5, config=CONFIG, seed=2, stop=stop)
    first = next(stream)  # the first candidate comes before the others are sampled
    assert isinstance(first, Candidate)
    stop.set()
    assert list(stream) == []


def test_a_template_slot_gives_exact_length_and_rhyme(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    lm, index = demo
    slot = template_from_text(REFERENCE).slots[1]
    found = list(stream_candidates(lm, "我在车站等一场雨\n", k=3, config=CONFIG, seed=3, slot=slot, index=index))
    assert found and all(c.chars == slot.chars and c.rhyme == slot.rhyme for c in found)
    assert all(c.end_prob is not None for c in found)
    best = best_line(lm, "我在车站等一场雨\n", slot=slot, config=CONFIG, seed=3, n=3, index=index)
    assert best is not None and best in found
    preferred = [c for c in found if not c.memorised and c.text[-1] != "雨"] or found  # 雨 ended the line before
    assert best.score == max(c.score for c in preferred)


def test_a_whole_song_keeps_to_the_template(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    lm, index = demo
    template = template_from_text(REFERENCE)
    draft = Draft.from_text("我在车站等一场雨")
    lines = list(write_song(lm, template, draft=draft, config=CONFIG, seed=4, per_line=2, index=index))
    assert [w.number for w in lines] == [0, 1, 2, 3]
    assert lines[0].text == "我在车站等一场雨" and lines[0].candidate is None  # the typed line is kept
    for w in lines[1:]:
        assert len(w.text) == w.slot.chars and w.candidate is not None and w.candidate.rhyme == w.slot.rhyme


def test_rewrite_reads_only_what_comes_before(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    lm, _ = demo
    draft = Draft.from_text("我在车站等一场雨\n风吹过站台\n后来我们走散")
    before = list(stream_candidates(lm, draft.prefix_before(1), k=2, config=CONFIG, seed=5))
    same_start = Draft.from_text("我在车站等一场雨\n完全不同的一行")
    assert before == list(stream_candidates(lm, same_start.prefix_before(1), k=2, config=CONFIG, seed=5))


def test_candidates_are_scored_with_song_memory(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    """The demo model mixes in an n-gram: with song memory (the default) it also counts the draft itself."""
    lm, _ = demo
    assert lm.mixture is not None and CONFIG.song_memory
    draft = "我推开窗看见雨\n风吹过旧街道\n你说要等我到天亮\n\n我推开窗看见雨\n风吹过旧街道\n"
    on = list(stream_candidates(lm, draft, k=3, config=CONFIG, seed=1))
    off = list(stream_candidates(lm, draft, k=3, config=CONFIG.replace(song_memory=False), seed=1))
    assert [(c.text, c.mean_logprob) for c in on] != [(c.text, c.mean_logprob) for c in off]


def test_a_marked_chorus_comes_back_among_the_candidates() -> None:
    """After a verse, a chorus line is among the candidates of a model built to repeat, with the default
    repetition controls on (a whole line returning is wanted); no candidate stutters inside its line."""
    from tests.core.test_constraints import ESCAPES, LOOP, bigram_model, stutters

    looping = bigram_model(LOOP + ESCAPES, smoothing=0.1)
    chorus = ["我在风里等你", "天空海阔心情好", "月光洒在路上", "春花秋月何时了"]
    draft = Draft.from_text("\n".join([*chorus, "", "风里海阔天空", "心情在路上"])).mark(0, 3, "chorus")
    assert [line.text for line in draft.chorus()] == chorus
    found = [c.text for seed in range(0, 20, 5) for c in stream_candidates(looping, draft.text, k=5, seed=seed,
                                                                           config=CONFIG)]  # fmt: skip
    assert set(found) & set(chorus), found
    assert all(stutters(text, CONFIG.no_repeat_ngram) == [] for text in found)


def test_a_new_verse_comes_at_the_models_own_odds(demo: tuple[LoadedModel, CorpusIndex | None]) -> None:
    """The repetition penalty spares line breaks and top-k then gives the blank line most of the mass: drawn with
    the controls, three candidates in four began a new verse after any line. The break is drawn apart, at the
    model's own probability, and the line after it (a blank line never comes twice)."""
    from tui_lyrics.core.candidates import verse_break_prob

    lm, _ = demo
    draft = "我推开窗看见雨\n"
    own = verse_break_prob(lm, draft, CONFIG)
    assert own is not None and 0.05 < own < 0.5 and verse_break_prob(lm, "", CONFIG) == 0.0
    found = [c for seed in range(0, 800, 100) for c in stream_candidates(lm, draft, k=5, config=CONFIG, seed=seed)]
    share = sum(c.verse_break for c in found) / len(found)
    assert len(found) == 40 and share < 0.5, share
    assert all(c.text.strip() for c in found)
