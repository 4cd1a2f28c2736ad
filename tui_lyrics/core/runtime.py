"""The plumbing around a training run: device choice, torch set-up, saving and restoring.

Saving writes the weights (``last.safetensors``), the optimiser/RNG/hidden-state tensors
(``state.safetensors``) and then the card, each atomically; restoring reverses it so that a
resumed run continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import dataclasses
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from tui_lyrics.config import TrainConfig, default_threads
from tui_lyrics.core.checkpoint import load_tensors, optimizer_from_tensors, optimizer_to_tensors, save_tensors
from tui_lyrics.core.model import State, state_from_tensors, state_tensors
from tui_lyrics.errors import LyricsError, StoreError

if TYPE_CHECKING:
    from tui_lyrics.core.train import _Run


@dataclass
class TrainState:
    """Where a model's training stands; stored in the card as ``state``."""

    step: int = 0
    chars: int = 0
    train_seconds: float = 0.0
    train_loss: float | None = None
    best_loss: float | None = None
    best_step: int | None = None
    scored_step: int = 0
    saved_step: int = 0
    finished: bool = False
    device: str = ""
    optimizer: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainState:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


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
    try:
        return gzip.decompress((folder / "corpus.txt.gz").read_bytes()).decode("utf-8")
    except FileNotFoundError as error:
        raise StoreError(f"{folder.name} has no copy of its corpus (corpus.txt.gz); it cannot train more") from error
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise StoreError(f"{folder / 'corpus.txt.gz'} is corrupt ({error})") from error


def restore(run: _Run, card: dict[str, Any]) -> State | None:
    """Put back weights, optimiser, RNG and carried state of a run that has taken steps."""
    from tui_lyrics.core.checkpoint import load_weights

    if run.state.step == 0:
        return None
    load_weights(run.model, run.folder / "last.safetensors")
    tensors = load_tensors(run.folder / "state.safetensors")
    if run.state.optimizer:
        optimizer_from_tensors(run.optimizer, tensors, run.state.optimizer)  # moved to the params by torch
    if "rng.cpu" in tensors:
        torch.set_rng_state(tensors["rng.cpu"])
    if "rng.cuda" in tensors and run.device.type == "cuda":
        torch.cuda.set_rng_state(tensors["rng.cuda"])
    hidden = [tensors[k].to(run.device) for k in sorted(tensors) if k.startswith("hidden.")]
    if not hidden or hidden[0].shape[1] != run.batches.batch:
        return None  # nothing carried, or "train more" changed --batch: the streams start afresh
    return state_from_tensors(hidden, run.model.config.cell)


def save_run(run: _Run) -> None:
    """Write last weights, state tensors, then the card (the card last: it vouches for them)."""
    from tui_lyrics.core.train import now_iso

    save_tensors(run.folder / "last.safetensors", run.model.state_dict())
    tensors, meta = optimizer_to_tensors(run.optimizer)
    tensors["rng.cpu"] = torch.get_rng_state()
    if run.device.type == "cuda":
        tensors["rng.cuda"] = torch.cuda.get_rng_state()
    if run.hidden is not None:
        for i, h in enumerate(state_tensors(run.hidden)):
            tensors[f"hidden.{i}"] = h
    save_tensors(run.folder / "state.safetensors", tensors)
    run.state.optimizer = meta
    run.state.saved_step = run.state.step
    run.state.device = str(run.device)
    run.card["state"] = run.state.to_dict()
    run.card["train"] = run.cfg.to_dict()
    run.card["updated"] = now_iso()
    run.store.write_card(run.name, run.card)
