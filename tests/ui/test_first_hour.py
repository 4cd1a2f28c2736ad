"""What a new user meets in the first hour, driven through the app (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import wait_for, write_card
from test_training import open_setup
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.compose.screen import ComposeScreen
from tui_lyrics.ui.compose.takes import Take
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.widgets.corpus_picker import CorpusPicker, complete_path
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog


def estimate(screen: object) -> str:
    return str(screen.query_one("#budget-estimate", Label).render())


async def test_the_form_offers_minutes_and_says_how_long_a_budget_takes(corpus_file: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, corpus_file)
        kind, value = screen.query_one("#budget-kind", Select), screen.query_one("#budget-value", Input)
        assert kind.value == "minutes" and value.value == "2"  # the tiny preset suits a few pages
        await wait_for(pilot, lambda: "2 min of training" in estimate(screen), what="the minutes estimate")

        value.value = "3"
        await wait_for(pilot, lambda: "3 min of training" in estimate(screen), what="a new minutes estimate")

        kind.value = "steps"
        value.value = "200"
        await wait_for(pilot, lambda: "200 steps ×" in estimate(screen), timeout=120, what="a measured estimate")


async def test_a_dialog_dims_the_screen_and_enter_takes_the_button_marked_enter(home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        answers: list[bool | None] = []
        app.push_screen(ConfirmDialog("Delete it?", yes="Delete", no="Keep"), answers.append)
        await pilot.pause()
        dialog = app.screen
        assert 0 < dialog.styles.background.a < 1  # the library shows through, dimmed
        labels = {str(button.label) for button in dialog.query(Button)}
        assert labels == {"Delete (y)", "Keep (Enter)"}
        await pilot.press("enter")
        assert answers == [False]


async def test_quitting_with_nothing_to_save_asks_nothing(home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
    assert app.return_code == 0


async def test_quitting_with_unsaved_takes_asks_first(home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.compose_memory.takes.add(Take(number=1, model="m", prefix="雨", settings=SampleConfig(seed=1)))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 take is not saved" in str(app.screen.query_one(".dialog-question", Label).render())


def test_completion_never_picks_a_readme(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# docs\n", encoding="utf-8")
    (tmp_path / "LICENSE.txt").write_text("MIT\n", encoding="utf-8")
    assert complete_path(str(tmp_path / "R")) is None
    assert complete_path(str(tmp_path) + "/") is None
    (tmp_path / "rain.txt").write_text("雨\n", encoding="utf-8")
    assert complete_path(str(tmp_path / "r")) == str(tmp_path / "rain.txt")


async def test_the_corpus_field_gives_its_reason_as_you_type(tmp_path: Path, corpus_file: Path) -> None:
    (tmp_path / "README.md").write_text("# A project\n" * 200, encoding="utf-8")
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        screen = app.screen
        picker = screen.query_one(CorpusPicker)
        info = screen.query_one("#corpus-info", Static)
        await pilot.press(*"/no/such/songs.txt")  # typed, never submitted
        await wait_for(pilot, lambda: "does not exist" in str(info.render()), what="the reason, unasked")
        assert picker.has_class("-error")
        await pilot.press("ctrl+r")
        assert "does not exist" in str(screen.query_one("#setup-error", Static).render())

        await pilot.press("backspace")  # a new path: the old verdict goes at once
        assert str(info.render()) == "" and not picker.has_class("-error")

        picker.path_input.value = str(tmp_path / "README.md")
        await wait_for(pilot, lambda: "looks like a document" in str(info.render()), what="the document warning")

        picker.path_input.value = str(corpus_file)
        await wait_for(pilot, lambda: picker.corpus is not None, what="a usable corpus, unsubmitted")


async def test_a_comparisons_models_live_under_their_experiment(home: Path) -> None:
    from test_compare_screen import write_fixed_experiment

    from tui_lyrics.experiments import list_experiments

    write_card(home, "my-own-model-with-a-long-name")
    write_fixed_experiment(home, name="cmp-20261201-225301", cells=("rnn", "gru"), inputs=("embed",))
    app = LyricsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await wait_for(pilot, lambda: screen.rows is not None, what="the library")
        table = screen.query_one("#models", DataTable)
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert names == ["my-own-model-with-a-long-name", "cmp-20261201-225301"]  # never cut at 80 columns
        table.move_cursor(row=1)
        await pilot.press("enter")
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert names[2:] == ["└ cmp-20261201-225301-rnn-embed", "└ cmp-20261201-225301-gru-embed"]

        table.move_cursor(row=1)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, lambda: table.row_count == 1, what="the experiment and its models to go")
        assert list_experiments(home) == [] and not (home / "models" / "cmp-20261201-225301-gru-embed").exists()


@pytest.mark.parametrize(("size", "classes"), [((60, 16), {"-medium", "-short"}), ((40, 12), {"-narrow", "-low"})])
async def test_small_terminals_keep_the_take_and_the_held_out_column(
    tiny_model: str, size: tuple[int, int], classes: set[str]
) -> None:
    app = LyricsApp()
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert classes <= set(screen.classes)
        await wait_for(pilot, lambda: screen.rows is not None, what="the library")
        table = screen.query_one("#models", DataTable)
        assert [str(c.label) for c in table.ordered_columns][:3] == ["", "Name", "Held ppl"]  # first, never cut off
        app.open_compose(tiny_model)
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), what="Compose")
        compose = app.screen
        await pilot.pause()
        take, takes = compose.query_one("#take"), compose.query_one("#takes")
        assert take.region.width >= size[0] * 0.6 and take.region.height >= 3
        assert not takes.display  # the takes list gives way on a small terminal ([ ] still switch takes)


async def test_a_long_first_line_does_not_hide_the_take(tiny_model: str) -> None:
    from test_compose import Host, generate, ready

    from tui_lyrics.ui.compose.view import TakeView

    async with Host().run_test(size=(60, 16)) as pilot:
        screen = await ready(pilot)
        await generate(pilot, screen, "风" * 600)
        view = screen.query_one(TakeView)
        first = view._row_of(0)  # the row where the model's text starts
        assert first > view.scrollable_content_region.height  # the prefix alone overflows the view
        assert view.scroll_offset.y + view.scrollable_content_region.height > first  # it followed the take
        screen.show_current()  # coming back to the take shows the model's text too
        await pilot.pause()
        assert view.scroll_offset.y <= first < view.scroll_offset.y + view.scrollable_content_region.height


def test_take_previews_show_what_the_model_wrote() -> None:
    from tui_lyrics.ui.compose.takelist import take_label
    from tui_lyrics.ui.compose.takes import TakeChar

    prefix = "我推开窗看见外面的雨"
    takes = []
    for number, text in ((1, "风很轻"), (2, "你不在")):
        take = Take(number=number, model="m", prefix=prefix, settings=SampleConfig(seed=number))
        take.chars.extend(TakeChar(char, 0.5) for char in text)
        takes.append(take_label(take).plain.splitlines()[1])
    assert takes == ["…风很轻", "…你不在"]  # the shared prefix would make every row read the same
