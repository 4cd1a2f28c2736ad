"""Lyric controls in the sampler: rhyme always met, line shape honoured, repetition reduced, scores kept."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from tests.core.test_sample import next_char_logits
from tui_lyrics.config import ModelConfig
from tui_lyrics.core import soft_controls
from tui_lyrics.core.constraints import LyricControls
from tui_lyrics.core.loops import MAX_PERIOD, MIN_LOOP_SPAN
from tui_lyrics.core.model import CharRNN
from tui_lyrics.core.sample import LoadedModel, load_model, sample_text, stream_chars
from tui_lyrics.errors import ConfigError
from tui_lyrics.memorise import CorpusIndex
from tui_lyrics.paths import data_home
from tui_lyrics.rhyme import class_of, line_class, text_lines
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS
from tui_lyrics.store import ModelStore
from tui_lyrics.vocab import CharVocab


@pytest.fixture
def lm(tiny_model: str) -> LoadedModel:
    return load_model(ModelStore(data_home()), tiny_model)


def bigram_model(text: str, *, smoothing: float) -> LoadedModel:
    """A model whose next-character distribution is the bigram table of ``text`` (no training).

    One-hot input into a tanh RNN whose hidden state is the one-hot of the last character
    (tanh(20) = 1.0 in float32); the head holds log P(next | previous).
    """
    vocab = CharVocab.build(text)
    v = vocab.size
    model = CharRNN(ModelConfig(cell="rnn", input="onehot", layers=1, hidden=v, dropout=0.0), v).eval()
    counts = torch.full((v, v), smoothing)  # (next, previous)
    for previous, following in itertools.pairwise(vocab.encode(text)):
        counts[following, previous] += 1
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.rnn.weight_ih_l0.copy_(torch.eye(v) * 20.0)
        model.head.weight.copy_(torch.log(counts / counts.sum(0, keepdim=True)))
    return LoadedModel(name="bigram", model=model, vocab=vocab, card={}, weights="best")


LOOP = "我在风里等你\n" * 30
ESCAPES = "天空海阔心情好\n月光洒在路上\n春花秋月何时了\n"


@pytest.fixture(scope="module")
def looping() -> LoadedModel:
    """A model built to loop: it has seen one line thirty times and a few others once."""
    return bigram_model(LOOP + ESCAPES, smoothing=0.1)


def repeated_4gram_share(text: str) -> float:
    """The share of 4-grams (within lines) that occurred earlier in the text."""
    seen: set[str] = set()
    total = again = 0
    for line in text.split("\n"):
        for i in range(len(line) - 3):
            total += 1
            again += line[i : i + 4] in seen
            seen.add(line[i : i + 4])
    return again / total


# -- rhyme -----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["江阳", "一七", "言前", "中东"])
def test_a_forced_rhyme_class_is_always_met(lm: LoadedModel, target: str) -> None:
    missed_without = 0
    for seed in range(4):
        config = SampleConfig(temperature=1.0, lines=6, line_chars=6, line_tolerance=1, rhyme=target, seed=seed)
        chars = list(stream_chars(lm, "", config))
        text = "".join(c.char for c in chars)
        lines = text_lines(text)
        assert len(lines) == 6
        assert [class_of(line[-1]) for line in lines] == [target] * 6, text
        assert [c.line_class for c in chars if c.line_class] == [target] * 6  # reported per line
        plain = text_lines(sample_text(lm, "", config.replace(rhyme="off")))
        missed_without += sum(class_of(line[-1]) != target for line in plain)
    assert missed_without > 0  # the model alone does not rhyme like this: the control did it


def test_follow_rhymes_every_line_with_the_first(lm: LoadedModel) -> None:
    for seed in range(4):
        config = SampleConfig(temperature=1.0, lines=5, line_chars=5, rhyme="follow", seed=seed)
        lines = text_lines(sample_text(lm, "", config))
        first = line_class(lines[0])
        assert first is not None and len(lines) == 5
        assert all(line_class(line) == first for line in lines), lines


def test_follow_takes_its_class_from_the_prompt(lm: LoadedModel) -> None:
    prompt = "走过长长的街\n"  # 街 jie: 乜斜, a class the model rarely ends a line on
    for seed in range(3):
        config = SampleConfig(lines=3, line_chars=6, rhyme="follow", seed=seed)
        assert [line_class(x) for x in text_lines(sample_text(lm, prompt, config))] == ["乜斜"] * 3


def test_ascii_class_names_and_unreachable_classes(lm: LoadedModel) -> None:
    assert SampleConfig(rhyme="jiangyang").rhyme == "江阳"
    with pytest.raises(ConfigError, match="rhyme"):
        SampleConfig(rhyme="xyz")
    with pytest.raises(ConfigError, match="发花"):  # no a/ia/ua final among the tiny model's characters
        next(stream_chars(lm, "", SampleConfig(rhyme="发花", seed=0)))
    english = bigram_model("la la land\nsing a song\n", smoothing=0.1)
    with pytest.raises(ConfigError, match="Chinese"):
        next(stream_chars(english, "", SampleConfig(rhyme="follow", seed=0)))


# -- line shape ------------------------------------------------------------------------------


@pytest.mark.parametrize(("line_chars", "tolerance", "verse"), [(5, 1, 3), (7, 0, 2), (4, 2, None)])
def test_the_line_shape_is_honoured(lm: LoadedModel, line_chars: int, tolerance: int, verse: int | None) -> None:
    for seed in range(3):
        config = SampleConfig(
            temperature=1.5, top_k=0, lines=7, line_chars=line_chars, line_tolerance=tolerance,
            verse_lines=verse, seed=seed, length=500,
        )  # fmt: skip
        text = sample_text(lm, "", config)
        assert text.endswith("\n") and not text.startswith("\n") and not text.endswith("\n\n")
        verses = text[:-1].split("\n\n")
        lines = [line for v in verses for line in v.split("\n")]
        assert len(lines) == 7
        assert all(line_chars - tolerance <= len(line) <= line_chars + tolerance for line in lines), lines
        if verse is None:
            assert len(verses) == 1
        else:
            assert [len(v.split("\n")) for v in verses] == [verse] * (7 // verse) + ([7 % verse] if 7 % verse else [])


def test_the_shape_counts_the_prompts_unfinished_line(lm: LoadedModel) -> None:
    text = sample_text(lm, "我在风", SampleConfig(lines=2, line_chars=6, line_tolerance=0, seed=1))
    first, second = text_lines("我在风" + text)
    assert len(first) == 6 and len(second) == 6


def test_shape_rules_beat_ngram_blocking(lm: LoadedModel) -> None:
    config = SampleConfig(lines=6, line_chars=6, line_tolerance=0, rhyme="江阳", no_repeat_ngram=2, seed=0)
    lines = text_lines(sample_text(lm, "", config))
    assert len(lines) == 6 and all(len(line) == 6 and class_of(line[-1]) == "江阳" for line in lines)


# -- repetition ------------------------------------------------------------------------------


def test_the_penalty_reduces_repeats_on_a_model_built_to_loop(looping: LoadedModel) -> None:
    def share(**controls: float) -> float:
        takes = [sample_text(looping, "", SampleConfig(length=300, seed=s, **controls)) for s in range(3)]
        return sum(repeated_4gram_share(t) for t in takes) / len(takes)

    plain = share()
    assert plain > 0.8  # it does loop
    assert share(repetition_penalty=1.5) < plain
    assert share(repetition_penalty=2.0) < 0.75 * plain


def stutters(text: str, n: int = 4) -> list[str]:
    """N-grams used twice within one line."""
    found = []
    for line in text.split("\n"):
        grams = [line[i : i + n] for i in range(len(line) - n + 1)]
        found += [g for i, g in enumerate(grams) if g in grams[:i]]
    return found


def test_ngram_blocking_leaves_no_repeated_ngram_within_lines(looping: LoadedModel) -> None:
    """An n-gram comes back only inside a line that comes back whole from its start (a chorus line)."""
    text = sample_text(looping, "", SampleConfig(length=300, seed=0, no_repeat_ngram=4))
    assert stutters(text) == []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        again = [line[j : j + 4] for j in range(len(line) - 3) if any(line[j : j + 4] in x for x in lines[:i])]
        if again:  # only a line that follows an earlier one from its first character (not the one just before)
            assert any(x.startswith(line[: line.index(again[-1]) + 4]) for x in lines[: i - 1]), line


CHORUS = "我在风里等你\n天空海阔心情好\n"


@pytest.mark.parametrize("controls", [{"no_repeat_ngram": 4}, RECOMMENDED_CONTROLS])
def test_a_chorus_line_comes_back_through_the_repetition_controls(looping: LoadedModel, controls: dict) -> None:
    """A whole line returning is a chorus, not a repeat to block: the model built to loop brings it back."""
    config = SampleConfig(length=200, lines=4, **controls)
    takes = [sample_text(looping, CHORUS + "月光洒在路上\n", config.replace(seed=s)) for s in range(4)]
    assert any("我在风里等你" in take.split("\n") for take in takes), takes
    assert all(stutters(take, controls["no_repeat_ngram"]) == [] for take in takes)  # blocking is at n


def test_a_stutter_inside_a_line_is_still_blocked() -> None:
    """A unit looping inside a line stays banned, even where the line follows an earlier one that had it."""
    stutter = bigram_model("啦啦啦啦啦啦啦啦啦啦\n" * 5 + "我爱你们大家好\n", smoothing=0.01)
    prompt = "啦啦啦啦啦啦啦\n我爱你们\n"  # a typed line with the stutter, then another
    assert "啦啦啦啦啦" in sample_text(stutter, prompt, SampleConfig(length=60, seed=0))  # left alone, it stutters
    for seed in range(3):
        text = sample_text(stutter, prompt, SampleConfig(length=60, seed=seed, no_repeat_ngram=4))
        assert stutters(text) == [] and "啦啦啦啦啦" not in text and "啦啦啦" in text


def periodic_runs(text: str, repeats: int) -> list[str]:
    """Stretches that go on past what the loop detector allows: one character beyond ``repeats`` units."""
    found = []
    for p in range(1, MAX_PERIOD + 1):
        span = max(repeats * p, MIN_LOOP_SPAN) + 1
        for end in range(span, len(text) + 1):
            window = text[end - span : end]
            if all(window[i] == window[i + p] for i in range(span - p)):
                found.append(window)
    return found


def test_loop_detection_steps_out_of_loops(looping: LoadedModel) -> None:
    plain = sample_text(looping, "", SampleConfig(length=300, seed=0))
    assert periodic_runs(plain, 2)  # left alone it repeats its line again and again
    for seed in range(3):
        text = sample_text(looping, "", SampleConfig(length=300, seed=seed, loop_repeats=2))
        assert periodic_runs(text, 2) == []


# -- scores and reports ----------------------------------------------------------------------


def test_probabilities_are_the_unconstrained_models(lm: LoadedModel) -> None:
    config = SampleConfig(
        lines=4,
        line_chars=6,
        rhyme="一七",
        repetition_penalty=1.5,
        no_repeat_ngram=3,
        loop_repeats=2,
        seed=3,
        song_memory=False,  # the reference below is the static mixture
    )
    chars = list(stream_chars(lm, "我在", config))
    own = torch.softmax(next_char_logits(lm, "我在", "".join(c.char for c in chars)), -1)  # row i chose chars[i]
    for i, c in enumerate(chars):
        assert c.prob == pytest.approx(float(own[i, lm.vocab.id_of(c.char)]), rel=1e-4)
    assert any("rhyme" in c.controls for c in chars)  # the report says where a control acted


def test_controls_off_is_plain_sampling(lm: LoadedModel) -> None:
    config = SampleConfig(length=80, seed=5)
    assert not config.has_controls
    plain = list(stream_chars(lm, "", config))
    assert all(c.controls == () and c.line_class is None for c in plain)
    assert config.replace(line_tolerance=0, repetition_window=8).has_controls is False


# -- quote limit -----------------------------------------------------------------------------

CYCLE = "".join(chr(0x4E00 + 7 * i) for i in range(120))
"""120 distinct characters: a bigram model of this cycle recites it verbatim."""


@pytest.fixture(scope="module")
def reciting() -> LoadedModel:
    """A model built to copy its corpus: every character has one likely successor in it."""
    corpus = CYCLE * 2 + "\n"
    lm = bigram_model(corpus, smoothing=0.01)
    lm.corpus = CorpusIndex(corpus)
    return lm


def longest_quote(lm: LoadedModel, text: str) -> int:
    assert lm.corpus is not None
    return lm.corpus.measure(text).longest


@pytest.mark.parametrize("temperature", [0.0, 0.8, 1.5])
def test_the_quote_limit_is_never_exceeded_by_a_model_built_to_copy(reciting: LoadedModel, temperature: float) -> None:
    plain = SampleConfig(length=300, temperature=temperature, top_k=5, seed=0, alternatives=0)
    if temperature == 0.0:
        assert longest_quote(reciting, sample_text(reciting, CYCLE[:3], plain)) >= 100  # left alone it recites
    for limit, seed in itertools.product((4, 8, 12), range(4)):
        config = plain.replace(quote_limit=limit, seed=seed)
        chars = list(stream_chars(reciting, CYCLE[:3], config))
        text = CYCLE[:3] + "".join(c.char for c in chars)
        assert longest_quote(reciting, text) <= limit, (limit, seed, text)
        assert any("quote" in c.controls for c in chars)  # the report says where it acted


def test_the_song_may_quote_itself(looping: LoadedModel) -> None:
    """A chorus typed in the prompt comes back whole, though the corpus has it too."""
    looping.corpus = CorpusIndex(LOOP + ESCAPES)
    try:
        config = SampleConfig(length=70, temperature=0.0, quote_limit=8, seed=0, alternatives=0)
        chorus = "我在风里等你\n" * 3  # every 9-gram of the loop is already in the song
        chars = list(stream_chars(looping, chorus, config))
        assert "".join(c.char for c in chars) == "我在风里等你\n" * 10  # as without the limit
        assert sample_text(looping, chorus, config.replace(quote_limit=0)) == "我在风里等你\n" * 10
        assert any("quote" in c.controls for c in chars)  # what it bans is the way into the corpus's next line
        once = "".join(c.char for c in stream_chars(looping, "我在风里等你\n", config))
        assert longest_quote(looping, "我在风里等你\n" + once) <= 8  # typed once, it is not a chorus yet
        assert once != "我在风里等你\n" * 10
    finally:
        looping.corpus = None


def test_the_quote_limit_bans_exactly_the_quoting_characters() -> None:
    vocab = CharVocab.build("ab\n")
    corpus = CorpusIndex("aaaaa\naaaab\naaaa\n")
    config = SampleConfig(quote_limit=4)
    logits = np.zeros(vocab.size, dtype=np.float32)
    logits[0] = -math.inf  # <unk>
    everything = LyricControls(vocab, config, "baaaa", corpus=corpus)  # a, b and \n all extend aaaa
    work, used = everything.adjust(logits)
    assert used == ("quote-lifted",) and np.array_equal(work, logits)  # never no character: it gives way
    song = LyricControls(vocab, config, "aaaaa", corpus=corpus)  # the song has aaaaa: a is exempt
    work, used = song.adjust(logits)
    assert used == ("quote",) and [c for c in "ab\n" if math.isfinite(work[vocab.id_of(c)])] == ["a"]
    short = LyricControls(vocab, config, "baaa", corpus=corpus)  # a match of 3: any next char makes at most 4
    assert short.adjust(logits)[1] == ()
    assert LyricControls(vocab, config, "baaaa").adjust(logits)[1] == ()  # no corpus index: no limit


def test_the_quote_limit_keeps_the_models_scores(lm: LoadedModel) -> None:
    assert lm.folder is not None and lm.quote_corpus() is not None  # the corpus copy, as the meter reads it
    config = SampleConfig(length=120, quote_limit=3, temperature=0.5, seed=1, song_memory=False)  # static reference
    chars = list(stream_chars(lm, "我在", config))
    text = "".join(c.char for c in chars)
    own = torch.softmax(next_char_logits(lm, "我在", text), -1)
    for i, c in enumerate(chars):
        assert c.prob == pytest.approx(float(own[i, lm.vocab.id_of(c.char)]), rel=1e-4)
    assert any("quote" in c.controls for c in chars)
    index = lm.quote_corpus()
    assert index is not None and index.measure("我在" + text).longest <= 3


def test_the_window_penalty_also_discourages_shorter_quotes(
    reciting: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = SampleConfig(length=200, temperature=0.8, quote_limit=12, seed=0, alternatives=0)
    assert reciting.corpus is not None
    monkeypatch.setattr(soft_controls, "WINDOW_PENALTY", 1.0)
    hard = reciting.corpus.measure(sample_text(reciting, CYCLE[:3], config))
    monkeypatch.setattr(soft_controls, "WINDOW_PENALTY", 1e6)
    soft = reciting.corpus.measure(CYCLE[:3] + sample_text(reciting, CYCLE[:3], config))
    assert hard.window_share is not None and hard.window_share > 0.3  # 12-character quotes, one after another
    assert soft.window_share == 0.0 and soft.longest <= 7


def test_the_window_penalty_is_on_by_default_for_cjk_text_only(reciting: LoadedModel) -> None:
    config = SampleConfig(length=200, temperature=0.8, quote_limit=8, seed=0, alternatives=0)
    assert soft_controls.WINDOW_PENALTY > 1 and reciting.corpus is not None
    soft = LyricControls(reciting.vocab, config, CYCLE[:7], corpus=reciting.corpus)
    assert soft.windows is not None  # a CJK vocabulary: the 8-window penalty stands beside the limit
    letters = CharVocab.build("the cat sat on the mat\n")
    index = CorpusIndex("the cat sat on the mat\n" * 3)
    assert LyricControls(letters, config, "the cat", corpus=index).windows is None  # alphabetic: the limit alone
    off = config.replace(quote_limit=0)
    assert LyricControls(reciting.vocab, off, CYCLE[:7], corpus=reciting.corpus).windows is None  # no limit, no penalty


def test_a_blank_line_is_never_followed_by_another() -> None:
    """Song memory can teach a take that newlines follow newlines; the verse rule keeps one blank line at most."""
    blanks = bigram_model("我在\n\n\n\n\n\n你在等\n\n\n\n风里的春天\n", smoothing=0.01)  # newline, then mostly newline
    config = SampleConfig(length=120, seed=3, no_repeat_ngram=0, loop_repeats=0, song_memory=False)
    free = sample_text(blanks, "我在", config)
    assert "\n\n\n" in free  # the model alone writes runs of blank lines
    kept = list(stream_chars(blanks, "我在", config.replace(verse_lines=None, repetition_penalty=1.001)))
    text = "".join(c.char for c in kept)
    assert "\n\n\n" not in text
    assert any("verse" in c.controls for c in kept)
