"""The library's song list: each song written in the Write screen, reopened from here.

The rows come from ``songs/store.py`` (read in the library's reading thread). Its keys act on
the selected song: enter or w reopens it in the Write screen (through its public constructor),
d deletes it after asking. It hides itself while there are no songs, so a library without songs
looks as it always did.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.widgets import DataTable

from tui_lyrics.errors import LyricsError
from tui_lyrics.ui.library.messages import SongDeleted
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from tui_lyrics.songs.store import SongInfo
    from tui_lyrics.ui.app import LyricsApp

COLUMNS = ("Song", "Model", "Lines", "Updated")


def when(stamp: str) -> str:
    """An ISO time as ``2026-12-02 05:10`` in the local zone (as written, if it is not one)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


class SongTable(DataTable[Text]):
    """The songs of the library, by name; hidden while there are none."""

    app: LyricsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "open", "Write", tooltip="Reopen the selected song in the Write screen"),
        Binding("d", "delete", "Delete", tooltip="Delete the selected song (asks first)"),
    ]
    DEFAULT_CSS = """
    SongTable { height: auto; max-height: 8; }
    SongTable.-empty { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, classes="-empty")
        self.songs: tuple[SongInfo, ...] = ()
        self.border_title = "Songs · enter reopens one in Write"

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def show(self, songs: tuple[SongInfo, ...]) -> None:
        """Replace the rows (names come from users and files: never read as markup)."""
        selected = self.selected()
        self.songs = songs
        self.clear()
        for song in songs:
            if song.error:
                self.add_row(Text(song.name), Text("unreadable"), Text(""), Text(""), key=song.name)
            else:
                lines = Text(f"{song.lines:,}", justify="right")
                self.add_row(Text(song.name), Text(song.model), lines, Text(when(song.updated)), key=song.name)
        if selected is not None and selected.name in self.rows:
            self.move_cursor(row=self.get_row_index(selected.name))
        self.set_class(not songs, "-empty")

    def selected(self) -> SongInfo | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return next((song for song in self.songs if song.name == key), None)

    def describe(self) -> str:
        """The details line for the selected song."""
        song = self.selected()
        if song is None:
            return ""
        if song.error:
            return f"[b]{escape(song.name)}[/b] cannot be read: {escape(song.error)}"
        return (
            f"[b]{escape(song.name)}[/b] · a song written with {escape(song.model)} · {song.lines:,} lines · "
            f"updated {when(song.updated)} · enter or w reopens it in Write · d deletes it"
        )

    # -- actions ------------------------------------------------------------------------------
    @on(DataTable.RowSelected)
    def _chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        song = self.selected()
        if song is None:
            return
        if song.error:
            self.notify(f"{song.name} cannot be read: {song.error}", severity="error")
            return
        from tui_lyrics.ui.write.screen import WriteScreen  # loaded on demand

        self.app.push_screen(WriteScreen(store=self.app.store, song_name=song.name))

    def action_delete(self) -> None:
        song = self.selected()
        if song is not None:
            dialog = ConfirmDialog(f"Delete the song {song.name}? This cannot be undone.", yes="Delete", no="Keep")
            self.app.push_screen(dialog, lambda yes: self._delete(song.name, yes))

    def _delete(self, name: str, yes: bool | None) -> None:
        if not yes:
            return
        from tui_lyrics.songs.store import SongStore

        try:
            SongStore(self.app.store.home).delete(name)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Deleted the song {name}")
        self.post_message(SongDeleted(name=name))
