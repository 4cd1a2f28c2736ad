"""The numpy single step (core.fast_step) is CharRNN.step: the same logits and state, every cell and input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tui_lyrics.config import ModelConfig
from tui_lyrics.core.fast_step import NumpyStep, numpy_step
from tui_lyrics.core.model import CharRNN, state_tensors

V = 23


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("input_", ["embed", "onehot"])
@pytest.mark.parametrize("layers", [1, 2])
def test_numpy_step_equals_charrnn_step(cell: str, input_: str, layers: int) -> None:
    torch.manual_seed(0)
    config = ModelConfig(cell=cell, input=input_, layers=layers, hidden=16, embed_dim=8, dropout=0.0)
    model = CharRNN(config, V).eval()
    with torch.no_grad():  # biases away from zero, so a bias folded into the wrong place shows
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    stepper = NumpyStep(model)
    with torch.no_grad():
        _, state = model(torch.tensor([[1, 5, 7]]))  # a primed state, as sampling starts from
        ours = stepper.state_of(state)
        for index in [3, 0, 22, 3, 9]:
            logits, state = model.step(torch.tensor([index]), state)
            mine, ours = stepper.step(index, ours)
            assert mine.dtype == np.float32 and mine.shape == (V,)
            np.testing.assert_allclose(mine, logits[0].numpy(), atol=1e-4, rtol=1e-4)
            for theirs, kept in zip(state_tensors(state), [ours[0], ours[1]], strict=False):
                assert kept is not None
                np.testing.assert_allclose(kept, theirs[:, 0].numpy(), atol=1e-5)
        back = state_tensors(stepper.torch_state(ours))
        assert all(t.shape == (layers, 1, 16) for t in back)


def test_export_is_cached_until_the_weights_change() -> None:
    model = CharRNN(ModelConfig(cell="gru", layers=1, hidden=8, embed_dim=4, dropout=0.0), V).eval()
    first = numpy_step(model)
    assert numpy_step(model) is first
    with torch.no_grad():
        model.head.bias.add_(1.0)  # an optimizer step changes weights in place, as this does
    again = numpy_step(model)
    assert again is not first
    np.testing.assert_allclose(again.head_b, model.head.bias.detach().numpy())


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_a_take_is_the_same_whichever_steps_it(cell: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy steps and torch's (other devices) write the same seeded take, controls and lookahead included."""
    from tui_lyrics.core import sample
    from tui_lyrics.sample_config import SampleConfig
    from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS
    from tui_lyrics.vocab import CharVocab

    vocab = CharVocab.build("我在风里等你\n天空海阔心情好\n月光洒在路上\n")
    torch.manual_seed(1)
    model = CharRNN(ModelConfig(cell=cell, layers=2, hidden=16, embed_dim=8, dropout=0.0), vocab.size).eval()
    with torch.no_grad():
        model.head.weight.mul_(8.0)  # a peaked distribution, as a trained model's
    lm = sample.LoadedModel(name="x", model=model, vocab=vocab, card=None, weights="best")
    config = SampleConfig(length=120, seed=5, line_chars=5, line_tolerance=1, **RECOMMENDED_CONTROLS)
    fast = list(sample.stream_chars(lm, "我在", config))
    monkeypatch.setattr(sample, "NUMPY_STEPS", False)
    plain = list(sample.stream_chars(lm, "我在", config))
    assert [c.char for c in fast] == [c.char for c in plain]
    assert any("lookahead" in c.controls for c in fast)  # the peek ran from the numpy state
    np.testing.assert_allclose([c.prob for c in fast], [c.prob for c in plain], atol=1e-5)
