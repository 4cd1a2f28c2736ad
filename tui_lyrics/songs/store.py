"""The song library on disk: one folder per song under ``<home>/songs``; no torch.

A song folder holds ``song.json`` (what the app reads back: the model it is written with,
the sampling settings, the seeds used, the template, and every line with who wrote it, its
part and its lock) and ``song.txt`` (the plain text of the song, to read, copy or export).
``song.json`` is read once into frozen dataclasses (``Song``, ``Draft``, ``Template``); an
unknown key or a wrong type is refused with the field named, so a stale or hand-broken file
fails loudly instead of half-loading. Writes are atomic (temp file, fsync, rename): an
autosave interrupted by a crash or a hang-up leaves the previous version whole.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_lyrics.errors import ConfigError, LyricsError, StoreError
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.songs.draft import Draft, DraftError, Line
from tui_lyrics.songs.template import Slot, Template
from tui_lyrics.store import validate_name

SONG_JSON = "song.json"
SONG_TEXT = "song.txt"
SONG_FORMAT = "lyrics-tui/song"
SONG_VERSION = 1


class SongError(LyricsError):
    """A song cannot be read, written or found."""


def songs_dir(home: Path) -> Path:
    """The folder holding one sub-folder per song."""
    return home / "songs"


@dataclass(frozen=True)
class Song:
    """A song as kept in the library."""

    name: str
    model: str
    """The model the song is written with."""
    draft: Draft = field(default_factory=Draft)
    settings: SampleConfig = field(default_factory=SampleConfig)
    """How the model samples its lines (temperature, top-k, controls)."""
    seeds: tuple[int, ...] = ()
    """Every seed the model drew lines with, in order (each line also keeps its own)."""
    created: str = ""
    updated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SONG_FORMAT,
            "format_version": SONG_VERSION,
            "name": self.name,
            "model": self.model,
            "created": self.created,
            "updated": self.updated,
            "settings": self.settings.to_dict(),
            "seeds": list(self.seeds),
            "template": None if self.draft.template is None else self.draft.template.to_dict(),
            "lines": [dataclasses.asdict(line) for line in self.draft.lines],
        }


@dataclass(frozen=True)
class SongInfo:
    """One row of the song list; a song that cannot be read is still listed, with why."""

    name: str
    path: Path
    model: str = ""
    lines: int = 0
    updated: str = ""
    error: str | None = None


def validate_song_name(name: str) -> str:
    """A song name follows the rules of a model name (one plain folder name)."""
    try:
        return validate_name(name, what="song")
    except StoreError as error:
        raise SongError(str(error)) from None


class SongStore:
    """The songs under ``home``."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.root = songs_dir(home)

    def path(self, name: str) -> Path:
        return self.root / validate_song_name(name)

    def exists(self, name: str) -> bool:
        return (self.path(name) / SONG_JSON).is_file()

    def list(self) -> list[SongInfo]:
        rows: list[SongInfo] = []
        if not self.root.is_dir():
            return rows
        for entry in sorted(self.root.iterdir()):
            if not entry.is_dir() or entry.name.startswith(".") or not (entry / SONG_JSON).is_file():
                continue
            try:
                song = self.load(entry.name)
            except LyricsError as error:
                rows.append(SongInfo(name=entry.name, path=entry, error=str(error)))
                continue
            rows.append(SongInfo(entry.name, entry, song.model, song.draft.lyric_count, song.updated))
        return rows

    def load(self, name: str) -> Song:
        from tui_lyrics.durable import read_json

        path = self.path(name) / SONG_JSON
        if not path.is_file():
            raise SongError(f"no song named {name!r} in {self.root}")
        try:
            data = read_json(path)
        except LyricsError as error:
            raise SongError(str(error)) from error
        return song_from_dict(data, where=str(path))

    def save(self, song: Song) -> Song:
        """Write the song (creating its folder); returns it with its times set."""
        from tui_lyrics.durable import atomic_write_bytes, atomic_write_json

        folder = self.path(song.name)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        song = dataclasses.replace(song, created=song.created or now, updated=now)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_json(folder / SONG_JSON, song.to_dict())
            atomic_write_bytes(folder / SONG_TEXT, song.draft.text.encode("utf-8"))
        except (OSError, LyricsError) as error:
            raise SongError(f"could not save the song {song.name!r}: {error}") from error
        return song

    def unique_name(self, base: str) -> str:
        base = validate_song_name(base)
        name, n = base, 2
        while self.path(name).exists():
            name, n = f"{base}-{n}", n + 1
        return name

    def delete(self, name: str) -> None:
        folder = self.path(name)
        if not folder.is_dir():
            raise SongError(f"no song named {name!r} in {self.root}")
        trash = folder.with_name(f".deleting-{folder.name}-{os.getpid()}")
        os.rename(folder, trash)  # a half-deleted folder never looks like a song
        shutil.rmtree(trash, ignore_errors=True)

    def export_text(self, name: str, dest: Path) -> Path:
        """Copy the song's plain text to ``dest`` (a file, or a folder to put ``<name>.txt`` in)."""
        from tui_lyrics.durable import atomic_write_bytes

        song = self.load(name)
        target = dest / f"{song.name}.txt" if dest.is_dir() else dest
        try:
            atomic_write_bytes(target, song.draft.text.encode("utf-8"))
        except LyricsError as error:
            raise SongError(str(error)) from error
        return target


