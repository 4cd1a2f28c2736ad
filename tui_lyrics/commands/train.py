"""``lyrics-tui train``: create (or resume) a model and train it with a live progress line.

Ctrl-C, a hang-up or SIGTERM asks the engine to stop; it saves and the command exits 130.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tui_lyrics.card import ModelCard
from tui_lyrics.commands.output import install_stop_signals, note, print_json
from tui_lyrics.config import ModelConfig, TrainConfig, check_size
from tui_lyrics.errors import LyricsError
from tui_lyrics.fmt import fmt_duration, fmt_ppl
from tui_lyrics.presets import auto_preset, preset
from tui_lyrics.progress import HeldOutScored, TrainEvent, TrainingFinished, TrainingProgressed, TrainingStarted
from tui_lyrics.quotes import quotes_line, quotes_of, quotes_record
from tui_lyrics.store import ModelStore

MODEL_FLAGS = ("cell", "input", "layers", "hidden", "embed_dim", "dropout", "ngram", "combine")
TRAIN_FLAGS = ("batch", "seq", "lr", "weight_decay", "clip", "warmup", "eval_every", "patience", "batching", "held_out",
               "min_count", "max_vocab", "device", "amp", "seed", "threads")  # fmt: skip
BUDGET_FLAGS = ("steps", "epochs", "minutes")


def _given(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def _budget(args: argparse.Namespace) -> dict[str, Any]:
    given = _given(args, BUDGET_FLAGS)
    return {**dict.fromkeys(BUDGET_FLAGS), **given} if given else {}


def configs_for_new(args: argparse.Namespace, train_chars: int) -> tuple[ModelConfig, TrainConfig]:
    """The preset (auto: sized to the corpus) with every flag the user gave on top."""
    base = auto_preset(train_chars) if args.preset == "auto" else preset(args.preset)
    model = base.model.replace(**_given(args, MODEL_FLAGS))
    train = base.train.replace(**_given(args, TRAIN_FLAGS), **_budget(args))
    return model, train


SPLIT_FLAGS = ("held_out", "min_count", "max_vocab")
"""Settings fixed when a model is made: they decide its held-out split and its vocabulary."""


def config_for_resume(args: argparse.Namespace, card: ModelCard) -> TrainConfig | None:
    """The card's settings; a new budget counts from where the model is now (train more)."""
    ignored = _given(args, MODEL_FLAGS)
    if ignored:
        note(f"ignoring {', '.join('--' + k.replace('_', '-') for k in ignored)}: a model's shape is fixed")
    changes = _given(args, TRAIN_FLAGS)
    for key in SPLIT_FLAGS:
        if key in changes and changes[key] != getattr(card.train, key):
            flag = "--" + key.replace("_", "-")
            why = "held-out split" if key == "held_out" else "vocabulary"
            raise LyricsError(
                f"{flag} cannot change when resuming {card.name!r}: it fixes the model's {why} "
                f"(it is {getattr(card.train, key)}); train a new model to use {changes[key]}"
            )
    budget = _given(args, BUDGET_FLAGS)
    if not budget and card.state.finished:
        raise LyricsError(f"{card.name!r} has finished its budget; give --steps, --epochs or --minutes to train more")
    config = card.train
    if budget:
        (key, extra), = budget.items()  # fmt: skip
        config = card.budget_from_here(key, extra)
    return config.replace(**changes) if changes or budget else None


def run_train(args: argparse.Namespace, home: Path) -> int:
    from tui_lyrics.core.control import TrainControl
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train

    store = ModelStore.open(home)
    if args.resume:
        name = args.resume
        train_config = config_for_resume(args, store.card(name))
    else:
        name, train_config = _create(args, store, create_model), None
    control = TrainControl(max_params=args.max_params)
    interrupted = install_stop_signals(control.stop)
    view = _Progress(quiet=args.json)
    with view:
        finished = train(
            store, name, callback=view.on_event, control=control, train_config=train_config, force=args.force
        )
    card = store.card(name)
    if args.json:
        print_json(_summary(finished, card))
    else:
        _print_summary(finished, card)
    if finished.reason == "error":
        return 1
    return 130 if interrupted.is_set() else 0


