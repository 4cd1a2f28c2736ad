"""Training: the loop that trains a model folder (made by ``core.create``) with TBPTT and AdamW.

``train`` runs in whatever thread calls it (the CLI's main thread, the app's worker),
reports through one callback and polls a ``TrainControl`` to pause or stop. Every exit
path leaves a valid checkpoint: a stop saves, a non-finite loss keeps the last good one.
Its parts: the optimiser and schedule (``core.schedule``), the held-out n-gram and readings
(``core.held_out``), and the record of the run, saved as checkpoints (``core.run_record``).
"""

from __future__ import annotations

import dataclasses
import math
import time

import torch
import torch.nn.functional as F

from tui_lyrics.card import ModelCard, TrainState
from tui_lyrics.config import TrainConfig, check_size
from tui_lyrics.core.batches import make_batches
from tui_lyrics.core.control import TrainControl
from tui_lyrics.core.held_out import HeldOut
from tui_lyrics.core.meters import Clock, Meter
from tui_lyrics.core.model import CharRNN, detach
from tui_lyrics.core.run_record import RunRecord
from tui_lyrics.core.runtime import pick_device
from tui_lyrics.core.schedule import learning_rate, make_optimizer, total_steps
from tui_lyrics.errors import LyricsError, StoreError
from tui_lyrics.folder import Checkpoint, ModelFolder
from tui_lyrics.progress import Callback, SamplePreviewed, TrainingFinished, TrainingProgressed, TrainingStarted
from tui_lyrics.store import ModelStore

PROGRESS_SECONDS = 0.1
SAVE_SECONDS = 120.0


def train(
    store: ModelStore,
    name: str,
    *,
    callback: Callback | None = None,
    control: TrainControl | None = None,
    train_config: TrainConfig | None = None,
    force: bool = False,
) -> TrainingFinished:
    """Train ``name`` until its budget is spent or it is stopped; resume where it left off.

    ``train_config`` replaces the card's settings (a new budget for "train more"); ``force`` takes
    over a training lock whose holder cannot be checked from here.
    """
    control = control or TrainControl()
    if store.is_read_only(name):
        raise LyricsError(f"{name!r} is a built-in model and cannot be trained; train your own on its corpus")
    with store.lock(name, force=force):
        folder = store.folder(name)
        tidied = folder.tidy()
        found = folder.checkpoint()  # the newest complete checkpoint, whatever a kill left behind
        folder.trim_metrics(found.card.state.step)
        card = found.card
        if train_config is not None:
            card = card.replace(train=train_config, state=dataclasses.replace(card.state, finished=False))
        note = "; ".join(n for n in (store.lock_note, tidied, found.note) if n)
        run = _Run(store, name, card, callback or (lambda event: None), control, found=found, note=note)
        return run.loop()


