"""The Write screen's questions about files: a template from a reference song, where to export the song,
and copying it.

Each asks through the app (a dialog, a notification) and hands what was chosen to the caller, so the
screen only says what to do with it; a file that cannot be read or written is one notification.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App

from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.store import SongStore
from tui_lyrics.ui.write.session import WriteSession

if TYPE_CHECKING:
    from tui_lyrics.songs.template import Template


def ask_template(app: App[Any], use: Callable[[Template | None], None]) -> None:
    """Ask for a template (a reference song's file or text, or none) and ``use`` the one read."""
    from tui_lyrics.ui.write.template_dialog import TemplateDialog

    def chosen(answer: str | None) -> None:
        if answer is None:
            return
        from tui_lyrics.songs.template import template_from_answer

        try:
            template = template_from_answer(answer)
        except LyricsError as error:
            app.notify(str(error), severity="error")
            return
        use(template)

    app.push_screen(TemplateDialog(), chosen)


def ask_export(app: App[Any], songs: SongStore, session: WriteSession) -> None:
    """Save the song, ask where to export it as text (``NAME.txt`` offered) and write it there."""
    from tui_lyrics.ui.widgets.dialogs import PromptDialog

    if session.save() is None:
        app.notify("Nothing to export yet", severity="warning")
        return

    def chosen(path: str | None) -> None:
        if not path or session.name is None:
            return
        try:
            out = songs.export_text(session.name, Path(path.strip()).expanduser())
        except LyricsError as error:
            app.notify(str(error), severity="error")
            return
        app.notify(f"Exported to {out}")

    app.push_screen(PromptDialog("Export the song as text to:", value=f"{session.name}.txt", ok="Export"), chosen)


def copy_song(app: App[Any], session: WriteSession) -> None:
    """Put the song's text on the clipboard."""
    app.copy_to_clipboard(session.draft.text)
    app.notify("The song is on the clipboard")
