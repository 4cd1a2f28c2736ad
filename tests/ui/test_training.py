"""The training screen driven through the app: a tiny model trains in a real thread worker
while the test watches the curves, pauses, resumes, stops and resumes again."""

from __future__ import annotations

import json
from pathlib import Path

from app_support import fill_tiny_settings, wait_for, write_card, write_metrics
from textual.pilot import Pilot
from textual.widgets import Digits, Input, Label, RadioButton, Select, Static

from tui_lyrics.store import LOCK, ModelStore
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.training.estimate_line import EstimateLine
from tui_lyrics.ui.training.screen import TrainingScreen
from tui_lyrics.ui.training.sparkline import LossSparkline
from tui_lyrics.ui.widgets.corpus_picker import CorpusPicker, complete_path


def fast_app() -> LyricsApp:
    app = LyricsApp()
    app.runs.preview_seconds, app.runs.eval_seconds = 0.3, 0.4
    return app


async def open_setup(pilot: Pilot, corpus: Path) -> TrainingScreen:
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TrainingScreen), what="the training screen")
    screen = pilot.app.screen
    assert isinstance(screen, TrainingScreen)
    screen.query_one(CorpusPicker).choose(corpus)
    name = screen.query_one("#model-name", Input)
    await wait_for(pilot, lambda: name.value, what="the corpus check and the suggested settings")
    return screen


async def start_tiny(pilot: Pilot, corpus: Path, **settings: int) -> TrainingScreen:
    screen = await open_setup(pilot, corpus)
    fill_tiny_settings(screen, **settings)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: screen.pane == "monitor", what="the monitor")
    return screen


def text(screen: TrainingScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_training_shows_progress_and_pauses_resumes_and_stops(corpus_file: Path) -> None:
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_tiny(pilot, corpus_file)
        record = app.record
        assert record is not None and record.name == "songs"
        curve = screen.query_one("#train-curve", LossSparkline)
        await wait_for(pilot, lambda: len(curve.points) >= 3, what="training-loss points")
        first = len(curve.points)
        await wait_for(pilot, lambda: len(curve.points) > first, what="more training-loss points")
        digits = screen.query_one("#held-ppl", Digits)
        await wait_for(pilot, lambda: digits.value != "-", what="a held-out perplexity")
        shown = digits.value
        await wait_for(pilot, lambda: digits.value != shown, what="the perplexity readout to change")
        assert len(screen.query_one("#held-curve", LossSparkline).points) >= 2
        await wait_for(pilot, lambda: record.sample is not None, what="a sample preview")
        assert "sample at step" in text(screen, "#sample")
        assert "training songs" in app.sub_title

        await pilot.press("p")
        assert record.status == "paused" and "paused" in app.sub_title
        await pilot.pause(0.5)  # a step already under way may still land
        paused_at = record.step
        await pilot.pause(0.6)
        assert record.step == paused_at

        await pilot.press("p")
        await wait_for(pilot, lambda: record.step > paused_at, what="training to resume")

        await pilot.press("s")
        await wait_for(pilot, lambda: app.job is None, what="the run to stop")
        assert record.status == "stopped"
        await wait_for(pilot, lambda: "stopped" in str(screen.query_one("#run-title").render()), what="the redraw")

    store = ModelStore(app.store.home)
    state = store.card("songs").state
    assert state.step == record.step and state.step > paused_at
    assert not state.finished
    from tui_lyrics.core.sample import load_model

    assert load_model(store, "songs", which="last").weights == "last"


async def test_leaving_the_screen_keeps_training_and_the_library_resumes(corpus_file: Path) -> None:
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_tiny(pilot, corpus_file)
        record = app.record
        assert record is not None
        await wait_for(pilot, lambda: record.step > 0, what="the first steps")
        await pilot.press("escape")
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await wait_for(pilot, lambda: library.rows, what="the library")
        step = record.step
        await wait_for(pilot, lambda: record.step > step, what="training to go on behind the library")
        assert library.query_one("#models").get_cell_at((0, 0)).plain == "●"
        assert "training in this app" in str(library.query_one("#model-details", Static).render())
        library.models.show_run(record)  # as each progress does: the row says the run's step, not its last checkpoint's
        assert library.query_one("#models").get_cell_at((0, 3)).plain == f"{record.step:,}"

        await pilot.press("v")  # back to the live run
        screen = app.screen
        assert isinstance(screen, TrainingScreen) and screen.record is record
        await pilot.press("s")
        await wait_for(pilot, lambda: app.job is None, what="the run to stop")
        stopped_at = record.step

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("t")  # not finished: resumes straight away
        await wait_for(pilot, lambda: app.record is not record and app.record.step > stopped_at, what="a resume")
        resumed = app.record
        assert resumed is not None and len(resumed.train) > 0  # the curve so far came from metrics.jsonl
        await pilot.press("s")
        await wait_for(pilot, lambda: app.job is None, what="the resumed run to stop")
    assert ModelStore(app.store.home).card("songs").state.step == resumed.step


async def test_a_finished_model_trains_more_steps(tiny_model: str) -> None:
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.rows, what="the library")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.query("#answer"), what="the prompt")
        answer = app.screen.query_one("#answer", Input)
        answer.value = "20"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen), what="the monitor")
        await wait_for(pilot, lambda: app.job is None, what="the extra steps")
        assert app.record is not None and app.record.status == "finished"
    card = ModelStore(app.store.home).card(tiny_model)
    assert card.state.step == 80 and card.state.finished


