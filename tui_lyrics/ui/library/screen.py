"""The home screen: every model in the library, read from the cards (no torch), and the
actions on them: new, train more, compose, curves, rename, delete.

The library is re-read in a thread every few seconds, so a model that a headless
``lyrics-tui train`` starts or finishes in another process shows up and is marked live.
A comparison's models live with their experiment: one row per experiment, which Enter opens
to show its models, and which ``d`` deletes together with them. Below the models, the songs
written in the Write screen (``songs.py``; shown once there is one): Enter reopens one.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import DescendantFocus
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.widgets.data_table import CellDoesNotExist

from tui_lyrics.errors import LyricsError
from tui_lyrics.experiments import delete_experiment, list_experiments
from tui_lyrics.fmt import fmt_count, fmt_duration, fmt_ppl
from tui_lyrics.store import ModelInfo
from tui_lyrics.ui.library.messages import ModelsListed, SongDeleted
from tui_lyrics.ui.library.songs import SongTable
from tui_lyrics.ui.record import RunRecord
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog, PromptDialog

if TYPE_CHECKING:
    from tui_lyrics.songs.store import SongInfo
    from tui_lyrics.ui.app import LyricsApp

REFRESH_SECONDS = 2.0
COLUMNS = ("", "Name", "Held ppl", "Steps", "Time", "Cell", "Params", "Corpus")
"""Most telling first: a narrow terminal cuts the table from the right."""
GROUP = "experiment:"
"""Row keys of experiment rows start with this (a model name cannot contain a colon)."""
EMPTY = "No models yet. Press [b]n[/b] to train one on a lyrics file (.txt, .lrc, .md, a .zip or a folder)."
FIRST_RUN = (
    "New here? Press [b]c[/b] to compose with the built-in demo model now, or [b]n[/b] to train on your own "
    "lyrics (a .txt/.lrc file, a folder, or a .zip such as jaychou_lyrics.txt.zip)."
)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
        self.rows: tuple[ModelInfo, ...] | None = None
        self.experiments: tuple[tuple[str, tuple[str, ...]], ...] = ()
        self.expanded: set[str] = set()
        """Experiments whose models are shown under them."""
        self.songs: tuple[SongInfo, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Text] = DataTable(id="models", cursor_type="row", zebra_stripes=True)
        self.columns = table.add_columns(*COLUMNS)
        yield table
        yield SongTable(id="songs")
        yield Static("Reading the library…", id="model-details")
        yield Static(FIRST_RUN, id="first-run-hint", classes="-hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.app.library_changed.subscribe(self, lambda _name: self.reload())
        self.app.run_changed.subscribe(self, self._run_changed)
        self.set_interval(REFRESH_SECONDS, self._tick)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def _tick(self) -> None:
        if self.is_current:
            self.reload()

    def _run_changed(self, record: RunRecord) -> None:
        """Refresh the training model's row in place (this comes ~10 times a second)."""
        info = next((row for row in self.rows or () if row.name == record.name), None)
        if info is None:
            return
        table = self.query_one("#models", DataTable)
        with contextlib.suppress(CellDoesNotExist):
            for column, cell in zip(self.columns, self._cells(info), strict=True):
                table.update_cell(info.name, column, cell, update_width=True)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def reload(self) -> None:
        rows = tuple(self.app.store.list())
        groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
        with contextlib.suppress(LyricsError, OSError):  # unreadable experiments: their models show alone
            found = list_experiments(self.app.store.home)
            groups = tuple((e.id, tuple(str(run.get("model", "")) for run in e.runs)) for e in found)
        songs: tuple[SongInfo, ...] = ()
        with contextlib.suppress(LyricsError, OSError):  # an unreadable songs folder: no songs listed
            from tui_lyrics.songs.store import SongStore  # here, in the thread: not before the first frame

            songs = tuple(SongStore(self.app.store.home).list())
        self.post_message(ModelsListed(rows=rows, experiments=groups, songs=songs))

    def on_models_listed(self, message: ModelsListed) -> None:
        if message.rows != self.rows or message.experiments != self.experiments:
            self.rows, self.experiments = message.rows, message.experiments
            self._fill(message.rows)
        if message.songs != self.songs:
            self.songs = message.songs
            self.query_one(SongTable).show(message.songs)
            self._describe()

    # -- drawing ----------------------------------------------------------------------------
    def _fill(self, rows: tuple[ModelInfo, ...]) -> None:
        table = self.query_one("#models", DataTable)
        selected = self.selected_key()
        table.clear()
        members = {name for _, names in self.experiments for name in names}
        for info in rows:
            if info.name not in members:
                table.add_row(*self._cells(info), key=info.name)
        by_name = {info.name: info for info in rows}
        for exp_id, names in self.experiments:
            present = [by_name[name] for name in names if name in by_name]
            if not present:
                continue
            table.add_row(*self._group_cells(exp_id, present), key=GROUP + exp_id)
            if exp_id in self.expanded:
                for info in present:
                    table.add_row(*self._cells(info), key=info.name)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self._describe()

    def _group_cells(self, exp_id: str, models: list[ModelInfo]) -> tuple[Text, ...]:
        """One row for an experiment: its id, how many models, the best held-out perplexity."""
        scored = [info.best_loss for info in models if info.best_loss is not None]
        mark = "▾" if exp_id in self.expanded else "▸"
        live = any(info.live or self.app.runs.running(info.name) for info in models)
        return (
            Text(mark),
            Text(exp_id),
            Text(fmt_ppl(min(scored)) if scored else "", justify="right"),
            Text(""),
            Text(""),
            Text(f"{len(models)} models" + (" ●" if live else "")),
            Text(""),
            Text(_cut(models[0].corpus, 16)),
        )

    def _state(self, info: ModelInfo) -> str:
        if self.app.runs.running(info.name) or info.live:
            return "●"
        if info.error:
            return "!"
        if info.read_only:
            return "◆"
        return "✓" if info.finished else "◐" if info.steps else "·"

    def _cells(self, info: ModelInfo) -> tuple[Text, ...]:
        """One table row; names come from users and files, so they are never read as markup."""
        if info.error:
            return (Text("!"), Text(info.name), Text("unreadable"), *(Text("") for _ in range(5)))
        numbers = (fmt_ppl(info.best_loss), f"{info.steps:,}", fmt_duration(info.train_seconds))
        name = f"└ {info.name}" if any(info.name in names for _, names in self.experiments) else info.name
        return (
            Text(self._state(info)),
            Text(name),
            *(Text(n, justify="right") for n in numbers),
            Text(f"{info.cell}/{info.input}"),
            Text(fmt_count(info.params), justify="right"),
            Text(_cut(info.corpus, 16)),
        )

    def _describe(self) -> None:
        own = [info for info in self.rows or () if not info.read_only]
        self.query_one("#first-run-hint").set_class(bool(own) or not self.rows, "-hidden")
        details = self.query_one("#model-details", Static)
        if self.songs_focused:
            details.update(self.query_one(SongTable).describe())
            return
        info = self.selected()
        group = self.selected_group()
        if not self.rows:
            details.update(EMPTY)
        elif group is not None:
            count = len(dict(self.experiments).get(group, ()))
            details.update(
                f"[b]{escape(group)}[/b] · a comparison of {count} models · enter shows or hides them · "
                "e opens Compare · d deletes it with its models"
            )
        elif info is None:
            details.update("")
        elif info.error:
            details.update(f"[b]{escape(info.name)}[/b] cannot be read: {escape(info.error)}")
        else:
            details.update(self._summary(info))

    def _summary(self, info: ModelInfo) -> str:
        if info.read_only:
            state = "built-in, read-only"
        elif self.app.training_here(info.name):
            state = "[b]● training in this app[/b]"
        elif self.app.runs.training_here(info.name):
            state = "[b]● training in this app's comparison grid[/b] (v to watch)"
        elif info.live or info.name in self.app.runs.elsewhere:
            state = "[b]● being trained by another process[/b] (v to watch)"
        else:
            state = "finished" if info.finished else "can train more" if info.steps else "not trained yet"
        held = f"held-out perplexity {fmt_ppl(info.best_loss)}" if info.best_loss is not None else "not scored yet"
        if info.song_loss is not None:  # beside the static figure, labelled: never instead of it
            held += f" (with song memory {fmt_ppl(info.song_loss)})"
        trained = f"{info.steps:,} steps in {fmt_duration(info.train_seconds)}"
        return (
            f"[b]{escape(info.name)}[/b] · {info.cell}, {info.input} input · {fmt_count(info.params)} parameters · "
            f"corpus {escape(info.corpus)} · {held} · {trained} · {state}"
        )

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._describe()  # the details line follows the table with focus

    @property
    def songs_focused(self) -> bool:
        return self.query_one(SongTable).has_focus

    def on_song_deleted(self, message: SongDeleted) -> None:
        self.reload()

    @on(DataTable.RowSelected, "#models")
    def _selected(self) -> None:
        group = self.selected_group()
        if group is not None:
            self.expanded ^= {group}
            self._fill(self.rows or ())
            return
        info = self.selected()
        if info is not None and (info.live or self.app.runs.running(info.name)):
            self.action_curves()
        else:
            self.action_compose()

    # -- selection --------------------------------------------------------------------------
    def selected_key(self) -> str | None:
        table = self.query_one("#models", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return key.value

    def selected_name(self) -> str | None:
        """The selected model's name (None on an experiment's row)."""
        key = self.selected_key()
        return None if key is None or key.startswith(GROUP) else key

    def selected_group(self) -> str | None:
        """The selected experiment's id, on an experiment's row."""
        key = self.selected_key()
        return key.removeprefix(GROUP) if key is not None and key.startswith(GROUP) else None

    def selected(self) -> ModelInfo | None:
        name = self.selected_name()
        return next((info for info in self.rows or () if info.name == name), None)

    def _usable(self) -> ModelInfo | None:
        """The selected model, if it can be acted on; otherwise say why."""
        info = self.selected()
        if info is None and self.selected_group() is not None:
            self.notify("An experiment: press enter to show its models, then pick one", severity="warning")
        elif info is None:
            self.notify("No model selected: press n to train one", severity="warning")
        elif info.error:
            self.notify(f"{info.name} cannot be read: {info.error}", severity="error")
            return None
        return info

    # -- actions ----------------------------------------------------------------------------
    def action_new(self) -> None:
        self.app.open_new_model()

    def action_compose(self) -> None:
        info = self._usable()
        if info is not None:
            self.app.open_compose(info.name)

    def action_write(self) -> None:
        info = self._usable()
        if info is not None:
            from tui_lyrics.ui.write.screen import WriteScreen  # loaded on demand

            self.app.push_screen(WriteScreen(store=self.app.store, model_name=info.name))

    def action_experiments(self) -> None:
        from tui_lyrics.ui.compare.screen import CompareScreen  # loaded on demand

        self.app.push_screen(CompareScreen(home=self.app.store.home))

    def action_curves(self) -> None:
        info = self._usable()
        if info is not None:
            self.app.open_training(info.name)

    def action_train_more(self) -> None:
        info = self._usable()
        if info is not None:
            self.app.train_more(info.name)

    def action_rename(self) -> None:
        info = self._usable()
        if info is not None:
            self.app.push_screen(
                PromptDialog(f"New name for {info.name}:", value=info.name, ok="Rename"),
                lambda new: self._rename(info.name, new),
            )

    def _rename(self, old: str, new: str | None) -> None:
        if new is None or new.strip() == old:
            return
        try:
            self.app.store.rename(old, new)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Renamed {old} to {new.strip()}")
        self.reload()

    def action_delete(self) -> None:
        group = self.selected_group()
        if group is not None:
            count = len(dict(self.experiments).get(group, ()))
            question = f"Delete the experiment {group} and its {count} models? This cannot be undone."
            dialog = ConfirmDialog(question, yes="Delete all", no="Keep")
            self.app.push_screen(dialog, lambda yes: self._delete_experiment(group, yes))
            return
        info = self.selected()
        if info is None:
            self.notify("No model selected", severity="warning")
            return
        question = f"Delete {info.name} and its checkpoints? This cannot be undone."
        self.app.push_screen(ConfirmDialog(question, yes="Delete", no="Keep"), lambda yes: self._delete(info, yes))

    def _delete(self, info: ModelInfo, yes: bool | None) -> None:
        if not yes:
            return
        if self.app.runs.training_here(info.name):
            self.notify(f"{info.name!r} is being trained right now; stop it first", severity="error")
            return
        try:
            self.app.store.delete(info.name)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Deleted {info.name}")
        self.reload()

    def _delete_experiment(self, exp_id: str, yes: bool | None) -> None:
        if not yes:
            return
        names = dict(self.experiments).get(exp_id, ())
        busy = sorted(self.app.runs.live_names() & set(names))
        if busy:
            self.notify(f"{busy[0]!r} is being trained right now; stop it first", severity="error")
            return
        try:
            delete_experiment(self.app.store.home, exp_id, with_models=True)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Deleted the experiment {exp_id} and its models")
        self.reload()
