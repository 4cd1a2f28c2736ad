"""``lyrics-tui compare``: the cell x input grid under one budget, as a table and exports."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any

from tui_lyrics import experiment_report, experiment_run
from tui_lyrics import experiments as ex
from tui_lyrics.commands.output import install_stop_signals, note, print_json
from tui_lyrics.config import CELLS, DEFAULT_MAX_PARAMS, INPUTS, ModelConfig, TrainConfig, check_size
from tui_lyrics.errors import LyricsError
from tui_lyrics.fmt import fmt_duration, fmt_ppl
from tui_lyrics.presets import auto_preset


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("compare", help="train the cell x input grid under one budget and compare them")
    p.add_argument("corpus", nargs="?", help="corpus to train every model on")
    p.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated cells (default rnn,lstm,gru)")
    p.add_argument("--inputs", default="embed,onehot", help="comma-separated inputs (default embed,onehot)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="wall-clock minutes per model (equal time)")
    budget.add_argument("--steps", type=int, help="optimiser steps per model (equal steps)")
    p.add_argument("--hidden", type=int, help="units per layer (default: the auto preset's)")
    p.add_argument("--layers", type=int, help="layers (default: the auto preset's)")
    p.add_argument("--seed", type=int, default=0, help="seed shared by every model (default 0)")
    p.add_argument(
        "--repeats", type=int, default=1, help="train each cell with R seeds; the table shows mean and spread"
    )
    p.add_argument("--prefix", default="", help="prefix for the side-by-side samples")
    p.add_argument("--name", help="experiment name (default cmp-<date>-<time>)")
    p.add_argument("--resume", metavar="ID", help="continue an interrupted experiment")
    p.add_argument("--list", action="store_true", help="list saved experiments")
    p.add_argument("--delete", metavar="ID", help="delete a saved experiment (its models stay)")
    p.add_argument("--export", metavar="DIR", help="also write the table and curves as CSV and JSON here")
    p.add_argument("--png", metavar="FILE", help="also plot the held-out curves to a PNG (needs lyrics-tui[plot])")
    p.add_argument(
        "--max-params",
        type=int,
        default=DEFAULT_MAX_PARAMS,
        metavar="N",
        help=f"refuse a network with more parameters than this (default {DEFAULT_MAX_PARAMS:,})",
    )


def _split(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise LyricsError(f"--{what} takes a comma-separated list of {', '.join(allowed)}; got {value!r}")
    return items


def run_compare(args: argparse.Namespace, home: Path) -> int:
    if args.list:
        return _list(home, as_json=args.json)
    if args.delete:
        ex.delete_experiment(home, args.delete)
        print_json({"deleted": args.delete}) if args.json else print(f"deleted experiment {args.delete!r}")
        return 0
    export, png = (Path(p).expanduser() if p else None for p in (args.export, args.png))
    experiment_report.check_outputs(
        folder=export, png=png
    )  # before any training: a bad path fails now, not after an hour
    experiment = ex.open_experiment(home, args.resume) if args.resume else _plan(args, home)
    stop = threading.Event()
    interrupted = install_stop_signals(stop)
    done = _run(home, experiment, stop, quiet=args.json)
    rows = experiment_report.table(home, experiment)
    if export is not None:
        for path in experiment_report.export(home, experiment, export):
            note(f"wrote {path}")
    if png is not None:
        note(f"wrote {experiment_report.export_png(home, experiment, png)}")
    if args.json:
        print_json({"id": experiment.id, "done": done, "table": experiment_report.table_records(rows),
                    "samples": experiment.data["samples"]})  # fmt: skip
    else:
        _print_table(experiment, rows)
        if not done:
            print(f"stopped; resume with: lyrics-tui compare --resume {experiment.id}")
    return 130 if interrupted.is_set() else 0


def _plan(args: argparse.Namespace, home: Path) -> ex.Experiment:
    from tui_lyrics.corpus import load_corpus, split_text

    if not args.corpus:
        raise LyricsError("name a corpus to compare on, or --resume ID / --list")
    cells, inputs = _split(args.cells, CELLS, "cells"), _split(args.inputs, INPUTS, "inputs")
    corpus = load_corpus(args.corpus)
    base = auto_preset(len(split_text(corpus.text)[0]))
    given = {k: v for k, v in (("hidden", args.hidden), ("layers", args.layers)) if v is not None}
    model = base.model.to_dict() | given
    if args.minutes is not None:
        budget: dict[str, float] = {"minutes": args.minutes}
    else:
        budget = {"steps": (base.train.steps or 1) if args.steps is None else args.steps}  # as the app's form
    train = base.train.to_dict() | {"seed": args.seed, "steps": None, "patience": 0}
    _check_plan(cells, inputs, model, {**train, **budget}, vocab=corpus.summary.distinct + 1, limit=args.max_params)
    experiment = ex.new_experiment(home, args.corpus, cells=cells, inputs=inputs, budget=budget, model=model,
                                   train=train, repeats=args.repeats, prefix=args.prefix, name=args.name)  # fmt: skip
    if args.max_params != DEFAULT_MAX_PARAMS:
        experiment.data["settings"]["max_params"] = args.max_params
        experiment.save()
    return experiment


def _check_plan(
    cells: list[str], inputs: list[str], model: dict[str, Any], train: dict[str, Any], *, vocab: int, limit: int
) -> None:
    """Every run's settings and size, checked before the experiment is saved or anything trained."""
    TrainConfig.from_dict({"steps": None, **train})
    for cell in cells:
        for inp in inputs:
            check_size(
                ModelConfig.from_dict({**model, "cell": cell, "input": inp, "ngram": 0}), vocab, max_params=limit
            )


