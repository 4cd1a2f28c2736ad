"""WriteScreen: write a song line by line with the model, choosing among candidate next lines.

The screen composes widgets and forwards keys: the draft desk owns the song (its ``WriteSession``:
draft, undo, autosave) and shows it (``desk.py``), the ``Writer`` owns the engine requests, run in
thread workers that report by message (``writer.py``), the candidate list and the line input only
show and forward; the questions about files are ``song_files.py``'s and the keys are in ``keys``.
A new song gets the line input once the model is ready, so keys pressed while the screen opens are
the draft's keys, never a typed line. Candidates go only where they were asked for: when the draft
changes there before one is accepted (a line typed, edited or deleted), they are dropped, their job
stopped, and the status line says so and that ``g`` gives fresh ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.store import SongStore
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.write.desk import DraftChanged, DraftDesk
from tui_lyrics.ui.write.jobs import CandidateFound, CandidatesFinished, LineWritten, WriterFailed, WriterLoaded
from tui_lyrics.ui.write.keys import WRITE_KEYS
from tui_lyrics.ui.write.line_input import LineEntered, LineInput
from tui_lyrics.ui.write.session import WriteSession
from tui_lyrics.ui.write.song_files import ask_export, ask_template, copy_song
from tui_lyrics.ui.write.widgets import CandidateList, DraftView, SongPicker
from tui_lyrics.ui.write.writer import Writer

K = 5


class WriteScreen(Screen):
    """A song, line by line, with the model's candidates."""

    CSS_PATH = "write.tcss"
    BINDINGS: ClassVar[list[BindingType]] = WRITE_KEYS

    def __init__(
        self,
        *,
        store: ModelStore,
        model_name: str | None = None,
        song_name: str | None = None,
        k: int = K,
        seed: int | None = None,
    ) -> None:
        """``seed``: request n samples with ``seed + n`` (replayable screens for tests); None: random seeds."""
        super().__init__()
        self.store = store
        self.songs = SongStore(store.home)
        self.song_name = song_name
        self.model_name = model_name or ""
        self.k = k
        self.writer = Writer(self._run, self.post_message, k=k, seed=seed)
        self.desk = DraftDesk(self.songs, id="write-desk")
        """The song and the rows that show it (its session stays readable once the screen has gone)."""

    def compose(self) -> ComposeResult:
        yield self.desk
        yield CandidateList(id="candidates")
        yield LineInput(id="line")
        yield Footer()

    def on_mount(self) -> None:
        self.candidate_list.can_focus = False
        self.model_name = self.desk.open(model=self.model_name, song=self.song_name).model
        self.say(f"Loading {self.model_name}…")
        # The draft first: keys pressed while the screen opens are its keys (g says "still loading"), not a line.
        self.draft_view.focus()
        store, name = self.store, self.model_name
        from tui_lyrics.ui.write.jobs import load_job

        self.run_worker(lambda: load_job(store, name, self.post_message), thread=True, group="write-load")

    def on_unmount(self) -> None:
        self.writer.halt()

    def _run(self, body: Callable[[], None]) -> None:
        self.run_worker(body, thread=True, group="write-candidates")

    # -- what the screen holds, for its handlers and tests ----------------------------------

    @property
    def lm(self) -> Any:
        return self.writer.lm

    @property
    def generating(self) -> bool:
        return self.writer.generating

    @property
    def candidates(self) -> list[Any]:
        return self.writer.candidates

    @property
    def session(self) -> WriteSession | None:
        """The song (None until the screen has mounted)."""
        return self.desk.session

    @property
    def draft_view(self) -> DraftView:
        return self.desk.view

    @property
    def candidate_list(self) -> CandidateList:
        return self.query_one("#candidates", CandidateList)

    @property
    def line_input(self) -> LineInput:
        return self.query_one("#line", LineInput)

    def draft_lines(self) -> list[str]:
        """The song's lyric lines as shown (for tests and the status line)."""
        return [line.text for line in self._session().draft.lines if not line.is_break]

    def say(self, text: str) -> None:
        """Put ``text`` on the status line under the draft."""
        self.desk.say(text)

    # -- messages ---------------------------------------------------------------------------

    def on_writer_loaded(self, message: WriterLoaded) -> None:
        self.writer.lm, self.writer.index = message.model, message.index
        self._session().fit_to(message.model.vocab.chars)  # the quote limit for the model's script
        hint = "g: candidates for the next line · i: type one"
        if not self._session().draft.lines and self.app.screen is self and self.focused is self.draft_view:
            self.line_input.focus()  # a new song starts with typing its first line
            hint = "Type a first line, or Esc then g"
            if self.songs.list():
                hint += " (Esc then o: open a saved song)"
        self.say(f"{message.name} ready ({message.seconds:.1f} s). {hint}.")

    def on_writer_failed(self, message: WriterFailed) -> None:
        self.writer.failed = message.error
        self.say(f"Cannot load {message.name}: {message.error}")
        self.notify(message.error, severity="error")

    def on_candidate_found(self, message: CandidateFound) -> None:
        if self.writer.found(message):  # a late one from an abandoned request is dropped
            self.candidate_list.show(self.writer.candidates)

    def on_candidates_finished(self, message: CandidatesFinished) -> None:
        if self.writer.finished(message):
            self.refresh_bindings()  # Esc no longer stops
            target = None if self.writer.request is None else self.writer.request.target
            line = None if target is None or target >= len(self._session().draft) else self.desk.number(target)
            self.say(self.writer.summary(message, line=line))

    def on_line_written(self, message: LineWritten) -> None:
        if not self.writer.current(message) or self._drop_outdated():
            return
        line, seed = message.line, message.line.candidate.seed
        self.desk.show(self._session().add_model_line(line.text, seed=seed, verse_break=line.slot.verse_break))
        self.writer.filling = self._session().spot()  # the fill's next line goes after this one

    def on_draft_changed(self, message: DraftChanged) -> None:
        self._drop_outdated()

    def on_line_entered(self, message: LineEntered) -> None:
        entered = self.desk.change(lambda: self._session().enter(message.text, editing=message.editing))
        if entered is None:
            return
        if self.line_input.entered():  # an edit is one line; typing goes on line after line until Esc
            self.draft_view.focus()
            self.say(f"Line {self.desk.number(entered)} changed · u undo · g next lines")

    # -- actions: the engine ----------------------------------------------------------------

    def action_candidates(self, target: int | None = None, *, more: bool = False) -> None:
        if not self.writer.ready:
            self._not_ready()
            return
        try:
            started = self.writer.ask(self._session(), target, more=more)
        except LyricsError as error:
            self.notify(str(error), severity="warning")
            return
        if not started:
            self.say("Nine candidates shown: accept one, or press g for a new set")
            return
        self.candidate_list.show(self.writer.candidates)
        self.say("Writing candidates… · Esc stops")
        self.refresh_bindings()

    def action_more(self) -> None:
        if self._drop_outdated():
            return
        request = self.writer.request
        self.action_candidates(None if request is None else request.target, more=True)

    def action_rewrite(self) -> None:
        index = self.draft_view.current()
        if index is None or self._session().draft.lines[index].is_break:
            self.notify("Highlight a line to rewrite", severity="warning")
            return
        self.action_candidates(index)

    def action_fill(self) -> None:
        """Write every template line not written yet, the most natural of K whole lines each."""
        session = self._session()
        if session.draft.template is None:
            self.notify("No template: press t to make one from a reference song", severity="warning")
        elif session.draft.next_slot() is None:
            self.notify("Every line of the template is written")
        elif not self.writer.ready:
            self._not_ready()
        else:
            self.writer.fill(session)
            self.candidate_list.show([])
            self.say("Writing the song to the template… · Esc stops")
            self.refresh_bindings()

    def action_accept(self, number: int) -> None:
        if self._drop_outdated():  # never a line written for another place
            return
        request, shown = self.writer.request, self.writer.candidates
        if not 1 <= number <= len(shown) or request is None:
            return
        cand = shown[number - 1]
        accepted = self.desk.change(
            lambda: self._session().accept(cand.text, request, seed=cand.seed, verse_break=cand.verse_break)
        )
        if accepted is None:
            return
        self.writer.halt()
        self.refresh_bindings()
        self.candidate_list.show([])
        self.say(f"Accepted line {self.desk.number(accepted)} · e edit · g next lines")

    def action_stop(self) -> None:
        self.writer.stop.set()
        self.say("Stopping…")

    # -- actions: the draft -----------------------------------------------------------------

    def action_edit(self) -> None:
        index = self.desk.editable()
        if index is not None:
            self.line_input.edit(index, self._session().draft.lines[index].text, number=self.desk.number(index))

    def action_type(self) -> None:
        self.line_input.type_lines()

    def action_to_draft(self) -> None:
        self.line_input.stop_editing()
        self.draft_view.focus()

    def action_mark(self, part: str) -> None:
        self.desk.mark(part)

    def action_lock(self) -> None:
        self.desk.toggle_lock()

    def action_insert_chorus(self) -> None:
        self.desk.insert_chorus()

    def action_delete(self) -> None:
        self.desk.delete()

    def action_undo(self) -> None:
        self.desk.undo()

    # -- actions: the song ------------------------------------------------------------------

    def action_template(self) -> None:
        ask_template(self.app, self.desk.set_template)

    def action_export(self) -> None:
        ask_export(self.app, self.songs, self._session())

    def action_copy(self) -> None:
        copy_song(self.app, self._session())

    def action_open(self) -> None:
        self.app.push_screen(SongPicker(self.songs), self._song_chosen)

    def _song_chosen(self, name: str | None) -> None:
        if name is not None:
            self.app.switch_screen(WriteScreen(store=self.store, song_name=name, k=self.k))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:  # never the app's last screen: Esc leaves the Write screen, not the app
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc runs one of stop / to_draft / back (in that order); letter keys belong to the line input while
        it has focus."""
        typing = isinstance(self.focused, Input)
        if action == "stop":
            return self.writer.generating
        if action == "to_draft":
            return typing and not self.writer.generating
        if action == "back":
            return not typing and not self.writer.generating
        return not typing

    # -- helpers ----------------------------------------------------------------------------

    def _drop_outdated(self) -> bool:
        """Drop the candidates (and stop their job, or a fill) when the draft has changed where they were to go,
        and say so with the key for fresh ones; True when they were dropped."""
        if not self.writer.outdated(self._session()):
            return False
        self.say(self.writer.drop())
        self.refresh_bindings()  # Esc no longer stops
        self.candidate_list.show([])
        return True

    def _not_ready(self) -> None:
        failed = self.writer.failed
        self.say(f"Cannot load {self.model_name}: {failed}" if failed else f"Still loading {self.model_name}…")

    def _session(self) -> WriteSession:
        return self.desk.song()
