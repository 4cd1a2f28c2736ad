"""WriteScreen: write a song line by line with the model, choosing among candidate next lines.

The screen composes the draft view, the candidate list and a line input, forwards keys to
the ``WriteSession`` (the plain owner of the song: draft, undo, autosave) and runs the
engine in thread workers (``jobs``) that report by message. Keys, with the draft focused:
``g`` candidates for the next line, ``1``–``9`` accept one, ``m`` more, ``r`` rewrite the
highlighted line, ``e`` edit it, ``c``/``v``/``b`` mark it chorus/verse/bridge, ``l`` lock
it, ``h`` insert the chorus, ``x`` delete, ``u`` undo, ``t`` template, ``o`` open a song,
``f`` write the rest to the template, ``s`` export, ``y`` copy, ``i`` type a line. Esc has one
rule, named in the footer: it stops a running request, else leaves the line input for the draft, else
leaves the screen. A new song gets the line input once the model is ready, so keys pressed while the
screen opens are the draft's keys, never a typed line. A ``Writer`` owns the engine requests; the
screen shows what it and the session hold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.store import SongStore
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.write.jobs import CandidateFound, CandidatesFinished, LineWritten, WriterFailed, WriterLoaded
from tui_lyrics.ui.write.session import WriteSession
from tui_lyrics.ui.write.widgets import CandidateList, DraftView, SongPicker, SongTitle
from tui_lyrics.ui.write.writer import Writer

K = 5
TYPING = "Type a line + Enter (empty: a verse break) · Esc: to the draft (g candidates…)"


class WriteScreen(Screen):
    """A song, line by line, with the model's candidates."""

    CSS_PATH = "write.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # One key, three actions; check_action lets exactly one run, and the footer shows that one, first.
        # At 80 columns the footer shows esc, g, r, e, c, t and f; the rest are in the docstring above.
        Binding("escape", "stop", "Stop"),
        Binding("escape", "to_draft", "To draft"),
        Binding("escape", "back", "Back"),
        Binding("g", "candidates", "Next"),
        Binding("m", "more", "More", show=False),  # the candidates' status line names it
        Binding("r", "rewrite", "Rewrite"),
        Binding("e", "edit", "Edit"),
        Binding("i", "type", "Type", show=False),
        Binding("c", "mark('chorus')", "Chorus"),
        Binding("v", "mark('verse')", "Verse", show=False),
        Binding("b", "mark('bridge')", "Bridge", show=False),
        Binding("l", "lock", "Lock", show=False),
        Binding("h", "insert_chorus", "Insert chorus", show=False),  # marking a chorus names it
        Binding("x", "delete", "Delete", show=False),
        Binding("u", "undo", "Undo", show=False),
        Binding("t", "template", "Template"),
        Binding("f", "fill", "Fill"),
        Binding("o", "open", "Open", show=False),
        Binding("s", "export", "Export", show=False),
        Binding("y", "copy", "Copy", show=False),
        *(Binding(str(n), f"accept({n})", f"Accept {n}", show=False) for n in range(1, 10)),
    ]

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
        self.session: WriteSession | None = None
        self.writer = Writer(self._run, self.post_message, k=k, seed=seed)
        self.editing: int | None = None

    def compose(self) -> ComposeResult:
        yield SongTitle(id="write-title")
        yield DraftView(id="draft")
        yield Static("", id="write-status")
        yield CandidateList(id="candidates")
        yield Input(placeholder=TYPING, id="line", select_on_focus=False)  # edit keeps the line, cursor at its end
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#candidates", CandidateList).can_focus = False
        try:
            if self.song_name is not None:
                self.session = WriteSession.open(self.songs, self.song_name)
            else:
                self.session = WriteSession(self.songs, self.model_name)
        except LyricsError as error:
            self.notify(str(error), severity="error")
            self.session = WriteSession(self.songs, self.model_name)
        self.model_name = self.session.model
        self._refresh()
        self._say(f"Loading {self.model_name}…")
        # The draft first: keys pressed while the screen opens are its keys (g says "still loading"), not a line.
        self.query_one("#draft", DraftView).focus()
        store, name = self.store, self.model_name
        from tui_lyrics.ui.write.jobs import load_job

        self.run_worker(lambda: load_job(store, name, self.post_message), thread=True, group="write-load")

    def on_unmount(self) -> None:
        self.writer.halt()

    def _run(self, body: Callable[[], None]) -> None:
        self.run_worker(body, thread=True, group="write-candidates")

    @property
    def lm(self) -> Any:
        return self.writer.lm

    @property
    def generating(self) -> bool:
        return self.writer.generating

    @property
    def candidates(self) -> list[Any]:
        return self.writer.candidates

    # -- messages ---------------------------------------------------------------------------

    def on_writer_loaded(self, message: WriterLoaded) -> None:
        self.writer.lm, self.writer.index = message.model, message.index
        hint = "g: candidates for the next line · i: type one"
        draft_view = self.query_one("#draft", DraftView)
        if not self._session().draft.lines and self.app.screen is self and self.focused is draft_view:
            self.query_one("#line", Input).focus()  # a new song starts with typing its first line
            hint = "Type a first line, or Esc then g"
        self._say(f"{message.name} ready ({message.seconds:.1f} s). {hint}.")

    def on_writer_failed(self, message: WriterFailed) -> None:
        self.writer.failed = message.error
        self._say(f"Cannot load {message.name}: {message.error}")
        self.notify(message.error, severity="error")

    def on_candidate_found(self, message: CandidateFound) -> None:
        if self.writer.found(message):  # a late one from an abandoned request is dropped
            self.query_one("#candidates", CandidateList).show(self.writer.candidates)

    def on_candidates_finished(self, message: CandidatesFinished) -> None:
        if not self.writer.finished(message):
            return
        self.refresh_bindings()  # Esc no longer stops
        if message.error:
            self._say(f"Stopped: {message.error}")
            return
        request, n = self.writer.request, len(self.writer.candidates)
        if request is None:
            self._say(f"{message.count} lines written to the template in {message.seconds:.1f} s")
            return
        what = "for the next line" if request.target is None else f"for line {request.target + 1}"
        self._say(f"{n} candidates {what} in {message.seconds:.2f} s · 1–{n} accept · m more · g new")

    def on_line_written(self, message: LineWritten) -> None:
        if not self.writer.current(message):
            return
        session, written = self._session(), message.line
        draft = session.draft.append("") if written.slot.verse_break else session.draft
        session.change(draft.append(written.text, author="model", seed=written.candidate.seed))
        self._changed(len(session.draft) - 1)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        session = self._session()
        text = event.value.strip()
        try:
            if self.editing is not None:
                if not text:
                    raise LyricsError("an empty line would be a verse break: Esc, then x deletes the line")
                session.change(session.draft.edit(self.editing, text))
                highlight = self.editing
            else:
                session.change(session.draft.append(text, author="user"))
                highlight = len(session.draft) - 1
        except LyricsError as error:
            self.notify(str(error), severity="error")
            return
        was_editing, self.editing = self.editing is not None, None
        event.input.value = ""
        event.input.placeholder = TYPING
        self._changed(highlight)
        if was_editing:  # an edit is one line; typing goes on line after line until Esc
            self.query_one("#draft", DraftView).focus()

    # -- actions ----------------------------------------------------------------------------

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
            self._say("Nine candidates shown: accept one, or press g for a new set")
            return
        self.query_one("#candidates", CandidateList).show(self.writer.candidates)
        self._say("Writing candidates… · Esc stops")
        self.refresh_bindings()

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
            self.query_one("#candidates", CandidateList).show([])
            self._say("Writing the song to the template… · Esc stops")
            self.refresh_bindings()

    def action_export(self) -> None:
        from tui_lyrics.ui.widgets.dialogs import PromptDialog

        session = self._session()
        if session.save() is None:
            self.notify("Nothing to export yet", severity="warning")
            return
        self.app.push_screen(
            PromptDialog("Export the song as text to:", value=f"{session.name}.txt", ok="Export"), self._export
        )

    def _export(self, path: str | None) -> None:
        session = self._session()
        if not path or session.name is None:
            return
        try:
            out = self.songs.export_text(session.name, Path(path.strip()).expanduser())
        except LyricsError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Exported to {out}")

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self._session().draft.text)
        self.notify("The song is on the clipboard")

    def action_more(self) -> None:
        request = self.writer.request
        self.action_candidates(None if request is None else request.target, more=True)

    def action_rewrite(self) -> None:
        index = self._highlighted()
        if index is None or self._session().draft.lines[index].is_break:
            self.notify("Highlight a line to rewrite", severity="warning")
            return
        self.action_candidates(index)

    def action_accept(self, number: int) -> None:
        request, shown = self.writer.request, self.writer.candidates
        if not 1 <= number <= len(shown) or request is None:
            return
        cand = shown[number - 1]
        try:
            line = self._session().accept(cand.text, request, seed=cand.seed, verse_break=cand.verse_break)
        except LyricsError as error:
            self.notify(str(error), severity="error")
            return
        self.writer.halt()
        self.refresh_bindings()
        self.query_one("#candidates", CandidateList).show([])
        self._changed(line)
        self._say(f"Accepted line {line + 1} · e edit · g next lines")

    def action_edit(self) -> None:
        index = self._highlighted()
        if index is None:
            return
        line = self._session().draft.lines[index]
        if line.locked:
            self.notify(f"Line {index + 1} is locked: press l to unlock it", severity="warning")
            return
        self.editing = index
        field = self.query_one("#line", Input)
        field.value = line.text
        field.cursor_position = len(line.text)
        field.placeholder = f"Editing line {index + 1}: Enter keeps the change"
        field.focus()

    def action_type(self) -> None:
        self.editing = None
        self.query_one("#line", Input).focus()

    def action_mark(self, part: str) -> None:
        index = self._highlighted()
        if index is None:
            return
        draft = self._session().draft
        current = draft.lines[index].part
        self._apply(draft.mark(index, index, None if current == part else part), index)
        if current != part and part == "chorus":
            self._say(f"Line {index + 1} is chorus · h inserts the chorus after the last line")
        if index + 1 < len(draft):
            self.query_one("#draft", DraftView).highlighted = index + 1

    def action_lock(self) -> None:
        index = self._highlighted()
        if index is not None:
            draft = self._session().draft
            self._apply(draft.lock(index, not draft.lines[index].locked), index)

    def action_insert_chorus(self) -> None:
        try:
            draft = self._session().draft.insert_chorus()
        except LyricsError as error:
            self.notify(str(error), severity="warning")
            return
        self._apply(draft, len(draft) - 1)
        self._say("Chorus inserted · g: the model continues after it")

    def action_delete(self) -> None:
        index = self._highlighted()
        if index is not None:
            try:
                self._apply(self._session().draft.delete(index), max(0, index - 1))
            except LyricsError as error:
                self.notify(str(error), severity="warning")

    def action_undo(self) -> None:
        if self._session().undo():
            self._changed(None)

    def action_template(self) -> None:
        from tui_lyrics.ui.widgets.dialogs import PromptDialog

        self.app.push_screen(
            PromptDialog(
                "A reference song (.txt or .lrc) to write to; from a file of several, FILE#2 or FILE#verses 1-4 "
                "(empty: no template):",
                ok="Use",
            ),
            self._template_chosen,
        )

    def _template_chosen(self, path: str | None) -> None:
        if path is None:
            return
        from tui_lyrics.songs.template import read_template

        raw, song = path.strip(), ""
        if "#" in raw and not Path(raw).expanduser().exists():  # FILE#2, FILE#verses 1-4: one song of several
            raw, _, song = raw.rpartition("#")
        try:
            template = read_template(raw.strip(), song=song.strip() or None) if raw.strip() else None
        except LyricsError as error:
            self.notify(str(error), severity="error")
            return
        self._session().set_template(template)
        self._changed(None)
        shown = "no template" if template is None else f"{len(template)} lines from {template.source}"
        self._say(f"Template: {shown}")

    def action_open(self) -> None:
        self.app.push_screen(SongPicker(self.songs), self._song_chosen)

    def _song_chosen(self, name: str | None) -> None:
        if name is not None:
            self.app.switch_screen(WriteScreen(store=self.store, song_name=name, k=self.k))

    def action_stop(self) -> None:
        self.writer.stop.set()
        self._say("Stopping…")

    def action_to_draft(self) -> None:
        self.editing = None
        field = self.query_one("#line", Input)
        field.placeholder = TYPING
        self.query_one("#draft", DraftView).focus()

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

    def draft_lines(self) -> list[str]:
        """The song's lyric lines as shown (for tests and the status line)."""
        return [line.text for line in self._session().draft.lines if not line.is_break]

    def _not_ready(self) -> None:
        failed = self.writer.failed
        self._say(f"Cannot load {self.model_name}: {failed}" if failed else f"Still loading {self.model_name}…")

    def _session(self) -> WriteSession:
        assert self.session is not None
        return self.session

    def _highlighted(self) -> int | None:
        view = self.query_one("#draft", DraftView)
        return view.highlighted if self._session().draft.lines else None

    def _apply(self, draft: Any, highlight: int | None) -> None:
        self._session().change(draft)
        self._changed(highlight)

    def _changed(self, highlight: int | None) -> None:
        session = self._session()
        if session.saved_error:
            self.notify(f"Not saved: {session.saved_error}", severity="error")
        self.query_one("#draft", DraftView).show(session.draft, highlight=highlight)
        self._refresh_title()

    def _refresh(self) -> None:
        self.query_one("#draft", DraftView).show(self._session().draft)
        self._refresh_title()

    def _refresh_title(self) -> None:
        self.query_one("#write-title", SongTitle).show(self._session())

    def _say(self, text: str) -> None:
        self.query_one("#write-status", Static).update(escape(text))
