"""The optimiser and its schedule for a training run: AdamW, the step budget, warm-up then cosine decay.

Pure functions of the training settings (``config.TrainConfig``), so ``core.train``'s loop only asks them.
"""

from __future__ import annotations

import math

import torch

from tui_lyrics.config import TrainConfig
from tui_lyrics.core.model import CharRNN


def make_optimizer(model: CharRNN, cfg: TrainConfig) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices only (biases and norms are not decayed)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.99))


def total_steps(cfg: TrainConfig, steps_per_epoch: int) -> int | None:
    """The run's budget in steps; None for a wall-clock budget (``--minutes``)."""
    if cfg.steps is not None:
        return cfg.steps
    if cfg.epochs is not None:
        return max(1, math.ceil(cfg.epochs * steps_per_epoch))
    return None


def learning_rate(cfg: TrainConfig, *, step: int, fraction: float) -> float:
    """The rate for ``step``: a linear warm-up, then a cosine from ``lr`` down to ``lr * min_lr_ratio``
    over the ``fraction`` of the budget spent."""
    warm = min(1.0, (step + 1) / cfg.warmup) if cfg.warmup else 1.0
    cosine = 0.5 * (1 + math.cos(math.pi * fraction))
    return cfg.lr * warm * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cosine)


__all__ = ["learning_rate", "make_optimizer", "total_steps"]
