"""Giving a model more training from the app: resume an unfinished one, or ask a finished one how much more.

The answer is read by ``ui/budget.py`` and turned into a budget from where the model stands by
``ModelCard.budget_from_here``, the CLI's arithmetic; the run itself starts through the app
(``LyricsApp.train_and_show``), which asks first while another run holds the cores.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from tui_lyrics.errors import LyricsError
from tui_lyrics.ui.budget import read_budget
from tui_lyrics.ui.jobs import TrainPlan
from tui_lyrics.ui.widgets.dialogs import PromptDialog

if TYPE_CHECKING:
    from tui_lyrics.card import ModelCard
    from tui_lyrics.ui.app import LyricsApp

EXTRA_STEPS = 1000
"""The answer the "train how much more?" prompt offers first."""


def train_more(app: LyricsApp, name: str) -> None:
    """Resume an unfinished model, or give a finished one a new budget; then show it."""
    if app.training_here(name):
        app.show_run(name)
        return
    try:
        if app.store.is_read_only(name):
            raise LyricsError(f"{name} is built in and read-only; press n to train your own model")
        card = app.store.card(name)
    except LyricsError as error:
        app.notify(str(error), severity="error")
        return
    if not card.state.finished:
        app.train_and_show(TrainPlan(name, train=card.train))
        return
    done = f"{name} has finished its budget ({card.state.step:,} steps)."
    question = f"{done} Train how much more? (steps, or e.g. 2 epochs, 10 min)"
    dialog = PromptDialog(question, value=str(EXTRA_STEPS), ok="Train")
    app.push_screen(dialog, partial(_extend, app, name, card))


def _extend(app: LyricsApp, name: str, card: ModelCard, answer: str | None) -> None:
    if answer is None:
        return
    try:
        train = card.budget_from_here(*read_budget(answer))  # the CLI's arithmetic
    except LyricsError as error:
        app.notify(str(error), severity="error")
        return
    app.train_and_show(TrainPlan(name, train=train))