class _Run:
    """One training session of one model: holds the model, optimiser, data and clocks."""

    def __init__(
        self,
        store: ModelStore,
        name: str,
        typed: ModelCard,
        emit: Callback,
        control: TrainControl,
        *,
        found: Checkpoint,
        note: str = "",
    ):
        from tui_lyrics.core.runtime import restore_checkpoint, setup_torch

        self.store, self.name, self.emit, self.control, self.note = store, name, emit, control, note
        disk = ModelFolder(store.path(name))
        self.folder = disk.path
        self.cfg = typed.train
        self.vocab = typed.vocab
        check_size(typed.model, self.vocab.size, max_params=control.max_params, what=f"model {name!r}")
        setup_torch(self.cfg)
        self.device = pick_device(self.cfg.device)
        self.train_text, self.held_text = disk.split(typed)
        ids = torch.from_numpy(self.vocab.encode_array(self.train_text))
        self.batches = make_batches(
            ids, kind=self.cfg.batching, batch=self.cfg.batch, seq=self.cfg.seq, seed=self.cfg.seed
        )
        # The same batches of positions in the text: which row of the cross-fitted n-gram each target takes.
        self.positions = make_batches(
            torch.arange(len(ids)), kind=self.cfg.batching, batch=self.cfg.batch, seq=self.cfg.seq, seed=self.cfg.seed
        )
        torch.manual_seed(self.cfg.seed)
        self.model = CharRNN(typed.model, self.vocab.size).to(self.device)
        self.held_out = HeldOut.prepare(
            self.folder, self.vocab, self.train_text, self.held_text,
            model=typed.model, held_out=self.cfg.held_out, card=typed.mixture,
        )  # fmt: skip
        self.mixture = self.held_out.mixture
        self.complement = self.held_out.complement  # (N, V) for the product: what the network adds to
        self.optimizer = make_optimizer(self.model, self.cfg)
        self.hidden = restore_checkpoint(
            found, model=self.model, optimizer=self.optimizer, batch=self.batches.batch, device=self.device
        )
        self.record = RunRecord(disk, typed, best_file=found.best)
        self.total_steps = total_steps(self.cfg, self.batches.steps_per_epoch)
        if not self.cfg.has_budget:
            raise LyricsError("no training budget: give --steps, --epochs or --minutes")
        self.amp = self.device.type == "cuda" and self.cfg.amp
        # A wall-clock budget also scores by the clock, so a slow machine still draws a curve.
        self.eval_seconds = control.eval_seconds or (self.cfg.minutes * 6 if self.cfg.minutes else None)

    @property
    def state(self) -> TrainState:
        """Where the run stands (the record's: a save replaces it with the state as saved)."""
        return self.record.state

    # -- the loop -------------------------------------------------------------------------
    def loop(self) -> TrainingFinished:
        self.emit(
            TrainingStarted(
                name=self.name,
                device=str(self.device),
                params=self.model.params,
                total_steps=self.total_steps,
                start_step=self.state.step,
                train_chars=len(self.train_text),
                held_chars=len(self.held_text),
                note=self.note,
            )
        )
        self.clock = Clock(self.state.train_seconds)
        self.start_fraction = self._fraction()
        self.record.flush_metrics()  # nothing queued yet: starts the metrics file's clock
        try:
            reason = self._steps()
            if self.state.saved_step != self.state.step:
                self._save()  # the steps are safe before the (possibly long) final score
            self._score()
            self.state.finished = reason in ("budget", "early")
            self._save()
            # After the save that matters: a quit (hurry) skips it.
            self.record.measure_quotes(self.store, self.name, self.control)
        except torch.cuda.OutOfMemoryError:
            return self._fail("out of GPU memory: try a smaller --batch, --seq or --hidden")
        except _Diverged as diverged:
            return self._fail(str(diverged))
        except StoreError as error:  # a full disk: the last committed checkpoint is kept as it was
            return self._fail(str(error))
        return self._finish(reason)

    def _steps(self) -> str:
        meter = Meter()
        since_eval = time.monotonic()
        scoring = 0.0  # seconds the last held-out score took
        while True:
            if self.control.stop.is_set():
                return "stopped"
            if self.control.pause.is_set():
                self.clock.pause_while(self.control)
                continue
            if self._spent():
                return "budget"
            if self.record.out_of_patience(self.cfg.patience):
                return "early"
            loss = self._one_step()
            meter.add(loss, self.batches.batch * self.batches.seq)
            self._report(meter)
            # Scoring by the clock takes at most ~10% of it, however long the held-out text.
            gap = max(self.eval_seconds or 0.0, 9 * scoring)
            due_time = self.eval_seconds and time.monotonic() - since_eval > gap
            if self.state.step % self.cfg.eval_every == 0 or due_time:
                began = time.monotonic()
                self._score()
                scoring = time.monotonic() - began
                self._save()
                since_eval = time.monotonic()
            elif time.monotonic() - self.clock.last_save > SAVE_SECONDS:
                self._save()
            self._maybe_preview()

    def _one_step(self) -> float:
        x, y, reset = self.batches.get(self.state.step)
        x, y = x.to(self.device), y.to(self.device)
        if reset or self.hidden is None:
            self.hidden = self.model.init_state(x.shape[0], self.device)
        for group in self.optimizer.param_groups:
            group["lr"] = self._lr()
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
            logits, hidden = self.model(x, self.hidden)
            logits = logits.float()  # (B, T, V)
            if self.complement is not None:  # the product: the network learns what the n-gram misses
                logits = logits + self.complement[self.positions.get(self.state.step)[1]].to(self.device).float()
            loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        value = loss.item()
        if not math.isfinite(value):
            raise _Diverged(self._diverged_message(f"loss {value}"))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip))
        if not math.isfinite(norm):  # a finite loss can still have a non-finite gradient
            raise _Diverged(self._diverged_message(f"gradient norm {norm}"))
        self.optimizer.step()
        self.hidden = detach(hidden)
        self.state.step += 1
        self.state.chars += x.numel()
        self.state.train_loss = value
        return value

    def _diverged_message(self, what: str) -> str:
        return (
            f"training diverged: the {what} at step {self.state.step + 1} is not finite; "
            f"the last good checkpoint (step {self.state.saved_step}) is kept. Try a lower --lr."
        )

    # -- budget and schedule ----------------------------------------------------------------
    def _fraction(self) -> float:
        if self.cfg.minutes is not None:
            return min(1.0, self.clock.elapsed() / (self.cfg.minutes * 60))
        return min(1.0, self.state.step / self.total_steps) if self.total_steps else 0.0

    def _spent(self) -> bool:
        return self._fraction() >= 1.0

    def _lr(self) -> float:
        return learning_rate(self.cfg, step=self.state.step, fraction=self._fraction())

    # -- reporting ----------------------------------------------------------------------------
    def _report(self, meter: Meter) -> None:
        if time.monotonic() - meter.since < PROGRESS_SECONDS:
            return
        loss, cps = meter.take()
        fraction = self._fraction()
        elapsed = self.clock.elapsed()
        gained = fraction - self.start_fraction
        eta = self.clock.session() * (1 - fraction) / gained if gained > 0 and self.clock.session() > 2 else None
        self.emit(
            TrainingProgressed(
                step=self.state.step,
                total_steps=self.total_steps,
                epoch=self.state.step / self.batches.steps_per_epoch,
                train_loss=loss,
                chars_per_sec=cps,
                lr=self._lr(),
                elapsed=elapsed,
                fraction=fraction,
                eta=eta,
            )
        )
        self.record.add_metrics({"kind": "train", "step": self.state.step, "loss": loss, "elapsed": elapsed})

    def _score(self) -> None:
        if self.state.step == 0 or self.state.scored_step == self.state.step:
            return
        reading = self.held_out.read(self.model, self.device)
        if not math.isfinite(reading.loss):
            raise _Diverged(self._diverged_message(f"held-out loss {reading.loss}"))
        self.emit(self.record.scored(reading, mixture=self.mixture, clock=self.clock))

    def _maybe_preview(self) -> None:
        every = self.control.preview_seconds
        if not every or time.monotonic() - self.clock.last_preview < every:
            return
        from tui_lyrics.core.sample import preview

        self.clock.last_preview = time.monotonic()
        self.emit(SamplePreviewed(step=self.state.step, text=preview(self.model, self.vocab, seed=self.state.step)))

    def _save(self) -> None:
        self.record.save(
            model=self.model, optimizer=self.optimizer, hidden=self.hidden, device=self.device, clock=self.clock
        )

    def _fail(self, message: str) -> TrainingFinished:
        return self._finish("error", message)

    def _finish(self, reason: str, message: str = "") -> TrainingFinished:
        self.record.flush_metrics()
        event = TrainingFinished(
            name=self.name, reason=reason, step=self.state.step, best_loss=self.state.best_loss, message=message,
            memorisation=self.record.memorisation(),
        )  # fmt: skip
        self.emit(event)
        if reason in ("budget", "early"):  # a finished model: its first take reads the corpus index, not builds it
            from tui_lyrics.memorise import corpus_index

            corpus_index(self.folder)  # stored beside the corpus copy (memorise.INDEX_FILE); a no-op when current
        return event


class _Diverged(LyricsError):
    pass


__all__ = ["train"]