async def test_corpus_problems_are_shown_inline(tmp_path: Path) -> None:
    binary = tmp_path / "song.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    short = tmp_path / "short.txt"
    short.write_text("太短了\n", encoding="utf-8")
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, TrainingScreen)
        picker = screen.query_one(CorpusPicker)
        for path, words in ((binary, "looks binary"), (short, "at least 1,000 are needed")):
            picker.choose(path)
            await wait_for(pilot, lambda words=words: words in text(screen, "#corpus-info"), what=words)
            assert picker.has_class("-error") and picker.corpus is None
        await pilot.press("ctrl+r")
        assert "the corpus cannot be used: " in text(screen, "#setup-error")
        assert "short.txt has 4 characters" in text(screen, "#setup-error")
        assert app.job is None


async def test_bad_settings_are_shown_with_the_engine_message(corpus_file: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, corpus_file)
        assert screen.query_one("#model-name", Input).value == "songs"
        screen.query_one("#set-dropout", Input).value = "1.5"
        await pilot.press("ctrl+r")
        assert "dropout must be in [0, 1)" in text(screen, "#setup-error")
        screen.query_one("#set-dropout", Input).value = "0.1"
        screen.query_one("#budget-value", Input).value = ""
        await pilot.press("ctrl+r")
        assert "is not a number" in text(screen, "#setup-error")
        assert app.job is None and screen.pane == "setup"


async def test_an_engine_error_is_a_notification_and_keeps_the_checkpoint(tiny_model: str, home: Path) -> None:
    folder = home / "models" / tiny_model
    (folder / "corpus.txt.gz").unlink()
    from tui_lyrics.folder import ModelFolder

    weights = ModelFolder(folder).checkpoint().last.read_bytes()
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.rows, what="the library")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.query("#answer"), what="the prompt")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.record is not None and app.record.status == "failed", what="the failure")
        assert any("no copy of its corpus" in str(n.message) for n in app._notifications)
        assert "failed" in str(app.screen.query_one("#run-title").render())
    assert ModelFolder(folder).checkpoint().last.read_bytes() == weights


async def test_a_headless_run_is_watched_read_only(home: Path) -> None:
    import os

    folder = write_card(home, "remote", finished=False, steps=400)
    (folder / LOCK).write_text(f'{{"pid": {os.getpid()}, "host": null}}', encoding="utf-8")
    write_metrics(folder, steps=400)
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.rows, what="the library")
        assert app.screen.query_one("#models").get_cell_at((0, 0)).plain == "●"
        await pilot.press("v")
        screen = app.screen
        assert isinstance(screen, TrainingScreen)
        curve = screen.query_one("#train-curve", LossSparkline)
        await wait_for(pilot, lambda: len(curve.points) == 8, what="the curve so far")
        assert screen.record is not None and screen.record.status == "watching"
        assert "another process" in str(screen.query_one("#run-title").render())
        assert screen.check_action("pause", ()) is False and screen.check_action("stop", ()) is False
        stats = text(screen, "#run-stats")  # from its own rows and card: 600 steps left at 0.377 s a step
        assert "step 400 / 1,000 (40%)" in stats and "ETA 3:4" in stats and "elapsed 2:3" in stats
        write_metrics(folder, steps=200)  # the other process appends more rows
        await wait_for(pilot, lambda: len(curve.points) == 12, what="the new rows")
        (folder / LOCK).unlink()
        await wait_for(pilot, lambda: screen.record.status == "idle", what="the run to end")


async def test_the_estimate_uses_the_last_run_here_and_says_so(corpus_file: Path, home: Path) -> None:
    from tests.conftest import make_card
    from tui_lyrics.presets import preset

    tiny = preset("tiny")  # what the form suggests for this corpus
    state = {"step": 500, "chars": 320_000, "train_seconds": 100.0, "finished": True}  # 3,200 chars/s really
    folder = home / "models" / "lastrun"
    folder.mkdir(parents=True)
    card = make_card("lastrun", model=tiny.model, train=tiny.train, state=state, updated="2026-01-01T00:00:00+00:00")
    (folder / "card.json").write_text(json.dumps(card.to_dict(), ensure_ascii=False), encoding="utf-8")
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, corpus_file)
        estimate = screen.query_one("#budget-estimate", Label)
        screen.query_one("#budget-kind", Select).value = "steps"
        screen.query_one("#budget-value", Input).value = "1000"
        seconds = tiny.train.batch * tiny.train.seq / 3200
        said = f"(1,000 steps × {seconds:.2f} s, as lastrun trained here)"
        await wait_for(pilot, lambda: said in str(estimate.render()), what="the estimate from the last run")
        line = screen.query_one(EstimateLine)
        assert line.speeds == {}  # nothing measured: the same settings ran here before

        screen.query_one("#preset-small", RadioButton).value = True  # other settings: measured, then scaled
        await wait_for(pilot, lambda: screen.query_one("#budget-kind", Select).value == "minutes", what="the preset")
        screen.query_one("#budget-kind", Select).value = "steps"  # a preset offers minutes again
        screen.query_one("#budget-value", Input).value = "1000"
        await wait_for(pilot, lambda: "as lastrun ran here" in str(estimate.render()), timeout=120, what="the scaling")
        assert "s measured, ×" in str(estimate.render()) and line.factor is not None


