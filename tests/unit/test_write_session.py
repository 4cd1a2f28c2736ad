"""The Write screen's plain owner of a song: requests, accepting, undo and autosave (no torch, no textual app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.store import SongStore
from tui_lyrics.songs.template import template_from_text
from tui_lyrics.ui.write.session import WriteSession


def test_nothing_is_saved_until_there_is_a_line_then_every_change_is(home: Path) -> None:
    store = SongStore(home)
    session = WriteSession(store, "demo-zh")
    assert session.save() is None and store.list() == []
    session.change(session.draft.append("我在车站等一场雨"))
    assert session.name == "demo-zh-song" and store.load("demo-zh-song").draft == session.draft
    session.change(session.draft.mark(0, 0, "chorus"))
    assert store.load("demo-zh-song").draft.lines[0].part == "chorus"
    assert session.undo() and store.load("demo-zh-song").draft.lines[0].part is None
    assert session.undo() and not session.undo()
    other = WriteSession(store, "demo-zh")
    other.change(other.draft.append("另一首"))
    assert other.name == "demo-zh-song-2"


def test_requests_for_the_next_line_and_a_rewrite(home: Path) -> None:
    session = WriteSession(SongStore(home), "demo-zh")
    session.change(Draft.from_text("一\n二\n三").lock(1))
    nxt = session.request(seed=5)
    assert (nxt.prefix, nxt.target, nxt.slot, nxt.seed) == ("一\n二\n三\n", None, None, 5)
    again = session.request(2, seed=6)
    assert again.prefix == "一\n二\n" and again.target == 2
    with pytest.raises(LyricsError, match="locked"):
        session.request(1)
    assert session.seeds == [5, 6]  # a refused request draws no seed
    assert session.accept("新三", again, seed=6) == 2 and session.draft.lines[2].author == "model"
    assert session.accept("四", nxt, seed=5, verse_break=True) == 4
    assert session.draft.text == "一\n二\n新三\n\n四\n"


def test_a_template_verse_break_opens_a_new_verse(home: Path) -> None:
    session = WriteSession(SongStore(home), "demo-zh")
    session.set_template(template_from_text("雨停在傍晚的月台上\n\n铁轨把余晖拉得很长\n"))
    session.change(session.draft.append("我在车站等一场雨啊"))
    request = session.request(seed=1)
    assert request.slot is not None and request.slot.verse_break and request.prefix.endswith("\n\n")
    session.accept("风吹过旧街道的长廊", request, seed=1)
    assert session.draft.text == "我在车站等一场雨啊\n\n风吹过旧街道的长廊\n"
    reopened = WriteSession.open(SongStore(home), session.name or "")
    assert reopened.draft == session.draft and reopened.seeds == [1]


def test_typed_lines_edits_marks_locks_chorus_and_delete(home: Path) -> None:
    session = WriteSession(SongStore(home), "demo-zh")
    assert session.enter(" 一 ") == 0 and session.enter("二") == 1
    assert session.enter("三") == 2 and session.draft.text == "一\n二\n三\n"
    with pytest.raises(LyricsError, match="verse break"):
        session.enter("  ", editing=1)
    assert session.enter("新二", editing=1) == 1 and session.draft.lines[1].author == "user"
    assert session.toggle_mark(0, "chorus") and session.toggle_mark(1, "chorus")
    assert not session.toggle_mark(1, "chorus") and session.draft.lines[1].part is None
    session.toggle_lock(2)
    assert session.draft.lines[2].locked
    with pytest.raises(LyricsError):
        session.delete(2)
    assert session.insert_chorus() == 4 and session.draft.text == "一\n新二\n三\n\n一\n"
    assert session.delete(4) == 3 and store_text(home, session) == session.draft.text


def store_text(home: Path, session: WriteSession) -> str:
    return SongStore(home).load(session.name or "").draft.text


def test_a_template_answer_names_a_file_or_one_song_of_several(tmp_path: Path) -> None:
    from tui_lyrics.songs.template import template_from_answer

    ref = tmp_path / "ref.txt"
    ref.write_text("《一》\n雨停在傍晚的月台上\n\n《二》\n你忘了一把伞\n斜靠在长椅旁\n", encoding="utf-8")
    assert template_from_answer("   ") is None
    whole = template_from_answer(f" {ref} ")
    assert whole is not None and len(whole) >= 1
    second = template_from_answer(f"{ref}#2")
    assert second is not None and [s.chars for s in second.slots] == [6, 6]
    with pytest.raises(LyricsError):
        template_from_answer(str(tmp_path / "missing.txt"))


def test_the_quote_limit_fits_the_models_script_as_generate_does(home: Path) -> None:
    session = WriteSession(SongStore(home), "shakespeare")
    session.fit_to("abcdefghijklmnopqrstuvwxyz ,.\n")
    assert session.settings.quote_limit == 16
    session.fit_to("我在车站等一场雨")
    assert session.settings.quote_limit == 8
    session.settings = session.settings.replace(quote_limit=0)  # the song's own choice is kept
    session.fit_to("abc")
    assert session.settings.quote_limit == 0


def test_the_write_screen_and_command_do_not_import_torch() -> None:
    import subprocess
    import sys

    modules = ["tui_lyrics.ui.write.screen", "tui_lyrics.commands.write", "tui_lyrics.songs.store"]
    code = f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr


def test_the_writers_summary_names_the_keys_that_apply(home: Path) -> None:
    from tui_lyrics.ui.write.jobs import CandidatesFinished
    from tui_lyrics.ui.write.session import Request
    from tui_lyrics.ui.write.writer import Writer

    writer = Writer(lambda body: None, lambda message: None, k=5, seed=None)
    done = CandidatesFinished(request=0, count=5, seconds=0.25)
    writer.request, writer.candidates = Request("一\n", None, None, 1), [object()] * 5
    assert writer.summary(done) == "5 candidates for the next line in 0.25 s · 1–5 accept · m more · g new"
    writer.request, writer.candidates = Request("", None, 2, 1), [object()] * 9
    assert writer.summary(done, line=2) == "9 candidates for line 2 in 0.25 s · 1–9 accept · r new"
    writer.request = None
    assert writer.summary(done) == "5 lines written to the template in 0.2 s"
    assert writer.summary(CandidatesFinished(request=0, count=0, seconds=1, error="boom")) == "Stopped: boom"
