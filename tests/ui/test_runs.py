"""The run service: one owner for the app's training and its compare grid.

A second CPU-bound run asks first (either way round, and beside a headless run of another
process too), the library and the header show every run in progress, and quitting or hanging up
saves every model of a grid as well as the single training.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from app_support import wait_for, write_card
from test_app import tiny_plan
from test_compare_screen import TINY_FORM, fill_form
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable

from tui_lyrics import experiments as ex
from tui_lyrics.store import LOCK, METRICS, ModelStore
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.compare.screen import CompareScreen
from tui_lyrics.ui.grid_run import GridRun
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog

GRID_FORM = {**TINY_FORM, "budget": "6", "repeats": "10", "name": "grid"}
"""Forty tiny models (lstm and gru, embed and onehot, ten seeds) of six steps each: the first
ends quickly, and the grid is still running while the test looks at it, on a quiet machine too."""


def fast_app() -> LyricsApp:
    app = LyricsApp()
    app.runs.preview_seconds, app.runs.eval_seconds = 0.3, 0.4
    return app


async def open_compare(pilot: Pilot, corpus: Path) -> CompareScreen:
    app = pilot.app
    assert isinstance(app, LyricsApp)
    screen = CompareScreen(home=app.store.home)
    await app.push_screen(screen)
    await fill_form(pilot, corpus, GRID_FORM)
    screen.query_one("#grid-cell-rnn", Checkbox).value = False
    return screen


def live_grid(app: LyricsApp) -> GridRun:
    grid = app.runs.live_grid
    assert grid is not None, "no grid is running"
    return grid


async def past_its_first_model(pilot: Pilot, app: LyricsApp) -> None:
    """Wait until the grid has finished one model and trains the next."""
    await wait_for(pilot, lambda: app.runs.live_grid is not None, what="the grid")
    first = ex.open_experiment(app.store.home, "grid").runs[0]["model"]
    await wait_for(pilot, lambda: live_grid(app).model not in ("", first), timeout=120, what="the second model")


def assert_every_model_saved(home: Path) -> None:
    """Each model the grid began has a readable card with its steps, and no lock left behind."""
    experiment = ex.open_experiment(home, "grid")
    store = ModelStore(home)
    begun = [run for run in experiment.runs if (home / "models" / run["model"]).exists()]
    assert len(begun) >= 2
    assert experiment.runs[0]["status"] == "done"
    assert experiment.runs[1]["status"] in ("stopped", "done")
    for run in begun:
        assert not (home / "models" / run["model"] / LOCK).exists(), run["model"]
    for run in experiment.runs[:2]:
        assert store.card(run["model"]).state.step > 0, run["model"]


async def test_a_grid_while_training_asks_first_and_quitting_saves_both(corpus_file: Path, home: Path) -> None:
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_training(tiny_plan(corpus_file))
        await wait_for(pilot, lambda: app.record is not None and app.record.step > 0, what="the first steps")
        screen = await open_compare(pilot, corpus_file)

        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmDialog), "a grid started beside a training without asking"
        await pilot.press("enter")  # the safe answer: cancel
        assert app.runs.grid is None and screen.running is None
        assert ex.list_experiments(home) == []  # a cancelled grid leaves nothing behind

        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await past_its_first_model(pilot, app)
        shown = lambda: "songs" in app.sub_title and "● grid grid " in app.sub_title  # noqa: E731
        await wait_for(pilot, shown, what="the header to name both runs")

        # Compare closed, the grid goes on; the library marks the training and the grid's model.
        while not isinstance(app.screen, LibraryScreen):
            await pilot.press("escape")
        library = app.screen
        assert isinstance(library, LibraryScreen) and app.runs.live_grid is not None
        await wait_for(pilot, lambda: library.rows is not None and library.experiments, what="the library")
        table = library.query_one("#models", DataTable)

        def column(index: int) -> dict[str, str]:
            return {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[index]) for i in range(table.row_count)}

        await wait_for(pilot, lambda: column(5).get("grid", "").endswith("●"), what="the grid's row to show it runs")
        assert column(0)["songs"] == "●"

        def grid_model_marked() -> bool:
            rows = [r for r in library.rows or () if r.name == live_grid(app).model]
            return bool(rows) and library.models.state(rows[0]) == "●"

        await wait_for(pilot, grid_model_marked, what="the grid's model to show it trains")  # its folder is new

        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.question)
        assert "'songs' is training" in question and "the grid grid is running" in question
        await pilot.press("y")
        await wait_for(pilot, lambda: app.return_code is not None, timeout=60, what="the app to exit")
    assert app.runs.wait_saved(30)
    assert_every_model_saved(home)
    assert ModelStore(home).card("songs").state.step > 0 and not (home / "models" / "songs" / LOCK).exists()


async def test_training_while_a_grid_runs_asks_first_and_a_hang_up_saves_the_grid(
    corpus_file: Path, home: Path
) -> None:
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, corpus_file)
        await pilot.press("ctrl+r")  # nothing else runs: no question
        assert not isinstance(app.screen, ConfirmDialog)
        await wait_for(pilot, lambda: app.runs.live_grid is not None, what="the grid")
        await wait_for(pilot, lambda: "● grid grid " in app.sub_title, what="the header to show the grid")
        assert app.sub_title.endswith("/40")

        app.ask_to_train(tiny_plan(corpus_file))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "a training started beside a grid without asking"
        await pilot.press("enter")
        assert app.job is None

        await past_its_first_model(pilot, app)
        while not isinstance(app.screen, LibraryScreen):  # leave Compare: the grid goes on
            await pilot.press("escape")
        again = CompareScreen(home=app.store.home)
        await app.push_screen(again)
        await wait_for(pilot, lambda: again.running == again.shown == "grid", what="the running grid shown again")
        assert app.runs.live_grid is not None  # shown again, and still live
        app.hang_up._hung_up(signal.SIGHUP, None)  # what the signal would run, without signalling pytest
        await wait_for(pilot, lambda: app.return_code is not None, timeout=60, what="the app to exit")
        assert app.return_code == 129
    assert app.runs.wait_saved(30)
    assert_every_model_saved(home)


async def test_a_headless_run_is_known_asked_about_marked_and_in_the_header(corpus_file: Path, home: Path) -> None:
    folder = write_card(home, "remote", finished=False, steps=400)  # a `lyrics-tui train` of another process
    (folder / LOCK).write_text(f'{{"pid": {os.getpid()}, "host": null}}', encoding="utf-8")
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.runs.elsewhere == ("remote",), what="the run service to see it")
        await wait_for(pilot, lambda: app.sub_title == "● elsewhere: remote", what="the header")
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await wait_for(pilot, lambda: library.rows is not None, what="the library")
        assert library.models.state(library.rows[0]) == "●" and app.runs.running("remote")

        app.ask_to_train(tiny_plan(corpus_file))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "a training started beside a headless run without asking"
        assert "'remote' is training in another process" in str(app.screen.question)
        await pilot.press("enter")  # cancel
        assert app.job is None and not app.runs.active  # not this app's run: nothing to save on quit

        # Its progress, once its metrics tell: the last training row's step against the card's 1,000 steps.
        append_rows(folder, {"kind": "train", "step": 200, "loss": 3.0, "elapsed": 10.0})
        await wait_for(pilot, lambda: app.sub_title == "● elsewhere: remote 20%", what="its progress in the header")
        assert app.format_title(app.title, app.sub_title).plain == "● elsewhere: remote 20%"  # no app name before it
        append_rows(folder, {"kind": "train", "step": 600, "loss": 2.5, "elapsed": 30.0}, torn='{"kind": "tr')
        await wait_for(pilot, lambda: app.sub_title == "● elsewhere: remote 60%", what="the header to follow it")

        (folder / LOCK).unlink()  # the other process finished
        await wait_for(pilot, lambda: app.runs.elsewhere == (), what="the run service to see it end")
        assert "remote" not in app.sub_title


def append_rows(folder: Path, *rows: dict[str, object], torn: str = "") -> None:
    """Rows as another process's training appends them; ``torn`` is a row it is half-way through."""
    with (folder / METRICS).open("a", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(row) + "\n" for row in rows) + torn)


