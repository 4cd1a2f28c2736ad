"""The corpus's line shape as a decoding control: no broken-off lines, verse breaks at the corpus's rate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.core.test_constraints import bigram_model
from tui_lyrics.core.constraints import LyricControls
from tui_lyrics.core.corpus_shape import TAG, CorpusShape, corpus_shape, measure_shape
from tui_lyrics.core.sample import LoadedModel, sample_text, stream_chars
from tui_lyrics.memorise import CorpusIndex
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS
from tui_lyrics.vocab import CharVocab

EAGER = "一\n二\n\n三\n四\n\n五\n\n\n六七\n" * 20
"""What the model learns: a line ends after one character, and blank lines (even two in a row) come often."""
CORPUS = "春风十里\n夏雨绵绵长\n秋月无边\n\n冬雪纷飞\n一二三四五\n六七八九\n\n" * 10
"""The corpus copy: lines of four or five characters, verses of three lines."""


@pytest.fixture
def eager() -> LoadedModel:
    lm = bigram_model(EAGER + CORPUS, smoothing=0.3)
    lm.corpus = CorpusIndex(CORPUS)
    return lm


def lines_of(text: str) -> list[str]:
    return text.split("\n")[:-1]  # complete lines only: the take may stop mid-line


def test_the_shape_is_measured_from_the_corpus() -> None:
    assert measure_shape(CORPUS) == CorpusShape(line_floor=4, verse_floor=3)
    assert measure_shape("") == CorpusShape(line_floor=1, verse_floor=1)  # at least 1
    index = CorpusIndex(CORPUS)
    assert corpus_shape(index) is corpus_shape(index)  # measured once per index


def test_lines_reach_the_floor_and_verses_the_corpus_rate(eager: LoadedModel) -> None:
    for seed in range(4):
        config = SampleConfig(length=200, seed=seed, alternatives=0, **RECOMMENDED_CONTROLS)
        chars = list(stream_chars(eager, "", config))
        text = "".join(c.char for c in chars)
        verse = 0
        for line in lines_of(text):
            if line:
                assert len(line) >= 4, text
                verse += 1
            else:
                assert verse >= 3, text  # no blank line before the verse minimum, never two in a row
                verse = 0
        assert "\n\n" in text and any(TAG in c.controls for c in chars)
        off = sample_text(eager, "", config.replace(corpus_lines=False))
        assert any(0 < len(line) < 4 for line in lines_of(off)) and off.count("\n\n") > text.count("\n\n")


def test_the_users_shape_and_verse_controls_govern(eager: LoadedModel) -> None:
    config = SampleConfig(length=120, seed=1, alternatives=0, line_chars=2, line_tolerance=0, verse_lines=1)
    text = sample_text(eager, "", config.replace(corpus_lines=True))
    assert text == sample_text(eager, "", config)  # the shape and verse controls set: the corpus's has no say
    assert all(len(line) in (0, 2) for line in lines_of(text)) and "\n\n" in text


def test_without_a_corpus_copy_nothing_changes(eager: LoadedModel) -> None:
    eager.corpus = None  # no folder either: no corpus copy
    config = SampleConfig(length=150, seed=2, alternatives=0, **RECOMMENDED_CONTROLS)
    chars = list(stream_chars(eager, "", config))
    assert "".join(c.char for c in chars) == sample_text(eager, "", config.replace(corpus_lines=False))
    assert not any(TAG in c.controls for c in chars)


def test_a_seeded_take_replays(eager: LoadedModel) -> None:
    config = SampleConfig(length=150, seed=3, **RECOMMENDED_CONTROLS)
    first, again = list(stream_chars(eager, "", config)), list(stream_chars(eager, "", config))
    assert first == again


def test_it_gives_way_where_a_newline_is_all_there_is() -> None:
    vocab = CharVocab.build("ab\n")
    config = SampleConfig(corpus_lines=True)
    logits = np.full(vocab.size, -math.inf, dtype=np.float32)
    logits[vocab.id_of("\n")] = 0.0
    controls = LyricControls(vocab, config, "a", corpus=CorpusIndex("aaaa\nbbbb\n"))
    work, used = controls.adjust(logits)
    assert TAG not in used and np.array_equal(work, logits)  # the model's choice, not no character
    logits[vocab.id_of("b")] = 0.0
    work, used = controls.adjust(logits)
    assert used == (TAG,) and work[vocab.id_of("\n")] == -math.inf  # a line of one character: banned
