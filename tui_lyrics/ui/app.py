"""The Textual app: the library as home screen, the run service, and the engine imported in
the background after the first frame.

Every run (a training, a compare grid) is owned by ``self.runs`` (``ui/runs.py``), whose thread
workers run on the App so they outlive any screen. A training's messages land here; the App
folds them into the run's ``RunRecord`` and publishes ``run_changed`` for whichever screen is
showing it.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path, PurePath
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.signal import Signal

from tui_lyrics import progress
from tui_lyrics.fmt import fmt_ppl
from tui_lyrics.paths import data_home
from tui_lyrics.quotes import quotes_compact
from tui_lyrics.store import ModelStore
from tui_lyrics.ui import messages as msg
from tui_lyrics.ui import sizes
from tui_lyrics.ui.compose.memory import MEMORY_FILE, ComposeMemory
from tui_lyrics.ui.engine import Engine
from tui_lyrics.ui.hangup import SAVE_WAIT_SECONDS, HangUpGuard
from tui_lyrics.ui.jobs import TrainingJob, TrainPlan
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.palette import binding_commands
from tui_lyrics.ui.quitting import ask_to_quit
from tui_lyrics.ui.record import RunRecord
from tui_lyrics.ui.runs import RunService
from tui_lyrics.ui.train_more import train_more
from tui_lyrics.ui.training.screen import TrainingScreen
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog

SCAN_SECONDS = 2.0
"""How often the run service reads the models' locks for runs of other processes."""