# -- strict reading ---------------------------------------------------------------------------

_TOP = {"format", "format_version", "name", "model", "created", "updated", "settings", "seeds", "template", "lines"}


def song_from_dict(data: Any, *, where: str = "song.json") -> Song:
    """Read a song's JSON into a ``Song``; any unknown key or wrong type is a ``SongError`` naming it."""
    obj = _object(data, where, required=_TOP)
    if obj["format"] != SONG_FORMAT:
        raise SongError(f"{where} is not a lyrics-tui song (format {obj['format']!r})")
    version = obj["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version > SONG_VERSION:
        raise SongError(f"{where} has song format {version!r}; this lyrics-tui reads up to {SONG_VERSION}")
    for key in ("name", "model", "created", "updated"):
        _typed(obj[key], str, f"{where}: {key}")
    settings_data = _object(obj["settings"], f"{where}: settings")
    try:
        settings = SampleConfig.from_dict(settings_data)
    except ConfigError as error:
        raise SongError(f"{where}: settings: {error}") from error
    seeds = tuple(_typed(s, int, f"{where}: seeds[{i}]") for i, s in enumerate(_typed(obj["seeds"], list, where)))
    template = None if obj["template"] is None else _template(obj["template"], f"{where}: template")
    lines = tuple(_line(x, f"{where}: lines[{i}]") for i, x in enumerate(_typed(obj["lines"], list, f"{where}: lines")))
    try:
        draft = Draft(lines=lines, template=template)
        return Song(obj["name"], obj["model"], draft, settings, seeds, obj["created"], obj["updated"])
    except LyricsError as error:
        raise SongError(f"{where}: {error}") from error


def _object(
    data: Any, where: str, *, required: set[str] | None = None, optional: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SongError(f"{where} must be a JSON object, not {type(data).__name__}")
    if required is None:
        return data
    unknown = sorted(set(data) - required - optional)
    if unknown:
        raise SongError(f"{where} has unknown key(s): {', '.join(unknown)}")
    missing = sorted(required - set(data))
    if missing:
        raise SongError(f"{where} is missing key(s): {', '.join(missing)}")
    return data


def _typed(value: Any, kind: type, where: str, *, optional: bool = False) -> Any:
    if optional and value is None:
        return None
    bad_bool = isinstance(value, bool) and kind is not bool
    if not isinstance(value, kind) or bad_bool:
        wanted = kind.__name__ + (" or null" if optional else "")
        raise SongError(f"{where} must be {wanted}, not {type(value).__name__}")
    return value


def _template(data: Any, where: str) -> Template:
    obj = _object(data, where, required={"source", "slots"})
    slots = []
    for i, raw in enumerate(_typed(obj["slots"], list, f"{where}: slots")):
        at = f"{where}: slots[{i}]"
        s = _object(raw, at, required={"chars", "rhyme", "verse_break"})
        chars = _typed(s["chars"], int, f"{at}: chars")
        if chars < 1:
            raise SongError(f"{at}: chars must be at least 1, not {chars}")
        slots.append(
            Slot(
                chars,
                _typed(s["rhyme"], str, f"{at}: rhyme", optional=True),
                _typed(s["verse_break"], bool, f"{at}: verse_break"),
            )
        )
    return Template(slots=tuple(slots), source=_typed(obj["source"], str, f"{where}: source"))


def _line(data: Any, where: str) -> Line:
    obj = _object(data, where, required={"text"}, optional={"author", "part", "locked", "seed"})
    try:
        return _typed_line(obj, where)
    except DraftError as error:
        raise SongError(f"{where}: {error}") from error


def _typed_line(obj: dict[str, Any], where: str) -> Line:
    return Line(
        text=_typed(obj["text"], str, f"{where}: text"),
        author=_typed(obj.get("author", "user"), str, f"{where}: author"),
        part=_typed(obj.get("part"), str, f"{where}: part", optional=True),
        locked=_typed(obj.get("locked", False), bool, f"{where}: locked"),
        seed=_typed(obj.get("seed"), int, f"{where}: seed", optional=True),
    )
