"""CharRNN: shapes for every cell and input, carried state, parameter count, dropout wiring."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from tui_lyrics.config import ModelConfig
from tui_lyrics.core.model import CharRNN, detach, state_from_tensors, state_tensors

V, B, T = 11, 3, 5


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("input_", ["embed", "onehot"])
def test_forward_shapes_and_carried_state(cell: str, input_: str) -> None:
    torch.manual_seed(0)
    config = ModelConfig(cell=cell, input=input_, layers=2, hidden=16, embed_dim=8, dropout=0.0)
    model = CharRNN(config, V).eval()
    ids = torch.randint(V, (B, T))
    logits, state = model(ids)
    assert logits.shape == (B, T, V)
    tensors = state_tensors(state)
    assert len(tensors) == (2 if cell == "lstm" else 1)
    assert all(t.shape == (2, B, 16) for t in tensors)

    # Feeding the state back continues the sequence: two halves equal one whole pass.
    more = torch.randint(V, (B, T))
    whole, _ = model(torch.cat([ids, more], 1))
    second, _ = model(more, state)
    assert torch.allclose(second, whole[:, T:], atol=1e-5)
    fresh, _ = model(more)
    assert not torch.allclose(second, fresh, atol=1e-4)

    # A zero init_state is the same as no state.
    zero = model.init_state(B)
    assert [t.shape for t in state_tensors(zero)] == [t.shape for t in tensors]
    assert torch.equal(model(more, zero)[0], fresh)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_detach_and_state_tensors_round_trip(cell: str) -> None:
    model = CharRNN(ModelConfig(cell=cell, layers=1, hidden=8, embed_dim=4, dropout=0.0), V)
    _, state = model(torch.zeros(1, 2, dtype=torch.long))
    cut = detach(state)
    assert all(not t.requires_grad for t in state_tensors(cut))
    again = state_from_tensors(state_tensors(cut), cell)
    assert all(torch.equal(a, b) for a, b in zip(state_tensors(again), state_tensors(state), strict=True))


def test_param_count_is_the_sum_of_parameter_sizes() -> None:
    config = ModelConfig(cell="gru", input="embed", layers=1, hidden=16, embed_dim=8, dropout=0.0)
    model = CharRNN(config, V)
    assert model.params == sum(p.numel() for p in model.parameters())
    H, E = 16, 8
    by_hand = V * E + 3 * H * (E + H) + 2 * 3 * H + H * V + V  # embed, GRU weights + 2 biases, head
    assert model.params == by_hand
    onehot = CharRNN(config.replace(cell="lstm", input="onehot", layers=2), V)
    assert onehot.params == 4 * H * (V + H) + 8 * H + 4 * H * (H + H) + 8 * H + H * V + V


def test_dropout_between_layers_is_dropout_not_bias() -> None:
    model = CharRNN(ModelConfig(layers=3, hidden=16, embed_dim=8, dropout=0.3), V)
    assert model.rnn.dropout == pytest.approx(0.3)
    assert model.rnn.bias is True
    assert model.drop.p == pytest.approx(0.3)
    # One layer has nothing between layers (torch would warn), but still drops in and out.
    single = CharRNN(ModelConfig(layers=1, hidden=16, embed_dim=8, dropout=0.3), V)
    assert single.rnn.dropout == 0.0 and single.drop.p == pytest.approx(0.3)


def test_dropout_is_active_in_training_and_off_in_eval() -> None:
    torch.manual_seed(0)
    model = CharRNN(ModelConfig(layers=2, hidden=16, embed_dim=8, dropout=0.5), V)
    ids = torch.randint(V, (2, 6))
    model.train()
    a, _ = model(ids)
    b, _ = model(ids)
    assert not torch.equal(a, b)
    model.eval()
    assert torch.equal(model(ids)[0], model(ids)[0])


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("layers", [1, 3])
def test_onehot_lookup_is_the_one_hot_product_with_the_same_gradients(cell: str, layers: int) -> None:
    """The column lookup must give what nn.RNN/GRU/LSTM gives on a real one-hot matrix."""
    torch.manual_seed(0)
    model = CharRNN(ModelConfig(cell=cell, input="onehot", layers=layers, hidden=12, dropout=0.0), V)
    reference = copy.deepcopy(model)
    ids = torch.randint(0, V, (3, 7))
    state = model.init_state(3)
    state = tuple(s + 0.3 for s in state) if isinstance(state, tuple) else state + 0.3

    logits, after = model(ids, state)
    onehot = F.one_hot(ids, V).float()
    out, expected_after = reference.rnn(onehot, state)
    expected = reference.head(out)
    assert torch.allclose(logits, expected, atol=1e-5)
    for got, want in zip(state_tensors(after), state_tensors(expected_after), strict=True):
        assert torch.allclose(got, want, atol=1e-5)

    target = torch.randint(0, V, (3, 7))
    F.cross_entropy(logits.flatten(0, 1), target.flatten()).backward()
    F.cross_entropy(expected.flatten(0, 1), target.flatten()).backward()
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert torch.allclose(p.grad, q.grad, atol=1e-5), name


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("input_", ["embed", "onehot"])
def test_a_single_step_is_forward_on_one_character(cell: str, input_: str) -> None:
    torch.manual_seed(1)
    model = CharRNN(ModelConfig(cell=cell, input=input_, layers=2, hidden=12, embed_dim=6, dropout=0.3), V).eval()
    state = model.init_state(3)
    ids = torch.tensor([1, 4, 7])
    for _ in range(3):  # carry the state, so each step starts from a non-zero one
        logits, after = model(ids[:, None], state)
        step_logits, step_after = model.step(ids, state)
        assert torch.allclose(step_logits, logits[:, 0], atol=1e-5)
        for got, want in zip(state_tensors(step_after), state_tensors(after), strict=True):
            assert torch.allclose(got, want, atol=1e-5)
        state, ids = after, (ids * 3 + 1) % V
