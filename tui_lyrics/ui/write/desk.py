"""DraftDesk: the song being written and the rows that show it (its title, the draft, the status line).

The desk owns the ``WriteSession`` (plain data and autosave, ``session.py``): it opens the song,
makes the changes the draft keys ask for (mark, lock, delete, undo, insert the chorus, set a
template) and shows the draft after each, posting ``DraftChanged`` when it is another draft; a
change the session refuses is one notification. The screen asks it for those changes and for the
session the engine requests are made from; it never reaches into the desk's widgets except to
focus the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.notifications import SeverityLevel

from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.store import SongStore
from tui_lyrics.ui.messages import fact
from tui_lyrics.ui.write.session import WriteSession
from tui_lyrics.ui.write.widgets import DraftView, SongTitle, WriteStatus

if TYPE_CHECKING:
    from tui_lyrics.songs.template import Template


@fact
class DraftChanged(Message):
    """The desk showed a draft other than the one it showed before (a line typed, accepted, edited, deleted,
    undone, a mark, a lock, a template): the screen checks its candidates still fit."""


class DraftDesk(Vertical):
    """The song's title, its draft (with the template's lines to come) and one status line."""

    DEFAULT_CSS = """
    DraftDesk { height: 1fr; min-height: 6; }
    """

    def __init__(self, songs: SongStore, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.songs = songs
        self.session: WriteSession | None = None
        """The song; set by ``open`` when the screen mounts."""
        self.shown: Draft | None = None

    def compose(self) -> ComposeResult:
        yield SongTitle(id="write-title")
        yield DraftView(id="draft")
        yield WriteStatus("", id="write-status")

    def open(self, *, model: str, song: str | None) -> WriteSession:
        """Open the saved ``song`` (None: a new song with ``model``); one that cannot be read is said, and a new
        song starts instead."""
        try:
            self.session = WriteSession(self.songs, model) if song is None else WriteSession.open(self.songs, song)
        except LyricsError as error:
            self.notify(str(error), severity="error")
            self.session = WriteSession(self.songs, model)
        self.show(None)
        return self.session

    @property
    def view(self) -> DraftView:
        return self.query_one("#draft", DraftView)

    def song(self) -> WriteSession:
        """The session (the desk is open once its screen has mounted)."""
        assert self.session is not None
        return self.session

    def say(self, text: str) -> None:
        """Put ``text`` on the status line under the draft."""
        self.query_one("#write-status", WriteStatus).say(text)

    def number(self, index: int) -> int:
        """Line ``index`` as the writer counts it (verse breaks not counted), for messages."""
        return self.song().draft.number(index)

    def show(self, highlight: int | None) -> None:
        """Show the session's draft (``highlight``: the line to highlight; None keeps the highlight)."""
        session = self.song()
        if session.saved_error:
            self.notify(f"Not saved: {session.saved_error}", severity="error")
        self.view.show(session.draft, highlight=highlight)
        self.query_one("#write-title", SongTitle).show(session)
        if session.draft is not self.shown:
            self.shown = session.draft
            self.post_message(DraftChanged())

    def change(self, change: Callable[[], int], *, severity: SeverityLevel = "error") -> int | None:
        """Run a session ``change`` that returns the line to highlight, and show the draft; a refusal is a
        notification and None."""
        try:
            highlight = change()
        except LyricsError as error:
            self.notify(str(error), severity=severity)
            return None
        self.show(highlight)
        return highlight

    # -- the draft keys ---------------------------------------------------------------------

    def editable(self) -> int | None:
        """The highlighted line, if it may be edited (a locked one is said, and None)."""
        index = self.view.current()
        if index is not None and self.song().draft.lines[index].locked:
            self.notify(f"Line {self.number(index)} is locked: press l to unlock it", severity="warning")
            return None
        return index

    def mark(self, part: str) -> None:
        """Mark the highlighted line (a verse break: the line after it) and move to the next line, so four
        presses mark four lines."""
        session = self.song()
        current = self.view.current()
        index = None if current is None else session.draft.next_lyric(current)
        if index is None:
            return
        marked = session.toggle_mark(index, part)
        self.show(index)
        if marked and part == "chorus":
            self.say(f"Line {self.number(index)} is chorus · h inserts the chorus after the last line")
        following = session.draft.next_lyric(index + 1)
        if following is not None:
            self.view.highlighted = following

    def toggle_lock(self) -> None:
        index = self.view.current()
        if index is not None:
            self.song().toggle_lock(index)
            self.show(index)

    def insert_chorus(self) -> None:
        if self.change(self.song().insert_chorus, severity="warning") is not None:
            self.say("Chorus inserted · g: the model continues after it")

    def delete(self) -> None:
        index = self.view.current()
        if index is not None:
            self.change(lambda: self.song().delete(index), severity="warning")

    def undo(self) -> None:
        if self.song().undo():
            self.show(None)

    def set_template(self, template: Template | None) -> None:
        self.song().set_template(template)
        self.show(None)
        self.say(f"Template: {'no template' if template is None else f'{len(template)} lines from {template.source}'}")
