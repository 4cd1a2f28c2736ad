"""Small modal dialogs: a yes/no confirmation and a one-line prompt."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("escape,n,enter", "answer(False)", "Cancel"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                # The buttons take no focus, so Enter always means the safe answer the label names.
                for button in (
                    Button(f"{self.yes} (y)", variant="error", id="yes"),
                    Button(f"{self.no} (Enter)", variant="primary", id="no"),
                ):
                    button.can_focus = False
                    yield button

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PromptDialog(ModalScreen[str | None]):
    """Ask for one line of text; dismisses with it, or None when cancelled."""

    DEFAULT_CSS = """
    PromptDialog { align: center middle; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, *, value: str = "", ok: str = "OK") -> None:
        super().__init__()
        self.question, self.value, self.ok = question, value, ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-question")
            yield Input(self.value, id="answer")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.ok} (Enter)", variant="primary", id="ok")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.dismiss(self.query_one("#answer", Input).value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one("#answer", Input).value if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
