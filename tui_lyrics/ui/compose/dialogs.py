"""Small dialogs of the composing screen: pick a model, type a path or a seed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui_lyrics.progress import perplexity
from tui_lyrics.quotes import quotes_brief
from tui_lyrics.store import ModelInfo

DIALOG_CSS = """
{name} {{
    align: center middle;
    & > Vertical {{
        width: 80%;
        max-width: 90;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }}
    & Label {{ width: 100%; color: $text-muted; }}
    & OptionList {{ height: auto; max-height: 16; }}
}}
"""


def has_weights(info: ModelInfo) -> bool:
    """Has the model a checkpoint to sample from (checked on disk, without torch)?"""
    from tui_lyrics.folder import ModelFolder  # the folder layout has one owner

    return ModelFolder(info.path).has_weights()


def held_out(info: ModelInfo) -> str:
    """The model's quality figure, labelled: 'held-out ppl 120.4' ('—' before its first score)."""
    return f"held-out ppl {'—' if info.best_loss is None else f'{perplexity(info.best_loss):.1f}'}"


def model_summary(info: ModelInfo, *, shape: str = "") -> str:
    """One line about a model: cell (or ``shape``), held-out perplexity with the memorisation meter beside it,
    corpus, steps, training."""
    parts = [
        shape or info.cell.upper(),
        held_out(info),
        quotes_brief(info.memorisation),
        info.corpus or "?",
        f"{info.steps} step{'s' * (info.steps != 1)}",
    ]
    if info.live:
        parts.append("training now: latest weights")
    return " · ".join(parts)


def model_option(info: ModelInfo) -> Option:
    """A picker row; models that cannot be loaded are listed, greyed out, with the reason."""
    label = Text(info.name, style="bold", end="")
    if info.error is not None:
        label.append(f"  unreadable: {info.error}", style="dim")
        return Option(label, id=info.name, disabled=True)
    label.append(f"  {model_summary(info)}", style="dim")
    if not has_weights(info):
        label.append("  (no weights yet)", style="dim")
        return Option(label, id=info.name, disabled=True)
    return Option(label, id=info.name)


class ModelPicker(ModalScreen[str | None]):
    """Choose a model from the library; Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ModelPicker")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, models: Sequence[ModelInfo]) -> None:
        super().__init__()
        self.models = list(models)

    def compose(self) -> ComposeResult:
        with Vertical():
            usable = [m for m in self.models if m.error is None and has_weights(m)]
            if usable:
                yield Label("Compose with which model? (Enter picks, Esc cancels)")
            else:
                yield Label("No model can be used yet: train one first (Esc to go back).")
            yield OptionList(*(model_option(m) for m in self.models), id="models")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a file name, a seed); Enter accepts, Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextPrompt")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, value: str = "", *, placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)
