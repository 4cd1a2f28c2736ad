"""Unit tests for tui_lyrics.config: defaults, validation messages, JSON round trip, presets."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tui_lyrics.config import DEFAULT_MAX_PARAMS, ModelConfig, TrainConfig, check_size, count_params
from tui_lyrics.errors import ConfigError, LyricsError
from tui_lyrics.presets import auto_preset, preset
from tui_lyrics.sample_config import MIN_TEMPERATURE, SampleConfig


def test_defaults_are_valid_and_round_trip() -> None:
    for cls in (ModelConfig, TrainConfig, SampleConfig):
        config = cls()
        assert cls.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("cls", "changes", "message"),
    [
        (ModelConfig, {"cell": "transformer"}, "cell must be one of rnn, lstm, gru, not 'transformer'"),
        (ModelConfig, {"input": "bytes"}, "input must be one of embed, onehot"),
        (ModelConfig, {"layers": 0}, "layers must be 1–8, not 0"),
        (ModelConfig, {"hidden": 4}, "hidden must be 8–8192, not 4"),
        (ModelConfig, {"embed_dim": 2}, "embed-dim must be 4–8192"),
        (ModelConfig, {"dropout": 1.0}, r"dropout must be in \[0, 1\), not 1.0"),
        (TrainConfig, {"batch": 0}, "batch must be 1–4096"),
        (TrainConfig, {"seq": 1}, "seq must be 2–4096"),
        (TrainConfig, {"lr": 0}, r"lr must be in \(0, 1\)"),
        (TrainConfig, {"clip": 0}, "clip must be positive"),
        (TrainConfig, {"steps": 10, "minutes": 1}, "give only one budget"),
        (TrainConfig, {"steps": 10, "epochs": 1}, "give only one budget"),
        (TrainConfig, {"steps": 0}, "the budget must be positive"),
        (TrainConfig, {"minutes": float("inf")}, "the budget must be positive"),
        (TrainConfig, {"eval_every": 0}, "eval-every must be at least 1"),
        (TrainConfig, {"batching": "shuffle"}, "batching must be one of stream, random"),
        (TrainConfig, {"held_out": 0.5}, "held-out must be in"),
        (TrainConfig, {"min_count": 0}, "min-count must be at least 1"),
        (TrainConfig, {"max_vocab": 1}, "max-vocab must be at least 2"),
        (TrainConfig, {"device": "tpu"}, "device must be one of auto, cpu, cuda, mps"),
        (TrainConfig, {"threads": 0}, "threads must be 1–256, not 0"),
        (TrainConfig, {"threads": 10_000_000}, "threads must be 1–256, not 10000000"),
        (SampleConfig, {"temperature": -0.1}, r"temperature must be 0 \(greedy\) or 0.01–10, not -0.1"),
        (SampleConfig, {"temperature": 1e-39}, r"temperature must be 0 \(greedy\) or 0.01–10, not 1e-39"),
        (SampleConfig, {"temperature": 0.009}, r"temperature must be 0 \(greedy\) or 0.01–10, not 0.009"),
        (SampleConfig, {"temperature": float("nan")}, r"temperature must be 0 \(greedy\) or 0.01–10, not nan"),
        (SampleConfig, {"seed": -1}, "seed must be 0–9223372036854775807, not -1"),
        (SampleConfig, {"seed": 2**64}, "seed must be 0–9223372036854775807, not 18446744073709551616"),
        (TrainConfig, {"seed": -1}, "seed must be 0–9223372036854775807, not -1"),
        (ModelConfig, {"dropout": float("nan")}, r"dropout must be in \[0, 1\), not nan"),
        (TrainConfig, {"lr": float("nan")}, r"lr must be in \(0, 1\), not nan"),
        (ModelConfig, {"layers": 2.5}, "bad ModelConfig setting: layers must be a whole number, not 2.5"),
        (ModelConfig, {"hidden": True}, "bad ModelConfig setting: hidden must be a whole number, not True"),
        (TrainConfig, {"steps": 1.5}, "bad TrainConfig setting: steps must be a whole number or null, not 1.5"),
        (TrainConfig, {"amp": 1}, "bad TrainConfig setting: amp must be true or false, not 1"),
        (SampleConfig, {"rhyme": 3}, "bad SampleConfig setting: rhyme must be text, not 3"),
        (SampleConfig, {"top_k": -1}, "top-k must be 0 or more"),
        (SampleConfig, {"top_p": 0}, r"top-p must be in \(0, 1\]"),
        (SampleConfig, {"length": 0}, "length must be 1–1000000"),
        (SampleConfig, {"lines": 0}, "lines must be at least 1"),
        (SampleConfig, {"alternatives": -1}, "alternatives must not be negative"),
    ],
)
def test_each_bad_setting_is_a_clear_config_error(cls: type, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        cls(**changes)
    assert isinstance(caught.value, LyricsError)
    assert "\n" not in str(caught.value)


def test_temperature_floor_and_greedy_are_accepted() -> None:
    assert SampleConfig(temperature=MIN_TEMPERATURE).temperature == 0.01
    assert SampleConfig(temperature=0).temperature == 0
    assert TrainConfig(weight_decay=0).weight_decay == 0  # an int where a float goes is fine
    assert SampleConfig(repetition_penalty=2).repetition_penalty == 2


def test_parameters_are_counted_by_arithmetic() -> None:
    # GRU, embed 128, 2 layers of 256, 100 characters: embedding, first layer, the layer above, head.
    expected = 100 * 128 + 3 * 256 * (128 + 256 + 2) + 3 * 256 * (2 * 256 + 2) + 257 * 100
    assert count_params(ModelConfig(layers=2, hidden=256, embed_dim=128), 100) == expected == 729_700
    onehot = ModelConfig(cell="lstm", input="onehot", layers=1, hidden=32)
    assert count_params(onehot, 50) == 4 * 32 * (50 + 32 + 2) + 33 * 50


def test_a_huge_network_is_refused_from_its_settings_with_the_figure_and_the_flag() -> None:
    huge = ModelConfig(hidden=8192, layers=8)
    with pytest.raises(ConfigError) as caught:
        check_size(huge, 3000)
    assert str(caught.value) == (
        "the model (8 layers of 8192 gru units, 3,000 characters) has 3,048,400,824 parameters, over the limit "
        "of 100,000,000 (raise it with --max-params 4000000000)"
    )
    assert check_size(huge, 3000, max_params=4_000_000_000) == 3_048_400_824
    assert 5 * count_params(preset("large").model, 6000) <= DEFAULT_MAX_PARAMS  # the presets fit easily


def test_replace_validates_too() -> None:
    with pytest.raises(ConfigError, match="cell must be"):
        ModelConfig().replace(cell="cnn")
    assert TrainConfig().replace(steps=5).steps == 5


def test_one_budget_is_accepted_and_reported() -> None:
    assert not TrainConfig().has_budget
    assert TrainConfig(steps=1).has_budget
    assert TrainConfig(epochs=0.5).has_budget
    assert TrainConfig(minutes=2).has_budget


@pytest.mark.parametrize("cls", [ModelConfig, TrainConfig, SampleConfig])
def test_from_dict_rejects_unknown_keys(cls: type) -> None:
    data = cls().to_dict() | {"colour": "red", "bias": 0.2}
    with pytest.raises(ConfigError, match=f"unknown {cls.__name__} setting\\(s\\): bias, colour"):
        cls.from_dict(data)


def test_from_dict_accepts_a_partial_dict_and_validates_values() -> None:
    assert ModelConfig.from_dict({"cell": "lstm"}) == ModelConfig(cell="lstm")
    with pytest.raises(ConfigError, match="layers must be"):
        ModelConfig.from_dict({"layers": 9})


@pytest.mark.parametrize("data", [{"layers": "2"}, {"dropout": None}])
def test_from_dict_turns_a_wrongly_typed_value_into_a_config_error(data: dict[str, Any]) -> None:
    # A hand-edited card must fail with one clear line, not a TypeError traceback.
    with pytest.raises(ConfigError, match="bad ModelConfig setting"):
        ModelConfig.from_dict(data)


def test_presets_grow_with_the_corpus() -> None:
    small, medium, large = (auto_preset(n) for n in (50_000, 1_000_000, 10_000_000))
    assert (small.name, medium.name, large.name) == ("small", "medium", "large")
    assert auto_preset(299_999).name == "small" and auto_preset(300_000).name == "medium"
    assert auto_preset(3_000_000).name == "large"
    assert small.model.hidden < medium.model.hidden < large.model.hidden
    assert small.model.layers <= medium.model.layers <= large.model.layers
    assert small.train.steps < medium.train.steps < large.train.steps
    # Smaller corpora are regularised harder.
    assert small.model.dropout > medium.model.dropout > large.model.dropout
    for p in (small, medium, large):
        assert p.train.has_budget
        assert preset(p.name) == p
    # Monotone over the whole range, however many sizes there are.
    chosen = [auto_preset(n) for n in (1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000)]
    for smaller, bigger in itertools.pairwise(chosen):
        assert smaller.model.hidden <= bigger.model.hidden
        assert smaller.model.hidden * smaller.model.layers <= bigger.model.hidden * bigger.model.layers
        assert smaller.train.steps <= bigger.train.steps


def test_unknown_preset_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown preset 'huge'"):
        preset("huge")


def test_the_default_quote_limit_follows_the_script() -> None:
    from tui_lyrics.sample_defaults import QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC, default_quote_limit

    assert default_quote_limit("我在风里等你abc\n ") == QUOTE_LIMIT  # mostly Han, a few Latin letters
    assert default_quote_limit("ROMEO: what light\n") == QUOTE_LIMIT_ALPHABETIC
    assert default_quote_limit("사랑해요") == default_quote_limit("さくら") == QUOTE_LIMIT
    assert default_quote_limit("") == default_quote_limit("123 !?") == QUOTE_LIMIT_ALPHABETIC
