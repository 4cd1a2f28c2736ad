"""Quitting the app on purpose (ctrl+q): ask first while something runs or takes are unsaved, then save and leave.

A hang-up or SIGTERM takes the other way out (``ui/hangup.py``); both stop every run through
the run service and wait, bounded, for its save.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from tui_lyrics.ui.hangup import SAVE_WAIT_SECONDS
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from tui_lyrics.ui.app import LyricsApp


def ask_to_quit(app: LyricsApp) -> None:
    """Quit now if nothing would be lost; otherwise ask, naming the runs or the unsaved takes."""
    running = app.runs.describe()
    unsaved = app.compose_memory.unsaved
    if not running and not unsaved:
        app.exit(0)
        return
    if not running:
        count = "1 take is" if unsaved == 1 else f"{unsaved} takes are"
        question = f"{count} not saved (W in Compose saves all). Quit and lose them?"
        dialog = ConfirmDialog(question, yes="Quit without saving", no="Cancel")
        app.push_screen(dialog, lambda yes: app.exit(0) if yes else None)
        return
    what = " and ".join(running)
    question = f"{what[0].upper()}{what[1:]}. Stop (every model in training is saved) and quit?"
    dialog = ConfirmDialog(question, yes="Stop, save and quit", no="Cancel")
    app.push_screen(dialog, partial(_quit_answered, app))


def _quit_answered(app: LyricsApp, stop: bool | None) -> None:
    if not stop:
        return
    if not app.runs.active:
        app.exit(0)
        return
    app.stop_training()
    app.runs.stop_all()
    app.notify("Saving the checkpoints…")
    app.run_worker(partial(_exit_when_saved, app), thread=True, group="quit", exit_on_error=False)


def _exit_when_saved(app: LyricsApp) -> None:
    """Worker body: wait (bounded) for every run's save, then leave; ``run_app`` waits again if need be."""
    app.runs.wait_saved(SAVE_WAIT_SECONDS)
    app.call_from_thread(app.exit, 0)
