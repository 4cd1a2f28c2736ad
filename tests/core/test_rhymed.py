"""Rhymed takes line by line (core.rhymed): every line in its class and shape, replayable, and ending where
the model would end a line rather than on the same character as the lines before (demo model, seeded)."""

from __future__ import annotations

import threading

import pytest

from tui_lyrics.core.rhymed import stream_take
from tui_lyrics.core.sample import LoadedModel, load_model, stream_chars
from tui_lyrics.rhyme import last_char, line_class, text_lines
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS
from tui_lyrics.store import ModelStore

CONFIG = SampleConfig(**RECOMMENDED_CONTROLS, lines=8, length=200, line_chars=9, line_tolerance=2, alternatives=0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    return load_model(ModelStore.open(tmp_path_factory.mktemp("home")), "demo-zh")  # the built-in demo model


def text(chars: object) -> str:
    return "".join(c.char for c in chars)  # type: ignore[attr-defined]


def repeated_ends(take: str) -> int:
    ends = [last_char(x) for x in text_lines(take)]
    return sum(1 for i in range(1, len(ends)) if ends[i] in ends[max(0, i - 4) : i])


def test_without_rhyme_it_is_the_sampler_itself(demo: LoadedModel) -> None:
    config = CONFIG.replace(seed=3)
    assert text(stream_take(demo, "我在风里", config)) == text(stream_chars(demo, "我在风里", config))


def test_rhymed_lines_keep_class_shape_and_count_and_replay(demo: LoadedModel) -> None:
    config = CONFIG.replace(rhyme="江阳", seed=5)
    take = text(stream_take(demo, "", config))
    lines = text_lines(take)
    assert len(lines) == 8 and take.endswith("\n")
    assert all(line_class(x) == "江阳" and 7 <= len(x) <= 11 for x in lines), lines
    assert take == text(stream_take(demo, "", config))  # the same seed gives the same take
    follow = text_lines(text(stream_take(demo, "我在车站等一场雨\n", config.replace(rhyme="follow"))))
    assert len({line_class(x) for x in follow}) == 1 and line_class(follow[0]) == line_class("我在车站等一场雨")


def test_lines_end_less_often_on_a_recent_end_than_character_by_character(demo: LoadedModel) -> None:
    config = CONFIG.replace(rhyme="江阳", lines=6)
    before = sum(repeated_ends(text(stream_chars(demo, "", config.replace(seed=s)))) for s in range(3))
    after = sum(repeated_ends(text(stream_take(demo, "", config.replace(seed=s)))) for s in range(3))
    assert after < before, (before, after)


def test_a_stopped_take_ends_with_the_lines_already_written(demo: LoadedModel) -> None:
    stop = threading.Event()
    stop.set()
    assert list(stream_take(demo, "", CONFIG.replace(rhyme="江阳", seed=1), stop=stop)) == []
    short = text(stream_take(demo, "", CONFIG.replace(rhyme="江阳", seed=1, length=15)))  # the length runs out
    assert 0 < len(short) <= 15 and line_class(short.split("\n")[0]) == "江阳"
