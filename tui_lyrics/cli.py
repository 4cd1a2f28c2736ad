"""The ``lyrics-tui`` command: no subcommand opens the app; subcommands run headless.

Heavy modules (torch, textual) are imported inside each branch so ``lyrics-tui models``
answers at once and the app paints before torch has loaded.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tui_lyrics import __version__
from tui_lyrics.errors import LyricsError, describe_os_error

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def _add_train(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "--max-mb", type=_positive(float), default=200.0, help="refuse corpora larger than this (default 200)"
    )
    _add_max_params(p)
    p.add_argument(
        "--exact-text",
        action="store_true",
        help="train on the text as decoded, only \\r deleted (no NFC, trailing-space or blank-line cleanup); "
        "what benchmarks score",
    )


def _add_generate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    _add_max_params(p)
    _add_lyric_controls(p)


def _add_lyric_controls(p: argparse.ArgumentParser) -> None:
    from tui_lyrics.sample_defaults import QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC
    from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS as rec

    craft = p.add_argument_group("lyric controls (constrained decoding: the model's own probabilities, restricted)")
    craft.add_argument("--line-chars", type=int, help="target characters per line (default: where the model ends them)")
    craft.add_argument("--line-tolerance", type=int, default=2, help="lines have line-chars ± this many (default 2)")
    craft.add_argument("--verse-lines", type=int, help="a blank line after every N lines, and nowhere else")
    craft.add_argument(
        "--rhyme",
        default="off",
        metavar="MODE",
        help="line-end rhyme, Chinese only (English lines are not rhymed): off (default), follow (every line "
        "rhymes with the first), or a 十三辙 class: 发花 梭波 乜斜 一七 姑苏 怀来 灰堆 遥条 油求 言前 人辰 江阳 中东 "
        "(or its pinyin, e.g. jiangyang); best with --line-chars, or lines run long looking for a rhyme",
    )
    craft.add_argument(
        "--repetition-penalty",
        type=float,
        default=rec["repetition_penalty"],
        help=f"divide a character's probability by this per use in the last --repetition-window characters "
        f"(default {rec['repetition_penalty']}; 1: off)",
    )
    craft.add_argument(
        "--repetition-window", type=int, default=32, help="recent characters the penalty looks at (default 32)"
    )
    craft.add_argument(
        "--no-repeat-ngram",
        type=int,
        default=rec["no_repeat_ngram"],
        help=f"never repeat an n-gram of this many characters within lines (default {rec['no_repeat_ngram']}; 0: off)",
    )
    craft.add_argument(
        "--loop-repeats",
        type=int,
        default=rec["loop_repeats"],
        help=f"step out of a loop once a unit has repeated this many times in a row, and never write a line "
        f"equal to one of the last two (a chorus may come back) (default {rec['loop_repeats']}; 0: off)",
    )
    craft.add_argument(
        "--quote-limit",
        type=_quote_limit,
        metavar="N",
        help=f"never copy more than N characters in a row from the model's corpus; the song's own text (the "
        f"prefix, a chorus coming back) is exempt (default {QUOTE_LIMIT} for Chinese, Japanese or Korean models, "
        f"{QUOTE_LIMIT_ALPHABETIC} for alphabetic ones; 0 or off: no limit)",
    )
    craft.add_argument(
        "--song-memory",
        choices=["on", "off"],
        default="on",
        help="the n-gram also counts the prefix and what is written, so a chorus can come back (default on)",
    )
    craft.add_argument(
        "--corpus-lines",
        choices=["on", "off"],
        default="on",
        help="lines and verse breaks in the corpus's shape: no line shorter than its short lines, no blank line "
        "before its shortest verses (--line-chars and --verse-lines govern where set; default on)",
    )


def _quote_limit(value: str) -> int:
    """--quote-limit: a number of characters, or off."""
    if value.strip().lower() == "off":
        return 0
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of characters or off, not {value!r}") from None


def _ngram_order(value: str) -> int:
    """``--ngram``: an order 0–9, or auto (-1: chosen per corpus)."""
    if value == "auto":
        return -1
    if value.isdigit() and int(value) <= 9:
        return int(value)
    raise argparse.ArgumentTypeError(f"must be 0–9 or auto, not {value!r}")


def _add_eval(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("eval", help="held-out (or a file's) cross-entropy and perplexity")
    p.add_argument("name", help="model name")
    p.add_argument("file", nargs="?", help="score this text instead of the model's held-out part")
    p.add_argument("--weights", choices=["best", "last"], default="best", help="which checkpoint (default best)")
    p.add_argument("--device", default="cpu", help="device to score on: auto, cpu, cuda or mps (default cpu)")
    _add_max_params(p)


def _add_max_params(p: argparse.ArgumentParser) -> None:
    from tui_lyrics.config import DEFAULT_MAX_PARAMS

    p.add_argument(
        "--max-params",
        type=_positive(int),
        default=DEFAULT_MAX_PARAMS,
        metavar="N",
        help=f"refuse a network with more parameters than this, checked before it is built "
        f"(default {DEFAULT_MAX_PARAMS:,})",
    )


def _positive(kind: type) -> Callable[[str], Any]:
    """An argparse type: a finite number above 0 of ``kind``, or a one-line usage error."""

    def parse(value: str) -> Any:
        try:
            number = kind(float(value)) if kind is int and float(value).is_integer() else kind(value)  # 2e8 too
        except (ValueError, OverflowError):
            word = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {word}, not {value!r}") from None
        if not (0 < number < math.inf):
            raise argparse.ArgumentTypeError(f"expected a number above 0, not {value!r}")
        return number

    return parse


def _add_models(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lyrics-tui",
        description="Train character-level models on lyrics and compose with them. With no command, open the app.",
    )
    parser.add_argument("--version", action="version", version=f"lyrics-tui {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    home_help = "model library folder (default: $LYRICS_TUI_HOME or the user data dir)"
    # SUPPRESS: a subcommand without --home must not reset one given before it.
    common.add_argument("--home", default=argparse.SUPPRESS, help=home_help)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    parser.add_argument("--home", help=home_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_with_parents(common))
    from tui_lyrics.commands.compare import add_parser as _add_compare
    from tui_lyrics.commands.songs import add_parser as _add_songs
    from tui_lyrics.commands.write import add_parser as _add_write

    for add in (_add_train, _add_generate, _add_eval, _add_models, _add_compare, _add_write, _add_songs):
        add(sub)
    return parser


def _with_parents(common: argparse.ArgumentParser) -> type[argparse.ArgumentParser]:
    """Subcommand parsers that all take --home and --json."""

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("parents", [common])
            super().__init__(*args, **kwargs)

    return Parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except LyricsError as error:
        print(f"lyrics-tui: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("lyrics-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as error:  # the last resort: whatever file failed, one line naming it, never a traceback
        print(f"lyrics-tui: error: {describe_os_error(error)}", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print("lyrics-tui: error: out of memory; try a smaller --batch, --seq or --hidden", file=sys.stderr)
        return EXIT_ERROR
    except ModuleNotFoundError as error:  # a broken install: say which package, not a traceback
        missing = error.name or str(error)
        print(f"lyrics-tui: error: {missing} is not installed; reinstall lyrics-tui", file=sys.stderr)
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    from tui_lyrics.paths import data_home

    home = data_home(args.home)
    if args.command is None:
        return _run_app(home)
    if args.command == "train":
        from tui_lyrics.commands.train import run_train

        return run_train(args, home)
    if args.command == "generate":
        from tui_lyrics.commands.generate import run_generate

        return run_generate(args, home)
    if args.command == "eval":
        from tui_lyrics.commands.evaluate import run_eval

        return run_eval(args, home)
    if args.command == "write":
        from tui_lyrics.commands.write import run_write

        return run_write(args, home)
    if args.command == "songs":
        from tui_lyrics.commands.songs import run_songs

        return run_songs(args, home)
    if args.command == "compare":
        from tui_lyrics.commands.compare import run_compare

        return run_compare(args, home)
    from tui_lyrics.commands.models import run_models

    return run_models(args, home)


def _run_app(home: Path) -> int:
    from tui_lyrics.ui.app import run_app

    return run_app(home)


if __name__ == "__main__":
    sys.exit(main())