def _create(args: argparse.Namespace, store: ModelStore, create_model: Callable[..., str]) -> str:
    from tui_lyrics.corpus import load_corpus, split_text

    if not args.corpus:
        raise LyricsError("name a corpus to train on (a .txt/.lrc/.md file, a .zip or a folder), or --resume NAME")
    corpus = load_corpus(args.corpus, max_bytes=int(args.max_mb * 1024 * 1024), exact=args.exact_text)
    s = corpus.summary
    if not args.json:
        note(f"{s.name}: {s.chars:,} characters, {s.lines:,} lines, {s.distinct:,} distinct, {s.encoding}")
    model, train = configs_for_new(args, len(split_text(corpus.text, held_out=args.held_out or 0.1)[0]))
    _check_new(model, train, distinct=s.distinct, max_params=args.max_params)
    stem = Path(s.name).name.split(".")[0] or "model"
    name = args.name or store.unique_name(f"{stem}-{model.cell}")
    return create_model(store, corpus, name=name, model=model, train=train, max_params=args.max_params)


def _check_new(model: ModelConfig, train: TrainConfig, *, distinct: int, max_params: int) -> None:
    """Refuse, before a folder is made or a network built, a size over the limit or a device not here."""
    from tui_lyrics.core.runtime import pick_device

    vocab = min(distinct, train.max_vocab - 1 if train.max_vocab else distinct) + 1  # at most; <unk> included
    check_size(model, vocab, max_params=max_params)
    pick_device(train.device)


class _Progress:
    """A rich progress line on stderr fed by the engine's events."""

    def __init__(self, *, quiet: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.quiet = quiet
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[stats]}"), TimeRemainingColumn(), console=self.console, disable=quiet,
        )  # fmt: skip
        # Hidden until training starts: a run refused (a held lock) prints its one error line and no empty bar.
        self.task = self.progress.add_task("training", total=1.0, stats="", start=False, visible=False)
        self.held = "—"

    def __enter__(self) -> _Progress:
        self.progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.__exit__(kind, error, trace)

    def on_event(self, event: TrainEvent) -> None:
        if isinstance(event, TrainingStarted):
            if event.note:
                self.progress.console.print(f"lyrics-tui: {event.note}", markup=False, highlight=False)
            self.progress.start_task(self.task)
            self.progress.update(self.task, description=event.name, visible=True)
            self.progress.console.print(
                f"{event.name}: {event.params:,} parameters on {event.device}; "
                f"{event.train_chars:,} characters to train on, {event.held_chars:,} held out"
            )
        elif isinstance(event, TrainingProgressed):
            total = f"/{event.total_steps:,}" if event.total_steps else ""
            stats = (f"step {event.step:,}{total}  loss {event.train_loss:.3f}  held-out ppl {self.held}  "
                     f"{event.chars_per_sec:,.0f} chars/s")  # fmt: skip
            self.progress.update(self.task, completed=event.fraction, stats=stats)
        elif isinstance(event, HeldOutScored):
            self.held = fmt_ppl(event.held_loss)
            if not self.quiet:
                mark = "  (best)" if event.best else ""
                self.progress.console.print(
                    f"step {event.step:,}: held-out loss {event.held_loss:.4f} nats/char, "
                    f"perplexity {self.held}; train loss {event.train_loss:.4f}{mark}"
                )
        elif isinstance(event, TrainingFinished) and event.reason == "error":
            # One line however wide the terminal, and a path with [brackets] is not markup.
            line = f"lyrics-tui: error: {event.message}"
            self.progress.console.print(line, style="red", soft_wrap=True, markup=False, highlight=False)


def _summary(finished: TrainingFinished, card: ModelCard) -> dict[str, Any]:
    state = card.state
    return {
        "name": finished.name,
        "reason": finished.reason,
        "message": finished.message,
        "step": finished.step,
        "best_loss": finished.best_loss,
        "best_ppl": finished.best_ppl,
        "best_step": state.best_step,
        "train_seconds": state.train_seconds,
        "params": card.params,
        "device": state.device,
        "memorisation": quotes_record(quotes_of(card)),
    }


def _print_summary(finished: TrainingFinished, card: ModelCard) -> None:
    state = card.state
    how = {
        "budget": "finished",
        "early": "stopped early (the held-out loss stopped improving)",
        "stopped": "stopped and saved",
        "error": "stopped by an error",
    }[finished.reason]
    best = "no held-out score yet" if finished.best_loss is None else (
        f"best held-out perplexity {fmt_ppl(finished.best_loss)} "
        f"({finished.best_loss:.4f} nats/char at step {state.best_step or 0:,})"
    )  # fmt: skip
    print(f"{finished.name}: {how} at step {finished.step:,} after {fmt_duration(state.train_seconds)}; {best}")
    if finished.best_loss is not None:  # beside the held-out figure: what the best weights hand back from the corpus
        print(f"  {quotes_line(quotes_of(card))}")
    if finished.reason == "stopped":
        print(f"resume with: lyrics-tui train --resume {finished.name}")
