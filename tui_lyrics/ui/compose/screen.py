"""ComposeScreen: write lyrics with a model, take by take, choosing alternatives as you go.

The screen composes widgets and forwards keys: the model line owns the model in use and loads
it (``model_line.py``), the first-line box marks what the model cannot read (``prefix.py``), the
controls own the settings and the seed (``controls.py``), the take desk owns the takes, the
streaming and alternatives mode (``desk.py``), the meter owns the corpus index (``meter.py``);
saving and copying are ``export.py``'s. What is left here is which key does what, and the
settings and takes the app keeps between visits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.store import ModelStore
from tui_lyrics.ui import sizes
from tui_lyrics.ui.compose.commands import BindingCommands
from tui_lyrics.ui.compose.controls import SampleControls, nudge_bindings
from tui_lyrics.ui.compose.desk import TakeDesk
from tui_lyrics.ui.compose.dialogs import ModelPicker
from tui_lyrics.ui.compose.export import ask_and_save, copy_take
from tui_lyrics.ui.compose.memory import ComposeMemory
from tui_lyrics.ui.compose.messages import ModelLoaded, TakesChanged
from tui_lyrics.ui.compose.model_line import ModelLine
from tui_lyrics.ui.compose.prefix import FirstLine
from tui_lyrics.ui.compose.settings import Seed
from tui_lyrics.ui.compose.takes import Take, TakeSession

TALL = sizes.VERTICAL[-1][0]
"""From this many rows the controls show in full, each with its name."""


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
        Binding("r", "again(False)", "Again", tooltip="Regenerate the take with its own seed"),
        Binding("n", "again(True)", "Reroll", tooltip="Regenerate the take with a new seed"),
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
        *nudge_bindings(),
        Binding("e", "switch('repetition')", "Repetition and line-shape controls on or off", show=False),
        Binding("o", "switch('quote_limit')", "Quote limit on or off (corpus quotes)", show=False),
        Binding("u", "switch('song_memory')", "Song memory on or off (a chorus can come back)", show=False),
        Binding("s", "switch('seed')", "Fix or free the seed", show=False),
        Binding("S", "type_seed", "Type a seed", show=False),
        *(Binding(str(n), f"choose({n})", show=False) for n in range(1, 10)),
    ]

    def __init__(self, *, store: ModelStore, model_name: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.first_model = model_name
        """The model to open on mounting (None: ask which)."""
        self.model_line = ModelLine(store, id="model-line")
        hint = r"First words, e.g. 我推开窗 (/ starts a line, \/ types a /) — Enter to generate"
        self.first_line = FirstLine(placeholder=hint)
        self.controls = SampleControls(id="controls")
        self.desk = TakeDesk(id="desk")

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-top"):
            yield self.model_line
            yield self.first_line
            yield self.controls
        yield self.desk
        yield Footer()

    # What tests and the app read: each owned by a widget.
    @property
    def model_name(self) -> str | None:
        chosen = self.model_line.chosen
        return chosen.name if chosen is not None else self.first_model

    @property
    def lm(self) -> Any:
        """The loaded model (``core.sample.LoadedModel``), None while loading."""
        return self.model_line.lm

    @property
    def session(self) -> TakeSession:
        return self.desk.session

    @property
    def generating(self) -> int | None:
        return self.desk.generating

    @property
    def settings(self) -> SampleConfig:
        return self.controls.settings

    @property
    def seed(self) -> Seed:
        return self.controls.seed

    @property
    def memory(self) -> ComposeMemory | None:
        """The app's memory of takes and settings between visits (None in a bare test app)."""
        return getattr(self.app, "compose_memory", None)

    def on_mount(self) -> None:
        if self.memory is not None:
            self.desk.session = self.memory.takes  # the takes of earlier visits, until deleted
            if self.session.takes:
                self.desk.show_current()
        if self.first_model is None:
            self.action_pick_model()
        else:
            self.use_model(self.first_model)

    def show_current(self) -> None:
        self.desk.show_current()

    def on_resize(self, event: events.Resize) -> None:
        # Under -tall the take needs the rows: the controls go compact (each setting by its key, one or two rows).
        self.controls.compact = event.size.height < TALL

    # --- the model -------------------------------------------------------------------------

    def use_model(self, name: str) -> None:
        """Switch to model ``name``: read its card now (the model line says why it cannot be used), load its
        weights in a worker."""
        model = self.model_line.read(name)
        if model is None:
            return
        self.desk.stop()
        self.remember_settings()
        recalled = self.memory.recall(name) if self.memory is not None else None
        self.controls.use_for(recalled if recalled is not None else self.settings, model.vocab.chars)
        typed = self.memory.recall_first_line(name) if self.memory is not None else None
        if typed is not None:  # else the box keeps what it has: a line tried on another model carries over
            self.first_line.typed = typed
        self.model_line.use(model)
        self.desk.vocab = self.first_line.vocab = model.vocab
        self.refresh_bindings()
        self.desk.meter.start_indexing(self.store.path(name), name)

    def on_model_loaded(self, message: ModelLoaded) -> None:
        """The model line has the weights (a model chosen since is stopped there)."""
        if self.session.current is None:  # else the take in view keeps its own status line
            self.desk.set_status("Ready: type a first line (or nothing) and press Enter.")
        self.refresh_bindings()

    def remember_settings(self) -> None:
        """Keep the settings and the first line used with the model in use for its next visit."""
        if self.memory is not None and self.model_line.chosen is not None:
            self.memory.remember(self.model_line.chosen.name, self.settings)
            self.memory.remember_first_line(self.model_line.chosen.name, self.first_line.typed)

    def on_unmount(self) -> None:
        self.remember_settings()
        if self.memory is not None:
            self.memory.keep_takes()

    def on_takes_changed(self, message: TakesChanged) -> None:
        """Keep the takes on disk until the writer deletes them (they survive a restart of the app)."""
        if self.memory is not None:
            self.memory.keep_takes(message.model)

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
        if action == "again":
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
        self.desk.start(take, self.lm)

    def _ready(self) -> bool:
        if self.lm is None:
            self.notify("The model is still loading (or none is chosen: press m).", severity="warning")
        return self.lm is not None

    def action_generate(self) -> None:
        """A new take from the first line typed, with the seed setting."""
        if self._ready() and self.model_name is not None:
            prefix = self.first_line.prompt
            settings = self.controls.take_settings(self.seed.fixed)
            self.start_take(Take(self.session.next_number(), self.model_name, prefix, settings))
            self.remember_settings()  # kept from now on, even if the app is closed by a hang-up

    def action_again(self, fresh: bool) -> None:
        """The current take's prompt again with the controls' settings: its own seed, or a fresh one."""
        take = self.session.current
        if take is not None and self._ready():
            settings = self.controls.take_settings(None if fresh else take.seed)
            self.start_take(take.again(number=self.session.next_number(), settings=settings))

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
        settings = self.controls.take_settings(self.seed.fixed)
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

    def action_switch(self, name: str) -> None:
        self.controls.toggle(name)

    def action_type_seed(self) -> None:
        self.controls.ask_seed()

    # --- saving, copying, leaving ----------------------------------------------------------

    def action_save_take(self) -> None:
        take = self.session.current
        if take is not None:
            what = f"take {take.number}"
            ask_and_save(self.app, [take], what=what, model=self.model_name or "model", saved=self._saved)

    def action_save_all(self) -> None:
        takes = list(self.session.takes)
        if takes:
            what = f"all takes ({len(takes)})"
            ask_and_save(self.app, takes, what=what, model=self.model_name or "model", saved=self._saved)

    def _saved(self) -> None:
        if self.memory is not None:
            self.memory.keep_takes()  # a take's "saved" mark is kept too

    def action_back(self) -> None:
        """Leave the screen. The app keeps the takes and settings for the next visit."""
        self.desk.stop()
        self.remember_settings()
        self.app.pop_screen()

    def action_copy(self) -> None:
        """Copy the current take (prefix and text) with OSC 52, and say where that cannot work."""
        take = self.session.current
        if take is not None:
            copy_take(self.app, take)
