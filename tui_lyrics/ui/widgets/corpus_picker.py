"""Choosing a corpus: a path input with completion, a file browser, and an inline check.

As soon as a path is chosen (typed and left to rest, submitted, or picked in the browser)
it is loaded in a thread with the engine's own ``load_corpus``; the summary and first
lines, or the engine's message, appear right under the input.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Static

from tui_lyrics.corpus import Corpus, load_corpus, preview_lines
from tui_lyrics.errors import LyricsError
from tui_lyrics.ui.messages import CorpusChecked
from tui_lyrics.ui.widgets.file_browser import CORPUS_SUFFIXES, FileBrowser

SETTLE_SECONDS = 0.4
PREVIEW_LINES = 4
NOT_LYRICS = frozenset({"readme", "license", "licence", "changelog", "changes", "contributing", "notice", "copying",
                        "authors", "history", "todo", "install", "security", "code_of_conduct"})  # fmt: skip
"""File names (any suffix, any case) of project documents: never completed to, flagged if chosen."""


def looks_like_a_document(name: str) -> bool:
    """``README.md``, ``LICENSE.txt``…: a project's paperwork rather than lyrics."""
    return Path(name).name.split(".")[0].lower() in NOT_LYRICS


def complete_path(value: str) -> str | None:
    """``value`` plus the rest of the first folder or corpus file whose name it starts."""
    folder, prefix = os.path.split(os.path.expanduser(value))
    try:
        entries = sorted(os.scandir(folder or "."), key=lambda entry: entry.name)
    except OSError:
        return None
    for entry in entries:
        if not entry.name.startswith(prefix) or (entry.name.startswith(".") and not prefix.startswith(".")):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir or (Path(entry.name).suffix.lower() in CORPUS_SUFFIXES and not looks_like_a_document(entry.name)):
            rest = entry.name[len(prefix) :] + ("/" if is_dir else "")
            if rest:
                return value + rest
    return None


class PathSuggester(Suggester):
    """Suggests the rest of a path (accept it with →); the listing runs off the UI thread."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value) if value else None


class CorpusPicker(Vertical):
    """The corpus part of the training form; ``corpus`` is the loaded one, if it is usable."""

    DEFAULT_CSS = """
    CorpusPicker { height: auto; }
    CorpusPicker > Horizontal { height: auto; }
    CorpusPicker #corpus-path { width: 1fr; }
    CorpusPicker #corpus-info, CorpusPicker #corpus-preview { height: auto; }
    CorpusPicker > .field-title { width: 1fr; }  /* wraps rather than being cut on a narrow screen */
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.corpus: Corpus | None = None
        self._checked: str | None = None
        self._settle: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Label("Corpus: .txt/.lrc/.md, .zip, folder", classes="field-title")  # one line at 40 columns
        with Horizontal():
            yield Input(placeholder="path (→ completes)", suggester=PathSuggester(), id="corpus-path", compact=True)
            yield Button("Browse…", id="browse", compact=True)
        yield Static("", id="corpus-info")
        yield Static("", id="corpus-preview")

    @property
    def path_input(self) -> Input:
        return self.query_one("#corpus-path", Input)

    # -- choosing ---------------------------------------------------------------------------
    def choose(self, path: Path | str | None) -> None:
        """Put ``path`` in the input and check it now (the browser's result lands here)."""
        if path is None:
            return
        self.path_input.value = str(path)
        self.check()

    def browse(self) -> None:
        typed = self.path_input.value.strip()
        start = Path(typed).expanduser() if typed else Path.cwd()
        self.app.push_screen(FileBrowser(start if start.is_dir() else start.parent), self.choose)

    @on(Button.Pressed, "#browse")
    def _browse_pressed(self) -> None:
        self.browse()

    @on(Input.Changed, "#corpus-path")
    def _typed(self) -> None:
        if self._settle is not None:
            self._settle.stop()
        if self.path_input.value.strip() != self._checked:  # an old verdict is not about this path
            self._checked, self.corpus = None, None
            self.set_class(False, "-error")
            self.query_one("#corpus-info", Static).update("")
            self.query_one("#corpus-preview", Static).update("")
        self._settle = self.set_timer(SETTLE_SECONDS, self._settled)

    def _settled(self) -> None:
        """Check a path left to rest: a file at once; a folder only on Enter (it may be huge)."""
        value = self.path_input.value.strip()
        if not value:
            return
        path = Path(value).expanduser()
        if path.is_dir():
            self.query_one("#corpus-info", Static).update(
                "A folder: press Enter to read every .txt/.lrc/.md file in it (→ completes a file name)"
            )
        else:
            self.check()  # a file is read; a missing or odd path gets its reason now

    @property
    def problem(self) -> str:
        """Why there is no usable corpus yet, in words for the Start button's message."""
        if self.corpus is not None:
            return ""
        if not self.path_input.value.strip():
            return "type a corpus path first (or press ctrl+o to browse)"
        if self.has_class("-error"):
            return "the corpus cannot be used: " + str(self.query_one("#corpus-info", Static).render()).lstrip("✗ ")
        if self._checked is not None:
            return "the corpus is still being checked; press ctrl+r again in a moment"
        return "press Enter in the corpus field to check it first"

    @on(Input.Submitted, "#corpus-path")
    def _submitted(self) -> None:
        self.check()

    def check(self) -> None:
        path = self.path_input.value.strip()
        if not path or path == self._checked:
            return
        self._checked = path
        self.corpus = None
        self.set_class(False, "-error")
        self.query_one("#corpus-info", Static).update("Checking…")
        self.query_one("#corpus-preview", Static).update("")
        self._load(path)

    @work(thread=True, exclusive=True, group="corpus", exit_on_error=False)
    def _load(self, path: str) -> None:
        try:
            corpus: Corpus | None = load_corpus(path)
            error = None
        except LyricsError as problem:
            corpus, error = None, str(problem)
        except Exception as problem:  # never a traceback: say what went wrong in one line
            corpus, error = None, f"cannot read {path}: {type(problem).__name__}: {problem}"
        self.post_message(CorpusChecked(path=path, corpus=corpus, error=error))

    # -- showing ----------------------------------------------------------------------------
    def on_corpus_checked(self, message: CorpusChecked) -> None:
        if message.path != self._checked:
            message.stop()  # the user has moved on to another path
            return
        self.corpus = message.corpus
        info = self.query_one("#corpus-info", Static)
        preview = self.query_one("#corpus-preview", Static)
        self.set_class(message.corpus is None, "-error")
        if message.corpus is None:
            info.update(f"✗ {escape(message.error or 'unusable corpus')}")
            preview.update("")
            return
        s = message.corpus.summary
        files = f" · {s.files} files" if s.files > 1 else ""
        document = f"\n⚠ {escape(s.name)} looks like a document, not lyrics" if looks_like_a_document(s.name) else ""
        info.update(
            f"✓ [b]{escape(s.name)}[/b] · {s.encoding} · {s.chars:,} characters · {s.lines:,} lines"
            f" · {s.distinct:,} distinct{files}{document}"
        )
        preview.update("\n".join(escape(line) for line in preview_lines(message.corpus.text, PREVIEW_LINES)))
