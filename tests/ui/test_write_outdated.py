"""Candidates go only where they were asked for: a draft changed there before one is accepted drops them.

``g`` samples lines to follow the draft as it is then; a line typed (or edited, or deleted) before
accepting one makes them lines for another place. They are dropped, their job stopped, and the
status line says so and names ``g`` for fresh ones; a mark or a lock leaves them be.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from app_support import wait_for
from test_write_typing import FIRST, SECOND, Host, _burst, _typing
from textual.pilot import Pilot

from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.store import SongStore
from tui_lyrics.ui.write.screen import WriteScreen
from tui_lyrics.ui.write.session import WriteSession
from tui_lyrics.ui.write.writer import Writer

pytestmark = pytest.mark.demo
DROPPED = "Draft changed: candidates for the old next line dropped · g: fresh ones"


def _status(screen: WriteScreen) -> str:
    return str(screen.query_one("#write-status").render())


async def _candidates(pilot: Pilot, screen: WriteScreen) -> None:
    await pilot.press("g")
    await wait_for(pilot, lambda: not screen.generating and screen.candidates, what="candidates")


async def test_a_line_typed_after_g_drops_the_candidates_and_g_gives_fresh_ones(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter")
        await pilot.press("escape")
        await _candidates(pilot, screen)
        await pilot.press("i")
        await _burst(pilot, *SECOND, "enter")
        assert screen.candidates == [] and screen.candidate_list.option_count == 0
        assert _status(screen) == DROPPED
        await pilot.press("escape", "1")  # nothing to accept: no line written for the old spot
        assert screen.draft_lines() == [FIRST, SECOND]
        await _candidates(pilot, screen)
        session = screen.session
        assert session is not None and screen.writer.request is not None
        assert screen.writer.request.prefix == f"{FIRST}\n{SECOND}\n"  # for the draft as it is now
        chosen = screen.candidates[0].text
        await pilot.press("1")
        assert screen.draft_lines() == [FIRST, SECOND, chosen]


async def test_a_change_the_drop_has_not_seen_yet_is_caught_at_accept(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter")
        await pilot.press("escape")
        await _candidates(pilot, screen)
        session = screen.session
        assert session is not None
        session.enter(SECOND)  # the draft changed, no message about it yet: the accept key itself checks
        await pilot.press("2")
        assert screen.draft_lines() == [FIRST, SECOND] and screen.candidates == []
        assert _status(screen) == DROPPED


async def test_candidates_asked_for_just_before_a_line_is_typed_stay_dropped(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter")
        await pilot.press("escape", "g", "i")  # back to typing while they come
        await _burst(pilot, *SECOND, "enter")
        assert not screen.generating and screen.candidates == []
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.candidates == [] and screen.candidate_list.option_count == 0  # late ones stay dropped
        assert _status(screen) == DROPPED


async def test_a_mark_keeps_the_candidates_and_a_deleted_line_drops_a_rewrite(home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter", *SECOND, "enter")
        await pilot.press("escape")
        await _candidates(pilot, screen)
        shown = list(screen.candidates)
        screen.draft_view.highlighted = 0
        await pilot.press("c", "l")  # chorus, then a lock: the text they follow is the same
        assert screen.candidates == shown
        await pilot.press("1")
        assert screen.draft_lines() == [FIRST, SECOND, shown[0].text]
        screen.draft_view.highlighted = len(screen.session.draft) - 1  # the accepted line (maybe after a break)
        await pilot.press("r")
        await wait_for(pilot, lambda: not screen.generating and screen.candidates, what="rewrites")
        await pilot.press("x")  # the line being rewritten is gone: its candidates with it
        assert screen.candidates == []
        assert _status(screen) == "Draft changed: rewrite candidates dropped · r: fresh ones"
        await pilot.press("1")
        assert screen.draft_lines() == [FIRST, SECOND]


def test_a_request_fits_until_its_place_changes(home: Path) -> None:
    session = WriteSession(SongStore(home), "demo-zh")
    session.change(Draft.from_text(f"{FIRST}\n{SECOND}\n"))
    following, rewrite = session.request(seed=1), session.request(1, seed=2)
    assert session.fits(following) and session.fits(rewrite)
    session.toggle_mark(0, "chorus")
    assert session.fits(following) and session.fits(rewrite)
    session.enter("雨停")  # after line 2: the next line moved, the rewrite of line 2 did not
    assert not session.fits(following) and session.fits(rewrite)
    session.enter("风", editing=1)  # line 2 is another line now
    assert not session.fits(rewrite)
    assert session.undo() and session.fits(rewrite)


def test_a_fill_is_outdated_once_the_draft_changes_under_it(home: Path) -> None:
    session = WriteSession(SongStore(home), "demo-zh")
    session.enter(FIRST)
    writer = Writer(lambda body: None, lambda message: None, k=5, seed=1)
    writer.fill(session)
    assert writer.generating and not writer.outdated(session)
    session.toggle_lock(0)
    assert not writer.outdated(session)
    session.enter(SECOND)
    assert writer.outdated(session)


async def test_a_line_typed_during_a_fill_stops_it(home: Path) -> None:
    from tui_lyrics.songs.template import template_from_text
    from tui_lyrics.ui.write.jobs import LineWritten

    async with Host().run_test(size=(80, 24)) as pilot:
        screen = await _typing(pilot)
        await _burst(pilot, *FIRST, "enter")
        screen.desk.set_template(template_from_text(f"{FIRST}\n{SECOND}\n{FIRST}\n{SECOND}\n"))
        screen.writer.run = lambda body: None  # the fill starts and writes nothing: the test plays its lines
        await pilot.press("escape", "f", "i")
        assert screen.generating and screen.writer.filling is not None
        number = screen.writer.number
        await _burst(pilot, *SECOND, "enter")
        assert not screen.generating
        assert _status(screen) == "Draft changed, so filling stopped · f: write the rest to the template"
        line = SimpleNamespace(text="雨停", slot=SimpleNamespace(verse_break=False), candidate=SimpleNamespace(seed=1))
        screen.post_message(LineWritten(request=number, line=line))  # a line the fill had on its way
        await pilot.pause()
        assert screen.draft_lines() == [FIRST, SECOND]
