"""What Compose keeps between visits: this session's takes and each model's settings.

The App owns one ``ComposeMemory`` and every ComposeScreen works on it, so leaving Compose and
coming back finds the takes where they were (until the user deletes them or quits) and, per
model, the settings as left: line length, verses, rhyme, lines and the rest. The settings are
also kept in ``compose.json`` in the data folder, so the next start of the app has them too.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, fields
from pathlib import Path

from tui_lyrics.config import SampleConfig
from tui_lyrics.errors import LyricsError
from tui_lyrics.store import atomic_write_json, read_json
from tui_lyrics.ui.compose.takes import TakeSession

MEMORY_FILE = "compose.json"
KEPT = tuple(f.name for f in fields(SampleConfig) if f.name != "seed")
"""Settings remembered per model; the seed belongs to a take, not to the model."""


@dataclass
class ComposeMemory:
    """Takes of this app session, and the last settings used with each model."""

    path: Path | None = None
    """Where the settings are kept between runs (None: only in memory, as in tests)."""
    takes: TakeSession = field(default_factory=TakeSession)
    settings: dict[str, SampleConfig] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ComposeMemory:
        """Read the remembered settings; an unreadable file or entry is skipped, never fatal."""
        memory = cls(path=path)
        data: object = {}
        with contextlib.suppress(LyricsError, OSError, ValueError):
            data = read_json(path) if path.exists() else {}
        for model, values in data.items() if isinstance(data, dict) else ():
            with contextlib.suppress(LyricsError, TypeError, ValueError, AttributeError):
                kept = {key: value for key, value in values.items() if key in KEPT}
                memory.settings[str(model)] = SampleConfig.from_dict(kept)
        return memory

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

    @property
    def unsaved(self) -> int:
        """Takes that would be lost on quitting."""
        return sum(1 for take in self.takes.takes if not take.saved)
