"""What the Library screen's reader thread, models table and song list report: small facts in the past tense."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from tui_lyrics.store import ModelInfo
from tui_lyrics.ui.messages import fact

if TYPE_CHECKING:  # the song store is imported by the reading thread, not before the first frame
    from tui_lyrics.songs.store import SongInfo


@fact
class ModelsListed(Message, bubble=False):
    """The library was read from disk (in a thread)."""

    rows: tuple[ModelInfo, ...]
    experiments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Each experiment's id and the names of its models (shown grouped under it)."""
    songs: tuple[SongInfo, ...] = ()
    """The songs written in the Write screen (``songs/store.py``), by name."""


@fact
class SongDeleted(Message):
    """The song list deleted a song (the library reads itself again)."""

    name: str


@fact
class ModelEdited(Message):
    """The models table renamed or deleted a model, or deleted an experiment (the library reads itself again)."""

    name: str
    """The model's name (its new one after a rename), or the experiment's id."""
