"""SongFilePicker: choose a reference song's file from a list, keyboard first.

The list holds a folder's sub-folders and its .txt and .lrc files (hidden ones left out), starting
in the folder the app was started in. Typing narrows it to the names holding every word typed;
↑/↓ (and PgUp/PgDn) move, Enter opens a folder or picks a file, Backspace in an empty filter goes
up a folder, Esc cancels. The filter keeps the focus throughout, so typing always filters; a path
typed there (``~/songs``, ``../x.lrc``) is opened by Enter as well. Dismisses with the file's path
or None. Listing reads only the folder's entries (no file is opened), at most ``MAX_LISTED`` of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_lyrics.ui import sizes

SONG_SUFFIXES = (".txt", ".lrc")
MAX_LISTED = 2000
"""A folder with more entries than this is listed in part (the note says so)."""
HINT = "↑↓ move · Enter open · Backspace up a folder · Esc cancel"


@dataclass(frozen=True)
class Place:
    """One entry of the list: a sub-folder, or a song file with its size."""

    path: Path
    folder: bool
    size: int = 0

    @property
    def label(self) -> str:
        return f"{self.path.name}/" if self.folder else self.path.name


def list_folder(folder: Path) -> tuple[list[Place], str]:
    """``folder``'s sub-folders, then its song files, each by name (case aside), hidden ones left out; and a
    note for the user: why it cannot be read, or that it was listed in part (empty when all is well)."""
    places: list[Place] = []
    note = ""
    try:
        with os.scandir(folder) as found:
            for entry in found:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        places.append(Place(Path(entry.path), folder=True))
                    elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in SONG_SUFFIXES:
                        places.append(Place(Path(entry.path), folder=False, size=entry.stat().st_size))
                except OSError:
                    continue  # a broken link, an entry gone since: not listed
                if len(places) >= MAX_LISTED:
                    note = f"Only the first {MAX_LISTED:,} entries are listed: type to narrow them."
                    break
    except OSError as error:
        return [], f"Cannot read {folder}: {error.strerror or error}"
    places.sort(key=lambda p: (not p.folder, p.path.name.casefold()))
    return places, note


def matching(places: list[Place], typed: str) -> list[Place]:
    """The places whose names hold every word of ``typed`` (case aside)."""
    words = typed.casefold().split()
    return [p for p in places if all(w in p.path.name.casefold() for w in words)]


def _size(n: int) -> str:
    return f"{n:,} B" if n < 1024 else f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


class FilterBox(Input):
    """The filter; Backspace with nothing typed asks for the parent folder."""

    class UpAsked(Message):
        """Backspace in an empty filter."""

    def action_delete_left(self) -> None:
        if not self.value:
            self.post_message(FilterBox.UpAsked())
            return
        super().action_delete_left()


class PlaceList(OptionList, can_focus=False):
    """The folder's entries; never focused (the filter keeps the keys), so its cursor is always shown lit."""

    DEFAULT_CSS = """
    PlaceList > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    """


