"""TakeList: the session's takes, newest last, one row each; the current one highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui_lyrics.ui.compose.takes import DONE, FAILED, GENERATING, STOPPED, Take

MARKS = {GENERATING: "…", DONE: "", STOPPED: " ■", FAILED: " ✗"}


def take_label(take: Take, width: int = 24) -> Text:
    """``#3 s1234 t0.8`` and the first characters the model wrote (every take shares the prefix)."""
    head = f"#{take.number} s{take.seed} t{take.settings.temperature:g}{MARKS.get(take.state, '')}"
    if take.branched_from is not None:
        head += f" ⑂{take.branched_from}"
    written = take.text.replace("\n", " / ").strip(" /")
    first = f"…{written}" if written and take.prefix.strip() else written or take.prefix.strip()
    label = Text(head, style="bold", end="")
    label.append("\n" + first[: max(4, width // 2)], style="dim")
    return label


class TakeList(OptionList):
    """Selecting a row (click or Enter) posts ``OptionList.OptionSelected`` with the take's number as id."""

    DEFAULT_CSS = """
    TakeList {
        height: 1fr;
        border: round $panel;
        border-title-color: $text-muted;
        &:focus { border: round $accent; }
    }
    """

    def show(self, takes: Sequence[Take], current: Take | None) -> None:
        """List ``takes`` and highlight ``current``."""
        self.set_options(Option(take_label(t), id=str(t.number)) for t in takes)
        self.border_title = f"Takes ({len(takes)})"
        self.border_subtitle = "[ ] switch · x delete" if len(takes) > 1 else ""
        if current is not None:
            self.highlighted = self.get_option_index(str(current.number))

    def update_take(self, take: Take) -> None:
        """Redraw one take's row (its state or first words changed)."""
        try:
            self.replace_option_prompt(str(take.number), take_label(take))
        except OptionDoesNotExist:  # the take was deleted meanwhile: nothing to redraw
            return
