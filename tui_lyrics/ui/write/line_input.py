"""The Write screen's line input: type new lines, or edit one line of the draft.

It owns one piece of state, which line it is editing (None: typing new lines), shows it in its
placeholder, and forwards Enter as ``LineEntered``; the screen gives the line to the session and
calls ``entered`` when the session took it, so a refused line stays in the field to be fixed.
"""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input

from tui_lyrics.ui.messages import fact

TYPING = "Type a line + Enter (empty: a verse break) · Esc: to the draft (g candidates…)"


@fact
class LineEntered(Message):
    """The user pressed Enter on ``text``: a new line (``editing`` None) or the new text of line ``editing``."""

    text: str
    editing: int | None


class LineInput(Input):
    """One line of text; Enter posts ``LineEntered``."""

    def __init__(self, *, id: str | None = None) -> None:
        # An edit keeps the line with the cursor at its end, so focusing never selects it.
        super().__init__(placeholder=TYPING, id=id, select_on_focus=False)
        self.editing: int | None = None
        """The draft line being edited, or None: typing new lines."""

    def type_lines(self) -> None:
        """Take focus to type new lines after the draft."""
        self.stop_editing()
        self.focus()

    def edit(self, index: int, text: str, *, number: int) -> None:
        """Take focus holding line ``index``'s ``text``, the cursor at its end (``number``: the line as shown)."""
        self.editing = index
        self.value = text
        self.cursor_position = len(text)
        self.placeholder = f"Editing line {number}: Enter keeps the change"
        self.focus()

    def stop_editing(self) -> None:
        self.editing = None
        self.placeholder = TYPING

    def entered(self) -> bool:
        """The session took the line: clear the field; True when it was an edit (one line, then the draft)."""
        was_editing = self.editing is not None
        self.value = ""
        self.stop_editing()
        return was_editing

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(LineEntered(text=event.value, editing=self.editing))