class LyricsApp(App[int]):
    """lyrics-tui: train character-level models on lyrics and compose with them."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "library/library.tcss"]
    """The shared styles, and the home screen's: Textual reads a pushed screen's CSS_PATH, not the default one's."""
    TITLE = "lyrics-tui"
    HORIZONTAL_BREAKPOINTS = sizes.HORIZONTAL
    VERTICAL_BREAKPOINTS = sizes.VERTICAL
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Quit (asks first while training)"),
    ]

    def __init__(self, home: Path | None = None) -> None:
        super().__init__()
        self.store = ModelStore.open(data_home(home))  # with the built-in demo model
        self.engine = Engine()
        self.runs = RunService(self, store=self.store, engine=self.engine)
        """The one owner of every run: the single training, a compare grid."""
        self.run_changed: Signal[RunRecord] = Signal(self, "run-changed")
        self.library_changed: Signal[str] = Signal(self, "library-changed")
        self.engine_loaded: Signal[Engine] = Signal(self, "engine-loaded")
        self.compose_memory = ComposeMemory.load(self.store.home / MEMORY_FILE)
        """Compose's takes of this session and its settings per model, kept between visits."""
        self.hang_up = HangUpGuard(self)

    def get_default_screen(self) -> Screen:
        return LibraryScreen()

    def on_mount(self) -> None:
        self.sub_title = self.engine.status
        # Paint first, then pay for torch in a background thread.
        self.call_after_refresh(self.engine.start, self.post_message)
        self.hang_up.install()
        self.runs.scan_soon()
        self.set_interval(SCAN_SECONDS, self.runs.scan_soon)

    def on_unmount(self) -> None:
        self.hang_up.uninstall()
        self.runs.stop_all()  # each loop saves and returns; the thread pool waits for it

    @property
    def job(self) -> TrainingJob | None:
        """The training run in progress (one at a time), owned by the run service."""
        return self.runs.training

    @property
    def record(self) -> RunRecord | None:
        """What the latest training of this app looks like (kept after it ends)."""
        return self.runs.record

    # -- the engine -----------------------------------------------------------------------
    def on_engine_loaded(self, message: msg.EngineLoaded) -> None:
        if message.error:
            self.notify(message.error, title="Training is not available", severity="error", timeout=15)
        self._show_status()
        self.engine_loaded.publish(self.engine)

    # -- training -------------------------------------------------------------------------
    def start_training(self, plan: TrainPlan) -> bool:
        """Start a run through the run service (no question asked); refuses while another trains."""
        started = self.runs.start_training(plan)
        if started:
            self._publish()
        return started

    def ask_to_train(self, plan: TrainPlan, then: Callable[[], object] | None = None) -> None:
        """Start ``plan``, asking first while a grid runs; ``then`` follows a start."""

        def start() -> None:
            if self.start_training(plan) and then is not None:
                then()

        if self.runs.training is not None:
            start()  # refused with a notice: one training at a time
        else:
            self.runs.ask_then(f"training {plan.name!r}", start, model=plan.name)

    def pause_training(self) -> None:
        if self.runs.pause_training():
            self._publish()

    def resume_training(self) -> None:
        if self.runs.resume_training():
            self._publish()

    def stop_training(self) -> None:
        if self.runs.stop_training():
            self._publish()

    def train_more(self, name: str) -> None:
        """Resume an unfinished model, or give a finished one a new budget; then show it (``ui/train_more.py``)."""
        train_more(self, name)

    def train_and_show(self, plan: TrainPlan) -> None:
        """Start ``plan`` (asking first while another run holds the cores), then show its run."""
        self.ask_to_train(plan, partial(self.show_run, plan.name))

    def show_run(self, name: str) -> None:
        """Open ``name``'s training screen unless it is showing already."""
        screen = self.screen
        if not (isinstance(screen, TrainingScreen) and screen.model_name == name):
            self.open_training(name)

    def training_here(self, name: str) -> bool:
        """Is ``name`` this app's single training? (``runs.training_here`` counts a grid's model too.)"""
        job = self.runs.training
        return job is not None and job.name == name

    def on_training_started(self, message: msg.TrainingStarted) -> None:
        self._apply(message.name, message.event)
        if message.event.note:  # a lock taken over, leftovers removed, a damaged checkpoint skipped
            self.notify(message.event.note, title=f"Training {message.name}", severity="warning", timeout=15)

    def on_training_progressed(self, message: msg.TrainingProgressed) -> None:
        self._apply(message.name, message.event)

    def on_held_out_scored(self, message: msg.HeldOutScored) -> None:
        self._apply(message.name, message.event)

    def on_sample_previewed(self, message: msg.SamplePreviewed) -> None:
        self._apply(message.name, message.event)

    def on_training_finished(self, message: msg.TrainingFinished) -> None:
        job = self.runs.training
        plan = job.plan if job is not None and job.name == message.name else None
        self._apply(message.name, message.event)
        if self.runs.training_finished(message.name):
            self._show_status()
        if message.takeover and plan is not None:
            self._offer_takeover(plan, message.event.message)
        else:
            self._announce(message.event)
        self.library_changed.publish(message.name)

    def _offer_takeover(self, plan: TrainPlan, why: str) -> None:
        """The lock's holder cannot be checked from here: take it over (the CLI's --force) if the user says so."""
        question = f"{why.split(': its lock')[0]}.\nIf that run is gone, take its lock over and train here?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.train_and_show(dataclasses.replace(plan, force=True))

        self.push_screen(ConfirmDialog(question, yes="Take over"), answered)

    def on_runs_changed(self, message: msg.RunsChanged) -> None:
        self._show_status()

    def on_headless_runs_seen(self, message: msg.HeadlessRunsSeen) -> None:
        before = self.runs.elsewhere
        if self.runs.saw(message.names, message.fractions):
            self._show_status()
            if self.runs.elsewhere != before:
                self.library_changed.publish("")  # the library marks them at once

    def on_model_created(self, message: msg.ModelCreated) -> None:
        self.library_changed.publish(message.name)

    def on_metrics_read(self, message: msg.MetricsRead) -> None:
        """The curve so far of a model this app resumes."""
        record = self.record
        if record is None or record.name != message.name:
            return
        per_step = record.take_card(message.card) if message.card else 0
        record.add_rows(message.rows, per_step)
        self._publish()

    def _apply(self, name: str, event: progress.TrainEvent) -> None:
        if self.record is None or self.record.name != name:
            return
        self.record.apply(event)
        self._publish()

    def _publish(self) -> None:
        self._show_status()
        if self.record is not None:
            self.run_changed.publish(self.record)

    def _show_status(self) -> None:
        """The header's subtitle: every run the run service knows of, else the engine's state."""
        self.sub_title = self.runs.headline() or self.engine.status

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header: while something runs, only what runs (``● elsewhere: remote 30%``), so a 60-column
        header keeps a run's progress rather than the app's name; otherwise the name and the engine's state."""
        if sub_title and sub_title == self.runs.headline():
            return Content(sub_title)
        return super().format_title(title, sub_title)

    def _announce(self, event: progress.TrainingFinished) -> None:
        if event.reason == "error":
            self.notify(event.message, title=f"Training {event.name} stopped", severity="error", timeout=15)
        elif event.reason == "stopped":
            self.notify(f"Stopped {event.name} at step {event.step:,}; checkpoint saved.")
        else:
            why = " early: the held-out loss stopped improving" if event.reason == "early" else ""
            best = fmt_ppl(event.best_loss)
            quotes = quotes_compact(event.memorisation) if event.memorisation else ""  # beside the held-out figure
            quotes = f" {quotes[:1].upper()}{quotes[1:]}." if quotes else ""
            done = f"{event.name} finished{why}. Best held-out perplexity {best}.{quotes}"
            self.notify(done, title="Training finished")

    # -- navigation -------------------------------------------------------------------------
    def open_new_model(self) -> None:
        self.push_screen(TrainingScreen())

    def open_training(self, name: str) -> None:
        self.push_screen(TrainingScreen(name))

    def open_compose(self, name: str | None) -> None:
        from tui_lyrics.ui.compose.screen import ComposeScreen  # on first use: the library paints sooner

        self.push_screen(ComposeScreen(store=self.store, model_name=name))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every action the current screen has a key for (``ui/palette.py``)."""
        return binding_commands(screen, self.run_action, builtin=super().get_system_commands(screen))

    # -- leaving ----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        ask_to_quit(self)  # asks first while something runs or takes are unsaved (ui/quitting.py)

    def on_hung_up(self, message: msg.HungUp) -> None:
        self.exit(return_code=message.code)


def run_app(home: Path | None = None, *, exit_process: bool = True) -> int:
    """Run the app in this terminal; returns the exit code.

    With ``exit_process`` (the ``lyrics-tui`` command) the process ends right here once the
    run, if any, is saved: tearing down an interpreter that imported torch takes 1–2 s more
    (measured on two cores), and there is nothing left to do in it.
    """
    app = LyricsApp(home)
    result = app.run()
    # However the app ended, every run (a training, a grid's current model) gets to save its checkpoint.
    saved = app.runs.stop_and_wait(SAVE_WAIT_SECONDS)
    code = app.return_code or (result if isinstance(result, int) else 0)
    from tui_lyrics.durable import SAVE_GUARD  # torch-free: ends the process only between saves

    if not saved:  # still saving after the wait: end only once the checkpoint is written, whatever it takes
        SAVE_GUARD.exit(code) if exit_process else SAVE_GUARD.wait()
    if exit_process and saved and "torch" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        SAVE_GUARD.exit(code)  # any file another thread is writing (a take, settings) is finished first
    return code
