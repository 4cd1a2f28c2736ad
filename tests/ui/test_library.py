"""The library screen: rows read from the cards, live marks, rename, delete, compose."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from app_support import wait_for, write_card
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tui_lyrics.store import LOCK
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog


async def library(pilot: Pilot, rows: int) -> LibraryScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    await wait_for(pilot, lambda: screen.rows is not None and len(screen.rows) == rows, what=f"{rows} rows")
    await pilot.pause()
    return screen


def cells(screen: LibraryScreen, row: int) -> list[str]:
    table = screen.query_one("#models", DataTable)
    return [cell.plain for cell in table.get_row_at(row)]


def details(screen: LibraryScreen) -> str:
    return str(screen.query_one("#model-details", Static).render())


async def test_rows_show_what_the_cards_say(home: Path) -> None:
    write_card(
        home, "周杰伦风格", params=1_490_000, best_loss=2.0, steps=2000, seconds=754, corpus="jaychou_lyrics.txt.zip"
    )
    write_card(
        home, "draft", cell="lstm", input="onehot", params=48_200, best_loss=None, steps=0, seconds=0, finished=False
    )
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 2)
        assert cells(screen, 0) == ["·", "draft", "—", "0", "0:00", "lstm/onehot", "48k", "songs.txt"]
        assert cells(screen, 1) == ["✓", "周杰伦风格", "7.4", "2,000", "12:34", "gru/embed", "1.5M", "jaychou_lyrics.…"]
        assert "not trained yet" in details(screen)
        await pilot.press("down")
        assert "held-out perplexity 7.4" in details(screen) and "finished" in details(screen)


async def test_an_empty_library_says_how_to_begin() -> None:
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 0)
        assert "Press n to train one" in details(screen)


async def test_a_model_trained_elsewhere_is_marked_live(home: Path) -> None:
    folder = write_card(home, "remote", finished=False)
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)
        assert cells(screen, 0)[0] == "◐"
        (folder / LOCK).write_text(f'{{"pid": {os.getpid()}, "host": null}}', encoding="utf-8")
        screen.reload()  # (the screen also re-reads every few seconds by itself)
        await wait_for(pilot, lambda: cells(screen, 0)[0] == "●", what="the live mark")
        assert "being trained by another process" in details(screen)


async def test_an_unreadable_card_is_listed_with_its_problem(home: Path) -> None:
    folder = home / "models" / "broken"
    folder.mkdir(parents=True)
    (folder / "card.json").write_text("{not json", encoding="utf-8")
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)
        assert cells(screen, 0)[:3] == ["!", "broken", "unreadable"]
        assert "cannot be read" in details(screen) and "corrupt" in details(screen)
        await pilot.press("t")
        assert any("cannot be read" in str(n.message) for n in pilot.app._notifications)


async def test_rename_asks_for_the_new_name(home: Path) -> None:
    write_card(home, "old")
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: pilot.app.screen.query("#answer"), what="the prompt")
        pilot.app.screen.query_one("#answer", Input).value = "新名字"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.rows and screen.rows[0].name == "新名字", what="the rename")
    assert (home / "models" / "新名字" / "card.json").is_file() and not (home / "models" / "old").exists()


async def test_rename_to_a_bad_name_shows_the_store_message(home: Path) -> None:
    write_card(home, "old")
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        await library(pilot, 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: pilot.app.screen.query("#answer"), what="the prompt")
        pilot.app.screen.query_one("#answer", Input).value = "../escape"
        await pilot.press("enter")
        await pilot.pause()
        assert any("invalid model name" in str(n.message) for n in pilot.app._notifications)
    assert (home / "models" / "old").is_dir()


@pytest.mark.parametrize(("answer", "kept"), [("n", True), ("y", False)])
async def test_delete_asks_first(home: Path, answer: str, kept: bool) -> None:
    write_card(home, "doomed")
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="the question")
        await pilot.press(answer)
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await library(pilot, 1 if kept else 0)
    assert (home / "models" / "doomed").is_dir() == kept


async def test_compose_opens_the_compose_screen_with_the_model(tiny_model: str) -> None:
    compose = pytest.importorskip("tui_lyrics.ui.compose.screen")
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        await library(pilot, 1)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, compose.ComposeScreen), what="the compose screen")


@pytest.mark.demo
async def test_first_start_offers_the_demo_model_and_a_hint(home: Path) -> None:
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)
        (demo,) = screen.rows
        assert demo.name == "demo-zh" and demo.read_only and demo.best_loss is not None
        hint = screen.query_one("#first-run-hint", Static)
        assert hint.display and "compose with the built-in demo model" in str(hint.render())
        assert "built-in, read-only" in details(screen)
        for key in ("d", "r"):  # said at once: no question whose answer cannot be carried out
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(pilot.app.screen, LibraryScreen), key
        notes = [str(n.message) for n in pilot.app._notifications]
        assert notes.count("demo-zh is built in and read-only; press n to train your own model") == 2


@pytest.mark.demo
async def test_the_hint_goes_once_the_user_has_a_model(home: Path) -> None:
    write_card(home, "mine")
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 2)
        assert not screen.query_one("#first-run-hint", Static).display


@pytest.mark.demo
async def test_a_low_terminal_shows_the_hint_in_one_line(home: Path) -> None:
    async with LyricsApp().run_test(size=(40, 12)) as pilot:
        screen = await library(pilot, 1)
        short, long = screen.query_one("#first-run-short", Static), screen.query_one("#first-run-hint", Static)
        assert short.display and not long.display
        text = str(short.render())
        assert "c: compose" in text and "n: train" in text
        assert short.region.height == 1 and short.region.bottom <= 11  # whole, above the footer
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: long.display, what="the long hint")
        assert not short.display


@pytest.mark.demo
async def test_a_low_terminal_drops_the_hint_once_the_user_has_a_model(home: Path) -> None:
    write_card(home, "mine")
    async with LyricsApp().run_test(size=(40, 12)) as pilot:
        screen = await library(pilot, 2)
        assert not any(hint.display for hint in screen.query(".first-run"))


async def test_e_opens_the_experiments(home: Path) -> None:
    from tui_lyrics.ui.compare.screen import CompareScreen

    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        await library(pilot, 0)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen), what="the Compare screen")


@pytest.mark.demo
async def test_a_saved_song_is_listed_and_enter_reopens_it(home: Path) -> None:
    from tui_lyrics.songs.draft import Draft
    from tui_lyrics.songs.store import Song, SongStore
    from tui_lyrics.ui.library.songs import SongTable
    from tui_lyrics.ui.write.screen import WriteScreen
    from tui_lyrics.ui.write.session import DEFAULT_SETTINGS

    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)  # the demo model
        songs = screen.query_one("#songs", SongTable)
        assert not songs.display  # no songs yet: the library looks as it always did
        draft = Draft.from_text("月光洒在旧街上\n我还在等你\n\n风吹过\n")
        SongStore(home).save(Song("夜曲", "demo-zh", draft, DEFAULT_SETTINGS, ()))  # as the Write screen saves it
        await wait_for(pilot, lambda: songs.row_count == 1, what="the song in the library")
        assert songs.display
        assert [cell.plain for cell in songs.get_row_at(0)][:3] == ["夜曲", "demo-zh", "3"]

        await pilot.press("tab")
        assert songs.has_focus and "a song written with demo-zh · 3 lines" in details(screen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WriteScreen), what="the Write screen")
        assert app.screen.song_name == "夜曲"
        await wait_for(pilot, lambda: app.screen.session is not None, what="the song to open")
        assert app.screen.session.draft == draft


async def test_d_on_the_song_list_deletes_the_song_after_asking(home: Path) -> None:
    from tui_lyrics.songs.draft import Draft
    from tui_lyrics.songs.store import Song, SongStore
    from tui_lyrics.ui.library.songs import SongTable
    from tui_lyrics.ui.write.session import DEFAULT_SETTINGS

    write_card(home, "songs")
    SongStore(home).save(Song("夜曲", "songs", Draft.from_text("月光洒在旧街上\n"), DEFAULT_SETTINGS, ()))
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await library(pilot, 1)
        songs = screen.query_one("#songs", SongTable)
        await wait_for(pilot, lambda: songs.row_count == 1, what="the song")
        await pilot.press("tab", "d")
        assert isinstance(app.screen, ConfirmDialog) and "the song 夜曲" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: not songs.display, what="the song list to go")
        assert SongStore(home).list() == [] and screen.rows and screen.rows[0].name == "songs"  # the model stays
