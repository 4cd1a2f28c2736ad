"""Saving the run when the terminal goes away: SIGHUP, the SSH link dropping.

The handler runs in the main thread whatever the event loop is doing (restoring a dead
terminal can block it), sets the run's stop event at once and leaves the rest to a
thread: wait (bounded) for the checkpoint, ask the app to exit, and, in a real terminal,
leave for good if the exit itself hangs on the dead tty (never in the middle of a save).
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING, Any

from tui_lyrics.ui.messages import HungUp

if TYPE_CHECKING:
    from tui_lyrics.ui.app import LyricsApp

HANGUP_EXIT_CODE = 129
TERMINATED_EXIT_CODE = 143
SAVE_WAIT_SECONDS = 30.0
EXIT_GRACE_SECONDS = 3.0


class HangUpGuard:
    """A SIGHUP (and SIGTERM: ``docker stop``, a service manager) handler for the app's lifetime.

    Main thread, POSIX only. Both save the run and leave; SIGTERM exits with 143 as a killed process would.
    """

    def __init__(self, app: LyricsApp) -> None:
        self.app = app
        self.installed = False
        self._previous: dict[int, Any] = {}
        self._headless = False

    def install(self) -> None:
        if not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
            return
        self._headless = self.app.is_headless
        for sig in (signal.SIGHUP, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._hung_up)
        self.installed = True

    def uninstall(self) -> None:
        if self.installed:
            for sig, previous in self._previous.items():
                signal.signal(sig, previous)
            self.installed = False

    def _hung_up(self, signum: int, frame: FrameType | None) -> None:
        self.app.runs.stop_all()  # every run (a training, a grid) saves and returns, whatever the UI is doing
        code = TERMINATED_EXIT_CODE if signum == signal.SIGTERM else HANGUP_EXIT_CODE
        threading.Thread(target=self._leave, args=(code,), name="hang-up", daemon=True).start()

    def _leave(self, code: int = HANGUP_EXIT_CODE) -> None:
        self.app.runs.wait_saved(SAVE_WAIT_SECONDS)
        self.app.post_message(HungUp(code=code))
        if not self._headless:
            # Textual restores the terminal on exit; on a dead tty that can block forever.
            time.sleep(EXIT_GRACE_SECONDS)
            from tui_lyrics.durable import SAVE_GUARD

            SAVE_GUARD.exit(code)  # never mid-write: a save in progress is finished first
