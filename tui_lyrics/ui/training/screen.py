"""The training screen: set up a new model, then watch it learn.

Two panes: the setup form (corpus, settings, Start) and the monitor. The monitor follows
the app's own run through ``run_changed``, or, for a model another process is training
(or trained before), the rows that process writes to ``metrics.jsonl``, read-only.
Leaving the screen never stops a run: the job belongs to the App.
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Collapsible,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    RadioSet,
    Select,
    Static,
)

from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.errors import LyricsError
from tui_lyrics.store import is_live, validate_name
from tui_lyrics.ui.jobs import TrainPlan
from tui_lyrics.ui.messages import CorpusChecked, MetricsRead
from tui_lyrics.ui.record import RunRecord
from tui_lyrics.ui.status import RunStatus
from tui_lyrics.ui.training.estimate_line import EstimateLine
from tui_lyrics.ui.training.form import SettingsForm
from tui_lyrics.ui.training.monitor import TrainMonitor
from tui_lyrics.ui.watch import MetricsTail
from tui_lyrics.ui.widgets.corpus_picker import CorpusPicker

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui_lyrics.ui.app import LyricsApp
    from tui_lyrics.ui.engine import Engine

WATCH_SECONDS = 1.0
ESTIMATE_SETTLE_SECONDS = 0.4
SETUP_ACTIONS = {"start", "browse", "toggle_advanced"}
RUN_ACTIONS = {"pause", "resume", "stop"}


class TrainingScreen(Screen):
    """New model setup (``model_name`` None) or the monitor of one model."""

    app: LyricsApp

    CSS_PATH = "training.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Library", tooltip="Back to the library (training goes on)"),
        Binding("ctrl+r", "start", "Start", tooltip="Create the model and start training"),
        Binding("ctrl+o", "browse", "Browse", tooltip="Choose the corpus in a file browser"),
        Binding("ctrl+t", "toggle_advanced", "Advanced", tooltip="Show or hide every engine setting"),
        Binding("p", "pause", "Pause", tooltip="Pause training (the clock stops too)"),
        Binding("p", "resume", "Resume", tooltip="Resume training"),
        Binding("s", "stop", "Stop", tooltip="Stop training and save a checkpoint"),
        Binding("m", "train_more", "Train more", tooltip="Resume or extend this model's training"),
        Binding("c", "compose", "Compose", tooltip="Write lyrics with this model"),
    ]

    def __init__(self, model_name: str | None = None) -> None:
        super().__init__()
        self.model_name = model_name
        self.record: RunRecord | None = None
        self.tail: MetricsTail | None = None
        self._reading = False
        self._status = ""
        self._estimate_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial="monitor" if self.model_name else "setup", id="panes"):
            if self.model_name is None:  # a model's monitor needs no form: it mounts faster without
                with VerticalScroll(id="setup"):
                    yield CorpusPicker(id="corpus")
                    yield SettingsForm(id="settings")
                    with Horizontal(id="start-row"):
                        yield Button("Start training", variant="success", id="start", compact=True)
                        yield Static("", id="setup-error")
            yield TrainMonitor(id="monitor")
        yield Footer()

    def on_mount(self) -> None:
        self.app.run_changed.subscribe(self, self._run_changed)
        self.app.engine_loaded.subscribe(self, self._engine_loaded)
        if self.app.engine.ready.is_set():
            self._engine_loaded(self.app.engine)
        self.set_interval(WATCH_SECONDS, self._read_metrics)
        if self.model_name is not None:
            self.show_model(self.model_name)
        else:
            self.query_one("#corpus-path").focus()

    @property
    def pane(self) -> str:
        for panes in self.query("#panes").results(ContentSwitcher):
            return panes.current or "setup"
        return "setup"  # the footer can ask while the screen is still composed or already torn down

    def _engine_loaded(self, engine: Engine) -> None:
        if not engine.error and self.query(SettingsForm):
            self.query_one(SettingsForm).set_devices(engine.devices)
            self._estimate_soon()
        self._redraw()

    # -- following a run --------------------------------------------------------------------
    def show_model(self, name: str) -> None:
        """Switch to the monitor for ``name``: the app's run if it is training it, else its metrics."""
        self.model_name = name
        self.query_one("#panes", ContentSwitcher).current = "monitor"
        if self.app.training_here(name) and self.app.record is not None:
            self.record, self.tail = self.app.record, None
        else:
            self.record = RunRecord(name, status=RunStatus.IDLE, read_only=True)
            self._watch()
        self._redraw()
        self.query_one(TrainMonitor).focus()

    def _run_changed(self, record: RunRecord) -> None:
        if record.name != self.model_name:
            return
        if record is not self.record:  # this model's run began while we watched its metrics
            self.record, self.tail = record, None
        self._redraw()

    def _redraw(self) -> None:
        if self.record is None:
            return
        self.query_one(TrainMonitor).show(self.record, engine_ready=self.app.engine.ready.is_set())
        if self.record.status != self._status:
            self._status = self.record.status
            self.refresh_bindings()

    def _watch(self) -> None:
        """Poll the metrics file of a model this app is not training."""
        assert self.model_name is not None
        try:
            folder = self.app.store.path(self.model_name)
        except LyricsError as error:
            self.notify(str(error), severity="error")
            return
        self.tail = MetricsTail(folder)
        self._read_metrics()

    def _read_metrics(self) -> None:
        if self.tail is not None and not self._reading and self.is_current:
            self._reading = True
            self._read_in_thread(self.tail, self.model_name)

    @work(thread=True, group="metrics", exit_on_error=False)
    def _read_in_thread(self, tail: MetricsTail, name: str) -> None:
        rows: list[dict[str, Any]] = []
        card, reset, live = None, False, False
        try:
            with contextlib.suppress(LyricsError):  # a model just deleted: its rows still count
                card = self.app.store.card(name)
            rows, reset = tail.read()
            live = is_live(tail.path.parent)
        finally:  # always answer, or the next read would never be started
            self.post_message(MetricsRead(name=name, rows=tuple(rows), card=card, live=live, reset=reset))

    def on_metrics_read(self, message: MetricsRead) -> None:
        self._reading = False
        record = self.record
        if record is None or not record.read_only or message.name != record.name:
            return
        if message.reset:
            record = self.record = RunRecord(record.name, read_only=True)
        per_step = record.take_card(message.card) if message.card else 0
        record.add_rows(message.rows, per_step)
        finished = message.card is not None and message.card.state.finished
        record.status = RunStatus.WATCHING if message.live else RunStatus.FINISHED if finished else RunStatus.IDLE
        self._redraw()

    # -- setup ------------------------------------------------------------------------------
    def on_corpus_checked(self, message: CorpusChecked) -> None:
        if message.corpus is None:
            return
        summary = message.corpus.summary
        base = summary.name.split(".")[0] or "model"
        try:
            name = self.app.store.unique_name(base)
        except LyricsError:
            name = self.app.store.unique_name("model")
        settings = self.query_one(SettingsForm)
        settings.suggest(round(summary.chars * (1 - TrainConfig().held_out)), name)
        self.query_one("#setup-error", Static).update("")
        self._estimate_soon()

    # -- how long the budget takes ----------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(RadioSet.Changed)
    @on(Checkbox.Changed)
    def _setting_changed(self, event: Input.Changed | Select.Changed | RadioSet.Changed | Checkbox.Changed) -> None:
        forms = self.query(SettingsForm)
        if forms and forms.first() in event.control.ancestors:
            self._estimate_soon()

    def _estimate_soon(self) -> None:
        if self._estimate_timer is not None:
            self._estimate_timer.stop()
        self._estimate_timer = self.set_timer(ESTIMATE_SETTLE_SECONDS, self._estimate)

    def _estimate(self) -> None:
        """Tell the form's time line what the form holds now (it says how long, and from what)."""
        forms = self.query(SettingsForm)
        if not forms:
            return
        form = forms.first()
        try:
            settings: tuple[ModelConfig, TrainConfig] | None = form.read()
        except LyricsError:
            settings = None
        form.query_one(EstimateLine).show_for(self.query_one(CorpusPicker).corpus, settings, form.budget_kind)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def action_start(self) -> None:
        corpus = self.query_one(CorpusPicker).corpus
        form = self.query_one(SettingsForm)
        try:
            if corpus is None:
                raise LyricsError(self.query_one(CorpusPicker).problem)
            name = validate_name(form.name_value)
            if self.app.store.exists(name):
                raise LyricsError(f"a model named {name!r} already exists; pick another name")
            model, train = form.read()
        except LyricsError as error:
            self.query_one("#setup-error", Static).update(f"✗ {escape(str(error))}")
            return
        self.app.ask_to_train(TrainPlan(name, corpus=corpus, model=model, train=train), partial(self.show_model, name))

    def action_browse(self) -> None:
        self.query_one(CorpusPicker).browse()

    def action_toggle_advanced(self) -> None:
        advanced = self.query_one("#advanced", Collapsible)
        advanced.collapsed = not advanced.collapsed

    # -- the run ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in SETUP_ACTIONS:
            return self.pane == "setup"
        record = self.record
        if action in RUN_ACTIONS:
            if self.pane != "monitor" or record is None or not self.app.training_here(record.name):
                return False
            if action == "pause":
                return record.status in (RunStatus.WAITING, RunStatus.RUNNING)
            if action == "resume":
                return record.status == RunStatus.PAUSED
            return record.status != RunStatus.STOPPING
        if action == "train_more":
            return (
                self.pane == "monitor"
                and record is not None
                and record.status in (RunStatus.FINISHED, RunStatus.STOPPED, RunStatus.IDLE)
            )
        if action == "compose":
            return self.pane == "monitor"
        return True

    def action_pause(self) -> None:
        self.app.pause_training()

    def action_resume(self) -> None:
        self.app.resume_training()

    def action_stop(self) -> None:
        self.app.stop_training()

    def action_train_more(self) -> None:
        if self.model_name is not None:
            self.app.train_more(self.model_name)

    def action_compose(self) -> None:
        self.app.open_compose(self.model_name)

    def action_back(self) -> None:
        self.dismiss()
