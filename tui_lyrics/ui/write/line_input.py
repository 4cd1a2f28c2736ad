"""The Write screen's line input: type new lines, or edit one line of the draft.

It owns one piece of state, which line it is editing (None: typing new lines), shows it in its
placeholder, and forwards Enter as ``LineEntered``; the screen gives the line to the session and
calls ``entered`` when the session took it, so a refused edit stays in the field to be fixed.

Enter is taken in the field's own key handler, in the order the keys came, and a typed new line
leaves the field at its Enter. ``Input`` submits on Enter through a binding, which runs only once
the key has bubbled up to the app: by then the keys typed behind it (a fast typist's next line, a
paste) were already in the field, and two lines typed with Enter between them became one. A
newline (``ctrl+j``: what a line feed reads as) ends a line too, and a pasted song enters
every line of it, not only its first.
"""

from __future__ import annotations

import re

from textual import events
from textual.message import Message
from textual.widgets import Input

from tui_lyrics.ui.messages import fact

TYPING = "Type a line + Enter (empty: a verse break) · Esc: to the draft (g candidates…)"
LINE_ENDS = frozenset({"enter", "ctrl+j"})
"""Keys that end a line: Enter, and a newline (Textual reads a line feed as ctrl+j)."""
LINE_BREAK = re.compile(r"\r\n|\r|\n")


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
        """The session took the line; True when it was an edit (then the field is cleared: one line, then the
        draft). A typed new line left the field at its Enter: what is there now is the next line."""
        if self.editing is None:
            return False
        self.value = ""
        self.stop_editing()
        return True

    def end_line(self) -> None:
        """Post the field's text as ``LineEntered``; a new line leaves the field at once, for the next one."""
        self.post_message(LineEntered(text=self.value, editing=self.editing))
        if self.editing is None:
            self.value = ""

    async def _on_key(self, event: events.Key) -> None:
        if event.key in LINE_ENDS:  # here, in order with the typed keys, not as the binding up at the app
            event.stop()
            event.prevent_default()
            self.end_line()

    def _on_paste(self, event: events.Paste) -> None:
        *lines, rest = LINE_BREAK.split(event.text)
        if not lines or self.editing is not None:
            return  # one line, or an edit (one line): Input's own paste
        event.stop()
        event.prevent_default()
        for line in lines:
            self.replace(line, *self.selection)
            self.end_line()
        self.insert_text_at_cursor(rest)
