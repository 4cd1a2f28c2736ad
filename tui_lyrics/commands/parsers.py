"""The parsers of ``train``, ``generate``, ``eval`` and ``models``: their arguments, options and help.

``compare``, ``write`` and ``songs`` define their parsers beside their runs (``commands.compare`` and the
others); the options several commands share are ``commands.options``. ``cli.build_parser`` adds them all.
Torch-free: ``lyrics-tui --help`` builds every parser.
"""

from __future__ import annotations

import argparse

from tui_lyrics.commands.options import add_lyric_controls, add_max_params, positive


def add_train(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("train", help="train a model on a corpus (or resume one)")
    p.add_argument("corpus", nargs="?", help="a .txt/.lrc/.md file, a .zip of them, or a folder")
    p.add_argument("--name", help="name of the new model (default: from the corpus and cell)")
    p.add_argument("--resume", metavar="NAME", help="continue training this model (with a new budget: train more)")
    p.add_argument(
        "--force",
        action="store_true",
        help="take over a training lock whose holder cannot be checked from here (another machine); "
        "a lock held on this machine is never taken",
    )
    p.add_argument(
        "--preset",
        default="auto",
        choices=["auto", "tiny", "small", "medium", "large"],
        help="model size and budget; auto sizes them to the corpus (default)",
    )
    model = p.add_argument_group("model (defaults from the preset)")
    model.add_argument("--cell", choices=["rnn", "lstm", "gru"], help="recurrent cell")
    model.add_argument("--input", choices=["embed", "onehot"], help="learned embedding or one-hot input")
    model.add_argument("--layers", type=int, help="stacked recurrent layers")
    model.add_argument("--hidden", type=int, help="units per layer")
    model.add_argument("--embed-dim", type=int, help="embedding width")
    model.add_argument("--dropout", type=float, help="dropout on embedding, between layers and before the head")
    model.add_argument(
        "--ngram",
        type=_ngram_order,
        help="order of the Kneser-Ney n-gram mixed in (auto: chosen per corpus, the default; 0: network alone)",
    )
    model.add_argument(
        "--combine",
        choices=["product", "mix"],
        help="product: train the network to complement the n-gram (logits + log p_ngram); "
        "mix: train it alone and interpolate the two",
    )
    budget = p.add_argument_group("budget (one of)").add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="optimiser steps")
    budget.add_argument("--epochs", type=float, help="passes over the training text")
    budget.add_argument("--minutes", type=float, help="wall-clock minutes")
    opt = p.add_argument_group("training")
    opt.add_argument("--batch", type=int, help="parallel streams per step")
    opt.add_argument("--seq", type=int, help="characters per back-propagation window")
    opt.add_argument("--lr", type=float, help="peak learning rate")
    opt.add_argument("--weight-decay", type=float, help="AdamW weight decay")
    opt.add_argument("--clip", type=float, help="gradient clipping by global norm")
    opt.add_argument("--warmup", type=int, help="learning-rate warm-up steps")
    opt.add_argument("--eval-every", type=int, help="score the held-out text every N steps")
    opt.add_argument("--patience", type=int, help="stop after N held-out scores without improvement (0: never)")
    opt.add_argument("--batching", choices=["stream", "random"], help="TBPTT streams or the report's random windows")
    opt.add_argument("--held-out", type=float, help="fraction of the text kept for held-out scoring (default 0.1)")
    opt.add_argument("--min-count", type=int, help="characters seen fewer times train as <unk> (default 2)")
    opt.add_argument("--max-vocab", type=int, help="keep at most this many characters")
    opt.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="where to train (default auto)")
    opt.add_argument("--no-amp", dest="amp", action="store_const", const=False, help="no mixed precision on CUDA")
    opt.add_argument("--seed", type=int, help="random seed (default 0)")
    opt.add_argument("--threads", type=int, help="CPU threads for torch")
    p.add_argument(
        "--max-mb", type=positive(float), default=200.0, help="refuse corpora larger than this (default 200)"
    )
    add_max_params(p)
    p.add_argument(
        "--exact-text",
        action="store_true",
        help="train on the text as decoded, only \\r deleted (no NFC, trailing-space or blank-line cleanup); "
        "what benchmarks score",
    )


def add_generate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("generate", help="stream lyrics from a model")
    p.add_argument("name", help="model name (see `lyrics-tui models`)")
    p.add_argument("--prefix", default="", help="text to continue, e.g. 我睁开双眼")
    p.add_argument(
        "--length", type=int, help="maximum characters to generate (default 200, or enough for --lines × --line-chars)"
    )
    p.add_argument("--temperature", type=float, default=0.8, help="0 greedy, 1 the model's own (default 0.8)")
    p.add_argument("--top-k", type=int, default=5, help="sample among the k most likely (0: all; default 5)")
    p.add_argument("--top-p", type=float, default=1.0, help="nucleus: keep the smallest set reaching p (default 1)")
    p.add_argument("--lines", type=int, help="stop after this many lines")
    p.add_argument("--seed", type=int, help="seed for a reproducible take (default: random, printed)")
    p.add_argument("--weights", choices=["best", "last"], default="best", help="which checkpoint (default best)")
    p.add_argument("--device", default="cpu", help="device to sample on: auto, cpu, cuda or mps (default cpu)")
    add_max_params(p)
    add_lyric_controls(p)


def _ngram_order(value: str) -> int:
    """``--ngram``: an order 0–9, or auto (-1: chosen per corpus)."""
    if value == "auto":
        return -1
    if value.isdigit() and int(value) <= 9:
        return int(value)
    raise argparse.ArgumentTypeError(f"must be 0–9 or auto, not {value!r}")


def add_eval(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("eval", help="held-out (or a file's) cross-entropy and perplexity")
    p.add_argument("name", help="model name")
    p.add_argument("file", nargs="?", help="score this text instead of the model's held-out part")
    p.add_argument("--weights", choices=["best", "last"], default="best", help="which checkpoint (default best)")
    p.add_argument("--device", default="cpu", help="device to score on: auto, cpu, cuda or mps (default cpu)")
    add_max_params(p)


def add_models(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("models", help="list, show, rename or delete models")
    ms = p.add_subparsers(dest="action", metavar="ACTION")
    ms.add_parser("list", help="a table of models (the default)")
    show = ms.add_parser("show", help="one model's card")
    show.add_argument("name")
    rename = ms.add_parser("rename", help="rename a model")
    rename.add_argument("old")
    rename.add_argument("new")
    delete = ms.add_parser("delete", help="delete a model")
    delete.add_argument("name")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