def test_paths_complete_to_folders_and_corpus_files(tmp_path: Path) -> None:
    (tmp_path / "lyrics").mkdir()
    (tmp_path / "lyrics.zip").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"")
    assert complete_path(str(tmp_path / "ly")) == str(tmp_path / "lyrics") + "/"
    assert complete_path(str(tmp_path / "lyrics.")) == str(tmp_path / "lyrics.zip")
    assert complete_path(str(tmp_path / "no")) is None


async def train_20_more(pilot: Pilot, app: LyricsApp) -> None:
    await wait_for(pilot, lambda: app.screen.rows, what="the library")
    await pilot.press("t")  # a finished model asks how many more steps; an unfinished one resumes at once
    await wait_for(pilot, lambda: app.screen.query("#answer") or app.record is not None, what="the prompt")
    if app.screen.query("#answer"):
        app.screen.query_one("#answer", Input).value = "20"
        await pilot.press("enter")


async def test_a_lock_that_cannot_be_checked_is_taken_over_when_the_user_says_so(tiny_model: str, home: Path) -> None:
    from tui_lyrics.ui.widgets.dialogs import ConfirmDialog

    holder = {"pid": 4242, "host": "box-elsewhere", "boot": "another-machine", "start": 1}
    (home / "models" / tiny_model / LOCK).write_text(json.dumps(holder), encoding="utf-8")
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await train_20_more(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the take-over prompt")
        assert "process 4242 on box-elsewhere" in app.screen.question and "--force" not in app.screen.question
        await pilot.press("y")
        store = ModelStore(app.store.home)
        done = lambda: app.job is None and store.card(tiny_model).state.step == 80  # noqa: E731
        notes = [str(n.message) for n in app._notifications]
        await wait_for(pilot, done, what=f"the forced run (notes so far: {notes})")
        assert app.record is not None and app.record.status == "finished"
        notes = [str(n.message) for n in app._notifications]
        assert any("took over the training lock of process 4242 on box-elsewhere" in n for n in notes), notes
    assert ModelStore(app.store.home).card(tiny_model).state.step == 80
    assert not (home / "models" / tiny_model / LOCK).exists()


async def test_a_run_that_falls_back_to_an_older_checkpoint_says_so(tiny_model: str, home: Path) -> None:
    from tui_lyrics.folder import LAST, ModelFolder

    folder = ModelFolder(home / "models" / tiny_model)
    newest = folder.sets()[0]
    (newest / LAST).write_bytes((newest / LAST).read_bytes()[:100])  # a save cut short (a full disk, a kill)
    app = fast_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await train_20_more(pilot, app)
        await wait_for(pilot, lambda: app.job is None and app.record is not None, what="the run")
        notes = [str(n.message) for n in app._notifications]
        assert any("skipped damaged checkpoint" in n for n in notes), notes


async def test_a_40_column_form_shows_every_preset_and_setting_whole(corpus_file: Path) -> None:
    async with LyricsApp().run_test(size=(40, 12)) as pilot:
        screen = await open_setup(pilot, corpus_file)
        for name in ("tiny", "small", "medium", "large"):  # two by two, none cut
            button = screen.query_one(f"#preset-{name}", RadioButton)
            assert button.region.right <= 40 and button.region.width >= len(name) + 4, name
        assert "suggested:" in str(screen.query_one("#preset-hint", Label).render())
        await pilot.press("ctrl+t")
        await pilot.pause()
        cell = screen.query_one("#set-cell", Select)
        assert cell.region.width >= len("lstm") + 4 and cell.region.right <= 40  # one setting a row
        assert screen.query_one("#set-combine", Select).value == "mix"


def test_a_minutes_budget_shows_how_much_of_its_time_has_gone() -> None:
    from tui_lyrics.ui.record import RunRecord
    from tui_lyrics.ui.training.monitor import TrainMonitor

    record = RunRecord("songs", step=665, fraction=0.22, epoch=0.5)  # no step total: the budget is minutes
    assert "step 665 · 22% of its time · epoch 0.50" in TrainMonitor._stats(record)
    assert "step 665 · epoch" in TrainMonitor._stats(RunRecord("songs", step=665, epoch=0.5))
