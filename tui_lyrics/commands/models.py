"""``lyrics-tui models``: list, show, rename and delete models, without loading torch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui_lyrics.card import ModelCard
from tui_lyrics.commands.output import print_json
from tui_lyrics.errors import LyricsError
from tui_lyrics.fmt import fmt_count, fmt_duration, fmt_ppl
from tui_lyrics.progress import perplexity
from tui_lyrics.quotes import quotes_line, quotes_of, quotes_record
from tui_lyrics.store import ModelInfo, ModelStore


def run_models(args: argparse.Namespace, home: Path) -> int:
    store = ModelStore.open(home)
    action = args.action or "list"
    if action == "list":
        _list(store, as_json=args.json)
    elif action == "show":
        card = store.card(args.name)
        if args.json:
            print_json(card.to_dict())
        else:
            _show(card, store.path(args.name))
    elif action == "rename":
        store.rename(args.old, args.new)
        _done(args, {"renamed": args.old, "to": args.new}, f"renamed {args.old!r} to {args.new!r}")
    elif action == "delete":
        _confirm_delete(args, store)
        store.delete(args.name)
        _done(args, {"deleted": args.name}, f"deleted {args.name!r}")
    return 0


def _done(args: argparse.Namespace, data: dict[str, Any], message: str) -> None:
    print_json(data) if args.json else print(message)


def _confirm_delete(args: argparse.Namespace, store: ModelStore) -> None:
    store.own(args.name)  # fail early if missing, built in or being trained (a broken folder is fine)
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise LyricsError(f"refusing to delete {args.name!r} without --yes (no terminal to ask)")
    answer = input(f"Delete model {args.name!r} and its checkpoints? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise LyricsError("not deleted")


def _row(info: ModelInfo) -> dict[str, Any]:
    return {
        "name": info.name, "cell": info.cell, "input": info.input, "params": info.params,
        "corpus": info.corpus, "best_loss": info.best_loss, "best_ppl": info.best_ppl,
        "song_memory_loss": info.song_loss,
        "song_memory_ppl": None if info.song_loss is None else perplexity(info.song_loss),
        "memorisation": quotes_record(info.memorisation),
        "steps": info.steps,
        "train_seconds": info.train_seconds, "finished": info.finished, "live": info.live,
        "read_only": info.read_only, "path": str(info.path), "error": info.error, "broken": info.error is not None,
    }  # fmt: skip


def _list(store: ModelStore, *, as_json: bool) -> None:
    rows = store.list()
    if as_json:
        print_json([_row(r) for r in rows])
        return
    if not rows:
        print(f"no models yet in {store.root}; train one with: lyrics-tui train CORPUS")
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"models in {store.root}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)  # fmt: skip
    # The name is what `generate` and `train --resume` need: it is never cut; the corpus gives way first.
    table.add_column("name", no_wrap=True, min_width=max(len(r.name) for r in rows))
    # ppl: the static held-out figure; song ppl: the same text read with song memory (never one for the other)
    columns = (("cell", 9), ("params", 6), ("corpus", 4), ("ppl", 5), ("song", 4), ("steps", 5), ("time", 5),
               ("status", 6))  # fmt: skip
    for col, width in columns:
        right = col in ("params", "ppl", "song", "steps", "time")
        table.add_column(col, justify="right" if right else "left", no_wrap=True, overflow="ellipsis",
                         min_width=width, max_width=12 if col == "corpus" else None)  # fmt: skip
    for r in rows:
        if r.error:
            table.add_row(r.name, "", "", "", "", "", "", "", "[red]broken")
            continue
        status = "live" if r.live else ("done" if r.finished else "stopped")
        if r.read_only:
            status = "built-in"
        song = "" if r.song_loss is None else fmt_ppl(r.song_loss)
        table.add_row(r.name, f"{r.cell}/{r.input}", fmt_count(r.params), r.corpus, fmt_ppl(r.best_loss), song,
                      f"{r.steps:,}", fmt_duration(r.train_seconds), status)  # fmt: skip
    Console().print(table)
    if any(r.song_loss is not None for r in rows):
        print("ppl: held-out perplexity, static; song: the same text read with song memory (it counts what it read)")
    for r in rows:
        if r.error:  # a folder with no card or a corrupt one: say why, and how to get rid of it
            fix = "" if r.read_only else f" (rename or delete it: lyrics-tui models delete {r.name!r})"
            print(f"{r.name}: broken: {r.error}{fix}")


def _show(card: ModelCard, path: Path) -> None:
    state, corpus, vocab = card.state, card.corpus, card.vocab
    print(f"{card.name}  ({path})")
    print(f"  model    {card.model.to_dict()}  {card.params:,} parameters")
    print(f"  corpus   {corpus.name}: {corpus.chars:,} characters, {corpus.lines:,} lines, "
          f"{corpus.distinct:,} distinct, {corpus.encoding}")  # fmt: skip
    print(f"  vocab    {vocab.size:,} ids (<unk> included), {len(vocab.rare):,} rare characters trained as <unk>")
    budget = {k: getattr(card.train, k) for k in ("steps", "epochs", "minutes") if getattr(card.train, k)}
    print(f"  training step {state.step:,}, {fmt_duration(state.train_seconds)}, budget {budget}, "
          f"{'finished' if state.finished else 'not finished'}")  # fmt: skip
    if state.best_loss is not None:
        print(f"  best     held-out {state.best_loss:.4f} nats/char, perplexity {fmt_ppl(state.best_loss)} "
              f"at step {state.best_step or 0:,}")  # fmt: skip
        song = next((p.song_loss for p in card.history if p.step == state.best_step), None)
        if song is not None:  # beside the static figure, never instead of it
            print(f"           with song memory {song:.4f} nats/char, perplexity {fmt_ppl(song)} (the n-grams also "
                  f"count the held-out text read so far)")  # fmt: skip
        print(f"           {quotes_line(quotes_of(card))}")
    if card.mixture is not None:
        chosen = " (chosen on a slice of the training text)" if card.mixture.order_scores else ""
        print(f"  n-gram   order {card.mixture.order}{chosen}, the network's weight {card.mixture.weight}")
    for point in card.history[-5:]:
        train = "—" if point.train_loss is None else f"{point.train_loss:.4f}"
        print(f"    step {point.step:>7,}: held-out {point.held_loss:.4f}  train {train}")
