"""The Write screen: candidates, accept, edit, chorus, template, autosave and reopen (demo model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import wait_for
from textual.app import App
from textual.widgets import Input, TextArea

from tui_lyrics.paths import data_home
from tui_lyrics.songs.store import SongStore
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.write.screen import WriteScreen
from tui_lyrics.ui.write.widgets import CandidateList, DraftView, SongPicker

pytestmark = pytest.mark.demo
REFERENCE = "雨停在傍晚的月台上\n铁轨把余晖拉得很长\n\n你忘了一把伞\n斜靠在掉漆的长椅旁\n"


class Host(App[None]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__()
        self.kwargs = kwargs

    def on_mount(self) -> None:
        self.push_screen(WriteScreen(store=ModelStore.open(data_home()), **self.kwargs))


async def _ready(pilot, screen: WriteScreen) -> None:
    await wait_for(pilot, lambda: screen.lm is not None, what="the model to load")


async def _candidates(pilot, screen: WriteScreen) -> None:
    if screen.focused is screen.query_one("#line", Input):
        await pilot.press("escape")  # out of typing, to the draft's keys
    await pilot.press("g")
    await wait_for(pilot, lambda: not screen.generating and screen.candidates, what="candidates")


async def test_first_line_candidates_accept_edit_and_autosave(home: Path) -> None:
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, WriteScreen)
        await _ready(pilot, screen)
        screen.query_one("#line", Input).value = "我在车站等一场雨"
        await pilot.press("enter")
        assert screen.session.draft.text == "我在车站等一场雨\n"
        await _candidates(pilot, screen)
        assert len(screen.candidates) == 5
        shown = screen.query_one("#candidates", CandidateList)
        assert shown.option_count == 5
        row = str(shown.get_option_at_index(0).prompt)  # each with its length, rhyme class and score per character
        first = screen.candidates[0]
        assert row.startswith(f"1  {first.text}  {first.chars} 字") and f"{first.mean_logprob:.2f}/字" in row
        chosen = screen.candidates[1].text
        await pilot.press("2")
        lines = [x for x in screen.session.draft.lines if not x.is_break]
        assert lines[-1].text == chosen and lines[-1].author == "model"
        assert screen.candidates == []
        # change a word of the accepted line
        await pilot.press("e")
        field = screen.query_one("#line", Input)
        assert field.value == chosen and screen.focused is field
        await pilot.press("backspace", "光", "enter")  # the cursor is at the line's end
        assert screen.session.draft.lines[-1].text == chosen[:-1] + "光"
        assert screen.session.draft.lines[-1].author == "both"
        saved = SongStore(home).load(screen.session.name)
        assert saved.draft == screen.session.draft  # every change is saved at once
        await pilot.press("u")  # undo the edit
        assert screen.session.draft.lines[-1].text == chosen and screen.session.draft.lines[-1].author == "model"
        await pilot.press("x")  # delete the highlighted (accepted) line
        assert screen.session.draft.text == "我在车站等一场雨\n" or screen.session.draft.text == "我在车站等一场雨\n\n"
        assert SongStore(home).load(screen.session.name).draft == screen.session.draft


CHORUS = ("我推开窗看见雨", "风吹过旧街道", "你说要等我到天亮", "灯火一盏一盏地亮")


async def test_chorus_verse_insert_continue_quit_and_reopen(home: Path) -> None:
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        field = screen.query_one("#line", Input)
        for text in CHORUS:
            field.value = text
            await pilot.press("enter")
        assert screen.focused is field  # typing goes on, line after line
        await pilot.press("escape")
        view = screen.query_one("#draft", DraftView)
        view.highlighted = 0
        await pilot.press("c", "c", "c", "c")  # each c marks the highlighted line and moves down
        assert [x.part for x in screen.session.draft.lines] == ["chorus"] * 4
        await pilot.press("l")  # lock the last chorus line
        assert screen.session.draft.lines[3].locked
        # a verse: a verse break, a line the model writes, one the user types
        await pilot.press("i", "enter")
        await _candidates(pilot, screen)
        await pilot.press("1")
        await pilot.press("i")
        field.value = "今天的我走过小镇"
        await pilot.press("enter", "escape", "h")
        text = screen.session.draft.text
        assert text.startswith("\n".join(CHORUS) + "\n\n") and text.endswith("\n\n" + "\n".join(CHORUS) + "\n")
        assert screen.session.draft.lyric_count == 10
        await _candidates(pilot, screen)  # the model continues after the chorus
        await pilot.press("1")
        assert screen.session.draft.lyric_count == 11
        view.highlighted = 3
        await pilot.press("r")  # a locked line is never rewritten
        assert not screen.generating
        await pilot.press("e")  # nor edited: the line input stays shut and the note says how to unlock it
        assert screen.focused is view
        assert "Line 4 is locked: press l to unlock it" in [str(n.message) for n in pilot.app._notifications]
        name = screen.session.name
        draft = screen.session.draft
    reopened = Host(model_name="demo-zh")  # quit, open the app again, reopen the song with o
    async with reopened.run_test(size=(100, 30)) as pilot:
        await _ready(pilot, reopened.screen)  # then a new song's line input has focus
        await pilot.press("escape", "o")
        await pilot.pause()
        assert isinstance(reopened.screen, SongPicker) and reopened.screen.rows[0].name == name
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(reopened.screen, WriteScreen), what="the song")
        screen = reopened.screen
        await _ready(pilot, screen)
        assert screen.session.draft == draft and screen.session.model == "demo-zh"
        assert screen.focused is screen.query_one("#draft", DraftView)  # a reopened song: its lines first
        assert "g: candidates for the next line · i: type one" in str(screen.query_one("#write-status").render())
        await _candidates(pilot, screen)
        await pilot.press("3")
        assert screen.session.draft.lyric_count == 12


async def test_a_template_shapes_candidates(home: Path, tmp_path: Path) -> None:
    ref = tmp_path / "ref.txt"
    ref.write_text(REFERENCE, encoding="utf-8")
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        screen.query_one("#draft", DraftView).focus()
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one("#answer", TextArea).text = str(ref)  # a file name, then Enter
        await pilot.press("enter")
        await pilot.pause()
        assert screen.session.draft.template is not None and len(screen.session.draft.template) == 4
        view = screen.query_one("#draft", DraftView)
        shape = [str(view.get_option_at_index(i).prompt).strip() for i in range(view.option_count)]
        assert shape == ["·  9 字 · 江阳", "·  9 字 · 江阳", "", "·  6 字 · 言前", "·  9 字 · 江阳"]
        await _candidates(pilot, screen)
        assert all(c.chars == 9 and c.rhyme == "江阳" for c in screen.candidates)
        await pilot.press("1")
        assert screen.session.draft.label(0) == "9/9 字 · 江阳"


async def test_a_template_picked_from_the_file_list(home: Path, tmp_path: Path, monkeypatch) -> None:
    from tui_lyrics.ui.write.file_picker import SongFilePicker

    (tmp_path / "songs").mkdir()
    (tmp_path / "songs" / "ref.lrc").write_text("[00:01.00]" + REFERENCE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        await pilot.press("escape", "t", "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SongFilePicker), what="the file list")
        await pilot.press(*"son", "enter")  # typed to narrow the list to songs/, opened
        await pilot.press("enter")  # ref.lrc, highlighted first
        await pilot.press("enter")  # the dialog's answer is its path: Enter uses it
        await pilot.pause()
        template = screen.session.draft.template
        assert app.screen is screen and template is not None and template.source == "ref.lrc"
        assert [slot.chars for slot in template.slots] == [9, 9, 6, 9]


async def test_the_library_opens_the_write_screen_for_the_selected_model(home: Path) -> None:
    async with LyricsApp().run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(getattr(pilot.app.screen, "rows", None)), what="the library")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WriteScreen), what="the write screen")
        assert pilot.app.screen.session.model == "demo-zh"
        await pilot.press("escape", "escape")  # out of the line input, then back to the library
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, WriteScreen), what="the library again")


async def test_fill_writes_the_whole_song_to_a_demo_corpus_template_and_export(home: Path, tmp_path: Path) -> None:
    from tui_lyrics.resources import demo_corpus

    app = Host(model_name="demo-zh", seed=7)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        field = screen.query_one("#line", Input)
        field.value = "我在车站等一场雨"
        await pilot.press("enter", "escape", "t")
        await pilot.pause()
        app.screen.query_one("#answer", TextArea).text = f"{demo_corpus()}#verses 1-2"  # a song of the demo corpus
        await pilot.press("enter")
        await pilot.pause()
        template = screen.session.draft.template
        assert template is not None and len(template) == 8 and all(slot.rhyme for slot in template.slots)
        await pilot.press("f")
        await wait_for(pilot, lambda: not screen.generating, what="the song to be written")
        draft = screen.session.draft
        assert draft.text.count("\n\n") == 1 and draft.lyric_count == 8
        for i, line in enumerate(draft.lines):
            slot = draft.slot_of(i)
            if slot is not None and line.author == "model":  # every line at the template's length and rhyme
                assert draft.label(i) == f"{slot.chars}/{slot.chars} 字 · {slot.rhyme}", (line.text, draft.label(i))
        assert SongStore(home).load(screen.session.name).draft == draft
        title = str(screen.query_one("#write-title").render())
        assert "saved · template full · template zh_lyrics.txt verses 1–2" in title
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = str(tmp_path / "out.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "out.txt").read_text(encoding="utf-8") == draft.text


async def test_a_model_that_cannot_load_is_said_not_waited_for(home: Path) -> None:
    app = Host(model_name="no-such-model")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.writer.failed is not None, what="the load to fail")
        await pilot.press("g")  # the draft keeps focus: no model to write with
        status = str(screen.query_one("#write-status").render())
        assert "Cannot load no-such-model" in status and "no model named" in status


def _footer(screen: WriteScreen, width: int) -> dict[str, str]:
    """The footer's keys that show in ``width`` columns, left of the palette's ^p: {key: label}."""
    from textual.widgets._footer import FooterKey

    keys = list(screen.query(FooterKey))
    edge = min([k.region.x for k in keys if k.key == "ctrl+p"] or [width])
    return {k.key: k.description for k in keys if k.region.width and k.region.right <= edge}


async def test_esc_has_one_rule_and_the_footer_names_it(home: Path) -> None:
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        await pilot.pause()
        field = screen.query_one("#line", Input)
        assert screen.focused is field and _footer(screen, 100)["escape"] == "To draft"
        await pilot.press("escape")
        await pilot.pause()
        assert screen.focused is screen.query_one("#draft", DraftView)
        assert _footer(screen, 100)["escape"] == "Back"
        screen.writer.generating = True  # a request running: Esc stops it, from any focus
        screen.refresh_bindings()
        await pilot.pause()
        assert _footer(screen, 100)["escape"] == "Stop"
        await pilot.press("escape")
        assert screen.writer.stop.is_set() and app.screen is screen
        screen.writer.generating = False
        screen.refresh_bindings()
        await pilot.press("escape")  # the draft: Esc leaves the screen
        assert app.screen is not screen
    async with LyricsApp().run_test(size=(100, 30)) as pilot:  # from the library, Esc never leaves the app
        await wait_for(pilot, lambda: bool(getattr(pilot.app.screen, "rows", None)), what="the library")
        library = pilot.app.screen
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WriteScreen), what="the write screen")
        await pilot.press("escape", "escape", "escape", "escape")
        assert pilot.app.is_running and pilot.app.screen is library


async def test_keys_pressed_while_the_screen_opens_make_no_song(home: Path, monkeypatch) -> None:
    import threading

    from tui_lyrics.ui.write import jobs

    gate, load = threading.Event(), jobs.load_job
    monkeypatch.setattr(jobs, "load_job", lambda *args: (gate.wait(30), load(*args)))
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("g", "r", "a", "enter", "m", "enter")  # typed ahead while the model loads
        assert "Still loading demo-zh" in str(screen.query_one("#write-status").render())
        gate.set()
        await _ready(pilot, screen)
        await pilot.pause()
        assert screen.session.draft.lines == () and screen.session.name is None
        assert not (home / "songs").exists() or not any((home / "songs").iterdir())
        assert screen.focused is screen.query_one("#line", Input)  # now a new song starts with its first line


@pytest.mark.parametrize("width", [100, 80])
async def test_the_footer_shows_template_and_fill(home: Path, width: int) -> None:
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(width, 24)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        await pilot.press("escape")
        await pilot.pause()
        shown = _footer(screen, width)
        assert shown.get("t") == "Template" and shown.get("f") == "Fill", shown
        assert {"g", "escape"} <= shown.keys()


async def test_a_long_songs_last_line_stays_in_view_when_candidates_come(home: Path) -> None:
    from tui_lyrics.songs.draft import Draft
    from tui_lyrics.songs.store import Song
    from tui_lyrics.ui.write.session import DEFAULT_SETTINGS

    text = "\n".join(f"第{n}行的歌词" for n in range(40)) + "\n"
    SongStore(home).save(Song("长歌", "demo-zh", Draft.from_text(text), DEFAULT_SETTINGS, ()))
    app = Host(song_name="长歌")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        await pilot.pause()
        view = screen.query_one("#draft", DraftView)

        def in_view() -> bool:
            top, height = view.scroll_offset.y, view.scrollable_content_region.height
            return view.highlighted == 39 and top <= 39 < top + height

        assert in_view()
        await _candidates(pilot, screen)  # the candidate list takes rows from the draft
        await pilot.pause()
        assert in_view()


async def test_four_presses_of_c_mark_four_lines_across_verse_breaks(home: Path) -> None:
    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        field = screen.query_one("#line", Input)
        for text in (CHORUS[0], "", CHORUS[1], CHORUS[2], "", CHORUS[3]):
            field.value = text
            await pilot.press("enter")
        await pilot.press("escape")
        screen.query_one("#draft", DraftView).highlighted = 0
        await pilot.press("c", "c", "c", "c")
        assert [x.text for x in screen.session.draft.chorus() if not x.is_break] == list(CHORUS)
        assert "Line 4 is chorus" in str(screen.query_one("#write-status").render())  # breaks are not counted
        screen.query_one("#draft", DraftView).highlighted = 2
        await pilot.press("e", "backspace", "路", "enter")
        assert screen.session.draft.lines[2].text == CHORUS[1][:-1] + "路"
        assert "Line 2 changed" in str(screen.query_one("#write-status").render())
    again = Host(model_name="demo-zh")  # a new song, with one saved: the ready line names o
    async with again.run_test(size=(100, 30)) as pilot:
        await _ready(pilot, again.screen)
        await pilot.pause()
        assert "o: open a saved song" in str(again.screen.query_one("#write-status").render())


async def test_a_template_from_a_song_pasted_in(home: Path) -> None:
    from textual import events

    app = Host(model_name="demo-zh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await _ready(pilot, screen)
        await pilot.press("escape", "t")
        await pilot.pause()
        answer = app.screen.query_one("#answer", TextArea)
        app.post_message(
            events.Paste(  # as the terminal driver gives it: to the app, which hands it to the focus
                "[00:01.00]" + REFERENCE.replace("\n\n", "\n\n[00:09.00]")
            )
        )
        await pilot.pause()
        assert answer.text.count("\n") >= 3  # every line kept, where a one-line prompt keeps the first
        await pilot.press("enter")  # several lines: Enter is a new line, not the answer
        assert app.screen is not screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        template = screen.session.draft.template
        assert app.screen is screen and template is not None and template.source == "pasted song"
        assert [(slot.chars, slot.rhyme, slot.verse_break) for slot in template.slots] == [
            (9, "江阳", False),
            (9, "江阳", False),
            (6, "言前", True),
            (9, "江阳", False),
        ]
