r"""PrefixInput: the first words of a take, with the characters the model cannot read marked.

The input is one row, and a song's opening (a chorus, say) is several lines: a ``/`` typed there
starts a new line of the prompt (``prompt_of``), ``\/`` types a slash itself, and text pasted in
keeps its line breaks as ``/`` (and its slashes as ``\/``).
While it has focus, Textual hands printable keys to the input and hides the screen's
single-letter bindings, so the footer shows what works here: Enter and Tab. ``FirstLine`` puts
the box and a note under it together: the note names the characters the model cannot read.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui_lyrics.vocab import UNK, CharVocab

LINE_BREAK = "/"
"""Typed in the first-line box, it starts a new line of the prompt."""
SLASH = "\\" + LINE_BREAK
"""Typed in the first-line box, it is a slash in the prompt."""


def prompt_of(typed: str) -> str:
    """The prompt the model continues: the typed text with each ``/`` (and spaces around it) a line break,
    and each ``\\/`` a slash."""
    return LINE_BREAK.join(re.sub(rf"\s*{re.escape(LINE_BREAK)}\s*", "\n", part) for part in typed.split(SLASH))


def typed_of(line: str) -> str:
    """What to type in the first-line box for one line of text: its slashes escaped."""
    return line.replace(LINE_BREAK, SLASH)


def unknown_note(vocab: CharVocab, prefix: str) -> str:
    """Which prefix characters the model has no id for, and why; empty when there are none."""
    unknown = vocab.unknown(prefix)
    if not unknown:
        return ""
    unseen = " ".join(c for c in unknown if c not in vocab.rare)
    rare = " ".join(f"{c} ({vocab.rare[c]}×)" for c in unknown if c in vocab.rare)
    rare_label = "Rare there" if unseen else "Rare in the training text"
    reasons = ". ".join(
        p for p in (unseen and f"Not in the training text: {unseen}", rare and f"{rare_label}: {rare}") if p
    )
    them = "it" if len(unknown) == 1 else "them"
    return f"⚠ {reasons}. The model reads {them} as {UNK}; generation still works."


class UnknownChars(Highlighter):
    """Styles the characters in ``unknown`` wherever they occur in the prompt (a ``/`` that starts a line is
    not in it: only a typed slash, ``\\/``, can be unknown)."""

    def __init__(self) -> None:
        self.unknown: frozenset[str] = frozenset()
        self.style = Style(underline=True)

    def highlight(self, text: Text) -> None:
        plain = text.plain
        for i, char in enumerate(plain):
            if char == LINE_BREAK and (i == 0 or plain[i - 1] != "\\"):
                continue  # a line break, not a character of the prompt
            if char in self.unknown:
                text.stylize(self.style, i, i + 1)


class PrefixInput(Input):
    """One line of lyric to continue; unknown characters are marked as they are typed."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"prefix--unknown"}
    DEFAULT_CSS = """
    PrefixInput > .prefix--unknown {
        color: $error;
        text-style: bold underline;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Generate"),
        Binding("tab", "app.focus_next", "More keys"),
    ]

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        self.marker = UnknownChars()
        super().__init__(placeholder=placeholder, highlighter=self.marker, id=id)

    def on_mount(self) -> None:
        self.marker.style = self.get_component_rich_style("prefix--unknown", partial=True)

    def _on_paste(self, event: events.Paste) -> None:
        """Pasted lines are kept as lines: joined by ``/`` (Input itself would keep only the first)."""
        lines = [line.strip() for line in event.text.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            selection = self.selection
            text = LINE_BREAK.join(typed_of(line) for line in lines)
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.prevent_default()
        event.stop()

    def mark_unknown(self, chars: frozenset[str]) -> None:
        """Mark ``chars`` (the ones the model has no id for) from now on."""
        if chars != self.marker.unknown:
            self.marker.unknown = chars
            self.refresh()


class FirstLine(Vertical):
    """The first-line box and, when some of its characters are unknown to the model, a note saying which."""

    DEFAULT_CSS = """
    FirstLine {
        height: auto;
    }
    """

    def __init__(self, *, placeholder: str) -> None:
        super().__init__()
        self.placeholder = placeholder
        self._vocab: CharVocab | None = None
        self._typed = ""

    def compose(self) -> ComposeResult:
        yield PrefixInput(placeholder=self.placeholder, id="prefix")
        yield Static("", id="prefix-note", markup=False)

    @property
    def prompt(self) -> str:
        """What the model will continue: the typed text with its line breaks."""
        return prompt_of(self.typed)

    @property
    def typed(self) -> str:
        """The box's text as typed (``/`` for a line break): what the screen keeps between visits."""
        boxes = self.query(PrefixInput)
        return boxes.first().value if boxes else self._typed  # the box is gone while the screen closes

    @typed.setter
    def typed(self, text: str) -> None:
        self._typed = text
        box = self.query_one(PrefixInput)
        box.value = text
        box.cursor_position = len(text)  # carry on typing at its end

    @property
    def vocab(self) -> CharVocab | None:
        """The vocabulary of the model in use: the characters outside it are marked."""
        return self._vocab

    @vocab.setter
    def vocab(self, vocab: CharVocab | None) -> None:
        self._vocab = vocab
        self._check(self.prompt)

    @on(Input.Changed, "#prefix")
    def _changed(self, event: Input.Changed) -> None:
        self._typed = event.value  # for when the box is gone (the screen closing)
        self._check(prompt_of(event.value))

    def _check(self, prefix: str) -> None:
        unknown = frozenset(self._vocab.unknown(prefix)) if self._vocab is not None else frozenset()
        self.query_one(PrefixInput).mark_unknown(unknown)
        note = self.query_one("#prefix-note", Static)
        note.update(unknown_note(self._vocab, prefix) if self._vocab is not None else "")
        note.display = bool(unknown)
