"""Training: create a model folder from a corpus, then train it with TBPTT and AdamW.

``train`` runs in whatever thread calls it (the CLI's main thread, the app's worker),
reports through one callback and polls a ``TrainControl`` to pause or stop. Every exit
path leaves a valid checkpoint: a stop saves, a non-finite loss keeps the last good one.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from tui_lyrics import __version__
from tui_lyrics.card import ModelCard, ModelMemorisation, SplitSizes
from tui_lyrics.config import DEFAULT_MAX_PARAMS, ModelConfig, TrainConfig, check_size, count_params
from tui_lyrics.core.batches import make_batches
from tui_lyrics.core.complement import HeldOutDists, cross_fitted, fits, product_reading
from tui_lyrics.core.evaluate import char_log_dists, char_probs
from tui_lyrics.core.meters import Clock, Meter
from tui_lyrics.core.mixture import HeldOutNgram, Mixture, Reading, read_held_out
from tui_lyrics.core.model import CharRNN, detach
from tui_lyrics.core.runtime import pick_device
from tui_lyrics.corpus import Corpus, split_text
from tui_lyrics.errors import LyricsError, StoreError
from tui_lyrics.folder import BEST, Checkpoint, ModelFolder
from tui_lyrics.metrics import append_metrics
from tui_lyrics.progress import (
    Callback,
    HeldOutScored,
    SamplePreviewed,
    TrainEvent,
    TrainingFinished,
    TrainingProgressed,
    TrainingStarted,
)
from tui_lyrics.store import ModelStore, validate_name
from tui_lyrics.vocab import CharVocab

PROGRESS_SECONDS = 0.1
METRICS_SECONDS = 1.0
SAVE_SECONDS = 120.0


@dataclass
class TrainControl:
    """Lets another thread steer a running ``train``: the loop polls these between steps."""

    stop: threading.Event = field(default_factory=threading.Event)
    pause: threading.Event = field(default_factory=threading.Event)
    """Set: the loop waits (and its clock stops) until cleared or stopped."""
    preview_seconds: float | None = None
    """Send a SamplePreviewed from the current weights this often (None: never)."""
    eval_seconds: float | None = None
    """Also score the held-out text when this many seconds passed since the last time."""
    max_params: int = DEFAULT_MAX_PARAMS
    """Refuse to build a network larger than this (the card's settings are checked first)."""
    hurry: threading.Event = field(default_factory=threading.Event)
    """Set (a quit, a hang-up): once the run is saved, return without measuring its quotes (``_measure_quotes``)."""
    measure_quotes: bool = True
    """Measure the memorisation meter on the best weights when the run ends (``core.quote_meter``)."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_model(
    store: ModelStore,
    corpus: Corpus,
    *,
    name: str,
    model: ModelConfig,
    train: TrainConfig,
    max_params: int = DEFAULT_MAX_PARAMS,
) -> str:
    """Make a model folder: the split, the vocabulary, the corpus copy and a fresh card.

    A network over ``max_params`` is refused before the folder is made.
    """
    train_text, held_text = split_text(corpus.text, held_out=train.held_out)
    vocab = CharVocab.build(train_text, min_count=train.min_count, max_size=train.max_vocab)
    check_size(model, vocab.size, max_params=max_params)
    if model.combine == "product" and not (model.ngram and fits(len(train_text), vocab.size)):
        model = model.replace(combine="mix")  # no n-gram, or its training table too large: the card says so
    card = ModelCard(
        name=validate_name(name),
        created=now_iso(),
        updated=now_iso(),
        model=model,
        train=train,
        vocab=vocab,
        corpus=corpus.summary,
        split=SplitSizes(train_chars=len(train_text), held_chars=len(held_text)),
        params=count_params(model, vocab.size),
        versions=versions(),
    )

    def fill(path: Path) -> None:  # in a hidden temp folder: the model appears complete or not at all
        folder = ModelFolder(path)
        folder.write_corpus(corpus.text)
        folder.write_card(card)

    return store.create(card.name, fill).name


def versions() -> dict[str, str]:
    import platform

    return {"lyrics_tui": __version__, "torch": torch.__version__, "python": platform.python_version()}


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
        self.card: dict[str, Any] = typed.to_dict()  # the working card: history and mixture grow in it
        self.disk = ModelFolder(store.path(name))
        self.folder = self.disk.path
        self.cfg = typed.train
        self.state = dataclasses.replace(typed.state)
        self.vocab = typed.vocab
        check_size(typed.model, self.vocab.size, max_params=control.max_params, what=f"model {name!r}")
        setup_torch(self.cfg)
        self.device = pick_device(self.cfg.device)
        self.train_text, self.held_text = self.disk.split(typed)
        ids = torch.from_numpy(self.vocab.encode_array(self.train_text))
        self.batches = make_batches(
            ids, kind=self.cfg.batching, batch=self.cfg.batch, seq=self.cfg.seq, seed=self.cfg.seed
        )
        # The same batches of positions in the text: which row of the cross-fitted n-gram each target takes.
        self.positions = make_batches(
            torch.arange(len(ids)), kind=self.cfg.batching, batch=self.cfg.batch, seq=self.cfg.seq, seed=self.cfg.seed
        )
        torch.manual_seed(self.cfg.seed)
        model_config = typed.model
        self.model = CharRNN(model_config, self.vocab.size).to(self.device)
        self.mixture = None
        self.complement: torch.Tensor | None = None  # (N, V) the cross-fitted n-gram's log-probs, for the product
        if model_config.ngram:  # below 0: the order is chosen on a slice of the training text
            product = model_config.combine == "product" and fits(len(self.train_text), self.vocab.size)
            self.mixture = Mixture.for_training(
                self.folder, self.vocab, self.train_text, order=model_config.ngram, held_out=self.cfg.held_out,
                card=typed.mixture, product=product,
            )  # fmt: skip
            self.held_ngram = HeldOutNgram.score(self.mixture, self.held_text, context=self.train_text)
            if self.mixture.product:
                self.complement = cross_fitted(self.train_text, self.vocab, order=self.mixture.ngram.order)
                self.held_dists = HeldOutDists.score(
                    self.mixture.ngram, self.vocab, self.held_text, context=self.train_text
                )
        self.optimizer = _optimizer(self.model, self.cfg)
        self.hidden = restore_checkpoint(
            found, model=self.model, optimizer=self.optimizer, batch=self.batches.batch, device=self.device
        )
        self.best_file = found.best
        self.total_steps = _total_steps(self.cfg, self.batches.steps_per_epoch)
        if not self.cfg.has_budget:
            raise LyricsError("no training budget: give --steps, --epochs or --minutes")
        self.amp = self.device.type == "cuda" and self.cfg.amp
        # A wall-clock budget also scores by the clock, so a slow machine still draws a curve.
        self.eval_seconds = control.eval_seconds or (self.cfg.minutes * 6 if self.cfg.minutes else None)

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
        self.pending_metrics: list[dict[str, Any]] = []
        self.metrics_at = time.monotonic()
        try:
            reason = self._steps()
            if self.state.saved_step != self.state.step:
                self._save()  # the steps are safe before the (possibly long) final score
            self._score()
            self.state.finished = reason in ("budget", "early")
            self._save()
            self._measure_quotes()  # after the save that matters: a quit (hurry) skips it
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
            if self._out_of_patience():
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

    def _out_of_patience(self) -> bool:
        """The held-out loss has not improved for ``patience`` scores: more steps only memorise."""
        state, patience = self.state, self.cfg.patience
        if not patience or state.best_step is None:
            return False
        return sum(1 for p in self.card["history"] if p["step"] > state.best_step) >= patience

    def _lr(self) -> float:
        cfg = self.cfg
        warm = min(1.0, (self.state.step + 1) / cfg.warmup) if cfg.warmup else 1.0
        cosine = 0.5 * (1 + math.cos(math.pi * self._fraction()))
        return cfg.lr * warm * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cosine)

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
        self.pending_metrics.append({"kind": "train", "step": self.state.step, "loss": loss, "elapsed": elapsed})
        if time.monotonic() - self.metrics_at > METRICS_SECONDS:
            self._flush_metrics()

    def _flush_metrics(self) -> None:
        if self.pending_metrics:
            append_metrics(self.folder, self.pending_metrics)
        self.pending_metrics = []
        self.metrics_at = time.monotonic()

    def _score(self) -> None:
        if self.state.step == 0 or self.state.scored_step == self.state.step:
            return
        reading = self._held_out_loss()
        held, network, weight = reading.loss, reading.network, reading.weight
        if not math.isfinite(held):
            raise _Diverged(self._diverged_message(f"held-out loss {held}"))
        best = self.state.best_loss is None or held < self.state.best_loss
        state = self.state
        state.scored_step = state.step
        if best:
            state.best_loss, state.best_step = held, state.step
            self.card.pop("memorisation", None)  # it read the weights best until now: the run's end measures anew
            if self.mixture is not None and weight is not None:  # a weight is read whenever there is an n-gram
                self.card["mixture"] = self.mixture.with_weight(weight, reading.song_weights).to_card().to_dict()
            # The next save writes these weights as best: best_step == step says they are the current ones.
        point = {"step": state.step, "held_loss": held, "train_loss": state.train_loss, "elapsed": self.clock.elapsed()}
        if self.mixture is not None:
            point |= {"network_loss": network, "weight": weight, "song_loss": reading.song_loss}
        self.card["history"].append(point)
        self.pending_metrics.append({"kind": "held", **point})
        self._flush_metrics()
        self.emit(
            HeldOutScored(
                best=best,
                held_loss=held,
                train_loss=state.train_loss or held,
                step=state.step,
                elapsed=self.clock.elapsed(),
                network_loss=network if self.mixture is not None else None,
                song_loss=reading.song_loss,
            )
        )

    def _held_out_loss(self) -> Reading:
        """The model's held-out readings: static and with song memory, the network's own, the weights."""
        if self.complement is not None:
            return self._product_reading()
        probs = char_probs(self.model, self.vocab, self.held_text, context=self.train_text, device=self.device)
        return read_held_out(probs.numpy(), self.held_ngram if self.mixture is not None else None)

    def _product_reading(self) -> Reading:
        """The product's readings: the network's log-distributions combined with the n-gram's, both readings."""
        logd = char_log_dists(self.model, self.vocab, self.held_text, context=self.train_text, device=self.device)
        return product_reading(logd.cpu(), self.vocab, self.held_text, self.held_ngram, self.held_dists)

    def _maybe_preview(self) -> None:
        every = self.control.preview_seconds
        if not every or time.monotonic() - self.clock.last_preview < every:
            return
        from tui_lyrics.core.sample import preview

        self.clock.last_preview = time.monotonic()
        self.emit(SamplePreviewed(step=self.state.step, text=preview(self.model, self.vocab, seed=self.state.step)))

    def _save(self) -> None:
        """Commit one checkpoint set: weights, optimiser, RNG, carried state and card of this step."""
        from tui_lyrics.core.runtime import save_checkpoint

        self.state.train_seconds = self.clock.elapsed()
        self._flush_metrics()
        card = ModelCard.from_dict(self.card | {"train": self.cfg.to_dict(), "state": self.state.to_dict()})
        saved, path = save_checkpoint(
            self.disk,
            card,
            model=self.model,
            optimizer=self.optimizer,
            hidden=self.hidden,
            device=self.device,
            best=self.best_file,
        )
        self.state = dataclasses.replace(saved.state)
        self.card = saved.to_dict()
        self.best_file = path / BEST if saved.state.best_step is not None else None
        self.clock.last_save = time.monotonic()

    def _measure_quotes(self) -> None:
        """Read the memorisation meter on the best weights into the committed card (a few seconds); a hurry
        (a quit) skips it, and so does a card whose reading is of the weights still best."""
        from tui_lyrics.core.quote_meter import commit_reading

        control = self.control
        if not control.measure_quotes or control.hurry.is_set() or self.state.step == 0 or "memorisation" in self.card:
            return
        step, hurry = self.state.step, control.hurry
        saved = commit_reading(self.store, self.name, step=step, stop=hurry, limit=control.max_params)
        if saved is not None:
            card, path = saved
            self.card = card.to_dict()
            self.best_file = path / BEST if card.state.best_step is not None else None

    def _fail(self, message: str) -> TrainingFinished:
        return self._finish("error", message)

    def _finish(self, reason: str, message: str = "") -> TrainingFinished:
        self._flush_metrics()
        quotes = self.card.get("memorisation")
        event = TrainingFinished(
            name=self.name, reason=reason, step=self.state.step, best_loss=self.state.best_loss, message=message,
            memorisation=None if quotes is None else ModelMemorisation.from_dict(quotes),
        )  # fmt: skip
        self.emit(event)
        if reason in ("budget", "early"):  # a finished model: its first take reads the corpus index, not builds it
            from tui_lyrics.memorise import corpus_index

            corpus_index(self.folder)  # stored beside the corpus copy (memorise.INDEX_FILE); a no-op when current
        return event


class _Diverged(LyricsError):
    pass


def _optimizer(model: CharRNN, cfg: TrainConfig) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.99))


def _total_steps(cfg: TrainConfig, steps_per_epoch: int) -> int | None:
    if cfg.steps is not None:
        return cfg.steps
    if cfg.epochs is not None:
        return max(1, math.ceil(cfg.epochs * steps_per_epoch))
    return None


__all__ = ["TrainControl", "TrainEvent", "create_model", "train"]
