"""Taking takes out of the app: save them to a text file (asking where), or copy one to the clipboard.

Both talk to the writer through the app (a dialog, a notification), so the screen only says which
takes; the file format and the atomic write are ``takes.py``'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.app import App

from tui_lyrics.errors import LyricsError
from tui_lyrics.ui.compose.dialogs import TextPrompt
from tui_lyrics.ui.compose.takes import Take, default_filename, resolve_path, save_takes

CLIPBOARD_NOTE = (
    "By OSC 52, if the terminal allows it (over SSH too; tmux needs `set -g set-clipboard on`). "
    "Nothing arrived? Press w to save it to a file."
)
"""Short: at 60 columns the notification covers the take while it shows."""


def ask_and_save(app: App[Any], takes: Sequence[Take], *, what: str, model: str, saved: Callable[[], None]) -> None:
    """Ask where to save ``takes`` (``what`` names them: "take 3", "all takes (4)"), write them there and
    mark them saved; ``saved`` is called after a write. A path that cannot be written is one line."""
    name = default_filename(model)

    def chosen(answer: str | None) -> None:
        if answer is None:
            return
        try:
            path = save_takes(resolve_path(answer, default_name=name), takes)
        except LyricsError as error:
            app.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        for take in takes:
            take.saved = True
        saved()
        told = f"take {takes[0].number}" if len(takes) == 1 else f"{len(takes)} takes"
        app.notify(f"Saved {told} to {path}", title="Saved", markup=False)

    app.push_screen(TextPrompt(f"Save {what} to (a file or a folder, relative to {Path.cwd()}):", name), chosen)


def copy_take(app: App[Any], take: Take) -> None:
    """Copy ``take`` (prefix and text) with OSC 52, and say where that cannot work."""
    app.copy_to_clipboard(take.prefix + take.text)
    if os.environ.get("TERM_PROGRAM") == "Apple_Terminal":
        message = "macOS Terminal ignores OSC 52, so nothing was copied: press w to save the take to a file."
        app.notify(message, title="Cannot copy here", severity="warning", markup=False)
        return
    note = f"Copied take {take.number} ({len(take.prefix + take.text)} characters). {CLIPBOARD_NOTE}"
    app.notify(note, title="Copied", markup=False, timeout=8)
