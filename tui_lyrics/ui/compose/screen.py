"""ComposeScreen: write lyrics with a model, take by take, choosing alternatives as you go.

The screen composes widgets and forwards keys: the controls own the settings and the seed
(``controls.py``), the take desk owns the takes, the streaming and alternatives mode
(``desk.py``), the meter owns the corpus index (``meter.py``). What is left here is the model
in use (read its card, load it in a worker), the first line, saving and copying.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from tui_lyrics.config import QUOTE_LIMIT, SampleConfig, default_quote_limit
from tui_lyrics.errors import LyricsError
from tui_lyrics.store import ModelInfo, ModelStore
from tui_lyrics.ui import sizes
from tui_lyrics.ui.compose.commands import BindingCommands
from tui_lyrics.ui.compose.controls import SampleControls, Seed, fit_quote_limit
from tui_lyrics.ui.compose.desk import TakeDesk
from tui_lyrics.ui.compose.dialogs import ModelPicker, TextPrompt, model_summary
from tui_lyrics.ui.compose.jobs import load_job
from tui_lyrics.ui.compose.memory import ComposeMemory
from tui_lyrics.ui.compose.messages import ModelLoaded, ModelLoadFailed, TakesChanged
from tui_lyrics.ui.compose.prefix import PrefixInput, prompt_of, unknown_note
from tui_lyrics.ui.compose.takes import Take, TakeSession, default_filename, resolve_path, save_takes, take_settings
from tui_lyrics.vocab import CharVocab

TALL = sizes.VERTICAL[-1][0]
"""From this many rows the controls show in full, each with its name."""
CLIPBOARD_NOTE = (
    "It went by OSC 52: the terminal puts it on your clipboard, over SSH too, if it allows that "
    "(iTerm2, kitty, WezTerm, Windows Terminal, foot do; macOS Terminal does not; tmux needs "
    "`set -g set-clipboard on`). Nothing arrived? Press w to save the take to a file instead."
)


def _nudges() -> list[Binding]:
    """A lower-case key steps a setting down its ladder, the upper-case one up."""
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


class ComposeScreen(Screen[None]):
    """Pick a model, type a first line, and let the model continue it."""

    CSS_PATH = "compose.tcss"
    AUTO_FOCUS = "#prefix"
    HORIZONTAL_BREAKPOINTS = sizes.HORIZONTAL  # in any host app
    VERTICAL_BREAKPOINTS = sizes.VERTICAL
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {BindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "generate", "Generate"),
        Binding("escape", "stop", "Stop"),
        Binding("escape", "leave_alternatives", "Done"),
        Binding("escape", "back", "Back", tooltip="Back to the previous screen (takes and settings are kept)"),
        Binding("r", "regenerate", "Again", tooltip="Regenerate the take with its own seed"),
        Binding("n", "new_seed", "Reroll", tooltip="Regenerate the take with a new seed"),
        Binding("left_square_bracket", "move_take(-1)", "Previous take", key_display="[", show=False),
        Binding("right_square_bracket", "move_take(1)", "Next take", key_display="]", show=False),
        Binding("a", "alternatives", "Alternatives"),
        Binding("w", "save_take", "Save"),
        Binding("W", "save_all", "Save all takes", show=False),
        Binding("y", "copy", "Copy"),
        Binding("x,delete", "delete_take", "Delete take", show=False),
        Binding("c", "colour", "Colour by probability", show=False),
        Binding("i,slash", "edit_prefix", "Edit the first line", show=False),
        Binding("m", "pick_model", "Choose model", show=False),
        Binding("q", "back", "Back", show=False),  # not while typing the first line: q is a letter there
        *_nudges(),
        Binding("e", "toggle_repetition", "Repetition control on or off", show=False),
        Binding("o", "toggle_quote_limit", "Quote limit on or off (corpus quotes)", show=False),
        Binding("u", "toggle_song_memory", "Song memory on or off (a chorus can come back)", show=False),
        Binding("s", "toggle_seed", "Fix or free the seed", show=False),
        Binding("S", "type_seed", "Type a seed", show=False),
        *(Binding(str(n), f"choose({n})", show=False) for n in range(1, 10)),
    ]

    def __init__(self, *, store: ModelStore, model_name: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.model_name = model_name
        self.info: ModelInfo | None = None
        self.about = ""
        """One line about the model in use: name, cell and size, corpus, held-out perplexity."""
        self.vocab: CharVocab | None = None
        self.lm: Any = None
        """The loaded model (``core.sample.LoadedModel``), None while loading."""
        self.controls = SampleControls(id="controls")
        self.desk = TakeDesk(id="desk")

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-top"):
            yield Static("No model chosen yet: press m to pick one.", id="model-line", markup=False)
            hint = "First words, e.g. 我推开窗 (/ starts a line) — Enter to generate"
            yield PrefixInput(placeholder=hint, id="prefix")
            yield Static("", id="prefix-note", markup=False)
            yield self.controls
        yield self.desk
        yield Footer()

    # What tests and the app read: each owned by a widget.
    @property
    def session(self) -> TakeSession:
        return self.desk.session

    @property
    def generating(self) -> int | None:
        return self.desk.generating

    @property
    def timings(self) -> dict[int, list[float | None]]:
        return self.desk.timings

    @property
    def corpus_state(self) -> str:
        return self.desk.meter.corpus_state

    @property
    def settings(self) -> SampleConfig:
        return self.controls.settings

    @settings.setter
    def settings(self, config: SampleConfig) -> None:
        self.controls.settings = config

    @property
    def seed(self) -> Seed:
        return self.controls.seed

    @seed.setter
    def seed(self, seed: Seed) -> None:
        self.controls.seed = seed

    @property
    def memory(self) -> ComposeMemory | None:
        """The app's memory of takes and settings between visits (None in a bare test app)."""
        return getattr(self.app, "compose_memory", None)

    def on_mount(self) -> None:
        if self.memory is not None:
            self.desk.session = self.memory.takes  # the takes of earlier visits, until deleted
            if self.session.takes:
                self.show_current()
        if self.model_name is None:
            self.action_pick_model()
        else:
            self.use_model(self.model_name)

    def show_current(self) -> None:
        self.desk.show_current()

    def on_resize(self, event: events.Resize) -> None:
        # Under -tall the take needs the rows: the controls take one (each setting by its key).
        self.controls.compact = event.size.height < TALL

    # --- the model -------------------------------------------------------------------------

    def use_model(self, name: str) -> None:
        """Switch to model ``name``: read its card now, load its weights in a worker."""
        info = next((m for m in self.store.list() if m.name == name), None)
        line = self.query_one("#model-line", Static)
        try:
            if info is None or info.error is not None:
                raise LyricsError(info.error if info is not None else f"no model named {name!r}")
            card = self.store.card(name)
            vocab = card.vocab
            shape = f"{card.model.cell.upper()} {card.model.layers}×{card.model.hidden}"
        except LyricsError as error:
            line.update(f"Cannot use {name}: {error}. Press m to pick another model.")
            return
        self.desk.stop()
        self.remember_settings()
        self.vocab = self.desk.vocab = vocab
        recalled = self.memory.recall(name) if self.memory is not None else None
        # A default quote limit follows the model's script (8 Chinese characters, 16 letters).
        self.settings = fit_quote_limit(recalled if recalled is not None else self.settings, vocab.chars)
        self.model_name, self.info, self.lm = name, info, None
        self.about = f"{name} · {model_summary(info, shape=shape)}"
        line.update(f"Loading {self.about}…")
        self._check_prefix(prompt_of(self.query_one("#prefix", Input).value))
        self.refresh_bindings()
        self._load(name, live=info.live)
        self.desk.meter.start_indexing(self.store.path(name), name)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, name: str, live: bool) -> None:
        load_job(self.store, name, live=live, post=self.post_message)

    def on_model_loaded(self, message: ModelLoaded) -> None:
        if message.name != self.model_name or self.info is None:
            return
        self.lm = message.model
        weights = "latest weights (training now)" if message.weights == "last" else f"{message.weights} weights"
        self.query_one("#model-line", Static).update(f"{self.about} · {weights}")
        self.desk.set_status("Ready: type a first line (or nothing) and press Enter.")
        self.refresh_bindings()

    def on_model_load_failed(self, message: ModelLoadFailed) -> None:
        if message.name == self.model_name:
            line = f"Cannot load {message.name}: {message.error}. Press m to pick another model."
            self.query_one("#model-line", Static).update(line)

    def remember_settings(self) -> None:
        """Keep the settings used with the model in use for its next visit."""
        if self.memory is not None and self.info is not None and self.model_name is not None:
            self.memory.remember(self.model_name, self.settings)

    def on_unmount(self) -> None:
        self.remember_settings()
        if self.memory is not None:
            self.memory.keep_takes()

    def on_takes_changed(self, message: TakesChanged) -> None:
        """Keep the takes on disk until the writer deletes them (they survive a restart of the app)."""
        if self.memory is not None:
            self.memory.keep_takes(message.model)

    # --- the prefix ------------------------------------------------------------------------

    @on(Input.Changed, "#prefix")
    def _prefix_changed(self, event: Input.Changed) -> None:
        self._check_prefix(prompt_of(event.value))

    def _check_prefix(self, prefix: str) -> None:
        unknown = frozenset(self.vocab.unknown(prefix)) if self.vocab is not None else frozenset()
        self.query_one(PrefixInput).mark_unknown(unknown)
        note = self.query_one("#prefix-note", Static)
        note.update(unknown_note(self.vocab, prefix) if self.vocab is not None else "")
        note.display = bool(unknown)

    @on(Input.Submitted, "#prefix")
    def _prefix_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_generate()

    # --- takes -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        take = self.session.current
        if action == "stop":
            return self.generating is not None
        if action in ("leave_alternatives", "choose"):
            return self.desk.choosing
        if action == "generate":
            return not self.desk.choosing and (None if self.lm is None else True)
        if action in ("regenerate", "new_seed"):
            return None if self.lm is None or take is None else True
        if action == "alternatives":
            return None if take is None or not take.generated or self.generating is not None else True
        if action in ("save_take", "save_all", "copy", "delete_take", "move_take"):
            return None if take is None else True
        if action == "back":
            return len(self.app.screen_stack) > 1
        return True

    def start_take(self, take: Take) -> None:
        """Make ``take`` current and stream it with the model loaded now."""
        take.model = self.model_name or take.model  # a regenerated take uses the model loaded now
        self.controls.used_seed(take.seed)
        self.desk.start(take, self.lm)

    def _settings_with_seed(self, seed: int | None) -> SampleConfig:
        """The controls' settings with ``seed``, or a fresh one recorded for replay."""
        # Only reached with a model loaded, so the engine (and torch) is already imported.
        from tui_lyrics.core.sample import resolve_seed

        return take_settings(self.settings, resolve_seed(seed))

    def _ready(self) -> bool:
        if self.lm is None:
            self.notify("The model is still loading (or none is chosen: press m).", severity="warning")
        return self.lm is not None

    def action_generate(self) -> None:
        """A new take from the first line typed, with the seed setting."""
        if self._ready() and self.model_name is not None:
            prefix = prompt_of(self.query_one("#prefix", Input).value)
            settings = self._settings_with_seed(self.seed.fixed)
            self.start_take(Take(self.session.next_number(), self.model_name, prefix, settings))

    def action_regenerate(self) -> None:
        """The current take again with its own seed and the controls' settings."""
        take = self.session.current
        if take is not None and self._ready():
            self.start_take(take.again(number=self.session.next_number(), settings=self._settings_with_seed(take.seed)))

    def action_new_seed(self) -> None:
        """The current take's prompt again with a fresh seed."""
        take = self.session.current
        if take is not None and self._ready():
            self.start_take(take.again(number=self.session.next_number(), settings=self._settings_with_seed(None)))

    def action_stop(self) -> None:
        self.desk.stop()

    def action_move_take(self, step: int) -> None:
        self.desk.move(step)

    def action_delete_take(self) -> None:
        take = self.desk.delete_current()
        if take is not None:
            self.notify(f"Deleted take {take.number}.")

    def action_alternatives(self) -> None:
        self.desk.toggle_alternatives()

    def action_leave_alternatives(self) -> None:
        self.desk.leave_choosing()

    def action_choose(self, number: int) -> None:
        """Put candidate ``number`` at the cursor, drop the rest and continue from there."""
        take, index = self.session.current, self.desk.cursor
        if take is None or index is None or not self._ready():
            return
        if number > len(take.generated[index].alternatives):
            self.app.bell()
            return
        settings = self._settings_with_seed(self.seed.fixed)
        self.start_take(take.branch(index, number - 1, number=self.session.next_number(), settings=settings))

    def action_colour(self) -> None:
        self.desk.toggle_colour()

    def action_edit_prefix(self) -> None:
        self.desk.leave_choosing()
        self.query_one("#prefix", Input).focus()

    def action_pick_model(self) -> None:
        def picked(name: str | None) -> None:
            if name:
                self.use_model(name)

        self.app.push_screen(ModelPicker(self.store.list()), picked)

    # --- the controls ----------------------------------------------------------------------

    def action_nudge(self, name: str, step: int) -> None:
        self.controls.nudge(name, step)

    def action_toggle_repetition(self) -> None:
        self.controls.toggle_repetition()

    def action_toggle_quote_limit(self) -> None:
        self.controls.toggle_quote_limit(default_quote_limit(self.vocab.chars) if self.vocab else QUOTE_LIMIT)

    def action_toggle_song_memory(self) -> None:
        self.controls.toggle_song_memory()

    def action_toggle_seed(self) -> None:
        self.controls.toggle_seed()

    def action_type_seed(self) -> None:
        def typed(answer: str | None) -> None:
            error = self.controls.type_seed(answer) if answer is not None else ""
            if error:
                self.notify(error, severity="error")

        current = "random" if self.seed.fixed is None else str(self.seed.fixed)
        self.app.push_screen(TextPrompt("Seed for the next takes (a whole number, or random):", current), typed)

    # --- saving, copying, leaving ----------------------------------------------------------

    def action_save_take(self) -> None:
        take = self.session.current
        if take is not None:
            self._save([take], f"Save take {take.number} to (a file or a folder, relative to {Path.cwd()}):")

    def action_save_all(self) -> None:
        takes = list(self.session.takes)
        if takes:
            self._save(takes, f"Save all takes ({len(takes)}) to (a file or a folder, relative to {Path.cwd()}):")

    def _save(self, takes: list[Take], question: str) -> None:
        name = default_filename(self.model_name or "model")

        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            try:
                path = save_takes(resolve_path(answer, default_name=name), takes)
            except LyricsError as error:
                self.notify(str(error), title="Not saved", severity="error", markup=False)
                return
            for take in takes:
                take.saved = True
            if self.memory is not None:
                self.memory.keep_takes()
            what = f"take {takes[0].number}" if len(takes) == 1 else f"{len(takes)} takes"
            self.notify(f"Saved {what} to {path}", title="Saved", markup=False)

        self.app.push_screen(TextPrompt(question, name), chosen)

    def action_back(self) -> None:
        """Leave the screen. The app keeps the takes and settings for the next visit."""
        self.desk.stop()
        self.remember_settings()
        self.app.pop_screen()

    def action_copy(self) -> None:
        """Copy the current take (prefix and text) with OSC 52, and say where that cannot work."""
        take = self.session.current
        if take is None:
            return
        self.app.copy_to_clipboard(take.prefix + take.text)
        if os.environ.get("TERM_PROGRAM") == "Apple_Terminal":
            message = "macOS Terminal ignores OSC 52, so nothing was copied: press w to save the take to a file."
            self.notify(message, title="Cannot copy here", severity="warning", markup=False)
            return
        note = f"Copied take {take.number} ({len(take.prefix + take.text)} characters). {CLIPBOARD_NOTE}"
        self.notify(note, title="Copied", markup=False, timeout=8)
