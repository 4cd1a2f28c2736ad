"""What Compose keeps between visits and runs: the takes and each model's settings.

The App owns one ``ComposeMemory`` and every ComposeScreen works on it, so leaving Compose and
coming back finds the takes where they were and, per model, the settings as left: line length,
verses, rhyme, lines and the rest. Both are kept in the data folder too, so the next start of the
app has them: the settings in ``compose.json``, the takes one file per model (``kept.py``) until
the user deletes them. A setting missing from the file (one added since) is the app's default
(``settings.DEFAULT_SETTINGS``: the quote limit on, say), not the engine's. What was typed in the
first-line box is kept per model as well (``compose-first-lines.json``), so a writer comes back to
the line they were working on.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, fields
from pathlib import Path

from tui_lyrics.durable import atomic_write_json, read_json
from tui_lyrics.errors import LyricsError
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.ui.compose.kept import FOLDER, TakesFolder
from tui_lyrics.ui.compose.settings import DEFAULT_SETTINGS
from tui_lyrics.ui.compose.takes import GENERATING, Take, TakeSession

MEMORY_FILE = "compose.json"
FIRST_LINES_FILE = "compose-first-lines.json"
"""Beside ``MEMORY_FILE``: ``{"format": 1, "first_lines": {model: what was typed}}``."""
FIRST_LINES_FORMAT = 1
KEPT = tuple(f.name for f in fields(SampleConfig) if f.name != "seed")
"""Settings remembered per model; the seed belongs to a take, not to the model."""


@dataclass
class ComposeMemory:
    """Takes of this app session, and the last settings used with each model."""

    path: Path | None = None
    """Where the settings are kept between runs (None: only in memory, as in tests); the takes are kept
    in the ``kept.FOLDER`` beside it."""
    takes: TakeSession = field(default_factory=TakeSession)
    settings: dict[str, SampleConfig] = field(default_factory=dict)
    stored: set[int] = field(default_factory=set)
    """Numbers of the takes as last written to the takes folder (they survive a quit)."""
    first_lines: dict[str, str] = field(default_factory=dict)
    """What was last typed in the first-line box with each model (as typed: ``/`` for a line break)."""

    @property
    def folder(self) -> TakesFolder | None:
        return TakesFolder(self.path.parent / FOLDER) if self.path is not None else None

    @classmethod
    def load(cls, path: Path) -> ComposeMemory:
        """Read the remembered settings and the kept takes; an unreadable file or entry is skipped, never fatal."""
        memory = cls(path=path)
        data: object = {}
        with contextlib.suppress(LyricsError, OSError, ValueError):
            data = read_json(path) if path.exists() else {}
        defaults = DEFAULT_SETTINGS.to_dict()
        for model, values in data.items() if isinstance(data, dict) else ():
            with contextlib.suppress(LyricsError, TypeError, ValueError, AttributeError):
                kept = {key: values.get(key, defaults[key]) for key in KEPT}  # a missing key: the app's default
                memory.settings[str(model)] = SampleConfig.from_dict(kept)
        memory.first_lines = _read_first_lines(path.parent / FIRST_LINES_FILE)
        if memory.folder is not None:
            memory.takes.restore(memory.folder.read_all())
            memory.stored = {take.number for take in memory.takes.takes}
        return memory

    def keep_takes(self, model: str | None = None) -> None:
        """Write model ``model``'s takes (None: every model's) to the takes folder; a model with none left
        loses its file, a take still streaming is written as it is so far. A data folder that cannot be
        written: the takes are kept for this run only."""
        folder = self.folder
        if folder is None:
            return
        by_model: dict[str, list[Take]] = {}
        for take in self.takes.takes:
            by_model.setdefault(take.model, []).append(take)
        on_disk = {p.stem for p in folder.root.glob("*.json")} if folder.root.is_dir() else set()
        for name in sorted(on_disk | set(by_model)) if model is None else [model]:
            takes = by_model.get(name, [])
            self.stored -= {take.number for take in self.stored_of(name)}
            with contextlib.suppress(LyricsError, OSError):
                folder.root.mkdir(parents=True, exist_ok=True)
                folder.write(name, takes)
                self.stored |= {take.number for take in takes if take.state != GENERATING}

    def stored_of(self, model: str) -> list[Take]:
        return [take for take in self.takes.takes if take.model == model and take.number in self.stored]

    def recall(self, model: str) -> SampleConfig | None:
        return self.settings.get(model)

    def remember(self, model: str, settings: SampleConfig) -> None:
        """Keep ``settings`` for ``model`` (written to disk when they changed)."""
        if self.settings.get(model) == settings:
            return
        self.settings[model] = settings
        if self.path is not None:
            data = {name: {key: getattr(s, key) for key in KEPT} for name, s in self.settings.items()}
            with contextlib.suppress(LyricsError, OSError):  # a read-only data folder: remembered for this run only
                atomic_write_json(self.path, data)

    def recall_first_line(self, model: str) -> str | None:
        """What was last typed in the first-line box with ``model`` (None: nothing kept)."""
        return self.first_lines.get(model)

    def remember_first_line(self, model: str, typed: str) -> None:
        """Keep ``typed`` as ``model``'s first line for its next visit (an empty box is kept too: the writer
        cleared it), written to disk when it changed."""
        if self.first_lines.get(model) == typed:
            return
        self.first_lines[model] = typed
        if self.path is not None:
            data = {"format": FIRST_LINES_FORMAT, "first_lines": dict(sorted(self.first_lines.items()))}
            with contextlib.suppress(LyricsError, OSError):  # a read-only data folder: kept for this run only
                atomic_write_json(self.path.parent / FIRST_LINES_FILE, data)

    @property
    def unsaved(self) -> int:
        """Takes that would be lost on quitting: neither kept in the takes folder nor saved to a file."""
        return sum(1 for take in self.takes.takes if not take.saved and take.number not in self.stored)


def _read_first_lines(path: Path) -> dict[str, str]:
    """The kept first lines; a missing or unreadable file, or an entry that is not text, is skipped."""
    data: object = None
    with contextlib.suppress(LyricsError, OSError, ValueError):
        data = read_json(path) if path.exists() else None
    if not isinstance(data, dict) or data.get("format") != FIRST_LINES_FORMAT:
        return {}
    lines = data.get("first_lines")
    if not isinstance(lines, dict):
        return {}
    return {str(model): typed for model, typed in lines.items() if isinstance(typed, str)}
