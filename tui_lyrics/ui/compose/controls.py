"""SampleControls: the sampling settings, always in sight, with the keys that change them.

The settings and their ladders are plain values (``settings.py``); the widget holds the ones the
next take will use and packs them into as few rows as the width allows, the lyric-craft controls
(line shape, verses, rhyme, repetition, the quote limit) from a row of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, default_quote_limit
from tui_lyrics.ui.compose.dialogs import TextPrompt
from tui_lyrics.ui.compose.settings import (
    DEFAULT_SETTINGS,
    Entry,
    Seed,
    craft_entries,
    entries,
    fit_quote_limit,
    nudge,
    short_label,
    toggle_quote_limit,
    toggle_repetition,
)
from tui_lyrics.ui.compose.takes import take_settings


def _packed(group: list[Entry], width: int, *, gap: int = 3) -> list[list[Entry]]:
    """``group`` in rows of at most ``width`` cells, each entry shown as its three parts and a gap."""
    rows: list[list[Entry]] = [[]]
    used = 0
    for entry in group:
        cells = cell_len(" ".join(entry)) + gap
        if rows[-1] and used + cells > width:
            rows.append([])
            used = 0
        rows[-1].append(entry)
        used += cells
    return rows


def nudge_bindings() -> list[Binding]:
    """The screen's keys for the ladders: a lower-case key steps a setting down, the upper-case one up."""
    keys = {
        "temperature": ("t", "Lower temperature", "Raise temperature"),
        "top_k": ("k", "Lower top-k", "Raise top-k"),
        "top_p": ("p", "Lower top-p", "Raise top-p"),
        "length": ("l", "Lower length", "Raise length"),
        "lines": ("v", "Lower lines", "Raise lines"),
        "line_chars": ("h", "Fewer characters per line", "More characters per line"),
        "verse_lines": ("b", "Fewer lines per verse", "More lines per verse"),
        "rhyme": ("g", "Previous rhyme setting", "Next rhyme setting (off, follow, 十三辙 classes)"),
    }
    out = []
    for name, (key, lower, raise_) in keys.items():
        out.append(Binding(key, f"nudge('{name}', -1)", lower, show=False))
        out.append(Binding(key.upper(), f"nudge('{name}', 1)", raise_, show=False))
    return out


