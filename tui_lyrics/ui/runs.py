"""The run service: the one owner of every run the app starts, and the one that knows of the others.

A single training (``TrainingJob``) and a compare grid (``GridRun``, ``ui/grid_run.py``) both live here, whichever
screen started them. A headless ``lyrics-tui train`` in another process is known here too: the
service reads the models' locks every few seconds in a thread and keeps the names in
``elsewhere``, with how far each is through its budget (``ui/headless.py``). Screens ask this
object to start, pause, stop and describe runs; it refuses a second training, asks before two CPU-bound runs share the
cores (a headless one counts), and stops every run of its own and waits for its save when
the app quits or the terminal hangs up. The header's words for what runs come from ``headline``.

Why ask rather than queue: a queued run looks started but sits idle with nowhere to show it,
and on a 2-core machine two runs at once only make both slower. The dialog says so and lets
the user start it anyway (a long grid and a quick test run can be worth it) or cancel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tui_lyrics import experiments as ex
from tui_lyrics.ui.grid_run import GridRun, train_grid
from tui_lyrics.ui.headless import HeadlessRuns
from tui_lyrics.ui.jobs import EVAL_SECONDS, PREVIEW_SECONDS, TrainingJob, TrainPlan
from tui_lyrics.ui.messages import RunsChanged
from tui_lyrics.ui.record import RunRecord
from tui_lyrics.ui.status import RunStatus
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from textual.app import App

    from tui_lyrics.store import ModelStore
    from tui_lyrics.ui.engine import Engine


class RunService:
    """Every run of one app: at most one training and one grid, each with its stop and its save."""

    def __init__(self, app: App[Any], *, store: ModelStore | None = None, engine: Engine | None = None) -> None:
        self.app = app
        self.store, self.engine = store, engine
        self.training: TrainingJob | None = None
        """The single training in progress."""
        self.record: RunRecord | None = None
        """What the latest training of this app looks like (kept after it ends)."""
        self.grid: GridRun | None = None
        """The compare grid in progress."""
        self.headless = HeadlessRuns()
        """The runs of other processes, from the last scan of the locks."""
        self.preview_seconds = PREVIEW_SECONDS
        self.eval_seconds = EVAL_SECONDS

    # -- what is running --------------------------------------------------------------------
    @property
    def live_grid(self) -> GridRun | None:
        grid = self.grid
        return grid if grid is not None and not grid.done.is_set() else None

    def describe(self) -> list[str]:
        """Each run in progress, in words: ``'songs' is training``, ``the grid cmp-1 is running``."""
        runs = []
        if self.training is not None:
            runs.append(f"{self.training.name!r} is training")
        grid = self.live_grid
        if grid is not None:
            runs.append(f"the grid {grid.experiment_id} is running")
        return runs

    @property
    def active(self) -> bool:
        """Does this app run anything (something to save before it quits)?"""
        return bool(self.describe())

    def busy(self, *, besides: str = "") -> list[str]:
        """Every run the service knows of, its own and the headless ones (but ``besides``), in words."""
        others = [f"{name!r} is training in another process" for name in self.elsewhere if name != besides]
        return self.describe() + others

    def running(self, name: str) -> bool:
        """Is ``name`` being trained now, by this app or by another process?"""
        return self.training_here(name) or name in self.elsewhere

    def headline(self) -> str:
        """What runs, for the header: ``● training songs 45% · ● grid cmp-1 3/8 · ● elsewhere: remote 30%``."""
        parts = []
        record = self.record
        if self.training is not None and record is not None:
            done = f" {record.fraction:.0%}" if record.fraction is not None else ""
            parts.append(f"{RunStatus(record.status).badge} {record.name}{done}")
        grid = self.live_grid
        if grid is not None:
            run = grid.last_run
            at = f" {run.index + 1}/{run.total}" if run is not None else ""
            parts.append(f"● grid {grid.experiment_id}{at}")
        parts += self.headless.words()
        return " · ".join(parts)

    def training_here(self, name: str) -> bool:
        """Is ``name`` being trained by this app (the single run, or the grid's current model)?"""
        if self.training is not None and self.training.name == name:
            return True
        grid = self.live_grid
        return grid is not None and grid.model == name

    def live_names(self) -> set[str]:
        """The models this app is training now."""
        names = {self.training.name} if self.training is not None else set()
        grid = self.live_grid
        if grid is not None and grid.model:
            names.add(grid.model)
        return names

    # -- asking before a second run -----------------------------------------------------------
    def ask_then(self, what: str, start: Callable[[], object], *, model: str = "") -> None:
        """Call ``start`` now, or after the user agrees to share the cores with the run in progress.

        A headless run of ``model`` itself is not asked about: its lock refuses the start (or the
        app offers to take over a lock it cannot check), which says more than a question would.
        """
        busy = self.busy(besides=model)
        if not busy:
            start()
            return
        question = (
            f"{' and '.join(busy).capitalize()}. Starting {what} as well shares the CPU: "
            "both will run slower. Start anyway?"
        )
        dialog = ConfirmDialog(question, yes="Start anyway", no="Cancel")

        def answered(yes: bool | None) -> None:
            if yes:
                start()

        self.app.push_screen(dialog, answered)

    # -- the single training ------------------------------------------------------------------
    def start_training(self, plan: TrainPlan) -> bool:
        """Start a training in a thread worker; refuses while another training is going."""
        if self.training is not None:
            self.app.notify(f"{self.training.name!r} is training; stop it first", severity="warning")
            return False
        assert self.store is not None and self.engine is not None, "training needs the app's store and engine"
        self.training = TrainingJob(
            plan,
            store=self.store,
            engine=self.engine,
            post=self.app.post_message,
            preview_seconds=self.preview_seconds,
            eval_seconds=self.eval_seconds,
        )
        self.record = RunRecord(plan.name)
        self.app.run_worker(
            self.training.run, thread=True, group="training", exit_on_error=False, description="training"
        )
        return True

    def pause_training(self) -> bool:
        if self.training is not None and self.record is not None and self.record.active:
            self.training.pause()
            self.record.status = RunStatus.PAUSED
            return True
        return False

    def resume_training(self) -> bool:
        if self.training is not None and self.record is not None and self.record.status == RunStatus.PAUSED:
            self.training.resume()
            self.record.status = RunStatus.RUNNING
            return True
        return False

    def stop_training(self) -> bool:
        if self.training is not None and self.record is not None:
            self.training.stop()
            self.record.status = RunStatus.STOPPING
            return True
        return False

    def training_finished(self, name: str) -> bool:
        """The training thread reported its end; True if it was this service's run."""
        if self.training is not None and self.training.name == name:
            self.training = None
            return True
        return False

    # -- the compare grid ----------------------------------------------------------------------
    def start_grid(self, experiment: ex.Experiment, *, home: Path, post: Callable[[Message], Any]) -> GridRun | None:
        """Train ``experiment``'s grid in a thread worker of the app; its messages go to ``post``.

        The grid outlives the screen that started it: a Compare screen opened later takes its
        messages over with ``attach_grid``.
        """
        if self.live_grid is not None:
            self.app.notify(f"{self.live_grid.experiment_id} is training; stop it first", severity="warning")
            return None
        models = frozenset(str(run.get("model", "")) for run in experiment.runs)
        grid = self.grid = GridRun(experiment.id, len(experiment.runs), models=models, listener=post)
        self.app.run_worker(
            partial(train_grid, grid, home, experiment, post=self.app.post_message),
            thread=True,
            group="compare-grid",
            exit_on_error=False,
            description="compare grid",
        )
        self.app.post_message(RunsChanged())
        return grid

    def attach_grid(self, post: Callable[[Message], Any]) -> GridRun | None:
        """Send the running grid's messages to ``post`` from now on; the grid, or None if none runs."""
        grid = self.live_grid
        if grid is not None:
            grid.listener = post
        return grid

    def detach_grid(self, post: Callable[[Message], Any]) -> None:
        """``post`` goes away (its screen closed); the grid goes on training."""
        if self.grid is not None and self.grid.listener == post:
            self.grid.listener = None

    def stop_grid(self) -> None:
        """Ask the grid to stop: the current model saves, and the grid resumes later."""
        if self.grid is not None:
            self.grid.stop.set()

    # -- runs of other processes (ui/headless.py) ----------------------------------------------
    @property
    def elsewhere(self) -> tuple[str, ...]:
        """Models another process is training now (a headless ``lyrics-tui train``), from the last scan."""
        return self.headless.names

    def scan_soon(self) -> None:
        """Read the models' locks in a thread; the answer comes back as ``HeadlessRunsSeen``."""
        store = self.store
        if store is not None:

            def body() -> None:  # the app's own runs read off the UI thread: at worst one scan words a run begun here
                self.app.post_message(HeadlessRuns.read(store, self._mine()))

            self.app.run_worker(body, thread=True, group="run-scan", exclusive=True, exit_on_error=False)

    def _mine(self) -> set[str] | frozenset[str]:
        """Every model this app trains now or will in its grid (their locks are not another process's)."""
        grid = self.live_grid
        return self.live_names() | (grid.models if grid is not None else frozenset())

    def saw(self, live: tuple[str, ...], fractions: tuple[tuple[str, float], ...] = ()) -> bool:
        """A scan's answer (on the UI thread); True if what the header says of the runs elsewhere changed."""
        return self.headless.saw(live, fractions, mine=self._mine())

    # -- leaving ---------------------------------------------------------------------------------
    def stop_all(self) -> None:
        """Ask every run to save and return at once (a quit: no meter reading); safe from any thread, a signal too."""
        job = self.training
        if job is not None:
            job.stop(hurry=True)
        if self.grid is not None:
            self.grid.stop.set()

    def wait_saved(self, timeout: float) -> bool:
        """Block until every run has saved and returned (or ``timeout``); True if all have."""
        deadline = time.monotonic() + timeout
        waits = []
        if self.training is not None:
            waits.append(self.training.done)
        if self.grid is not None:
            waits.append(self.grid.done)
        return all(done.wait(max(0.0, deadline - time.monotonic())) for done in waits)

    def stop_and_wait(self, timeout: float) -> bool:
        self.stop_all()
        return self.wait_saved(timeout)


def runs_of(app: App[Any]) -> RunService:
    """The app's run service; a host app without one (a test's, an embedding one) gets one on first use."""
    service = getattr(app, "runs", None)
    if not isinstance(service, RunService):
        service = RunService(app)
        app.runs = service  # type: ignore[attr-defined]  # a plain App has no such attribute
    return service
