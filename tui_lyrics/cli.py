"""The ``lyrics-tui`` command: no subcommand opens the app; subcommands run headless.

This module builds the whole parser (each command's own is in ``commands.parsers``, or beside its
run for ``compare``, ``write`` and ``songs``), dispatches to the command, and turns errors into one
line and an exit code. Heavy modules (torch, textual) are imported inside each branch so
``lyrics-tui models`` answers at once and the app paints before torch has loaded.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui_lyrics import __version__
from tui_lyrics.commands.parsers import add_eval, add_generate, add_models, add_train
from tui_lyrics.errors import LyricsError, describe_os_error

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


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

    for add in (add_train, add_generate, add_eval, add_models, _add_compare, _add_write, _add_songs):
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
