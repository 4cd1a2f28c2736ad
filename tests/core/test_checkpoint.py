"""Checkpoints: safetensors round trips, shape checks, refusing corrupt and pickled files."""

from __future__ import annotations

import json
import pathlib
import pickle
import random
from pathlib import Path

import pytest
import torch

from tui_lyrics.config import ModelConfig
from tui_lyrics.core.checkpoint import (
    load_tensors,
    load_weights,
    optimizer_from_tensors,
    optimizer_to_tensors,
    save_tensors,
)
from tui_lyrics.core.model import CharRNN
from tui_lyrics.errors import StoreError

V = 9


def small_model(seed: int, **changes: object) -> CharRNN:
    torch.manual_seed(seed)
    config = ModelConfig(cell="lstm", layers=2, hidden=16, embed_dim=8, dropout=0.1).replace(**changes)
    return CharRNN(config, V)


def test_weights_round_trip(tmp_path: Path) -> None:
    model = small_model(0)
    path = tmp_path / "last.safetensors"
    save_tensors(path, model.state_dict())
    other = small_model(1)
    assert not torch.equal(other.head.weight, model.head.weight)
    load_weights(other, path)
    for key, value in model.state_dict().items():
        assert torch.equal(other.state_dict()[key], value), key
    assert [p.name for p in tmp_path.iterdir()] == ["last.safetensors"]


def test_tensors_round_trip_keeps_dtype_and_values(tmp_path: Path) -> None:
    tensors = {"a": torch.arange(6, dtype=torch.int64).view(2, 3), "b": torch.randn(4).t(), "c": torch.tensor(3.0)}
    save_tensors(tmp_path / "t.safetensors", tensors)
    back = load_tensors(tmp_path / "t.safetensors")
    assert set(back) == set(tensors)
    for key, value in tensors.items():
        assert back[key].dtype == value.dtype and torch.equal(back[key], value)


def test_a_wrong_shape_names_the_tensor_and_both_shapes(tmp_path: Path) -> None:
    model = small_model(0)
    tensors = dict(model.state_dict())
    tensors["head.bias"] = torch.zeros(V + 3)
    path = tmp_path / "last.safetensors"
    save_tensors(path, tensors)
    before = model.head.bias.detach().clone()
    with pytest.raises(StoreError) as caught:
        load_weights(model, path)
    message = str(caught.value)
    assert "head.bias" in message and f"({V + 3},)" in message and f"({V},)" in message
    assert torch.equal(model.head.bias, before)  # nothing half-loaded


def test_a_model_of_another_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "last.safetensors"
    save_tensors(path, small_model(0, hidden=32).state_dict())
    with pytest.raises(StoreError, match=r": [\w.]+ has shape \([\d, ]+\) but the card describes \([\d, ]+\)"):
        load_weights(small_model(0), path)


def test_missing_or_extra_tensors_are_named(tmp_path: Path) -> None:
    tensors = dict(small_model(0).state_dict())
    del tensors["head.weight"]
    tensors["stray"] = torch.zeros(1)
    path = tmp_path / "last.safetensors"
    save_tensors(path, tensors)
    with pytest.raises(StoreError, match=r"missing \['head.weight'\], unexpected \['stray'\]"):
        load_weights(small_model(0), path)


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes_are_not_a_valid_safetensors_file(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "last.safetensors"
    rng = random.Random(seed)
    data = rng.randbytes(rng.choice([0, 5, 64, 4096]))
    if seed == 3:  # a plausible header length followed by garbage
        data = (40).to_bytes(8, "little") + b"{" * 40 + data
    path.write_bytes(data)
    with pytest.raises(StoreError, match="is not a valid safetensors file") as caught:
        load_weights(small_model(0), path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is missing"):
        load_tensors(tmp_path / "nothing.safetensors")


class _Trap:
    """Unpickling this creates a marker file: proof that something unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (pathlib.Path.touch, (self.marker,))


def test_a_pickle_renamed_to_safetensors_is_refused_and_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    payload = pickle.dumps({"head.weight": _Trap(marker)})
    pickle.loads(payload)  # the trap works...
    assert marker.exists()
    marker.unlink()

    path = tmp_path / "last.safetensors"
    path.write_bytes(payload)
    with pytest.raises(StoreError, match="not a valid safetensors file"):
        load_weights(small_model(0), path)
    torch_file = tmp_path / "best.safetensors"
    torch.save({"head.weight": _Trap(marker)}, torch_file)  # torch's zip+pickle format
    with pytest.raises(StoreError, match="not a valid safetensors file"):
        load_tensors(torch_file)
    assert not marker.exists()  # ...and loading never sprang it


def test_optimizer_state_round_trip(tmp_path: Path) -> None:
    model = small_model(0)
    twin = small_model(0)
    twin.load_state_dict(model.state_dict())

    def adamw(m: CharRNN) -> torch.optim.AdamW:
        decay = [p for p in m.parameters() if p.dim() >= 2]
        rest = [p for p in m.parameters() if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=1e-2, betas=(0.9, 0.99))

    def step(m: CharRNN, opt: torch.optim.Optimizer, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        ids = torch.randint(V, (2, 7), generator=g)
        m.eval()  # no dropout: both copies see the same function
        logits, _ = m(ids[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()

    opt = adamw(model)
    for seed in range(3):
        step(model, opt, seed)
    tensors, meta = optimizer_to_tensors(opt)
    assert tensors and all(k.startswith("opt.") for k in tensors)
    save_tensors(tmp_path / "state.safetensors", tensors)
    meta = json.loads(json.dumps(meta))  # it lives in the card as JSON

    twin.load_state_dict(model.state_dict())
    restored = adamw(twin)
    optimizer_from_tensors(restored, load_tensors(tmp_path / "state.safetensors"), meta)
    a, b = opt.state_dict(), restored.state_dict()
    assert a["state"].keys() == b["state"].keys()
    for index, slots in a["state"].items():
        for key, value in slots.items():
            assert torch.equal(torch.as_tensor(b["state"][index][key]), torch.as_tensor(value)), (index, key)
    assert [g["params"] for g in a["param_groups"]] == [g["params"] for g in b["param_groups"]]

    # The restored optimiser continues exactly like the original.
    step(model, opt, 10)
    step(twin, restored, 10)
    for key, value in model.state_dict().items():
        assert torch.equal(twin.state_dict()[key], value), key