def _run(home: Path, experiment: ex.Experiment, stop: threading.Event, *, quiet: bool) -> bool:
    from rich.console import Console

    console = Console(stderr=True, quiet=quiet)
    total = len(experiment.runs)

    def on_run(index: int, run: dict[str, Any]) -> None:
        console.print(f"[bold]run {index + 1}/{total}[/]: {run['cell']} × {run['input']} (seed {run['seed']})")

    def on_event(event: Any) -> None:
        from tui_lyrics.progress import HeldOutScored

        if isinstance(event, HeldOutScored):
            console.print(f"  step {event.step:,}: held-out {event.held_loss:.4f} (ppl {fmt_ppl(event.held_loss)})")

    return experiment_run.run_experiment(home, experiment, on_run=on_run, callback=on_event, stop=stop)


def _print_table(experiment: ex.Experiment, rows: list[experiment_report.Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"experiment {experiment.id}", title_justify="left")
    for col in ("cell", "input", "params", "chars/s", "train loss", "best held-out", "ppl", "best step", "time"):
        table.add_column(col, justify="left" if col in ("cell", "input") else "right")
    for r in sorted(rows, key=lambda r: r.best_loss if r.best_loss is not None else 1e9):
        spread = f" ± {r.best_loss_sd:.3f}" if r.best_loss_sd is not None else ""
        best = "—" if r.best_loss is None else f"{r.best_loss:.4f}{spread}"
        train = "—" if r.train_loss is None else f"{r.train_loss:.4f}"
        table.add_row(r.cell, r.input, f"{r.params:,}", f"{r.chars_per_sec:,.0f}", train, best,
                      fmt_ppl(r.best_loss), f"{r.best_step or 0:,}", fmt_duration(r.seconds))  # fmt: skip
    console = Console()
    console.print(table)
    for model, text in experiment.data["samples"].items():
        console.print(f"[bold]{model}[/]\n{text}\n")


def _list(home: Path, *, as_json: bool) -> int:
    rows = [
        {"id": e.id, "created": e.data["created"], "runs": len(e.runs), "corpus": Path(e.data["corpus"]).name,
         "done": sum(r.get("status") == "done" for r in e.runs)}
        for e in ex.list_experiments(home)
    ]  # fmt: skip
    if as_json:
        print_json(rows)
    elif not rows:
        print("no experiments yet; run: lyrics-tui compare CORPUS --minutes 2")
    else:
        for r in rows:
            print(f"{r['id']}  {r['created']}  {r['done']}/{r['runs']} runs done  {r['corpus']}")
    return 0