def test_the_header_reads_only_the_tail_of_a_headless_runs_metrics(home: Path) -> None:
    from tui_lyrics.ui.watch import TAIL_BYTES, headless_fraction, last_train_row

    folder = write_card(home, "remote", finished=False, steps=0)  # a budget of 1,000 steps
    store = ModelStore(home)
    assert last_train_row(folder) is None and headless_fraction(store, "remote") is None  # no metrics yet
    rows = [{"kind": "train", "step": step, "loss": 3.0, "elapsed": step / 10} for step in range(1, 251)]
    append_rows(folder, *rows, {"kind": "held", "step": 250, "held_loss": 3.1, "train_loss": 3.0}, torn='{"ki')
    assert (folder / METRICS).stat().st_size > TAIL_BYTES  # the seek lands mid-row
    assert last_train_row(folder) == rows[-1]  # past the torn row and the held-out one
    assert headless_fraction(store, "remote") == 0.25
    assert headless_fraction(store, "gone") is None


def test_train_more_reads_steps_epochs_or_minutes_as_the_cli_flags_do() -> None:
    import pytest

    from tui_lyrics.errors import LyricsError
    from tui_lyrics.ui.budget import read_budget

    assert read_budget("1,000") == ("steps", 1000) and read_budget("20 steps") == ("steps", 20)
    assert read_budget("2 epochs") == ("epochs", 2) and read_budget("0.5 epoch") == ("epochs", 0.5)
    assert read_budget("10 min") == read_budget("10 minutes") == ("minutes", 10)
    for wrong in ("", "x", "0", "-5", "1.5", "10 hours", "nan"):
        with pytest.raises(LyricsError, match="is not a budget"):
            read_budget(wrong)
