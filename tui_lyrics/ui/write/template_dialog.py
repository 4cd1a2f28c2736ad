"""The Write screen's template question: a reference song's file, or the song itself pasted in.

A one-line ``Input`` keeps only the first line of a paste, so the answer is a ``TextArea``: a file
path typed on one line is used at Enter (as a prompt would), a pasted song of several lines is
kept as pasted and used with ctrl+s or the Use button. ctrl+o (or the File button) picks the file
from a list instead (``file_picker.py``): its path lands in the answer, where ``#2`` can still be
added, and Enter uses it. The dialog dismisses with the text (``songs.template.template_from_answer``
reads it) or None when cancelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

from tui_lyrics.ui import sizes

QUESTION = (
    "A reference song to write to: type a .txt or .lrc file or pick one with ctrl+o (FILE#2 or FILE#verses 1-4 "
    "for one song of several) and press Enter, or paste the song's lines and press ctrl+s. Empty: no template."
)
QUESTION_SHORT = "A reference song: a .txt/.lrc file + Enter (ctrl+o picks one), or its lines pasted + ctrl+s."
"""The question where rows are few (under 20): the answer and every button still fit at 40×12."""


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
    TemplateDialog #question-short { display: none; }
    TemplateDialog.-short TemplateAnswer, TemplateDialog.-low TemplateAnswer { height: 3; }
    TemplateDialog.-short #question, TemplateDialog.-low #question { display: none; }
    TemplateDialog.-short #question-short, TemplateDialog.-low #question-short { display: block; }
    """
    HORIZONTAL_BREAKPOINTS = sizes.HORIZONTAL  # in any host app
    VERTICAL_BREAKPOINTS = sizes.VERTICAL
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "use", "Use", priority=True),
        Binding("ctrl+o", "pick_file", "Pick a file", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(QUESTION, classes="dialog-question", id="question")
            yield Label(QUESTION_SHORT, classes="dialog-question", id="question-short")
            yield TemplateAnswer(id="answer", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("File… (ctrl+o)", id="pick")
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

    @on(Button.Pressed, "#pick")
    def _pick_pressed(self) -> None:
        self.action_pick_file()

    def action_pick_file(self) -> None:
        """Pick the song's file from a list, starting where the answer points (else the current folder)."""
        from tui_lyrics.ui.write.file_picker import SongFilePicker

        typed = self.query_one(TemplateAnswer).text.strip()
        start = Path(typed).expanduser() if typed and "\n" not in typed else None  # a pasted song: not a place
        self.app.push_screen(SongFilePicker(start if start is None or start.is_dir() else start.parent), self._picked)

    def _picked(self, path: Path | None) -> None:
        answer = self.query_one(TemplateAnswer)
        if path is not None:  # the path in the answer, shortened under the current folder: Enter uses it
            here = Path.cwd().resolve()
            answer.text = str(path.relative_to(here)) if path.is_relative_to(here) else str(path)
            answer.move_cursor(answer.document.end)
        answer.focus()

    def action_use(self) -> None:
        self.dismiss(self.query_one(TemplateAnswer).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
