"""The size limit's arithmetic against the real network, and sampling at the lowest temperature."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
import torch

from tui_lyrics.config import ModelConfig, count_params
from tui_lyrics.core.draw import _draw
from tui_lyrics.core.model import CharRNN
from tui_lyrics.core.sample import load_model, sample_text
from tui_lyrics.sample_config import MIN_TEMPERATURE, SampleConfig
from tui_lyrics.store import ModelStore


@pytest.mark.parametrize(
    ("cell", "input", "layers"), list(itertools.product(("rnn", "gru", "lstm"), ("embed", "onehot"), (1, 3)))
)
def test_count_params_is_the_networks_own_count(cell: str, input: str, layers: int) -> None:
    config = ModelConfig(cell=cell, input=input, layers=layers, hidden=24, embed_dim=12)
    assert count_params(config, 37) == CharRNN(config, 37).params


def test_lowest_temperature_samples_without_nan(tiny_model: str, home: Path) -> None:
    lm = load_model(ModelStore(home), tiny_model)
    config = SampleConfig(temperature=MIN_TEMPERATURE, top_k=0, seed=3, length=40, alternatives=0)
    greedy = sample_text(lm, "我", SampleConfig(temperature=0, seed=3, length=40, alternatives=0))
    assert sample_text(lm, "我", config) == greedy  # at 0.01 sampling is all but greedy


def test_logits_scaled_by_the_floor_stay_finite() -> None:
    logits = torch.tensor([80.0, -80.0, 0.0, -torch.inf])  # as far apart as a trained head gets
    scaled = logits / MIN_TEMPERATURE
    assert math.isfinite(float(scaled[:3].max())) and math.isfinite(float(torch.softmax(scaled, -1)[0]))
    with pytest.raises(RuntimeError):  # what 1e-39 did: inf logits, NaN probabilities
        _draw((logits / 1e-39).numpy(), SampleConfig(top_k=0), torch.Generator().manual_seed(0))


def test_create_model_refuses_a_huge_network_before_making_its_folder(home: Path, corpus_file: Path) -> None:
    from tui_lyrics.config import ConfigError, TrainConfig
    from tui_lyrics.core.create import create_model
    from tui_lyrics.corpus import load_corpus

    store, corpus = ModelStore(home), load_corpus(corpus_file)
    huge = ModelConfig(hidden=8192, layers=8)
    with pytest.raises(ConfigError, match=r"^the model \(8 layers of 8192 gru units, 41 characters\) has 3,0"):
        create_model(store, corpus, name="huge", model=huge, train=TrainConfig(steps=1))
    assert not (home / "models" / "huge").exists()
    small = ModelConfig(layers=1, hidden=16, embed_dim=8)
    create_model(store, corpus, name="small", model=small, train=TrainConfig(steps=1), max_params=10_000)
    assert store.card("small").params == count_params(small, 41) < 10_000
