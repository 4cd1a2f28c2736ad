"""The Compare screen's background work and the messages it reports by.

Three jobs run off the UI thread: the grid itself (``run_grid``, which imports torch through
the engine), reading an experiment's results from the model cards (``read_results``) and
listing the saved experiments (``list_summaries``). Each returns or posts small frozen facts;
none of them touches a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.message import Message

from tui_lyrics import experiment_report, experiment_run, progress
from tui_lyrics import experiments as ex
from tui_lyrics.errors import LyricsError, describe_os_error
from tui_lyrics.ui.compare.chart import Point, Series
from tui_lyrics.ui.messages import fact


@fact
class GridRunStarted(Message, bubble=False):
    """Run ``index`` (of ``total``) of the grid began training, or resuming."""

    experiment_id: str
    index: int
    total: int
    model: str
    label: str


@fact
class GridEventReceived(Message, bubble=False):
    """A training event of the grid's current model."""

    experiment_id: str
    model: str
    event: progress.TrainEvent

    def can_replace(self, message: Message) -> bool:
        # Only progress collapses: every held-out score is a point on the chart.
        return (
            isinstance(message, GridEventReceived)
            and message.model == self.model
            and isinstance(self.event, progress.TrainingProgressed)
            and isinstance(message.event, progress.TrainingProgressed)
        )


@fact
class GridFinished(Message, bubble=False):
    """The grid's thread returned: all done, stopped (resumable) or failed with ``error``."""

    experiment_id: str
    done: bool
    error: str | None = None


@fact
class ResultsRead(Message, bubble=False):
    """An experiment's table, curves and samples, read from disk (the cards are the truth)."""

    experiment_id: str
    experiment: ex.Experiment | None
    rows: tuple[experiment_report.Row, ...] = ()
    series: tuple[Series, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class Summary:
    """One line of the list of saved experiments."""

    id: str
    created: str
    done: int
    total: int
    corpus: str
    budget: str


@fact
class ExperimentsListed(Message, bubble=False):
    summaries: tuple[Summary, ...]


@fact
class ExportWritten(Message, bubble=False):
    """Files written by an export, or the one-line reason it failed."""

    paths: tuple[str, ...]
    error: str | None = None


def run_label(run: dict[str, Any], repeats: int) -> str:
    """How a model is named on the chart and in the samples: ``gru/embed`` (``s1`` for a repeat)."""
    label = f"{run['cell']}/{run['input']}"
    return f"{label} s{run['seed']}" if repeats > 1 else label


def budget_text(budget: dict[str, Any]) -> str:
    if budget.get("minutes"):
        return f"{budget['minutes']:g} min"
    return f"{int(budget.get('steps') or 0):,} steps"


def run_grid(home: Path, experiment: ex.Experiment, *, post: Callable[[Message], Any], stop: threading.Event) -> None:
    """Train the grid in this (worker) thread, posting what happens; never raises."""
    total = len(experiment.runs)
    repeats = int(experiment.data["settings"].get("repeats", 1))
    current = {"model": ""}

    def on_run(index: int, run: dict[str, Any]) -> None:
        current["model"] = run["model"]
        post(GridRunStarted(experiment.id, index, total, run["model"], run_label(run, repeats)))

    def on_event(event: progress.TrainEvent) -> None:
        post(GridEventReceived(experiment.id, current["model"], event))

    try:
        done, error = experiment_run.run_experiment(home, experiment, on_run=on_run, callback=on_event, stop=stop), None
    except LyricsError as problem:
        done, error = False, str(problem)
    except OSError as problem:  # a file that could not be read or written: what, where, what to do
        done, error = False, describe_os_error(problem)
    except Exception as problem:  # never a traceback in the app: one line, and the grid stays resumable
        done, error = False, f"{type(problem).__name__}: {problem}"
    post(GridFinished(experiment.id, done, error))


def read_results(home: Path, experiment_id: str) -> ResultsRead:
    """The table and every model's curves, read from the cards and metrics files."""
    try:
        experiment = ex.open_experiment(home, experiment_id)
        rows = experiment_report.table(home, experiment)
        curves = experiment_report.curves(home, experiment)
    except (LyricsError, OSError, KeyError, TypeError, ValueError) as problem:
        return ResultsRead(experiment_id, None, error=str(problem))
    repeats = int(experiment.data["settings"].get("repeats", 1))
    series = []
    for run in experiment.runs:
        kinds = curves.get(run["model"])
        if kinds is None:
            continue
        held = tuple(Point(int(p["step"]), p["elapsed"], p["held_loss"]) for p in kinds["held"])
        train = tuple(Point(int(p["step"]), p["elapsed"], p["loss"]) for p in kinds["train"])
        series.append(Series(run["model"], run_label(run, repeats), held, train))
    return ResultsRead(experiment_id, experiment, tuple(rows), tuple(series))


def list_summaries(home: Path) -> tuple[Summary, ...]:
    """Every saved experiment, newest first."""
    found = []
    for experiment in ex.list_experiments(home):
        data = experiment.data
        found.append(
            Summary(
                id=experiment.id,
                created=str(data.get("created", ""))[:16].replace("T", " "),
                done=sum(run.get("status") == "done" for run in experiment.runs),
                total=len(experiment.runs),
                corpus=Path(str(data.get("corpus", ""))).name,
                budget=budget_text(data.get("settings", {}).get("budget", {})),
            )
        )
    return tuple(sorted(found, key=lambda s: s.created, reverse=True))


def write_exports(
    home: Path, experiment_id: str, *, folder: Path | None = None, png: Path | None = None
) -> ExportWritten:
    """CSV and JSON into ``folder``, or the PNG figure to ``png``; a missing extra is one clear line."""
    try:
        experiment_report.check_outputs(
            folder=folder, png=png, flags=False
        )  # a wrong extension or folder: one line, nothing written
        experiment = ex.open_experiment(home, experiment_id)
        if png is not None:
            return ExportWritten((str(experiment_report.export_png(home, experiment, png)),))
        assert folder is not None
        return ExportWritten(tuple(str(p) for p in experiment_report.export(home, experiment, folder)))
    except LyricsError as problem:
        return ExportWritten((), str(problem))
    except OSError as problem:
        return ExportWritten((), describe_os_error(problem, "write"))
    except Exception as problem:  # e.g. a broken matplotlib: one line, never a traceback
        return ExportWritten((), f"{type(problem).__name__}: {problem}")
