"""Weights and training state in safetensors: loadable anywhere, never unpickled.

The optimiser's tensors, the RNG states and the carried hidden state go into
``state.safetensors``; their small non-tensor parts (step counts, hyper-parameters) go into
the card as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save
from torch import nn

from tui_lyrics.durable import atomic_write_bytes
from tui_lyrics.errors import StoreError


def save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    cpu = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    atomic_write_bytes(path, st_save(cpu))


def load_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file (always onto the CPU), with one clear error if it is not one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise StoreError(f"{path} is missing") from error
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        return st_load(data)
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise StoreError(f"{path} is not a valid safetensors file ({error})") from error


def load_weights(model: nn.Module, path: Path) -> None:
    """Load weights after checking every name and shape against the model the card describes."""
    tensors = load_tensors(path)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise StoreError(f"{path} does not match its card: missing {missing or 'none'}, unexpected {extra or 'none'}")
    for key, value in tensors.items():
        if tuple(value.shape) != tuple(expected[key].shape):
            raise StoreError(
                f"{path}: {key} has shape {tuple(value.shape)} but the card describes {tuple(expected[key].shape)}"
            )
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in tensors.items()})


def optimizer_to_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split an optimiser's state into tensors and JSON-able values."""
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, Any] = {}
    for index, slots in state["state"].items():
        for key, value in slots.items():
            if isinstance(value, torch.Tensor):
                tensors[f"opt.{index}.{key}"] = value
            else:
                scalars[f"{index}.{key}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def optimizer_from_tensors(
    optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], meta: dict[str, Any]
) -> None:
    slots: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name.startswith("opt."):
            _, index, key = name.split(".", 2)
            slots.setdefault(int(index), {})[key] = value
    for name, value in meta.get("scalars", {}).items():
        index, key = name.split(".", 1)
        slots.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": slots, "param_groups": meta["param_groups"]})
