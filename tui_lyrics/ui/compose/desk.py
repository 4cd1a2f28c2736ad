"""TakeDesk: the takes of a session, the one in view, its alternatives, its status and meter.

The desk owns everything about takes: the session (plain data, ``takes.py``), which take is
streaming (one at a time, in a thread worker that reports by message), when each started and
ended, and alternatives mode (a cursor on the take, its candidates beside it). The screen asks
it to start, stop, move, delete or branch; it never reaches into the desk's widgets.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static

from tui_lyrics.ui.compose.alternatives import AlternativesPanel
from tui_lyrics.ui.compose.jobs import generate_job
from tui_lyrics.ui.compose.messages import CharsSampled, TakeFinished, TakesChanged
from tui_lyrics.ui.compose.meter import MemorisationMeter
from tui_lyrics.ui.compose.takelist import TakeList
from tui_lyrics.ui.compose.takes import GENERATING, STOPPED, Take, TakeSession, status_line
from tui_lyrics.ui.compose.view import TakeView
from tui_lyrics.vocab import CharVocab


class TakeDesk(Vertical):
    """The take being written or read, the list of takes, and two rows about the current one."""

    DEFAULT_CSS = """
    TakeDesk {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = TakeSession()
        self.vocab: CharVocab | None = None
        """The vocabulary of the model in use: prefix characters it cannot read are marked."""
        self.generating: int | None = None
        """The number of the take streaming now, if any."""
        self.timings: dict[int, list[float | None]] = {}
        """Per take: [Enter pressed, first character shown, finished] (monotonic seconds)."""
        self.choosing = False
        """Alternatives mode: a cursor on the take, digits pick a candidate."""
        self._stop = threading.Event()
        self._one_at_a_time = threading.Lock()

    def compose(self) -> ComposeResult:
        with Horizontal(id="compose-main"):
            yield TakeView(id="take")
            with Vertical(id="compose-side"):
                yield TakeList(id="takes")
                yield AlternativesPanel(id="alternatives")
        yield Static("", id="take-status", markup=False)
        yield MemorisationMeter(id="take-meter")

    def on_mount(self) -> None:
        self.query_one(TakeList).border_title = "Takes"

    @property
    def meter(self) -> MemorisationMeter:
        return self.query_one(MemorisationMeter)

    @property
    def cursor(self) -> int | None:
        """Where the alternatives cursor is on the current take (None outside alternatives mode)."""
        return self.query_one(TakeView).cursor

    # --- streaming -------------------------------------------------------------------------

    def start(self, take: Take, lm: Any) -> None:
        """Make ``take`` current and stream it from model ``lm`` in a worker."""
        self.stop()
        self.leave_choosing()
        self.session.add(take)
        self._stop = threading.Event()
        self.generating = take.number
        self.timings[take.number] = [time.monotonic(), None, None]
        self.show_current()
        self.query_one(TakeView).focus()
        self._generate(lm, take, self._stop)

    @work(thread=True, exclusive=True, group="generate")
    def _generate(self, lm: Any, take: Take, stop: threading.Event) -> None:
        generate_job(lm, take, stop=stop, post=self.post_message, lock=self._one_at_a_time)

    def stop(self) -> None:
        """Stop the take being generated, keeping what it wrote."""
        if self.generating is None:
            return
        self._stop.set()
        take = self.session.get(self.generating)
        if take is not None and take.state == GENERATING:
            take.state = STOPPED
            self.query_one(TakeList).update_take(take)
        self.generating = None
        self.set_status(status_line(take, self.timings.get(take.number) if take else None))
        self.refresh_bindings()
        if take is not None:
            self.post_message(TakesChanged(take.model))

    def on_chars_sampled(self, message: CharsSampled) -> None:
        take = self.session.get(message.take)
        if take is None:
            return
        take.chars.extend(message.chars)
        timing = self.timings.get(take.number)
        if timing is not None and timing[1] is None:
            timing[1] = time.monotonic()
        if take is self.session.current:
            self.query_one(TakeView).extend(message.chars)
            self.set_status(status_line(take, timing))

    def on_take_finished(self, message: TakeFinished) -> None:
        take = self.session.get(message.take)
        if take is None:
            return
        if take.state == GENERATING:
            take.state = message.state
        take.error = message.error
        timing = self.timings.get(take.number)
        if timing is not None:
            timing[2] = time.monotonic()
        if self.generating == take.number:
            self.generating = None
        if message.error:
            self.notify(f"Take {take.number} failed: {message.error}", severity="error")
        self.query_one(TakeList).update_take(take)
        if take is self.session.current:
            self.set_status(status_line(take, timing))
            self._show_meter()
        self.refresh_bindings()
        self.post_message(TakesChanged(take.model))

    def on_unmount(self) -> None:
        self._stop.set()  # a take still streaming ends with the screen

    # --- showing ---------------------------------------------------------------------------

    def show_current(self) -> None:
        """Show the current take (or an empty view) in the view, the list, the status and the meter."""
        take = self.session.current
        view = self.query_one(TakeView)
        if take is None:
            view.show("", [])
        else:
            unknown = frozenset(self.vocab.unknown(take.prefix)) if self.vocab else frozenset()
            view.show(take.prefix, take.generated, unknown=unknown, rhyme=take.settings.rhyme != "off")
        self.query_one(TakeList).show(self.session.takes, take)
        self.set_status(status_line(take, self.timings.get(take.number) if take else None))
        self._show_meter()
        self.refresh_bindings()

    def set_status(self, text: str) -> None:
        # One fixed-height row: no layout pass needed, which matters ~30 times a second.
        self.query_one("#take-status", Static).update(text, layout=False)

    def _show_meter(self) -> None:
        take = self.session.current
        self.meter.show_take(take, ended=take is not None and take.state != GENERATING)

    def toggle_colour(self) -> None:
        view = self.query_one(TakeView)
        view.colour = not view.colour

    # --- moving between takes --------------------------------------------------------------

    def move(self, step: int) -> None:
        """Make the previous (-1) or next (+1) take current."""
        self.session.move(step)
        self.leave_choosing()
        self.show_current()

    def delete_current(self) -> Take | None:
        """Delete the current take (stopping it first); the deleted take, if there was one."""
        take = self.session.current
        if take is None:
            return None
        if self.generating == take.number:
            self.stop()
        self.session.delete_current()
        self.leave_choosing()
        self.show_current()
        self.post_message(TakesChanged(take.model))
        return take

    @on(OptionList.OptionSelected, "#takes")
    def _take_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and self.session.select(int(event.option.id)):
            self.leave_choosing()
            self.show_current()

    # --- alternatives ----------------------------------------------------------------------

    def toggle_alternatives(self) -> None:
        """Enter (or leave) alternatives mode: a cursor on the take, its candidates beside it."""
        take = self.session.current
        if self.choosing or take is None or not take.generated:
            self.leave_choosing()
            return
        self.choosing = True
        self.query_one(AlternativesPanel).display = True
        view = self.query_one(TakeView)
        view.cursor = max(0, len(take.kept) - 1)
        view.focus()
        self.refresh_bindings()

    def leave_choosing(self) -> None:
        if not self.choosing:
            return
        self.choosing = False
        self.query_one(TakeView).cursor = None
        self.query_one(AlternativesPanel).display = False
        self.refresh_bindings()

    def on_take_view_cursor_moved(self, message: TakeView.CursorMoved) -> None:
        take = self.session.current
        if message.index is not None and take is not None and message.index < len(take.generated):
            self.query_one(AlternativesPanel).show(take.generated[message.index], message.index)