class SongFilePicker(ModalScreen[Path | None]):
    """Pick a .txt or .lrc file; dismisses with its path, or None."""

    DEFAULT_CSS = """
    SongFilePicker {
        align: center middle;
        & .picker {
            width: 80;
            max-width: 95%;
            height: 80%;
            padding: 1 2;
            background: $panel;
            border: thick $primary 60%;
        }
        & #picker-title { height: 1; text-wrap: nowrap; text-overflow: ellipsis; text-style: bold; }
        & #picker-filter { background: $boost; margin: 1 0 0 0; }
        & #picker-list { height: 1fr; background: $panel; }
        & #picker-note { height: auto; }
        &.-short .picker, &.-low .picker { height: 100%; padding: 0 1; }
        &.-short #picker-filter, &.-low #picker-filter { margin: 0; }
        &.-narrow .picker { width: 100%; max-width: 100%; padding: 0 1; }
    }
    """
    HORIZONTAL_BREAKPOINTS = sizes.HORIZONTAL  # in any host app
    VERTICAL_BREAKPOINTS = sizes.VERTICAL
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("up", "move('cursor_up')", "Up", show=False),
        Binding("down", "move('cursor_down')", "Down", show=False),
        Binding("pageup", "move('page_up')", "Page up", show=False),
        Binding("pagedown", "move('page_down')", "Page down", show=False),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        start = Path.cwd() if start is None else start.expanduser()
        self.folder = (start if start.is_dir() else Path.cwd()).resolve()
        self.places: list[Place] = []
        self.shown: list[Place | None] = []
        """What each option of the list stands for (None: the parent folder)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static("", id="picker-title", markup=False)
            yield FilterBox(placeholder="type to narrow the list, or a path", id="picker-filter", compact=True)
            yield PlaceList(id="picker-list", compact=True)
            yield Static(HINT, id="picker-note", classes="dim", markup=False)

    def on_mount(self) -> None:
        self.show_folder(self.folder)

    @property
    def filter(self) -> FilterBox:
        return self.query_one(FilterBox)

    def show_folder(self, folder: Path) -> None:
        """List ``folder`` afresh, with the filter emptied."""
        self.folder = folder
        self.places, note = list_folder(folder)
        self._title()
        self.call_after_refresh(self._title)  # once the title has its width
        self.query_one("#picker-note", Static).update(note or HINT)
        self.filter.value = ""
        self._fill("")

    def _title(self) -> None:
        """Say which folder is listed, its path cut from the left where it is too long (its end says most)."""
        title = self.query_one("#picker-title", Static)
        words, room = "A reference song (.txt, .lrc) in ", title.size.width or 80
        place = str(self.folder)
        if cell_len(words + place) > room:
            words = "Songs in "
            while len(place) > 1 and cell_len(words + "…" + place) > room:
                place = place[1:]
            place = "…" + place if place != str(self.folder) else place
        title.update(words + place)

    def on_resize(self) -> None:
        self.call_after_refresh(self._title)

    def _fill(self, typed: str) -> None:
        parent = [None] if not typed.strip() and self.folder.parent != self.folder else []
        self.shown = [*parent, *matching(self.places, typed)]
        options = []
        for place in self.shown:
            if place is None:
                options.append(Option(Text("../", style="bold")))
            elif place.folder:
                options.append(Option(Text(place.label, style="bold")))
            else:
                options.append(Option(Text.assemble(place.label, ("  " + _size(place.size), "dim"))))
        if not any(place is not None and not place.folder for place in self.shown):
            none = "no .txt or .lrc file here" if not typed.strip() else "no .txt or .lrc file matches"
            options.append(Option(Text(none, "dim"), disabled=True))
        listing = self.query_one(PlaceList)
        listing.set_options(options)
        files = [i for i, place in enumerate(self.shown) if place is not None and not place.folder]
        listing.highlighted = files[0] if files else (0 if self.shown else None)  # a song file first: Enter picks it

    @on(Input.Changed, "#picker-filter")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _entered(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if typed.startswith(("~", "/", ".")) or os.sep in typed:  # a path typed: open it if it is there
            path = (self.folder / Path(typed).expanduser()).resolve()
            if path.exists():
                self.open(path)
                return
        index = self.query_one(PlaceList).highlighted
        if index is not None and index < len(self.shown):
            self.open_at(index)

    @on(OptionList.OptionSelected, "#picker-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.open_at(event.option_index)

    @on(FilterBox.UpAsked)
    def _up(self) -> None:
        self.show_folder(self.folder.parent)

    def open_at(self, index: int) -> None:
        if index < len(self.shown):  # past them: the line saying there is no file
            place = self.shown[index]
            self.open(self.folder.parent if place is None else place.path)

    def open(self, path: Path) -> None:
        """Go into a folder, or pick a file."""
        try:
            folder = path.is_dir()
        except OSError as error:
            self.query_one("#picker-note", Static).update(f"Cannot open {path}: {error.strerror or error}")
            return
        if folder:
            self.show_folder(path)
        else:
            self.dismiss(path)

    def action_move(self, how: str) -> None:
        getattr(self.query_one(PlaceList), f"action_{how}")()

    def action_cancel(self) -> None:
        self.dismiss(None)
