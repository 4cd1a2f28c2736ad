"""ComposeScreen: write lyrics with a model, take by take, choosing alternatives as you go.

The screen composes widgets and handles messages; loading and sampling run in thread
workers (``tui_lyrics.ui.compose_jobs``) that report by message, and the takes are plain
data (``tui_lyrics.ui.compose_takes``). The key actions live in ``ComposeActions``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static

from tui_lyrics.config import SampleConfig
from tui_lyrics.errors import LyricsError
from tui_lyrics.memorise import CorpusIndex
from tui_lyrics.store import ModelInfo, ModelStore
from tui_lyrics.ui import sizes
from tui_lyrics.ui.compose_actions import ComposeActions, status_line, unknown_note
from tui_lyrics.ui.compose_commands import BindingCommands
from tui_lyrics.ui.compose_jobs import CharsSampled, ModelLoaded, ModelLoadFailed, TakeFinished, generate_job, load_job
from tui_lyrics.ui.compose_memory import ComposeMemory
from tui_lyrics.ui.compose_meter import INDEXING, ComposeMeter
from tui_lyrics.ui.compose_takes import GENERATING, STOPPED, Take, TakeSession
from tui_lyrics.ui.widgets.compose_alternatives import AlternativesPanel
from tui_lyrics.ui.widgets.compose_controls import DEFAULT_SETTINGS, SampleControls, Seed, fit_quote_limit
from tui_lyrics.ui.widgets.compose_dialogs import model_summary
from tui_lyrics.ui.widgets.compose_prefix import PrefixInput
from tui_lyrics.ui.widgets.compose_takelist import TakeList
from tui_lyrics.ui.widgets.compose_view import TakeView
from tui_lyrics.vocab import CharVocab


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


class ComposeScreen(ComposeActions, ComposeMeter, Screen[None]):
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
        self.session = TakeSession()
        self.settings: SampleConfig = DEFAULT_SETTINGS
        self.seed = Seed()
        self.choosing = False
        """Alternatives mode: a cursor on the take, digits pick a candidate."""
        self.generating: int | None = None
        self.timings: dict[int, list[float | None]] = {}
        """Per take: [Enter pressed, first character shown, finished] (monotonic seconds)."""
        self.corpus: CorpusIndex | None = None
        """The model's corpus index for the memorisation meter, once built."""
        self.corpus_state = INDEXING
        self.corpus_for: str | None = None
        """The model whose corpus ``corpus`` indexes (or is being indexed)."""
        self.measuring: set[int] = set()
        """Takes whose meter reading is being worked out."""
        self._stop = threading.Event()
        self._one_at_a_time = threading.Lock()

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-top"):
            yield Static("No model chosen yet: press m to pick one.", id="model-line", markup=False)
            yield PrefixInput(placeholder="First words, e.g. 我推开窗 — Enter to generate", id="prefix")
            yield Static("", id="prefix-note", markup=False)
            yield SampleControls(id="controls")
        with Horizontal(id="compose-main"):
            yield TakeView(id="take")
            with Vertical(id="compose-side"):
                yield TakeList(id="takes")
                yield AlternativesPanel(id="alternatives")
        yield Static("", id="take-status", markup=False)
        yield Static("", id="take-meter", markup=False)
        yield Footer()

    @property
    def memory(self) -> ComposeMemory | None:
        """The app's memory of takes and settings between visits (None in a bare test app)."""
        return getattr(self.app, "compose_memory", None)

    def on_mount(self) -> None:
        self.query_one(TakeList).border_title = "Takes"
        if self.memory is not None:
            self.session = self.memory.takes  # the takes of earlier visits, until deleted
            if self.session.takes:
                self.show_current()
        self._show_controls()
        if self.model_name is None:
            self.action_pick_model()
        else:
            self.use_model(self.model_name)

    # --- the model -------------------------------------------------------------------------

    def use_model(self, name: str) -> None:
        """Switch to model ``name``: read its card now, load its weights in a worker."""
        info = next((m for m in self.store.list() if m.name == name), None)
        line = self.query_one("#model-line", Static)
        try:
            if info is None or info.error is not None:
                raise LyricsError(info.error if info is not None else f"no model named {name!r}")
            card = self.store.card(name)
            self.vocab = card.vocab
            shape = f"{card.model.cell.upper()} {card.model.layers}×{card.model.hidden}"
        except LyricsError as error:
            line.update(f"Cannot use {name}: {error}. Press m to pick another model.")
            return
        self.stop_generating()
        self.remember_settings()
        recalled = self.memory.recall(name) if self.memory is not None else None
        if recalled is not None:
            self.settings = recalled
        else:  # a default quote limit follows the model's script (8 Chinese characters, 16 letters)
            self.settings = fit_quote_limit(self.settings, self.vocab.chars)
        self._show_controls()
        self.model_name, self.info, self.lm = name, info, None
        self.about = f"{name} · {model_summary(info, shape=shape)}"
        line.update(f"Loading {self.about}…")
        self._check_prefix(self.query_one("#prefix", Input).value)
        self.refresh_bindings()
        self._load(name, live=info.live)
        self.start_indexing(name)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, name: str, live: bool) -> None:
        load_job(self.store, name, live=live, post=self.post_message)

    def on_model_loaded(self, message: ModelLoaded) -> None:
        if message.name != self.model_name or self.info is None:
            return
        self.lm = message.model
        weights = "latest weights (training now)" if message.weights == "last" else f"{message.weights} weights"
        self.query_one("#model-line", Static).update(f"{self.about} · {weights}")
        self._set_status("Ready: type a first line (or nothing) and press Enter.")
        self.refresh_bindings()

    def on_model_load_failed(self, message: ModelLoadFailed) -> None:
        if message.name == self.model_name:
            line = f"Cannot load {message.name}: {message.error}. Press m to pick another model."
            self.query_one("#model-line", Static).update(line)

    # --- the prefix ------------------------------------------------------------------------

    @on(Input.Changed, "#prefix")
    def _prefix_changed(self, event: Input.Changed) -> None:
        self._check_prefix(event.value)

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

    def start_take(self, take: Take) -> None:
        """Make ``take`` current and stream it in a worker."""
        self.stop_generating()
        self._leave_choosing()
        take.model = self.model_name or take.model  # a regenerated take uses the model loaded now
        self.session.add(take)
        self.seed = Seed(fixed=self.seed.fixed, last=take.seed)
        self._show_controls()
        self._stop = threading.Event()
        self.generating = take.number
        self.timings[take.number] = [time.monotonic(), None, None]
        self.show_current()
        self.query_one(TakeView).focus()
        self._generate(self.lm, take, self._stop)

    @work(thread=True, exclusive=True, group="generate")
    def _generate(self, lm: Any, take: Take, stop: threading.Event) -> None:
        generate_job(lm, take, stop=stop, post=self.post_message, lock=self._one_at_a_time)

    def stop_generating(self) -> None:
        """Stop the take being generated, keeping what it wrote."""
        if self.generating is None:
            return
        self._stop.set()
        take = self.session.get(self.generating)
        if take is not None and take.state == GENERATING:
            take.state = STOPPED
            self.query_one(TakeList).update_take(take)
        self.generating = None
        self._set_status(status_line(take, self.timings.get(take.number) if take else None))
        self.refresh_bindings()

    def on_chars_sampled(self, message: CharsSampled) -> None:
        take = self.session.get(message.take)
        if take is None:
            return
        take.chars.extend(message.chars)
        timing = self.timings.get(take.number)
        if timing is not None and timing[1] is None:
            timing[1] = time.monotonic()
        if take is self.session.current:
            self.query_one(TakeView).extend(message.chars)
            self._set_status(status_line(take, timing))

    def on_take_finished(self, message: TakeFinished) -> None:
        take = self.session.get(message.take)
        if take is None:
            return
        if take.state == GENERATING:
            take.state = message.state
        take.error = message.error
        timing = self.timings.get(take.number)
        if timing is not None:
            timing[2] = time.monotonic()
        if self.generating == take.number:
            self.generating = None
        if message.error:
            self.notify(f"Take {take.number} failed: {message.error}", severity="error")
        self.query_one(TakeList).update_take(take)
        if take is self.session.current:
            self._set_status(status_line(take, timing))
            self.show_meter()
        self.refresh_bindings()

    def show_current(self) -> None:
        """Show the current take (or an empty view) in the view, the list and the status."""
        take = self.session.current
        view = self.query_one(TakeView)
        if take is None:
            view.show("", [])
        else:
            unknown = frozenset(self.vocab.unknown(take.prefix)) if self.vocab else frozenset()
            view.show(take.prefix, take.generated, unknown=unknown, rhyme=take.settings.rhyme != "off")
        self.query_one(TakeList).show(self.session.takes, take)
        self._set_status(status_line(take, self.timings.get(take.number) if take else None))
        self.show_meter()
        self.refresh_bindings()

    def _set_status(self, text: str) -> None:
        # One fixed-height row: no layout pass needed, which matters ~30 times a second.
        self.query_one("#take-status", Static).update(text, layout=False)

    def _show_controls(self) -> None:
        self.query_one(SampleControls).show(self.settings, self.seed)

    # --- alternatives ----------------------------------------------------------------------

    def _leave_choosing(self) -> None:
        if not self.choosing:
            return
        self.choosing = False
        self.query_one(TakeView).cursor = None
        self.query_one(AlternativesPanel).display = False
        self.refresh_bindings()

    def on_take_view_cursor_moved(self, message: TakeView.CursorMoved) -> None:
        take = self.session.current
        if message.index is not None and take is not None and message.index < len(take.generated):
            self.query_one(AlternativesPanel).show(take.generated[message.index], message.index)

    @on(OptionList.OptionSelected, "#takes")
    def _take_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and self.session.select(int(event.option.id)):
            self._leave_choosing()
            self.show_current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        take = self.session.current
        if action == "stop":
            return self.generating is not None
        if action in ("leave_alternatives", "choose"):
            return self.choosing
        if action == "generate":
            return not self.choosing and (None if self.lm is None else True)
        if action in ("regenerate", "new_seed"):
            return None if self.lm is None or take is None else True
        if action == "alternatives":
            return None if take is None or not take.generated or self.generating is not None else True
        if action in ("save_take", "save_all", "copy", "delete_take", "move_take"):
            return None if take is None else True
        if action == "back":
            return len(self.app.screen_stack) > 1
        return True

    def remember_settings(self) -> None:
        """Keep the settings used with the model in use for its next visit."""
        if self.memory is not None and self.info is not None and self.model_name is not None:
            self.memory.remember(self.model_name, self.settings)

    def on_unmount(self) -> None:
        self._stop.set()  # a take still streaming ends with the screen
        self.remember_settings()
