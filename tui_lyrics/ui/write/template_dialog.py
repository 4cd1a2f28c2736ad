"""The Write screen's template question: a reference song's file, or the song itself pasted in.

A one-line ``Input`` keeps only the first line of a paste, so the answer is a ``TextArea``: a file
path typed on one line is used at Enter (as a prompt would), a pasted song of several lines is
kept as pasted and used with ctrl+s or the Use button. The dialog dismisses with the text
(``songs.template.template_from_answer`` reads it) or None when cancelled.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

QUESTION = (
    "A reference song to write to: type a .txt or .lrc file (FILE#2 or FILE#verses 1-4 for one song of "
    "several) and press Enter, or paste the song's lines and press ctrl+s. Empty: no template."
)


class TemplateAnswer(TextArea):
    """The answer: Enter on a single line (a file name) uses it; once there are several lines, Enter is a
    new line as in any text box."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and "\n" not in self.text:
            event.stop()
            event.prevent_default()  # TextArea's own handler would insert a line break
            self.post_message(TemplateAnswer.Used())

    class Used(Message):
        """Enter on a one-line answer."""


class TemplateDialog(ModalScreen[str | None]):
    """Ask for a reference song; dismisses with the answer's text, or None."""

    DEFAULT_CSS = """
    TemplateDialog { align: center middle; }
    TemplateDialog TemplateAnswer { height: 8; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "use", "Use", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(QUESTION, classes="dialog-question")
            yield TemplateAnswer(id="answer", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Use (ctrl+s)", variant="primary", id="use")
                yield Button("Cancel (Esc)", id="cancel")

    @on(TemplateAnswer.Used)
    def _enter(self) -> None:
        self.action_use()

    @on(Button.Pressed, "#use")
    def _use_pressed(self) -> None:
        self.action_use()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_use(self) -> None:
        self.dismiss(self.query_one(TemplateAnswer).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
