"""The plumbing around a training run: device choice, torch set-up, saving and restoring.

A save turns the model, the optimiser, the RNG and the carried hidden state into one
checkpoint set (see ``folder.ModelFolder.commit``): every safetensors file is stamped with
its step, and the set becomes visible all at once. Restoring reverses it, so that a resumed
run continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from safetensors.torch import save as st_save
from torch import nn

from tui_lyrics.card import ModelCard, TrainState
from tui_lyrics.config import TrainConfig, default_threads
from tui_lyrics.core.checkpoint import load_tensors, optimizer_from_tensors, optimizer_to_tensors
from tui_lyrics.core.model import CharRNN, State, state_from_tensors, state_tensors
from tui_lyrics.errors import LyricsError, StoreError
from tui_lyrics.folder import BEST, LAST, STATE, Checkpoint, ModelFolder, tensor_metadata

__all__ = ["TrainState", "restore_checkpoint", "save_checkpoint"]


def available_devices() -> list[str]:
    """The devices this machine can train on, best first."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        found.append("mps")
    return [*found, "cpu"]


def pick_device(wanted: str) -> torch.device:
    if wanted == "auto":
        return torch.device(available_devices()[0])
    if wanted not in available_devices():
        raise LyricsError(f"device {wanted!r} is not available here; available: {', '.join(available_devices())}")
    return torch.device(wanted)


def setup_torch(cfg: TrainConfig) -> None:
    torch.set_num_threads(cfg.threads or default_threads())


def load_corpus_copy(folder: Path) -> str:
    return ModelFolder(folder).read_corpus()


def tensor_bytes(tensors: dict[str, torch.Tensor], *, step: int, kind: str) -> bytes:
    """Safetensors bytes (on the CPU) stamped with the step they belong to."""
    cpu = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    return st_save(cpu, metadata={"step": str(step), "kind": kind})


def restore_checkpoint(
    found: Checkpoint, *, model: CharRNN, optimizer: torch.optim.Optimizer, batch: int, device: torch.device
) -> State | None:
    """Put back the weights, optimiser, RNG and carried state of a checkpoint that has taken steps.

    Returns the carried hidden state, or None when there is none to carry (nothing saved, or
    "train more" changed --batch: the streams start afresh).
    """
    from tui_lyrics.core.checkpoint import load_weights

    state = found.card.state
    if state.step == 0:
        return None
    if found.last is None or found.state is None:
        raise StoreError(f"{found.card.name} is at step {state.step:,} but its checkpoint files are missing")
    load_weights(model, found.last)
    tensors = load_tensors(found.state)
    if state.optimizer:
        optimizer_from_tensors(optimizer, tensors, state.optimizer)  # moved to the params by torch
    if "rng.cpu" in tensors:
        torch.set_rng_state(tensors["rng.cpu"])
    if "rng.cuda" in tensors and device.type == "cuda":
        torch.cuda.set_rng_state(tensors["rng.cuda"])
    hidden = [tensors[k].to(device) for k in sorted(tensors) if k.startswith("hidden.")]
    if not hidden or hidden[0].shape[1] != batch:
        return None
    return state_from_tensors(hidden, model.config.cell)


def save_checkpoint(
    folder: ModelFolder,
    card: ModelCard,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    hidden: State | None,
    device: torch.device,
    best: Path | None,
) -> tuple[ModelCard, Path]:
    """Commit one checkpoint set of ``card``'s step; returns the card as saved and the set's folder.

    ``best`` is the best weights file of the previous set, shared into the new one when the
    best step is an earlier one; when the card's best step is this step, the current weights
    are the best ones.
    """
    from tui_lyrics.core.create import now_iso

    step = card.state.step
    tensors, meta = optimizer_to_tensors(optimizer)
    tensors["rng.cpu"] = torch.get_rng_state()
    if device.type == "cuda":
        tensors["rng.cuda"] = torch.cuda.get_rng_state()
    if hidden is not None:
        for i, h in enumerate(state_tensors(hidden)):
            tensors[f"hidden.{i}"] = h
    state = dataclasses.replace(card.state, optimizer=meta, saved_step=step, device=str(device))
    weights = model.state_dict()
    files: dict[str, bytes | Path] = {
        LAST: tensor_bytes(weights, step=step, kind="last"),
        STATE: tensor_bytes(tensors, step=step, kind="state"),
    }
    if state.best_step == step:
        files[BEST] = tensor_bytes(weights, step=step, kind="best")
    elif state.best_step is not None and best is not None:
        files[BEST] = _best_file(best, state.best_step)
    elif state.best_step is not None:  # an old folder that lost its best weights: the card must not claim them
        state = dataclasses.replace(state, best_step=None, best_loss=None)
    saved = card.replace(state=state, updated=now_iso())
    return saved, folder.commit(saved, files)


def _best_file(best: Path, step: int) -> bytes | Path:
    """The previous best weights: shared as they are, or re-stamped if they come from an old-layout folder."""
    try:
        if tensor_metadata(best).get("step") == str(step):
            return best
    except StoreError:
        pass
    return tensor_bytes(load_tensors(best), step=step, kind="best")
