"""The model library on disk: one folder per model, listed and read without torch.

What is inside one folder (card, corpus copy, checkpoint sets, metrics, lock) is owned by
``folder.ModelFolder``; the card's type by ``card.ModelCard``; the training lock by ``lock``.
This module lists the folders (broken ones too, so they can be renamed or deleted), names,
creates, renames and deletes them; ``durable`` writes their files. Nothing is ever unpickled.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_lyrics.card import CARD_FORMAT, CARD_VERSION, ModelCard, ModelMemorisation
from tui_lyrics.durable import fsync_dir
from tui_lyrics.errors import StoreError, store_error
from tui_lyrics.folder import CARD, LOCK, METRICS, ModelFolder, read_card_file
from tui_lyrics.paths import models_dir
from tui_lyrics.quotes import quotes_of

__all__ = ["CARD", "CARD_FORMAT", "CARD_VERSION", "LOCK", "METRICS", "ModelInfo", "ModelStore"]
NEW_PREFIX = ".new-"
"""A model being made: hidden from the library until it is complete."""
_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w.\-\u4e00-\u9fff ]{0,63}$")


def validate_name(name: str, *, what: str = "model") -> str:
    """A model (or song) name is one plain folder name: no separators, no ``..``, no leading dot."""
    name = name.strip()
    if not name or not _NAME.match(name) or ".." in name:
        raise StoreError(
            f"invalid {what} name {name!r}: use letters, digits, Chinese characters, "
            "'-', '_', '.' or spaces (at most 64), not starting with '.' or '-'"
        )
    return name


@dataclass(frozen=True)
class ModelInfo:
    """One row of the library, read from a card."""

    name: str
    path: Path
    cell: str = "?"
    input: str = "?"
    params: int = 0
    corpus: str = ""
    best_loss: float | None = None
    steps: int = 0
    train_seconds: float = 0.0
    updated: str = ""
    finished: bool = False
    live: bool = False
    read_only: bool = False
    error: str | None = None
    """Why the card could not be read; the row is still listed so the user can delete it."""
    song_loss: float | None = None
    """Held-out loss with song memory at the best step (the n-grams also count the held-out text read so far)."""
    memorisation: ModelMemorisation | None = None
    """How much the best weights quote the corpus (``quotes.quotes_of``), when the end of a run measured it."""

    @property
    def best_ppl(self) -> float | None:
        from tui_lyrics.progress import perplexity

        return None if self.best_loss is None else perplexity(self.best_loss)

    @classmethod
    def from_card(cls, card: ModelCard, path: Path, **extra: Any) -> ModelInfo:
        state = card.state
        best = next((p for p in card.history if p.step == state.best_step), None)
        return cls(
            name=path.name,
            path=path,
            cell=card.model.cell,
            input=card.model.input,
            params=card.params,
            corpus=card.corpus.name,
            best_loss=state.best_loss,
            steps=state.step,
            train_seconds=state.train_seconds,
            updated=card.updated,
            finished=state.finished,
            song_loss=None if best is None else best.song_loss,
            memorisation=quotes_of(card),
            **extra,
        )


class ModelStore:
    """The models under ``home``, plus read-only ones shipped with the package."""

    def __init__(self, home: Path, *, builtin: Path | None = None) -> None:
        self.home = home
        self.root = models_dir(home)
        self.builtin = builtin
        self.lock_note = ""
        """Set by ``lock``: whose dead lock it took over, if any."""

    @classmethod
    def open(cls, home: Path) -> ModelStore:
        """The user's library with the models shipped with lyrics-tui (the demo model) added."""
        from tui_lyrics.resources import builtin_models_dir

        return cls(home, builtin=builtin_models_dir())

    def _folders(self) -> list[tuple[Path, bool]]:
        found: dict[str, tuple[Path, bool]] = {}
        for root, read_only in ((self.builtin, True), (self.root, False)):
            if root is not None and root.is_dir():
                for entry in sorted(root.iterdir()):
                    if entry.is_dir() and not entry.name.startswith("."):
                        found[entry.name] = (entry, read_only)
        return sorted(found.values(), key=lambda item: item[0].name)  # by name, wherever the root is

    def list(self) -> list[ModelInfo]:
        rows = []
        for path, read_only in self._folders():
            try:
                card = read_card_file(path / CARD)
                rows.append(ModelInfo.from_card(card, path, live=is_live(path), read_only=read_only))
            except (StoreError, KeyError, TypeError, ValueError, AttributeError) as error:
                rows.append(_from_checkpoint(path, read_only) or _broken(path, read_only, error))
        return rows

    def path(self, name: str) -> Path:
        """The folder of an existing model (the user's own shadow a built-in of the same name)."""
        name = validate_name(name)
        for root in (self.root, self.builtin):
            if root is not None and (root / name / CARD).is_file():
                return root / name
        raise StoreError(f"no model named {name!r} in {self.root}")

    def exists(self, name: str) -> bool:
        try:
            self.path(name)
        except StoreError:
            return False
        return True

    def is_read_only(self, name: str) -> bool:
        return self.builtin is not None and self.path(name).parent == self.builtin

    def folder(self, name: str) -> ModelFolder:
        path = self.path(name)
        return ModelFolder(path, read_only=path.parent != self.root)

    def card(self, name: str) -> ModelCard:
        """The typed card of the newest committed checkpoint (strict: a broken card is a StoreError)."""
        return self.folder(name).checkpoint().card

    def write_card(self, name: str, card: ModelCard) -> None:
        """Write ``card`` as the top-level card of the user's model ``name`` (its folder made already)."""
        ModelFolder(self.root / validate_name(name)).write_card(card)

    def create(self, name: str, fill: Callable[[Path], None] | None = None) -> Path:
        """Make a folder for a new model; refuses a name in use.

        With ``fill`` the folder is filled under a hidden temp name first and then renamed into
        place: a kill or an error part-way leaves no half-made model behind, its name still free.
        """
        folder = self.root / validate_name(name)
        if folder.exists() or self.exists(name):
            raise StoreError(f"a model named {name!r} already exists; pick another --name")
        if fill is not None:
            self._remove_abandoned()
        temp = self.root / f"{NEW_PREFIX}{folder.name}-{os.getpid()}" if fill else folder
        try:
            temp.mkdir(parents=True)
        except OSError as error:
            raise store_error(error, "create", folder) from error
        if fill is None:
            return folder
        try:
            fill(temp)
            if folder.exists():
                raise StoreError(f"a model named {name!r} already exists; pick another --name")
            os.rename(temp, folder)
            fsync_dir(self.root)
        except BaseException as error:
            shutil.rmtree(temp, ignore_errors=True)
            if isinstance(error, OSError):
                raise store_error(error, "create", folder) from error
            raise
        return folder

    def _remove_abandoned(self) -> None:
        """Delete models that a killed process was making (their maker's pid is gone)."""
        from tui_lyrics.lock import pid_alive

        for entry in self.root.glob(f"{NEW_PREFIX}*") if self.root.is_dir() else []:
            pid = entry.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)

    def unique_name(self, base: str) -> str:
        base = validate_name(base)
        name, n = base, 2
        while self.exists(name) or (self.root / name).exists():
            name, n = f"{base}-{n}", n + 1
        return name

    def own(self, name: str) -> Path:
        """A user's model folder that may be changed: a broken one (no card, a corrupt card) included."""
        try:
            folder = self.path(name)
        except StoreError:
            folder = self.root / validate_name(name)
            if not folder.is_dir():
                raise
        if folder.parent != self.root:
            raise StoreError(f"{name!r} is a built-in model and cannot be changed; train a copy instead")
        if is_live(folder):
            raise StoreError(f"{name!r} is being trained right now; stop it first")
        return folder

    def rename(self, old: str, new: str) -> None:
        folder = self.own(old)
        new = validate_name(new)
        if self.exists(new) or (self.root / new).exists():
            raise StoreError(f"a model named {new!r} already exists")
        try:
            card: ModelCard | None = ModelFolder(folder).read_card()
        except StoreError:
            card = None  # a broken folder is renamed as it is
        try:
            os.rename(folder, self.root / new)
        except OSError as error:
            raise store_error(error, "rename", f"{folder} to {self.root / new}") from error
        fsync_dir(self.root)
        if card is not None:
            ModelFolder(self.root / new).write_card(card.replace(name=new))

    def delete(self, name: str) -> None:
        folder = self.own(name)
        # Rename first so a half-deleted folder never looks like a model.
        trash = folder.with_name(f".deleting-{folder.name}-{os.getpid()}")
        try:
            os.rename(folder, trash)
        except OSError as error:
            raise store_error(error, "delete", folder) from error
        fsync_dir(self.root)
        shutil.rmtree(trash, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self, name: str, *, force: bool = False) -> Iterator[Path]:
        """Hold the training lock on a model so no other process trains it at once (see ``lock.py``).

        ``lock_note`` then says whose dead lock was taken over, if any; ``force`` takes over a lock
        whose holder cannot be checked from here (another machine sharing the folder).
        """
        from tui_lyrics.lock import holding

        folder = self.path(name)  # a clear StoreError for a missing model, not an OSError
        if folder.parent != self.root:
            raise StoreError(f"{name!r} is a built-in model and cannot be trained; train a copy instead")
        with holding(folder / LOCK, name, force=force) as held:
            self.lock_note = held.note
            yield folder


def _from_checkpoint(path: Path, read_only: bool) -> ModelInfo | None:
    """A row from the newest committed checkpoint when the top-level card is damaged (it is the truth)."""
    folder = ModelFolder(path)
    if not folder.sets():
        return None
    try:
        card = folder.checkpoint().card
    except StoreError:
        return None
    return ModelInfo.from_card(card, path, live=is_live(path), read_only=read_only)


def _broken(path: Path, read_only: bool, error: Exception) -> ModelInfo:
    """A folder that is no model (no card, a corrupt one): still listed, so it can be deleted or renamed."""
    return ModelInfo(name=path.name, path=path, read_only=read_only, error=str(error))


def is_live(folder: Path) -> bool:
    """Is this model being trained right now, by this process or another?"""
    from tui_lyrics.lock import is_held

    return is_held(folder / LOCK)
