"""The Write screen's widgets: the draft with its template beside it, the candidate lines, the title and status.

They show plain data handed to them (a ``Draft``, a list of ``Candidate``s, a sentence); they keep
no song state of their own and change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_lyrics.songs.draft import Draft, Line
from tui_lyrics.songs.store import SongStore

PART_MARK = {"chorus": "C", "verse": "V", "bridge": "B", None: " "}
AUTHOR_MARK = {"user": "✎", "model": "♪", "both": "✎♪"}


def draft_row(line: Line, label: str, *, width: int = 24) -> Text:
    """One row of the draft: lock, part, who wrote it, the text, and the template's ``12/12 字 · 江阳``."""
    if line.is_break:
        return Text("")
    row = Text()
    row.append("🔒" if line.locked else "  ")
    row.append(f"{PART_MARK[line.part]} ", style="bold" if line.part else "")
    row.append(f"{AUTHOR_MARK[line.author]:<2} ", style="dim")
    row.append(line.text)
    if label:
        shown = sum(2 if ord(c) > 0x2E80 else 1 for c in line.text)  # CJK characters take two cells
        row.append(" " * max(2, width - shown))
        row.append(label, style="dim")
    return row


def candidate_row(number: int, cand: Any) -> Text:
    """``1  我在车站等一场雨  9 字 · 江阳 · -2.31/字 · end 0.82 · quotes the corpus``."""
    row = Text(f"{number}  ", style="bold")
    row.append(cand.text)
    details = [f"{cand.chars} 字", cand.rhyme or "–", f"{cand.mean_logprob:.2f}/字"]
    if cand.end_prob is not None:
        details.append(f"end {cand.end_prob:.2f}")
    if cand.verse_break:
        details.append("new verse")
    row.append("  " + " · ".join(details), style="dim")
    if cand.memorised:
        row.append(f" · quotes the corpus ({cand.longest_quote} 字)", style="bold")
    return row


def _slots_to_come(draft: Draft) -> list[Option]:
    """Placeholder rows for the template lines not written yet: ``   ·  9 字 · 江阳``."""
    template = draft.template
    if template is None:
        return []
    rows: list[Option] = []
    for n in range(draft.lyric_count, len(template.slots)):
        slot = template.slots[n]
        if slot.verse_break and (rows or (draft.lines and not draft.lines[-1].is_break)):
            rows.append(Option(Text(""), disabled=True))
        rows.append(Option(Text(f"        ·  {slot.label()}", style="dim"), disabled=True))
    return rows


class DraftView(OptionList):
    """The song so far, one option per line (a verse break is an empty row), then the template's
    lines still to write, dimmed and not selectable, so the whole shape stays in view."""

    DEFAULT_CSS = """
    DraftView { height: 1fr; min-height: 4; }
    """
    lines = 0
    """How many lines the draft shown has (the rows after them are the template's still to write)."""

    def show(self, draft: Draft, *, highlight: int | None = None) -> None:
        keep = self.highlighted if highlight is None else highlight
        self.lines = len(draft.lines)
        self.clear_options()
        self.add_options(
            [Option(draft_row(line, draft.label(i)), id=f"line-{i}") for i, line in enumerate(draft.lines)]
        )
        self.add_options(_slots_to_come(draft))
        if draft.lines:
            self.highlighted = min(keep if keep is not None else len(draft.lines) - 1, len(draft.lines) - 1)
            self.call_after_refresh(self.scroll_to_highlight)  # once the new rows are laid out

    def on_resize(self) -> None:
        """The candidates below took or gave back rows: keep the highlighted line (usually the last) in view."""
        self.call_after_refresh(self.scroll_to_highlight)

    def current(self) -> int | None:
        """The highlighted line of the draft (None: the draft is empty)."""
        return self.highlighted if self.lines else None


class SongTitle(Static):
    """One line above the draft: the song's name, model, length, template and what the next line must be."""

    def show(self, session: Any) -> None:
        """``session``: a ``WriteSession``."""
        draft, template = session.draft, session.draft.template
        parts = [f"[b]{escape(session.name or 'new song')}[/b]", f"model {escape(session.model)}",
                 f"{draft.lyric_count} line{'' if draft.lyric_count == 1 else 's'}"]  # fmt: skip
        if session.name is not None:
            parts.append("saved")
        if template is not None:  # last, the source at the very end: a narrow terminal cuts the least needed
            upcoming = draft.next_slot()
            parts.append(f"next: {upcoming.label()}" if upcoming is not None else "template full")
            parts.append(f"template {escape(template.source or '')}")
        self.update(" · ".join(parts))


class WriteStatus(Static):
    """One line under the draft: what just happened and which key comes next."""

    def say(self, text: str) -> None:
        self.update(escape(text))


class CandidateList(OptionList):
    """The candidates of the last request, numbered from 1 as they arrive."""

    DEFAULT_CSS = """
    CandidateList { height: auto; max-height: 12; min-height: 3; }
    """

    def show(self, candidates: Sequence[Any]) -> None:
        self.clear_options()
        self.add_options([Option(candidate_row(n, c), id=f"cand-{n}") for n, c in enumerate(candidates, 1)])


class SongPicker(ModalScreen[str | None]):
    """Pick a saved song to reopen; dismisses with its name, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SongPicker { align: center middle; }
    SongPicker > OptionList { width: 70; height: auto; max-height: 20; border: round $primary; }
    """

    def __init__(self, songs: SongStore) -> None:
        super().__init__()
        self.rows = [row for row in songs.list() if row.error is None]

    def compose(self) -> ComposeResult:
        options = [Text(f"{row.name}  ({row.model}, {row.lines} lines, {row.updated})") for row in self.rows]
        yield OptionList(*(options or [Text("No songs yet: Esc")]), id="songs")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.rows[event.option_index].name if self.rows else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
