"""The one owner of a song being written: its draft, undo history, seeds and autosave; no torch, no textual.

The screen asks the session to change the draft and the session saves the song after every
change (an accepted, typed or edited line, a mark, a lock): writing is never lost, even when
the terminal hangs up. The song is given a folder on its first save.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from tui_lyrics.errors import LyricsError
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC, RECOMMENDED_CONTROLS, default_quote_limit
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.store import Song, SongStore
from tui_lyrics.songs.template import Slot, Template

DEFAULT_SETTINGS = SampleConfig(alternatives=0, quote_limit=QUOTE_LIMIT, **RECOMMENDED_CONTROLS)
"""What the Write screen samples with: the same defaults as ``lyrics-tui write`` (the quote limit is fitted to the
model's script once it is loaded: ``WriteSession.fit_to``)."""
UNDO_DEPTH = 100


@dataclass(frozen=True)
class Request:
    """What a set of candidates is for: the next line (``target`` None) or a rewrite of line ``target``."""

    prefix: str
    slot: Slot | None
    target: int | None
    seed: int
    line: str | None = None
    """The text of line ``target`` when asked (a rewrite is for that line, not whatever has moved to its place)."""


class WriteSession:
    """A song being written with ``model``; ``store`` keeps it."""

    def __init__(self, store: SongStore, model: str, *, song: Song | None = None) -> None:
        self.store = store
        self.model = song.model if song is not None else model
        self.draft = song.draft if song is not None else Draft()
        self.settings = song.settings if song is not None else DEFAULT_SETTINGS
        self.seeds: list[int] = list(song.seeds) if song is not None else []
        self.name: str | None = song.name if song is not None else None
        self.created = song.created if song is not None else ""
        self.history: list[Draft] = []
        self.saved_error: str | None = None

    @classmethod
    def open(cls, store: SongStore, name: str) -> WriteSession:
        song = store.load(name)
        return cls(store, song.model, song=song)

    # -- changes ----------------------------------------------------------------------------

    def change(self, draft: Draft) -> None:
        """Make ``draft`` the song (keeping the old one for undo) and save."""
        if draft == self.draft:
            return
        self.history = [*self.history[-UNDO_DEPTH + 1 :], self.draft]
        self.draft = draft
        self.save()

    def undo(self) -> bool:
        if not self.history:
            return False
        self.draft = self.history.pop()
        self.save()
        return True

    def accept(self, text: str, request: Request, *, seed: int, verse_break: bool = False) -> int:
        """Put a chosen candidate in the draft; returns the index of the line it became."""
        if request.target is not None:
            self.change(self.draft.rewrite(request.target, text, seed=seed))
            return request.target
        new_verse = verse_break or (request.slot is not None and request.slot.verse_break)
        return self.add_model_line(text, seed=seed, verse_break=new_verse)

    def add_model_line(self, text: str, *, seed: int | None, verse_break: bool = False) -> int:
        """A line the model wrote, after the last one (``verse_break``: a new verse first); returns its index."""
        draft = self.draft.append("") if verse_break else self.draft
        self.change(draft.append(text, author="model", seed=seed))
        return len(self.draft) - 1

    def fit_to(self, chars: Iterable[str]) -> None:
        """Give the settings the quote limit of the model whose vocabulary is ``chars`` (as ``generate`` and
        Compose do: 8 characters for Chinese, 16 for alphabetic text), unless the song chose another one."""
        if self.settings.quote_limit in (QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC):
            self.settings = self.settings.replace(quote_limit=default_quote_limit(chars))

    def set_template(self, template: Template | None) -> None:
        self.change(self.draft.with_template(template))

    def enter(self, text: str, *, editing: int | None = None) -> int:
        """A typed line: appended (empty: a verse break), or the new text of line ``editing``; returns its index.

        Raises ``LyricsError`` for an empty edit (that would be a verse break) or a locked line.
        """
        text = text.strip()
        if editing is None:
            self.change(self.draft.append(text, author="user"))
            return len(self.draft) - 1
        if not text:
            raise LyricsError("an empty line would be a verse break: Esc, then x deletes the line")
        self.change(self.draft.edit(editing, text))
        return editing

    def toggle_mark(self, index: int, part: str) -> bool:
        """Mark line ``index`` as ``part`` (chorus, verse, bridge), or unmark it if it was; True when now marked."""
        marked = self.draft.lines[index].part != part
        self.change(self.draft.mark(index, index, part if marked else None))
        return marked

    def toggle_lock(self, index: int) -> None:
        self.change(self.draft.lock(index, not self.draft.lines[index].locked))

    def insert_chorus(self) -> int:
        """Put the chorus back after the last line; returns the index of its last line (``LyricsError``: none)."""
        self.change(self.draft.insert_chorus())
        return len(self.draft) - 1

    def delete(self, index: int) -> int:
        """Delete line ``index``; returns the line to highlight next (``LyricsError``: a locked line)."""
        self.change(self.draft.delete(index))
        return max(0, index - 1)

    # -- candidates -------------------------------------------------------------------------

    def request(self, target: int | None = None, *, seed: int | None = None) -> Request:
        """What to ask the engine for: the next line, or line ``target`` rewritten from what comes before it."""
        if target is None:
            return Request(*self.spot(None), None, self.new_seed(seed))
        line = self.draft.lines[target].text
        self.draft.rewrite(target, line)  # a locked line refuses here, before sampling
        return Request(*self.spot(target), target, self.new_seed(seed), line)

    def fits(self, request: Request) -> bool:
        """Whether ``request``'s candidates still go where they were asked for: the draft before that spot, its
        template slot and the line to rewrite are what they were. A line typed, edited, deleted or undone there
        changes that (the candidates would be for another place); a mark or a lock does not."""
        target = request.target
        if target is not None and not (target < len(self.draft) and self.draft.lines[target].text == request.line):
            return False
        return self.spot(target) == (request.prefix, request.slot)

    def spot(self, target: int | None = None) -> tuple[str, Slot | None]:
        """The text the model continues and the slot it writes to: for the next line, or for line ``target``."""
        if target is not None:
            return self.draft.prefix_before(target), self.draft.slot_of(target)
        slot = self.draft.next_slot()
        return self.draft.text + ("\n" if slot is not None and slot.verse_break and self.draft.lines else ""), slot

    def new_seed(self, seed: int | None = None) -> int:
        """A seed for the next request (``seed``, or a fresh random one), kept with the song."""
        seed = seed if seed is not None else random.SystemRandom().randrange(2**31 - 1000)
        self.seeds.append(seed)
        return seed

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> Song | None:
        """Write the song (a new one gets a name on its first save); an error is kept for the screen to show."""
        if self.name is None:
            if not self.draft.lines:
                return None
            self.name = self.store.unique_name(f"{self.model}-song")
        song = Song(self.name, self.model, self.draft, self.settings, tuple(self.seeds), self.created)
        try:
            saved = self.store.save(song)
        except Exception as error:  # a full disk must not lose the screen: say it, keep the draft
            self.saved_error = str(error)
            return None
        self.saved_error = None
        self.created = saved.created
        return saved
