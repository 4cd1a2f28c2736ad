"""A training run's record: its working card and state, the metrics file, the checkpoints it commits.

``core.train``'s loop counts steps in ``state``; this writes them down: held-out readings into the
card's history, rows into ``metrics.jsonl``, checkpoint sets (``core.runtime.save_checkpoint``), and at
the run's end the memorisation meter's reading of the best weights (``core.quote_meter``).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from tui_lyrics.card import ModelCard, ModelMemorisation
from tui_lyrics.core.meters import Clock
from tui_lyrics.core.mixture import Mixture
from tui_lyrics.core.mixture_reading import Reading
from tui_lyrics.core.model import CharRNN, State
from tui_lyrics.folder import BEST, ModelFolder
from tui_lyrics.metrics import append_metrics
from tui_lyrics.progress import HeldOutScored
from tui_lyrics.store import ModelStore

if TYPE_CHECKING:
    from tui_lyrics.core.control import TrainControl

METRICS_SECONDS = 1.0


class RunRecord:
    """What one training session has to show: the card as it grows, its state, and what is on disk."""

    def __init__(self, disk: ModelFolder, typed: ModelCard, *, best_file: Path | None) -> None:
        self.disk = disk
        self.cfg = typed.train
        self.card: dict[str, Any] = typed.to_dict()  # the working card: history and mixture grow in it
        self.state = dataclasses.replace(typed.state)
        self.best_file = best_file
        """The best weights of the newest committed set (None before the first score)."""
        self.pending_metrics: list[dict[str, Any]] = []
        self.metrics_at = time.monotonic()

    # -- metrics --------------------------------------------------------------------------------
    def add_metrics(self, row: dict[str, Any]) -> None:
        """Queue one row for ``metrics.jsonl``; the queue is written at most about once a second."""
        self.pending_metrics.append(row)
        if time.monotonic() - self.metrics_at > METRICS_SECONDS:
            self.flush_metrics()

    def flush_metrics(self) -> None:
        if self.pending_metrics:
            append_metrics(self.disk.path, self.pending_metrics)
        self.pending_metrics = []
        self.metrics_at = time.monotonic()

    # -- held-out readings ------------------------------------------------------------------------
    def scored(self, reading: Reading, *, mixture: Mixture | None, clock: Clock) -> HeldOutScored:
        """Write a (finite) held-out reading of the current step into the history and the metrics; a new best
        also takes the reading's weights into the card's mixture. Returns the event that says so."""
        held, network, weight = reading.loss, reading.network, reading.weight
        best = self.state.best_loss is None or held < self.state.best_loss
        state = self.state
        state.scored_step = state.step
        if best:
            state.best_loss, state.best_step = held, state.step
            self.card.pop("memorisation", None)  # it read the weights best until now: the run's end measures anew
            if mixture is not None and weight is not None:  # a weight is read whenever there is an n-gram
                self.card["mixture"] = mixture.with_weight(weight, reading.song_weights).to_card().to_dict()
            # The next save writes these weights as best: best_step == step says they are the current ones.
        point = {"step": state.step, "held_loss": held, "train_loss": state.train_loss, "elapsed": clock.elapsed()}
        if mixture is not None:
            point |= {"network_loss": network, "weight": weight, "song_loss": reading.song_loss}
        self.card["history"].append(point)
        self.pending_metrics.append({"kind": "held", **point})
        self.flush_metrics()
        return HeldOutScored(
            best=best,
            held_loss=held,
            train_loss=state.train_loss or held,
            step=state.step,
            elapsed=clock.elapsed(),
            network_loss=network if mixture is not None else None,
            song_loss=reading.song_loss,
        )

    def out_of_patience(self, patience: int) -> bool:
        """The held-out loss has not improved for ``patience`` scores: more steps only memorise."""
        state = self.state
        if not patience or state.best_step is None:
            return False
        return sum(1 for p in self.card["history"] if p["step"] > state.best_step) >= patience

    # -- saving -----------------------------------------------------------------------------------
    def save(
        self,
        *,
        model: CharRNN,
        optimizer: torch.optim.Optimizer,
        hidden: State | None,
        device: torch.device,
        clock: Clock,
    ) -> None:
        """Commit one checkpoint set: weights, optimiser, RNG, carried state and card of this step."""
        from tui_lyrics.core.runtime import save_checkpoint

        self.state.train_seconds = clock.elapsed()
        self.flush_metrics()
        card = ModelCard.from_dict(self.card | {"train": self.cfg.to_dict(), "state": self.state.to_dict()})
        saved, path = save_checkpoint(
            self.disk,
            card,
            model=model,
            optimizer=optimizer,
            hidden=hidden,
            device=device,
            best=self.best_file,
        )
        self.state = dataclasses.replace(saved.state)
        self.card = saved.to_dict()
        self.best_file = path / BEST if saved.state.best_step is not None else None
        clock.last_save = time.monotonic()

    def measure_quotes(self, store: ModelStore, name: str, control: TrainControl) -> None:
        """Read the memorisation meter on the best weights into the committed card (a few seconds); a hurry
        (a quit) skips it, and so does a card whose reading is of the weights still best."""
        from tui_lyrics.core.quote_meter import commit_reading

        if not control.measure_quotes or control.hurry.is_set() or self.state.step == 0 or "memorisation" in self.card:
            return
        step, hurry = self.state.step, control.hurry
        saved = commit_reading(store, name, step=step, stop=hurry, limit=control.max_params)
        if saved is not None:
            card, path = saved
            self.card = card.to_dict()
            self.best_file = path / BEST if card.state.best_step is not None else None

    def memorisation(self) -> ModelMemorisation | None:
        """The card's memorisation reading, when one was measured on the weights still best."""
        quotes = self.card.get("memorisation")
        return None if quotes is None else ModelMemorisation.from_dict(quotes)


__all__ = ["METRICS_SECONDS", "RunRecord"]
