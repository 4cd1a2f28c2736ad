"""The home screen: every model in the library, read from the cards (no torch), and the
actions on them: new, train more, compose, curves, rename, delete.

The library is re-read in a thread every few seconds, so a model that a headless
``lyrics-tui train`` starts or finishes in another process shows up and is marked live.
The screen composes the models table (``models.py``: the rows, a comparison's models grouped
under its experiment, the selection, renames and deletes) and the song list (``songs.py``;
shown once there is a song), and forwards its keys to them.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui_lyrics.errors import LyricsError
from tui_lyrics.experiments import list_experiments
from tui_lyrics.store import ModelInfo
from tui_lyrics.ui.library.messages import ModelEdited, ModelsListed, SongDeleted
from tui_lyrics.ui.library.models import Experiments, ModelTable
from tui_lyrics.ui.library.songs import SongTable

if TYPE_CHECKING:
    from tui_lyrics.songs.store import SongInfo
    from tui_lyrics.ui.app import LyricsApp

REFRESH_SECONDS = 2.0
FIRST_RUN = (
    "New here? Press [b]c[/b] to compose with the built-in demo model now, or [b]n[/b] to train on your own "
    "lyrics (a .txt/.lrc file, a folder, or a .zip such as jaychou_lyrics.txt.zip)."
)
FIRST_RUN_SHORT = "New? [b]c[/b]: compose with demo · [b]n[/b]: train"
"""The hint on a low terminal (under 14 rows), where the long one would take the table's rows: one line at 40."""


class LibraryScreen(Screen):
    """The model library."""

    app: LyricsApp

    CSS_PATH = "library.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", tooltip="Train a new model on a corpus"),
        Binding("t", "train_more", "Train", tooltip="Resume or extend the selected model's training"),
        Binding("c", "compose", "Compose", tooltip="Write lyrics with the selected model"),
        Binding("w", "write", "Write", tooltip="Write a song line by line with the selected model (o there: reopen)"),
        Binding("v", "curves", "Curves", tooltip="Show the selected model's training curves (live if training)"),
        Binding("r", "rename", "Rename", tooltip="Rename the selected model"),
        Binding("d", "delete", "Delete", tooltip="Delete the selected model (asks first)"),
        Binding("e", "experiments", "Compare", tooltip="Compare cells and inputs on one corpus (experiments)"),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.songs: tuple[SongInfo, ...] = ()

    @property
    def models(self) -> ModelTable:
        return self.query_one(ModelTable)

    @property
    def rows(self) -> tuple[ModelInfo, ...] | None:
        """The models of the last read (None before the first), as the table shows them."""
        return self.models.models

    @property
    def experiments(self) -> Experiments:
        return self.models.experiments

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModelTable(id="models")
        yield SongTable(id="songs")
        yield Static("Reading the library…", id="model-details")
        yield Static(FIRST_RUN, id="first-run-hint", classes="first-run -hidden")
        yield Static(FIRST_RUN_SHORT, id="first-run-short", classes="first-run -hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.app.library_changed.subscribe(self, lambda _name: self.reload())
        self.app.run_changed.subscribe(self, self.models.show_run)
        self.set_interval(REFRESH_SECONDS, self._tick)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def _tick(self) -> None:
        if self.is_current:
            self.reload()

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def reload(self) -> None:
        rows = tuple(self.app.store.list())
        groups: Experiments = ()
        with contextlib.suppress(LyricsError, OSError):  # unreadable experiments: their models show alone
            found = list_experiments(self.app.store.home)
            groups = tuple((e.id, tuple(str(run.get("model", "")) for run in e.runs)) for e in found)
        songs: tuple[SongInfo, ...] = ()
        with contextlib.suppress(LyricsError, OSError):  # an unreadable songs folder: no songs listed
            from tui_lyrics.songs.store import SongStore  # here, in the thread: not before the first frame

            songs = tuple(SongStore(self.app.store.home).list())
        self.post_message(ModelsListed(rows=rows, experiments=groups, songs=songs))

    def on_models_listed(self, message: ModelsListed) -> None:
        changed = self.models.show(message.rows, message.experiments)
        if message.songs != self.songs:
            self.songs = message.songs
            self.query_one(SongTable).show(message.songs)
            changed = True
        if changed:
            self._describe()

    @on(ModelEdited)
    @on(SongDeleted)
    def _edited(self) -> None:
        self.reload()

    def _describe(self) -> None:
        """The first-run hint (long or short: the stylesheet shows the one that fits), and the details line of
        the table with focus."""
        own = [info for info in self.rows or () if not info.read_only]
        for hint in self.query(".first-run"):
            hint.set_class(bool(own) or not self.rows, "-hidden")
        songs = self.query_one(SongTable)
        text = songs.describe() if songs.has_focus else self.models.describe()
        self.query_one("#model-details", Static).update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._describe()  # the details line follows the table with focus

    @on(DataTable.RowSelected, "#models")
    def _selected(self) -> None:
        if self.models.toggle_selected_group():
            self._describe()
            return
        info = self.models.selected()
        if info is not None and (info.live or self.app.runs.running(info.name)):
            self.action_curves()
        else:
            self.action_compose()

    # -- actions ----------------------------------------------------------------------------
    def action_new(self) -> None:
        self.app.open_new_model()

    def action_compose(self) -> None:
        info = self.models.usable()
        if info is not None:
            self.app.open_compose(info.name)

    def action_write(self) -> None:
        info = self.models.usable()
        if info is not None:
            from tui_lyrics.ui.write.screen import WriteScreen  # loaded on demand

            self.app.push_screen(WriteScreen(store=self.app.store, model_name=info.name))

    def action_experiments(self) -> None:
        from tui_lyrics.ui.compare.screen import CompareScreen  # loaded on demand

        self.app.push_screen(CompareScreen(home=self.app.store.home))

    def action_curves(self) -> None:
        info = self.models.usable()
        if info is not None:
            self.app.open_training(info.name)

    def action_train_more(self) -> None:
        info = self.models.usable()
        if info is not None:
            self.app.train_more(info.name)

    def action_rename(self) -> None:
        self.models.ask_rename()

    def action_delete(self) -> None:
        self.models.ask_delete()
