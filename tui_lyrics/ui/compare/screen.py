"""CompareScreen: plan the cell x input grid, watch it train, then compare the models.

Two panes. Setup: the saved experiments (open, resume, delete) and the form of a new one.
Results (``CompareResults``): the grid's progress over three views of the experiment, one
chart of every model's curves, the table, and the samples side by side. The grid is started,
stopped and saved by the app's run service (``ui/runs.py``), which asks first while a training
runs; its thread talks to this screen by message only (``jobs.py``); the figures always
come back from the model cards. Leaving the screen leaves the grid training (the library shows
it, quitting saves it); opening Compare again shows it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import DescendantFocus
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Header, Label, Static, TabbedContent

from tui_lyrics import experiments as ex
from tui_lyrics.corpus import Corpus
from tui_lyrics.errors import LyricsError
from tui_lyrics.ui import sizes
from tui_lyrics.ui.compare.experiment_list import ExperimentList
from tui_lyrics.ui.compare.form import CompareForm, GridPlan
from tui_lyrics.ui.compare.jobs import (
    ExperimentsListed,
    ExportWritten,
    GridEventReceived,
    GridFinished,
    GridRunStarted,
    ResultsRead,
    list_summaries,
    read_results,
    write_exports,
)
from tui_lyrics.ui.compare.results import CompareResults, all_done
from tui_lyrics.ui.messages import CorpusChecked
from tui_lyrics.ui.runs import RunService, runs_of
from tui_lyrics.ui.widgets.corpus_picker import CorpusPicker
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog, PromptDialog

NO_EXPERIMENTS = "No experiments yet: fill in the form below and press Ctrl+R."


class CompareScreen(Screen[None]):
    """Compare cells and inputs under one budget: plan, run, re-open, export."""

    CSS_PATH = "compare.tcss"
    HORIZONTAL_BREAKPOINTS = sizes.HORIZONTAL  # in any host app
    VERTICAL_BREAKPOINTS = sizes.VERTICAL
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the list, or leave Compare"),
        Binding("ctrl+r", "start", "Start", tooltip="Plan the grid and start training it"),
        Binding("ctrl+o", "browse", "Browse", tooltip="Choose the corpus in a file browser"),
        Binding("r", "resume", "Resume", tooltip="Train the experiment's unfinished models"),
        Binding("d", "delete", "Delete", tooltip="Delete the selected experiment and its models (asks first)"),
        Binding("s", "stop", "Stop", tooltip="Stop the grid; the current model saves and it resumes later"),
        Binding("v", "next_view", "View", tooltip="Switch between the chart, the table and the samples"),
        Binding("x", "toggle_x", "Steps/time", tooltip="Plot over optimiser steps or over training time"),
        Binding("t", "toggle_train", "Training", tooltip="Show or hide the training curves"),
        Binding("e", "export", "Export", tooltip="Write the table and curves as CSV and JSON"),
        Binding("p", "export_png", "PNG", tooltip="Save the held-out curves as a PNG (needs matplotlib)"),
        Binding("n", "new", "New", tooltip="Plan a new experiment"),
    ]

    def __init__(self, *, home: Path, experiment_id: str | None = None) -> None:
        super().__init__()
        self.home = home
        self.start_id = experiment_id
        self.shown: str | None = None
        """The experiment in the results pane."""
        self.experiment: ex.Experiment | None = None
        """The shown experiment as last read from disk (None while it is read)."""
        self.running: str | None = None
        """The experiment whose grid this screen started and shows as training."""
        self.last_run: GridRunStarted | None = None
        """The latest run the grid began, to redraw its progress when its experiment is shown again."""
        self._placed_focus = False

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial="cmp-setup", id="cmp-panes"):
            with VerticalScroll(id="cmp-setup"):
                yield Label("Saved experiments", classes="field-title")
                yield ExperimentList(id="cmp-list")
                yield Static(NO_EXPERIMENTS, id="cmp-list-empty")
                yield Label("New experiment: every cell x input, one budget each", classes="field-title")
                yield CorpusPicker(id="cmp-corpus")
                yield CompareForm(id="cmp-form")
                with Horizontal(id="cmp-start-row"):
                    yield Button("Start the grid", variant="success", id="cmp-start", compact=True)
                    yield Static("", id="cmp-error")
            yield CompareResults(id="cmp-results")
        yield Footer()

    def on_mount(self) -> None:
        grid = self.runs.attach_grid(self.post_message)  # a grid started earlier goes on reporting here
        if grid is not None:
            self.running, self.last_run = grid.experiment_id, grid.last_run
        self._list()
        if self.start_id is None and self.running is not None:
            self.show_experiment(self.running)
        elif self.start_id is not None:
            self.show_experiment(self.start_id)
        else:
            self.query_one("#corpus-path").focus()

    def on_unmount(self) -> None:
        self.runs.detach_grid(self.post_message)  # the grid goes on training: the run service owns it

    @property
    def runs(self) -> RunService:
        return runs_of(self.app)

    @property
    def pane(self) -> str:
        return self.query_one("#cmp-panes", ContentSwitcher).current or "cmp-setup"

    @property
    def results(self) -> CompareResults:
        return self.query_one(CompareResults)

    @property
    def listing(self) -> ExperimentList:
        return self.query_one(ExperimentList)

    def _switch(self, pane: str) -> None:
        self.query_one("#cmp-panes", ContentSwitcher).current = pane
        self.refresh_bindings()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.refresh_bindings()  # which keys apply depends on what has focus

    @on(TabbedContent.TabActivated)
    def _view_changed(self) -> None:
        self.refresh_bindings()

    # -- the list -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="compare-list", exit_on_error=False)
    def _list(self) -> None:
        self.post_message(ExperimentsListed(list_summaries(self.home)))

    def on_experiments_listed(self, message: ExperimentsListed) -> None:
        self.listing.running = self.running
        self.listing.show(message.summaries, select=self.shown)
        self.listing.display = bool(message.summaries)
        self.query_one("#cmp-list-empty").display = not message.summaries
        if not self._placed_focus and self.pane == "cmp-setup" and message.summaries:
            self.listing.focus()
        self._placed_focus = True
        self.refresh_bindings()

    def on_corpus_checked(self, message: CorpusChecked) -> None:
        if message.corpus is not None:
            self.query_one(CompareForm).show_preset(message.corpus)

    @on(ExperimentList.RowSelected, "#cmp-list")
    def _list_selected(self) -> None:
        if self.listing.selected_id is not None:
            self.show_experiment(self.listing.selected_id)

    # -- showing an experiment ------------------------------------------------------------------
    def show_experiment(self, experiment_id: str) -> None:
        """Switch to the results pane for ``experiment_id`` and read it (no training)."""
        if experiment_id != self.shown:
            self.shown, self.experiment = experiment_id, None
            self.results.clear(experiment_id)
            if self.running == experiment_id and self.last_run is not None:
                self.results.run_started(self.last_run)
            self._read(experiment_id)
        self._switch("cmp-results")
        self.results.view = "tab-curves" if self.running == experiment_id else "tab-table"
        self.results.focus_view()

    @work(thread=True, group="compare-read", exit_on_error=False)
    def _read(self, experiment_id: str) -> None:
        self.post_message(read_results(self.home, experiment_id))

    def on_results_read(self, message: ResultsRead) -> None:
        if message.experiment_id != self.shown:
            return
        if message.experiment is None:
            self.results.set_status(f"✗ {escape(message.error or 'cannot read the experiment')}")
            return
        self.experiment = message.experiment
        self.results.show_results(message, running=self.running == message.experiment_id)
        self.refresh_bindings()

    # -- running the grid -----------------------------------------------------------------------
    def _begin(self, experiment: ex.Experiment) -> None:
        """Start the grid through the run service, which asks first while a training runs."""
        self.runs.ask_then(f"the grid {experiment.id}", partial(self._start_grid, experiment))

    def _start_grid(self, experiment: ex.Experiment) -> None:
        if self.running is not None or not self.is_attached:
            return
        if self.runs.start_grid(experiment, home=self.home, post=self.post_message) is None:
            return
        self.running = experiment.id
        self.show_experiment(experiment.id)
        self.results.set_status(f"[b]{escape(experiment.id)}[/b] · loading the engine…")
        self.results.set_progress(0, len(experiment.runs))
        self._list()

    def on_grid_run_started(self, message: GridRunStarted) -> None:
        self.last_run = message
        if message.experiment_id == self.running == self.shown:
            self.results.run_started(message)

    def on_grid_event_received(self, message: GridEventReceived) -> None:
        if message.experiment_id == self.running == self.shown and self.results.apply(message):
            self._read(message.experiment_id)

    def on_grid_finished(self, message: GridFinished) -> None:
        if message.experiment_id != self.running:
            return
        self.running = self.last_run = None
        self.results.end_run()
        if message.error:
            self.notify(message.error, title="The grid stopped", severity="error", timeout=15)
        elif message.done:
            self.notify(f"{message.experiment_id}: every model trained and sampled.", title="Grid finished")
        else:
            self.notify(f"Stopped {message.experiment_id}; r resumes it.")
        if self.shown == message.experiment_id:
            self.shown = None  # read it afresh, with its samples, and show the table
            self.show_experiment(message.experiment_id)
        self._list()

    # -- actions ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        listings = self.query(ExperimentList)
        if not listings:  # the footer asks while the screen is still composed or already torn down
            return True
        setup, results = self.pane == "cmp-setup", self.pane == "cmp-results"
        summary = listings.first().selected if setup and self.focused is listings.first() else None
        if action in ("start", "browse"):
            return setup
        if action == "delete":
            return summary is not None and summary.id != self.running
        if action == "resume":
            if self.running is not None:
                return False
            if setup:
                return summary is not None and summary.done < summary.total
            return results and self.experiment is not None and not all_done(self.experiment)
        if action == "stop":
            return results and self.running is not None and self.running == self.shown
        if action in ("toggle_x", "toggle_train"):
            return results and self.results.view == "tab-curves"
        if action in ("export", "export_png"):
            return results and self.experiment is not None and self.running != self.shown
        if action in ("next_view", "new"):
            return results and (action == "next_view" or self.running is None)
        return True

    def action_back(self) -> None:
        if self.pane == "cmp-setup":
            if self.running is not None:
                self.notify(f"{self.running} goes on training: the library shows it; Compare shows it again.")
            self.dismiss()
            return
        self._switch("cmp-setup")
        self._list()
        (self.listing if self.listing.row_count else self.query_one("#corpus-path")).focus()

    def action_new(self) -> None:
        self._switch("cmp-setup")
        self.query_one("#corpus-path").focus()

    def action_browse(self) -> None:
        self.query_one(CorpusPicker).browse()

    @on(Button.Pressed, "#cmp-start")
    def action_start(self) -> None:
        if self.running is not None:
            self.notify(f"{self.running} is training; stop it first (s)", severity="warning")
            return
        corpus = self.query_one(CorpusPicker).corpus
        try:
            if corpus is None:
                raise LyricsError("choose a usable corpus first")
            plan = self.query_one(CompareForm).read(corpus)
        except LyricsError as problem:
            self.query_one("#cmp-error", Static).update(f"✗ {escape(str(problem))}")
            return
        # Asked before anything is written: a cancelled grid leaves no experiment behind.
        self.runs.ask_then("a comparison grid", partial(self._plan, corpus, plan))

    def _plan(self, corpus: Corpus, plan: GridPlan) -> None:
        error = self.query_one("#cmp-error", Static)
        try:
            experiment = ex.new_experiment(
                self.home, corpus.summary.path, cells=plan.cells, inputs=plan.inputs, budget=plan.budget,
                model=plan.model, train=plan.train, repeats=plan.repeats, prefix=plan.prefix, name=plan.name,
            )  # fmt: skip
        except (LyricsError, OSError) as problem:
            error.update(f"✗ {escape(str(problem))}")
            return
        error.update("")
        self._start_grid(experiment)

    def action_resume(self) -> None:
        experiment_id = self.listing.selected_id if self.pane == "cmp-setup" else self.shown
        try:
            self._begin(ex.open_experiment(self.home, experiment_id or ""))
        except LyricsError as problem:
            self.notify(str(problem), severity="error")

    def action_stop(self) -> None:
        self.runs.stop_grid()
        self.results.set_status(f"[b]{escape(self.running or '')}[/b] · stopping: saving the current model…")
        self.refresh_bindings()

    def action_next_view(self) -> None:
        self.results.next_view()

    def action_toggle_x(self) -> None:
        self.results.chart.toggle_x_axis()  # the chart's title says which

    def action_toggle_train(self) -> None:
        self.results.chart.toggle_train()

    def action_delete(self) -> None:
        experiment_id = self.listing.selected_id
        if experiment_id is not None:
            question = f"Delete the experiment {experiment_id} and its models? This cannot be undone."
            dialog = ConfirmDialog(question, yes="Delete all", no="Keep")
            self.app.push_screen(dialog, partial(self._delete, experiment_id))

    def _delete(self, experiment_id: str, yes: bool | None) -> None:
        if not yes:
            return
        try:
            ex.delete_experiment(self.home, experiment_id, with_models=True)
        except (LyricsError, OSError) as problem:
            self.notify(str(problem), severity="error")
            return
        if self.shown == experiment_id:
            self.shown = self.experiment = None
        self.notify(f"Deleted the experiment {experiment_id} and its models")
        self._list()

    def action_export(self) -> None:
        question = "Write the table and curves (CSV and JSON) into the folder:"
        self.app.push_screen(PromptDialog(question, value=str(Path.cwd())), partial(self._export_to, png=False))

    def action_export_png(self) -> None:
        value = str(Path.cwd() / f"{self.shown}.png")
        self.app.push_screen(PromptDialog("Save the chart as:", value=value), partial(self._export_to, png=True))

    def _export_to(self, answer: str | None, *, png: bool) -> None:
        if answer and answer.strip() and self.shown is not None:
            self._export(self.shown, Path(answer.strip()).expanduser(), png)

    @work(thread=True, group="compare-export", exit_on_error=False)
    def _export(self, experiment_id: str, target: Path, png: bool) -> None:
        folder, image = (None, target) if png else (target, None)
        self.post_message(write_exports(self.home, experiment_id, folder=folder, png=image))

    def on_export_written(self, message: ExportWritten) -> None:
        if message.error:
            self.notify(message.error, title="Export failed", severity="error", timeout=15)
        else:
            self.notify("\n".join(escape(p) for p in message.paths), title="Exported")
