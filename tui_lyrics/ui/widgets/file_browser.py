"""A modal file browser for choosing a corpus: folders, text files and zips only."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Label

from tui_lyrics.corpus_files import TEXT_SUFFIXES

CORPUS_SUFFIXES = (*TEXT_SUFFIXES, ".zip")


class CorpusTree(DirectoryTree):
    """A directory tree that hides dot-files and files that cannot be a corpus."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith(".") and (_is_dir(path) or path.suffix.lower() in CORPUS_SUFFIXES)
        ]


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class FileBrowser(ModalScreen[Path | None]):
    """Pick a corpus file, or a folder of lyrics with ``f``; dismisses with the path or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("backspace", "up", "Parent folder"),
        Binding("f", "pick_folder", "Use this folder"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start if _is_dir(start) else Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog browser"):
            yield Label(self._title(self.start), id="browser-title")
            yield CorpusTree(self.start, id="browser-tree")
            yield Label("enter: choose a file · f: use the highlighted folder · backspace: up", classes="dim")

    @staticmethod
    def _title(path: Path) -> str:
        return f"Choose a corpus in [b]{escape(str(path))}[/b]"

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_up(self) -> None:
        tree = self.query_one(CorpusTree)
        parent = Path(tree.path).resolve().parent
        tree.path = parent
        self.query_one("#browser-title", Label).update(self._title(parent))

    def action_pick_folder(self) -> None:
        tree = self.query_one(CorpusTree)
        node = tree.cursor_node
        if node is not None and node.data is not None and _is_dir(node.data.path):
            self.dismiss(node.data.path)
