"""Shared output for the subcommands: JSON on stdout for scripts, notes on stderr."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def note(message: str) -> None:
    print(f"lyrics-tui: {message}", file=sys.stderr)


def install_stop_signals(stop: threading.Event) -> threading.Event:
    """First Ctrl-C (or SIGHUP/SIGTERM) sets ``stop`` so the engine saves; a second Ctrl-C aborts.

    Returns an Event that tells whether a signal arrived (the command then exits 130).
    """
    interrupted = threading.Event()

    def handler(signum: int, frame: object) -> None:
        from tui_lyrics.durable import SAVE_GUARD

        if interrupted.is_set() and signum == signal.SIGINT:
            if SAVE_GUARD.busy:  # never cut a save: abort as soon as it is written
                SAVE_GUARD.defer()
                note("saving… the checkpoint is being written; stopping as soon as it is")
                return
            raise KeyboardInterrupt
        interrupted.set()
        stop.set()
        note("stopping: saving… (Ctrl-C again to abort; a checkpoint being written is finished first)")

    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, handler)
    return interrupted
