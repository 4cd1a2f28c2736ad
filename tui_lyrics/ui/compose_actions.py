"""The key actions of the composing screen (a mixin), and the texts it shows about takes.

``ComposeScreen`` owns the widgets and the worker messages; what each key does lives here so
the screen module stays one job: generate, regenerate, branch, move between takes, save,
copy and change the settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import Input

from tui_lyrics.config import QUOTE_LIMIT, SampleConfig, default_quote_limit
from tui_lyrics.errors import LyricsError
from tui_lyrics.ui.compose_takes import (
    DONE,
    FAILED,
    GENERATING,
    STOPPED,
    Take,
    default_filename,
    resolve_path,
    save_takes,
)
from tui_lyrics.ui.widgets.compose_alternatives import AlternativesPanel
from tui_lyrics.ui.widgets.compose_controls import Seed, nudge, toggle_quote_limit, toggle_repetition
from tui_lyrics.ui.widgets.compose_dialogs import ModelPicker, TextPrompt
from tui_lyrics.ui.widgets.compose_view import TakeView
from tui_lyrics.vocab import UNK, CharVocab

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui_lyrics.store import ModelStore
    from tui_lyrics.ui.compose_takes import TakeSession

    _Base = Screen[None]
else:
    _Base = object

"""A second q within this many seconds leaves even with unsaved takes."""
CLIPBOARD_NOTE = (
    "It went by OSC 52: the terminal puts it on your clipboard, over SSH too, if it allows that "
    "(iTerm2, kitty, WezTerm, Windows Terminal, foot do; macOS Terminal does not; tmux needs "
    "`set -g set-clipboard on`). Nothing arrived? Press w to save the take to a file instead."
)


def unknown_note(vocab: CharVocab, prefix: str) -> str:
    """Which prefix characters the model has no id for, and why; empty when there are none."""
    unknown = vocab.unknown(prefix)
    if not unknown:
        return ""
    unseen = " ".join(c for c in unknown if c not in vocab.rare)
    rare = " ".join(f"{c} ({vocab.rare[c]}×)" for c in unknown if c in vocab.rare)
    rare_label = "Rare there" if unseen else "Rare in the training text"
    reasons = ". ".join(
        p for p in (unseen and f"Not in the training text: {unseen}", rare and f"{rare_label}: {rare}") if p
    )
    them = "it" if len(unknown) == 1 else "them"
    return f"⚠ {reasons}. The model reads {them} as {UNK}; generation still works."


def take_settings(settings: SampleConfig, seed: int) -> SampleConfig:
    """What a take records: the controls' settings, its seed, and room for the line shape asked for.

    As ``generate`` does, a shape (lines × longest line) longer than the length raises the
    length, so the take stops at its last line rather than part way through.
    """
    shape = settings.shape_chars
    if shape is not None and shape > settings.length:
        settings = settings.replace(length=shape)
    return settings.replace(seed=seed)


def status_line(take: Take | None, timing: list[float | None] | None) -> str:
    """One line about a take: number, seed, progress or outcome, and speed."""
    if take is None:
        return ""
    head = f"Take {take.number} · seed {take.seed} · {len(take.generated)} chars"
    start, first, end = timing if timing is not None else (None, None, None)
    speed = ""
    if start is not None and first is not None:
        speed = f" · first char {(first - start) * 1000:.0f} ms"
        if end is not None and end > first and len(take.chars) > 1:
            speed += f" · {(len(take.chars) - 1) / (end - first):.0f} chars/s"
    if take.state == GENERATING:
        return f"{head} · generating… Esc stops{speed}"
    if take.state == STOPPED:
        return f"{head} · stopped{speed}"
    if take.state == FAILED:
        return f"{head} · failed: {take.error}"
    assert take.state == DONE
    return f"{head} · done{speed}"


class ComposeActions(_Base):
    """What the composing screen's keys do."""

    if TYPE_CHECKING:  # provided by ComposeScreen
        store: ModelStore
        model_name: str | None
        lm: Any
        session: TakeSession
        settings: SampleConfig
        vocab: CharVocab | None
        seed: Seed
        choosing: bool
        generating: int | None

        def start_take(self, take: Take) -> None: ...
        def stop_generating(self) -> None: ...
        def show_current(self) -> None: ...
        def use_model(self, name: str) -> None: ...
        def _leave_choosing(self) -> None: ...
        def _show_controls(self) -> None: ...
        def remember_settings(self) -> None: ...

    def _settings_with_seed(self, seed: int | None) -> SampleConfig:
        """The controls' settings with ``seed``, or a fresh one recorded for replay."""
        # Only reached with a model loaded, so the engine (and torch) is already imported.
        from tui_lyrics.core.sample import resolve_seed

        return take_settings(self.settings, resolve_seed(seed))

    def _ready(self) -> bool:
        if self.lm is None:
            self.notify("The model is still loading (or none is chosen: press m).", severity="warning")
        return self.lm is not None

    def action_generate(self) -> None:
        """A new take from the first line typed, with the seed setting."""
        if self._ready() and self.model_name is not None:
            prefix = self.query_one("#prefix", Input).value
            settings = self._settings_with_seed(self.seed.fixed)
            self.start_take(Take(self.session.next_number(), self.model_name, prefix, settings))

    def action_regenerate(self) -> None:
        """The current take again with its own seed and the controls' settings."""
        take = self.session.current
        if take is not None and self._ready():
            self.start_take(take.again(number=self.session.next_number(), settings=self._settings_with_seed(take.seed)))

    def action_new_seed(self) -> None:
        """The current take's prompt again with a fresh seed."""
        take = self.session.current
        if take is not None and self._ready():
            self.start_take(take.again(number=self.session.next_number(), settings=self._settings_with_seed(None)))

    def action_stop(self) -> None:
        self.stop_generating()

    def action_move_take(self, step: int) -> None:
        self.session.move(step)
        self._leave_choosing()
        self.show_current()

    def action_delete_take(self) -> None:
        take = self.session.current
        if take is None:
            return
        if self.generating == take.number:
            self.stop_generating()
        self.session.delete_current()
        self._leave_choosing()
        self.show_current()
        self.notify(f"Deleted take {take.number}.")

    def action_alternatives(self) -> None:
        """Enter (or leave) alternatives mode: a cursor on the take, its candidates beside it."""
        take = self.session.current
        if self.choosing or take is None or not take.generated:
            self._leave_choosing()
            return
        self.choosing = True
        panel = self.query_one(AlternativesPanel)
        panel.display = True
        view = self.query_one(TakeView)
        view.cursor = max(0, len(take.kept) - 1)
        view.focus()
        self.refresh_bindings()

    def action_leave_alternatives(self) -> None:
        self._leave_choosing()

    def action_choose(self, number: int) -> None:
        """Put candidate ``number`` at the cursor, drop the rest and continue from there."""
        take, index = self.session.current, self.query_one(TakeView).cursor
        if take is None or index is None or not self._ready():
            return
        if number > len(take.generated[index].alternatives):
            self.app.bell()
            return
        settings = self._settings_with_seed(self.seed.fixed)
        self.start_take(take.branch(index, number - 1, number=self.session.next_number(), settings=settings))

    def action_colour(self) -> None:
        view = self.query_one(TakeView)
        view.colour = not view.colour

    def action_edit_prefix(self) -> None:
        self._leave_choosing()
        self.query_one("#prefix", Input).focus()

    def action_pick_model(self) -> None:
        def picked(name: str | None) -> None:
            if name:
                self.use_model(name)

        self.app.push_screen(ModelPicker(self.store.list()), picked)

    def action_nudge(self, name: str, step: int) -> None:
        self.settings = nudge(self.settings, name, step)
        self._show_controls()

    def action_toggle_repetition(self) -> None:
        """Repetition controls off, or back on at the values `generate` uses."""
        self.settings = toggle_repetition(self.settings)
        self._show_controls()

    def action_toggle_quote_limit(self) -> None:
        """The quote limit off, or back on at the default: no stretch of the corpus longer than it."""
        default = default_quote_limit(self.vocab.chars) if self.vocab is not None else QUOTE_LIMIT
        self.settings = toggle_quote_limit(self.settings, default)
        self._show_controls()

    def action_toggle_seed(self) -> None:
        """Fix the seed (to the last one used) or let each take draw a fresh one."""
        fixed = None if self.seed.fixed is not None else (self.seed.last if self.seed.last is not None else 0)
        self.seed = Seed(fixed=fixed, last=self.seed.last)
        self._show_controls()

    def action_type_seed(self) -> None:
        def typed(answer: str | None) -> None:
            if answer is None:
                return
            answer = answer.strip().lower()
            if answer in ("", "random"):
                self.seed = Seed(fixed=None, last=self.seed.last)
            elif answer.isdigit() and int(answer) < 2**63:
                self.seed = Seed(fixed=int(answer), last=self.seed.last)
            else:
                self.notify(f"{answer!r} is not a seed: type a whole number or 'random'.", severity="error")
            self._show_controls()

        current = "random" if self.seed.fixed is None else str(self.seed.fixed)
        self.app.push_screen(TextPrompt("Seed for the next takes (a whole number, or random):", current), typed)

    def action_save_take(self) -> None:
        take = self.session.current
        if take is not None:
            self._save([take], f"Save take {take.number} to (a file or a folder, relative to {Path.cwd()}):")

    def action_save_all(self) -> None:
        takes = list(self.session.takes)
        if takes:
            self._save(takes, f"Save all takes ({len(takes)}) to (a file or a folder, relative to {Path.cwd()}):")

    def _save(self, takes: list[Take], question: str) -> None:
        name = default_filename(self.model_name or "model")

        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            try:
                path = save_takes(resolve_path(answer, default_name=name), takes)
            except LyricsError as error:
                self.notify(str(error), title="Not saved", severity="error", markup=False)
                return
            for take in takes:
                take.saved = True
            what = f"take {takes[0].number}" if len(takes) == 1 else f"{len(takes)} takes"
            self.notify(f"Saved {what} to {path}", title="Saved", markup=False)

        self.app.push_screen(TextPrompt(question, name), chosen)

    def action_back(self) -> None:
        """Leave the screen. The app keeps the takes and settings for the next visit."""
        self.stop_generating()
        self.remember_settings()
        self.app.pop_screen()

    def action_copy(self) -> None:
        """Copy the current take (prefix and text) with OSC 52, and say where that cannot work."""
        take = self.session.current
        if take is None:
            return
        self.app.copy_to_clipboard(take.prefix + take.text)
        if os.environ.get("TERM_PROGRAM") == "Apple_Terminal":
            message = "macOS Terminal ignores OSC 52, so nothing was copied: press w to save the take to a file."
            self.notify(message, title="Cannot copy here", severity="warning", markup=False)
            return
        note = f"Copied take {take.number} ({len(take.prefix + take.text)} characters). {CLIPBOARD_NOTE}"
        self.notify(note, title="Copied", markup=False, timeout=8)