class SampleControls(Widget):
    """The settings the next take will use, packed into as few rows as the width allows."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"controls--label", "controls--value", "controls--key"}
    DEFAULT_CSS = """
    SampleControls {
        height: auto;
        padding: 0 1;
        & > .controls--label { color: $text-muted; }
        & > .controls--value { color: $text; text-style: bold; }
        & > .controls--key { color: $accent; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = DEFAULT_SETTINGS
        self._seed = Seed()
        self._compact = False
        self.quote_default = QUOTE_LIMIT
        """The quote limit o turns back on: the default for the model's script."""

    @property
    def settings(self) -> SampleConfig:
        """The settings the next take will use (its seed aside)."""
        return self._config

    @settings.setter
    def settings(self, config: SampleConfig) -> None:
        self._config = config
        self.refresh(layout=True)

    @property
    def seed(self) -> Seed:
        """The seed setting: fixed, or fresh per take (with the last one used)."""
        return self._seed

    @seed.setter
    def seed(self, seed: Seed) -> None:
        self._seed = seed
        self.refresh(layout=True)

    def use_for(self, config: SampleConfig, chars: Iterable[str]) -> None:
        """Use ``config`` with a model of vocabulary ``chars``: a default quote limit follows its script (8
        Chinese characters, 16 letters), and so does the one o turns back on."""
        chars = frozenset(chars)
        self.quote_default = default_quote_limit(chars)
        self.settings = fit_quote_limit(config, chars)

    def nudge(self, name: str, step: int) -> None:
        """Step setting ``name`` down (-1) or up (+1) its ladder."""
        self.settings = nudge(self.settings, name, step)

    def toggle(self, name: str) -> None:
        """Turn ``name`` off, or back on: ``repetition`` (at the values `generate` uses), ``quote_limit`` (no
        stretch of the corpus longer than the model's default), ``song_memory`` (off: the mixture's n-gram
        sees only its last few characters); ``seed`` fixes it (to the last one used) or frees it."""
        config, seed = self.settings, self.seed
        if name == "repetition":
            self.settings = toggle_repetition(config)
        elif name == "quote_limit":
            self.settings = toggle_quote_limit(config, self.quote_default)
        elif name == "song_memory":
            self.settings = config.replace(song_memory=not config.song_memory)
        elif name == "seed":
            fixed = None if seed.fixed is not None else (seed.last if seed.last is not None else 0)
            self.seed = Seed(fixed=fixed, last=seed.last)
        else:
            raise ValueError(f"no setting {name!r} to turn on or off")

    def type_seed(self, answer: str) -> str:
        """Set the seed from what the writer typed (a whole number, or random); the error, or ''."""
        answer = answer.strip().lower()
        if answer in ("", "random"):
            self.seed = Seed(fixed=None, last=self.seed.last)
        elif answer.isdigit() and int(answer) < 2**63:
            self.seed = Seed(fixed=int(answer), last=self.seed.last)
        else:
            return f"{answer!r} is not a seed: type a whole number or 'random'."
        return ""

    def ask_seed(self) -> None:
        """Ask for a seed in a dialog; a wrong answer is one line."""

        def typed(answer: str | None) -> None:
            error = self.type_seed(answer) if answer is not None else ""
            if error:
                self.notify(error, severity="error")

        current = "random" if self.seed.fixed is None else str(self.seed.fixed)
        self.app.push_screen(TextPrompt("Seed for the next takes (a whole number, or random):", current), typed)

    def take_settings(self, seed: int | None) -> SampleConfig:
        """What a take started now records: these settings with ``seed`` (None: a fresh one), shown as the
        last seed used."""
        # Only reached with a model loaded, so the engine (and torch) is already imported.
        from tui_lyrics.core.sample import resolve_seed

        settings = take_settings(self._config, resolve_seed(seed))
        self.seed = Seed(fixed=self.seed.fixed, last=settings.seed)
        return settings

    @property
    def compact(self) -> bool:
        """As few rows as the width allows, each setting shown by its key and a short name (``t temp 0.8  k
        top-k 5 …``): for short terminals, where the take needs the rows (the screen sets it)."""
        return self._compact

    @compact.setter
    def compact(self, compact: bool) -> None:
        if compact != self._compact:
            self._compact = compact
            self.refresh(layout=True)

    def _rows(self, width: int) -> list[list[Entry]]:
        """The sampling controls packed into rows, then the craft controls from a fresh row. Compact: each as
        its key, a short name and its value (``t temp 0.8``), all packed into as few rows as the width allows:
        two from about 75 columns, three at 60."""
        if self._compact:  # the seed last: a random one's number is long
            every = [*entries(self._config, self._seed), *craft_entries(self._config)]
            every.append(every.pop(5))
            seed = "random" if self._seed.fixed is None else str(self._seed.fixed)
            shown = [(keys[0], short_label(name), seed if name == "seed" else value) for name, value, keys in every]
            return _packed(shown, width, gap=2)
        return [
            row
            for group in (entries(self._config, self._seed), craft_entries(self._config))
            for row in _packed(group, width)
        ]

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._rows(width))

    def render(self) -> Text:
        label, value, key = (
            self.get_component_rich_style(f"controls--{n}", partial=True) for n in ("label", "value", "key")
        )
        out = Text(no_wrap=True, overflow="crop", end="")
        for n, row in enumerate(self._rows(self.size.width)):
            if n:
                out.append("\n")
            for m, (name, shown, keys) in enumerate(row):
                if self._compact:  # (key, short name, value)
                    out.append("  " if m else "")
                    out.append(f"{name} ", key)
                    out.append(f"{shown} ", label)
                    out.append(keys, value)
                    continue
                out.append("   " if m else "")
                out.append(f"{name} ", label)
                out.append(shown, value)
                out.append(f" {keys}", key)
        return out
