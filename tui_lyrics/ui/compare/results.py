"""The results pane of the Compare screen: the grid's progress, then chart, table and samples.

It draws what it is given (live training events, results read from disk) and keeps the
curves of the model training now: the cards catch up with it only every second or so.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import ProgressBar, Static, TabbedContent, TabPane, Tabs

from tui_lyrics import experiments as ex
from tui_lyrics import progress
from tui_lyrics.ui.compare.chart import CompareChart, Point, Series
from tui_lyrics.ui.compare.jobs import GridEventReceived, GridRunStarted, ResultsRead, budget_text, run_label
from tui_lyrics.ui.compare.samples import CompareSamples
from tui_lyrics.ui.compare.table import KEY, CompareTable

VIEWS = ("tab-curves", "tab-table", "tab-samples")


def all_done(experiment: ex.Experiment) -> bool:
    """Every run trained and the samples written."""
    return all(run.get("status") == "done" for run in experiment.runs) and bool(experiment.data.get("samples"))


class CompareResults(Vertical):
    """Status line and progress bar over three views: Curves, Table, Samples."""

    DEFAULT_CSS = """
    CompareResults { height: 1fr; }
    CompareResults > #cmp-status-row { height: 1; padding: 0 1; }
    CompareResults #cmp-status { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    CompareResults #cmp-progress { width: auto; }
    CompareResults #cmp-progress Bar { width: 16; }
    CompareResults > TabbedContent { height: 1fr; }
    CompareResults TabPane { padding: 0; height: 1fr; }
    CompareResults #cmp-table { height: auto; max-height: 100%; }
    CompareResults #cmp-table-key { color: $text-muted; padding: 1 1 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = ""
        """The status line as last written."""
        self.live: str | None = None
        """The model being trained now, whose curves come from events rather than disk."""
        self._run_at: tuple[int, int, str] = (0, 1, "")
        """(index, total, label) of that run."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="cmp-status-row"):
            yield Static("", id="cmp-status")
            yield ProgressBar(total=1, show_eta=False, id="cmp-progress")
        with TabbedContent(id="cmp-tabs"):
            with TabPane("Curves", id="tab-curves"):
                yield CompareChart(id="cmp-chart")
            with TabPane("Table", id="tab-table"):
                yield CompareTable(id="cmp-table")
                yield Static(KEY, id="cmp-table-key", markup=False)
            with TabPane("Samples", id="tab-samples"):
                yield CompareSamples(id="cmp-samples")

    @property
    def chart(self) -> CompareChart:
        return self.query_one(CompareChart)

    @property
    def table(self) -> CompareTable:
        return self.query_one(CompareTable)

    @property
    def samples(self) -> CompareSamples:
        return self.query_one(CompareSamples)

    @property
    def view(self) -> str:
        return self.query_one(TabbedContent).active

    @view.setter
    def view(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.focus_view()

    def focus_view(self) -> None:
        """Focus the table on the table view, else the tab bar (focusing a pane's widget would show it)."""
        if self.view == "tab-table":
            self.table.focus()
        else:
            self.query_one(Tabs).focus()

    def set_status(self, text: str) -> None:
        self.status = text
        self.query_one("#cmp-status", Static).update(text)

    def set_progress(self, done: float, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(1, total), progress=done)

    def clear(self, experiment_id: str) -> None:
        self.live = self.chart.live = None
        self.chart.set_series([])
        self.table.show([])
        self.samples.show([])
        self.set_status(f"[b]{escape(experiment_id)}[/b] · reading…")

    # -- a run in progress ----------------------------------------------------------------------
    def run_started(self, message: GridRunStarted) -> None:
        self.live = self.chart.live = message.model
        self._run_at = (message.index, message.total, message.label)
        if self.chart.get(message.model) is None:
            self.chart.put(Series(message.model, message.label))
        self._run_status(message.experiment_id, "starting")
        self.set_progress(message.index, message.total)

    def end_run(self) -> None:
        """The grid stopped: every curve comes from disk again."""
        self.live = self.chart.live = None

    def apply(self, message: GridEventReceived) -> bool:
        """Draw one training event; True when a model finished (its card is final: read it)."""
        event, (index, total, label) = message.event, self._run_at
        series = self.chart.get(message.model) or Series(message.model, label)
        if isinstance(event, progress.TrainingProgressed):
            self.chart.put(series.extended(train=[Point(event.step, event.elapsed, event.train_loss)]))
            steps = f"step {event.step:,}" + (f"/{event.total_steps:,}" if event.total_steps else "")
            self._run_status(message.experiment_id, steps)
            self.set_progress(index + event.fraction, total)
        elif isinstance(event, progress.HeldOutScored):
            self.chart.put(series.extended(held=[Point(event.step, event.elapsed, event.held_loss)]))
        elif isinstance(event, progress.TrainingFinished):
            self.set_progress(index + 1, total)
            if index + 1 == total and event.reason in ("budget", "early"):
                self.set_status(f"[b]{escape(message.experiment_id)}[/b] · writing one sample per model…")
            return True
        return False

    def _run_status(self, experiment_id: str, doing: str) -> None:
        index, total, label = self._run_at
        self.set_status(f"[b]{escape(experiment_id)}[/b] · ● run {index + 1}/{total}: {label} · {doing}")

    # -- results from disk ------------------------------------------------------------------
    def show_results(self, message: ResultsRead, *, running: bool) -> None:
        """The table, curves and samples read from the cards; ``running`` keeps the status line."""
        experiment = message.experiment
        assert experiment is not None
        self.table.show(message.rows)
        loaded = [self._merge(s) for s in message.series]
        known = {s.model for s in loaded}
        self.chart.set_series(loaded + [s for s in self.chart.series if s.model == self.live and s.model not in known])
        samples = experiment.data.get("samples", {})
        repeats = int(experiment.data["settings"].get("repeats", 1))
        self.samples.show(
            [(run_label(r, repeats), samples[r["model"]]) for r in experiment.runs if r["model"] in samples]
        )
        if not running:
            self.describe(experiment)

    def _merge(self, loaded: Series) -> Series:
        """Disk curves; for the model training now, its saved points then the live ones."""
        live = self.chart.get(loaded.model)
        if loaded.model != self.live or live is None:
            return loaded
        first = min((p.step for p in (*live.held, *live.train)), default=None)
        if first is None:
            return loaded
        held = tuple(p for p in loaded.held if p.step < first) + live.held
        return Series(loaded.model, loaded.label, held, tuple(p for p in loaded.train if p.step < first) + live.train)

    def describe(self, experiment: ex.Experiment) -> None:
        """The status line of an experiment at rest: how much is done, the budget, the corpus."""
        runs = experiment.runs
        done = sum(r.get("status") == "done" for r in runs)
        corpus = Path(str(experiment.data.get("corpus", ""))).name
        state = "all done" if all_done(experiment) else f"{done}/{len(runs)} runs done · r resumes"
        budget = budget_text(experiment.data["settings"]["budget"])
        self.set_status(f"[b]{escape(experiment.id)}[/b] · {state} · {budget} each · {escape(corpus)}")
        self.set_progress(done, len(runs))
