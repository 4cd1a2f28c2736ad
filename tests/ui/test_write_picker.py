"""The template question's file picker: a filtered list of folders and .txt/.lrc files, keyboard first."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar

import pytest
from app_support import wait_for
from textual.app import App
from textual.widgets import TextArea

import tui_lyrics.ui
from tui_lyrics.songs.template import template_from_answer
from tui_lyrics.ui.write.file_picker import PlaceList, SongFilePicker, list_folder, matching
from tui_lyrics.ui.write.template_dialog import TemplateDialog

UI = Path(tui_lyrics.ui.__file__).parent
SONG = "雨停在傍晚的月台上\n铁轨把余晖拉得很长\n"


@pytest.fixture
def songs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder to start in: two songs, a sub-folder with one, and files the picker leaves out."""
    folder = tmp_path / "work"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    for name in ("a.txt", "B.lrc", "notes.md", ".secret.txt", "sub/c.txt"):
        (folder / name).write_text(SONG, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


class Host(App[None]):
    """The template question alone, its answer kept, styled as in the app (over the Write screen)."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [UI / "app.tcss", UI / "write" / "write.tcss"]

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(TemplateDialog(), self.answers.append)


def shown(app: App[None]) -> list[str]:
    listing = app.screen.query_one(PlaceList)
    return [str(listing.get_option_at_index(i).prompt).split("  ")[0] for i in range(listing.option_count)]


def highlighted(app: App[None]) -> str:
    listing = app.screen.query_one(PlaceList)
    assert listing.highlighted is not None
    return shown(app)[listing.highlighted]


def test_a_folder_lists_its_folders_then_its_song_files(songs: Path) -> None:
    places, note = list_folder(songs)
    assert [p.label for p in places] == ["sub/", "a.txt", "B.lrc"] and note == ""  # no .md, nothing hidden
    assert [p.label for p in matching(places, "b")] == ["sub/", "B.lrc"]  # every typed word, case aside
    assert list_folder(songs / "gone") == ([], f"Cannot read {songs / 'gone'}: No such file or directory")


async def test_ctrl_o_picks_a_file_by_keys_and_enter_uses_it(songs: Path) -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SongFilePicker) and shown(app), what="the list")
        assert shown(app) == ["../", "sub/", "a.txt", "B.lrc"] and highlighted(app) == "a.txt"
        await pilot.press("l", "r", "c")  # typing narrows the list
        assert shown(app) == ["B.lrc"]
        await pilot.press("backspace", "backspace", "backspace", "backspace")  # and with nothing typed, goes up
        assert app.screen.folder == songs.parent and "work/" in shown(app)
        await pilot.press(*"work", "enter", *"su", "enter")  # a folder highlighted: Enter opens it
        assert shown(app) == ["../", "c.txt"] and highlighted(app) == "c.txt"
        await pilot.press("enter")
        assert isinstance(app.screen, TemplateDialog)
        answer = app.screen.query_one("#answer", TextArea)
        assert answer.text == "sub/c.txt" and app.screen.focused is answer  # its path, shortened; #2 may follow
        await pilot.press("enter")
    assert app.answers == ["sub/c.txt"]
    template = template_from_answer("sub/c.txt")
    assert template is not None and [s.chars for s in template.slots] == [9, 9]


async def test_a_path_typed_in_the_filter_opens_and_escape_cancels(songs: Path) -> None:
    app = Host()
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.press(*"sub", "ctrl+o")  # the picker starts where the answer points
        await wait_for(pilot, lambda: isinstance(app.screen, SongFilePicker) and shown(app), what="the list")
        assert app.screen.folder == songs / "sub"
        await pilot.press(*"../B.lrc", "enter")
        answer = app.screen.query_one("#answer", TextArea)
        assert answer.text == "B.lrc"
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SongFilePicker) and shown(app), what="the list")
        await pilot.press("escape")  # the picker goes, the answer stays as it was
        assert isinstance(app.screen, TemplateDialog) and app.screen.query_one("#answer", TextArea).text == "B.lrc"
        await pilot.press("escape")
    assert app.answers == [None]


@pytest.mark.parametrize("size", [(60, 16), (40, 12)], ids=["60x16", "40x12"])
async def test_the_question_and_the_picker_fit_small_terminals(songs: Path, size: tuple[int, int]) -> None:
    app = Host()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        dialog = app.screen
        for button in ("#pick", "#use", "#cancel"):  # every button whole on the screen
            region = dialog.query_one(button).region
            assert region.area and region.right <= size[0] and region.bottom <= size[1], button
        assert dialog.query_one("#answer", TextArea).content_region.height >= 1
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SongFilePicker) and shown(app), what="the list")
        listing = app.screen.query_one(PlaceList)
        assert listing.region.height >= 4 and listing.region.bottom <= size[1]
        title = str(app.screen.query_one("#picker-title").render())
        assert title.endswith("work") and len(title) <= size[0]  # the folder's end in sight
