"""The line rule: a chorus line may come back after other lines; a line or couplet looping back to back may not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.core.test_constraints import LOOP, bigram_model
from tui_lyrics.core import loops
from tui_lyrics.core.constraints import LyricControls
from tui_lyrics.core.loops import LINE_GAP, MAX_RUN, MAX_TIMES
from tui_lyrics.core.sample import LoadedModel, sample_text
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS
from tui_lyrics.vocab import CharVocab

COUPLET = "我在风里等你\n天空海阔\n"
CHORUS = "我在风里等你\n天空海阔心情好\n月光洒在路上\n春花秋月何时了\n"
VOCAB = CharVocab.build(COUPLET + CHORUS + "新的一行好了啦\n")


def controls(prompt: str, **settings: int) -> LyricControls:
    return LyricControls(VOCAB, SampleConfig(**({"loop_repeats": 3} | settings)), prompt)


def banned(c: LyricControls) -> set[str]:
    """The characters the controls ban next, from a flat distribution."""
    work, _ = c.adjust(np.zeros(VOCAB.size, dtype=np.float32))
    return {VOCAB.chars[i - 1] for i in range(1, VOCAB.size) if not math.isfinite(float(work[i]))}


def copier(text: str) -> np.ndarray:
    """A hand-made song memory that recites the couplet: the character that followed the longest suffix of the text
    in the couplet (read as a cycle) gets nearly all the probability (V,)."""
    cycle = COUPLET * 3
    logits = np.zeros(VOCAB.size, dtype=np.float32)
    for k in range(min(len(text), 12), 0, -1):
        at = cycle.find(text[-k:])
        if at >= 0:
            logits[VOCAB.id_of(cycle[at + k])] = 8.0
            break
    logits[0] = -math.inf  # <unk>
    return logits


def greedy(prompt: str, steps: int, **settings: int) -> str:
    c = controls(prompt, **settings)
    text = prompt
    for _ in range(steps):
        work, _ = c.adjust(copier(text))
        char = VOCAB.chars[int(work.argmax()) - 1]
        c.advance(char)
        text += char
    return text[len(prompt) :]


def back_to_back(prompt: str, take: str, gap: int = 2) -> list[str]:
    """Complete lines of the take equal to one of the ``gap`` lines before them (blank lines skipped)."""
    before = [x for x in prompt.split("\n") if x]
    seq = before + [x for x in take.split("\n")[:-1] if x]
    return [seq[i] for i in range(len(before), len(seq)) if seq[i] in seq[max(0, i - gap) : i]]


def test_the_copier_loops_without_the_line_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loops, "LINE_LOOPS", False)
    take = greedy(COUPLET, 40)
    assert back_to_back(COUPLET, take)  # the couplet again and again (the character loop detector allows three)


def test_the_line_rule_stops_a_couplet_looping() -> None:
    take = greedy(COUPLET, 80)
    assert back_to_back(COUPLET, take, LINE_GAP) == [], take


def test_a_line_may_not_come_back_right_after_itself_or_the_line_after_it() -> None:
    c = controls("好了\n新的一行\n好了\n")
    for char in "新的一":
        c.advance(char)
    assert "行" in banned(c)  # 新的一行 twice with one line between: the line parts from it before its end
    short = controls("新的一行\n好了\n")
    for char in "好了":
        short.advance(char)
    assert "\n" in banned(short)  # a short line three times in a row cannot end


def test_a_chorus_line_may_come_back_after_other_lines() -> None:
    for settings in ({}, RECOMMENDED_CONTROLS):  # with n-gram blocking too: a chorus line is exempt
        c = controls(CHORUS, **settings)
        for char in "我在风里等你":
            assert char not in banned(c)
            c.advance(char)
        c.advance("你")
        assert "\n" not in banned(c)


def test_after_a_whole_chorus_came_back_the_next_line_is_new() -> None:
    c = controls(CHORUS + "新的一行\n" + CHORUS)  # MAX_RUN (4) lines in a row came back
    assert MAX_RUN == 4
    for char in "我在风里等":
        c.advance(char)
    assert "你" in banned(c)
    fresh = controls(CHORUS + "新的一行\n" + CHORUS[: CHORUS.index("春")])  # three back: the fourth may come
    for char in "春花秋月何时":
        fresh.advance(char)
    assert "了" not in banned(fresh)


def test_a_stutter_inside_a_chorus_line_is_still_blocked() -> None:
    c = controls("啦啦啦啦啦\n天空海阔\n月光洒在路上\n春花秋月\n", no_repeat_ngram=4)
    for char in "啦啦啦啦":
        c.advance(char)
    assert "啦" in banned(c)  # the typed line had it, but inside one line a 4-gram comes once


@pytest.fixture(scope="module")
def looping() -> LoadedModel:
    return bigram_model(LOOP + "天空海阔心情好\n月光洒在路上\n", smoothing=0.1)


def test_the_same_line_three_times_in_a_row_cannot_be_sampled(looping: LoadedModel) -> None:
    config = SampleConfig(length=200, **RECOMMENDED_CONTROLS)
    for seed in range(3):
        take = sample_text(looping, "我在风里等你\n", config.replace(seed=seed))
        assert back_to_back("我在风里等你\n", take) == [], take


def test_after_a_chorus_came_back_new_lines_follow_before_another_returns() -> None:
    c = controls(CHORUS + "新的一行\n" + CHORUS[: CHORUS.index("月")] + "好了\n")  # two lines back, then one new
    assert c.line_rule.owed == 1
    for char in "春花秋月何时":
        c.advance(char)
    assert "了" in banned(c)  # one more new line is owed first
    c.advance("好")
    c.advance("\n")
    assert c.line_rule.owed == 0 and c.line_rule.repeats == {"好了", "春花秋月何时好"}


def test_a_line_is_written_four_times_at_most() -> None:
    assert MAX_TIMES == 4
    song = "好了\n新的一行\n天空海阔\n好了\n月光洒在路上\n我在风里等你\n好了\n春花秋月何时了\n一行\n"
    c = controls(song)
    assert not c.line_rule.owed and c.line_rule.repeats == {
        "春花秋月何时了",
        "一行",
    }  # 好了 came back twice: it may again
    c = controls(song + "好了\n新的\n天空\n")
    assert not c.line_rule.owed and c.line_rule.repeats == {"新的", "天空", "好了"}  # four times: no more


def test_a_banned_line_broken_off_cannot_end_the_line() -> None:
    c = controls("好了\n新的一行\n好了\n")  # 新的一行 and 好了 are the last two lines: both banned
    assert "新的一行" in c.line_rule.repeats
    for char in "新的":
        c.advance(char)
        assert "\n" in banned(c)  # 新, 新的: the beginning of a banned line may not end the line
    c.advance("一")
    assert "\n" in banned(c) and "行" in banned(c)  # nor may the banned line itself
    elsewhere = controls("好了\n新的一行\n好了\n")
    for char in "天空":
        elsewhere.advance(char)
    assert "\n" not in banned(elsewhere)
    chorus = controls("新的\n天空海阔\n月光洒在路上\n新的一行\n好了\n")  # 新的 is an earlier line, allowed back
    for char in "新的":
        chorus.advance(char)
    assert "\n" not in banned(chorus)
