"""Running an experiment's grid: train every unfinished run under the shared budget, then sample each model.

The plan and its folder live in ``experiments``; this module is the grid's one runner. It imports the
engine (and so torch) only inside the functions, when a grid really runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui_lyrics.config import DEFAULT_MAX_PARAMS as MAX_PARAMS
from tui_lyrics.errors import LyricsError
from tui_lyrics.experiments import Experiment, free_name, owns
from tui_lyrics.store import ModelStore


def run_experiment(
    home: Path,
    experiment: Experiment,
    *,
    on_run: Callable[[int, dict[str, Any]], None] | None = None,
    callback: Callable[[Any], None] | None = None,
    stop: threading.Event | None = None,
) -> bool:
    """Train every unfinished run in order; True when the whole grid is done.

    ``on_run(index, run)`` is called as each run starts; ``callback`` gets the engine's
    training events; ``stop`` interrupts the current run (it saves) and the grid.
    """
    from tui_lyrics.config import ModelConfig, TrainConfig
    from tui_lyrics.core.control import TrainControl
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train
    from tui_lyrics.corpus import load_corpus

    store = ModelStore(home)
    settings = experiment.data["settings"]
    stop = stop or threading.Event()
    corpus = None
    for index, run in enumerate(experiment.runs):
        if stop.is_set():
            return False
        if run.get("status") == "done":
            continue
        mine = owns(run) and store.exists(run["model"])
        if not mine and (store.exists(run["model"]) or (store.root / run["model"]).exists()):
            run["model"] = free_name(store, run["model"], {r["model"] for r in experiment.runs})  # taken since
        if on_run:
            on_run(index, run)
        if not mine:
            corpus = corpus or load_corpus(experiment.data["corpus"])
            # The grid compares networks, so each trains alone: an n-gram in the mix would hide
            # the differences between cells (on a small corpus it can carry most of the score).
            model = ModelConfig.from_dict({**settings["model"], "cell": run["cell"], "input": run["input"], "ngram": 0})
            budget = {"steps": None, "epochs": None, "minutes": None, **settings["budget"]}
            config = TrainConfig.from_dict({**settings["train"], **budget, "seed": run["seed"]})
            if config.steps:  # at least ~10 points on every held-out curve
                config = config.replace(eval_every=min(config.eval_every, max(1, config.steps // 10)))
            limit = settings.get("max_params", MAX_PARAMS)
            create_model(store, corpus, name=run["model"], model=model, train=config, max_params=limit)
            run["created"] = True
            experiment.save()
        minutes = settings["budget"].get("minutes")
        control = TrainControl(
            stop=stop, eval_seconds=minutes * 6 if minutes else None, max_params=settings.get("max_params", MAX_PARAMS),
            hurry=stop,  # a grid stopped (a quit too) measures a model's quotes when it resumes and finishes
        )  # fmt: skip
        finished = train(store, run["model"], callback=callback, control=control)
        run["status"] = "done" if finished.reason in ("budget", "early") else finished.reason
        experiment.save()
        if finished.reason == "error":
            raise LyricsError(f"{run['model']}: {finished.message}")
    if stop.is_set():
        return False
    _sample_all(store, experiment)
    return True


def _sample_all(store: ModelStore, experiment: Experiment) -> None:
    """One sample per model from the same prefix and seed, side by side in the table."""
    from tui_lyrics.core.sample import load_model, sample_text
    from tui_lyrics.sample_config import SampleConfig

    prefix = experiment.data["settings"].get("prefix", "")
    config = SampleConfig(seed=0, length=120, lines=4, alternatives=0)
    for run in experiment.runs:
        lm = load_model(store, run["model"])
        experiment.data["samples"][run["model"]] = prefix + sample_text(lm, prefix, config)
    experiment.save()
