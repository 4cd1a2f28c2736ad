"""One model's folder: the name of every file in it, its corpus copy and its checkpoints.

Layout::

    card.json            the card of the newest committed checkpoint (what the library lists)
    corpus.txt.gz        the normalised training text, held-out part included
    metrics.jsonl        the live curve, appended while training
    train.lock           the training lock (see ``store.ModelStore.lock``)
    checkpoints/set-000007-step-425/
        card.json, last.safetensors, state.safetensors, best.safetensors

A checkpoint is one committed set (``checkpoint_sets``: written in a temp folder, made visible
by one ``rename``, each file's step checked against the set's card on load); only once the set
is in place is the top-level card updated. A load that meets a broken newer set falls back to
the last complete one and says so. Folders of the old layout (``last/state/best.safetensors``
beside ``card.json``) still load. Every file name above is named here or in ``checkpoint_sets``.
"""

from __future__ import annotations

import contextlib
import gzip
import zlib
from pathlib import Path

from tui_lyrics import metrics
from tui_lyrics.card import ModelCard
from tui_lyrics.checkpoint_sets import (
    BEST,
    CARD,
    LAST,
    LEFTOVERS,
    STATE,
    Checkpoint,
    commit_set,
    discard,
    list_sets,
    newest_set,
    prune_sets,
    read_card_file,
    tensor_metadata,
)
from tui_lyrics.durable import SAVE_GUARD, atomic_write_bytes, atomic_write_json, fault_point, fsync_dir
from tui_lyrics.errors import StoreError, describe_os_error
from tui_lyrics.metrics import METRICS

CORPUS = "corpus.txt.gz"
LOCK = "train.lock"
CHECKPOINTS = "checkpoints"
_OWN_TEMPS = tuple(f".{name}." for name in (CARD, CORPUS, METRICS, LAST, STATE, BEST))


class ModelFolder:
    """One model folder on disk: file names, corpus copy, held-out split and checkpoint sets."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def card_path(self) -> Path:
        return self.path / CARD

    @property
    def corpus_path(self) -> Path:
        return self.path / CORPUS

    @property
    def metrics_path(self) -> Path:
        return self.path / METRICS

    @property
    def lock_path(self) -> Path:
        return self.path / LOCK

    @property
    def checkpoints_path(self) -> Path:
        return self.path / CHECKPOINTS

    # -- card and corpus ------------------------------------------------------------------------
    def read_card(self) -> ModelCard:
        """The top-level card (what the library shows; ``checkpoint()`` gives the committed truth)."""
        return read_card_file(self.card_path)

    def write_card(self, card: ModelCard) -> None:
        atomic_write_json(self.card_path, card.to_dict())

    def write_corpus(self, text: str) -> None:
        atomic_write_bytes(self.corpus_path, gzip.compress(text.encode("utf-8"), mtime=0))

    def read_corpus(self, max_bytes: int | None = None) -> str:
        """The corpus copy, its gunzip capped at ``max_bytes`` (a bomb in a model folder is refused, not read).

        The default cap is the corpus size limit in UTF-8: a text read within the limit is at most
        four times its bytes once re-encoded.
        """
        from tui_lyrics.corpus import DEFAULT_MAX_BYTES

        cap = max_bytes if max_bytes is not None else 4 * DEFAULT_MAX_BYTES
        try:
            with gzip.open(self.corpus_path, "rb") as stream:
                data = stream.read(cap + 1)
        except FileNotFoundError as error:
            raise StoreError(f"{self.name} has no copy of its corpus ({CORPUS}); it cannot train more") from error
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise StoreError(f"{self.corpus_path} is corrupt ({error})") from error
        except OSError as error:
            raise StoreError(describe_os_error(error, "read", self.corpus_path)) from error
        if len(data) > cap:
            raise StoreError(f"{self.corpus_path} unpacks to more than {cap:,} bytes: it is not a corpus copy we made")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise StoreError(f"{self.corpus_path} is corrupt ({error})") from error

    def split(self, card: ModelCard) -> tuple[str, str]:
        """The corpus copy cut into (train, held-out) exactly as the model was trained on it."""
        from tui_lyrics.corpus import DEFAULT_MAX_BYTES, split_text

        cap = 4 * max(DEFAULT_MAX_BYTES, card.corpus.chars)  # a corpus read with a raised --max-mb still opens
        return split_text(self.read_corpus(cap), held_out=card.train.held_out)

    # -- checkpoints ------------------------------------------------------------------------------
    def sets(self) -> list[Path]:
        """Committed checkpoint sets, newest first."""
        return list_sets(self.checkpoints_path)

    def checkpoint(self) -> Checkpoint:
        """The newest complete checkpoint: a committed set, else the old layout's files, else a bare card."""
        found, skipped = newest_set(self.checkpoints_path)
        if found is not None:
            note = ""
            if skipped:
                note = f"skipped damaged checkpoint {'; '.join(skipped)}: using step {found.card.state.step:,}"
            card = found.card.replace(name=self.name)  # the folder's name is the model's (renamed since?)
            return Checkpoint(card, found.last, found.state, found.best, note)
        card = self.read_card()
        if skipped and card.state.step > 0 and not (self.path / LAST).is_file():
            raise StoreError(f"{self.name} has no complete checkpoint: {'; '.join(skipped)}")

        def legacy(name: str) -> Path | None:
            return self.path / name if (self.path / name).is_file() else None

        note = f"skipped damaged checkpoint {'; '.join(skipped)}" if skipped else ""
        return Checkpoint(card, legacy(LAST), legacy(STATE), legacy(BEST), note)

    def weights(self, which: str = "best") -> tuple[str, Path] | None:
        """The weights to sample from: ``best`` if there are any, else ``last`` (or the other way round)."""
        return self.checkpoint().weights(which)

    def has_weights(self) -> bool:
        """Are there weights to sample from (without checking them: for listing)?"""
        if any((self.path / name).is_file() for name in (LAST, BEST)):
            return True
        return bool(self.sets())

    def commit(self, card: ModelCard, files: dict[str, bytes | Path]) -> Path:
        """Make ``files`` (bytes to write, or a file of an older set to share) and ``card`` one committed set.

        The set is complete on disk before one rename makes it visible (``checkpoint_sets.commit_set``);
        the top-level card is then replaced and older sets beyond ``checkpoint_sets.KEEP_SETS`` removed. On an
        OSError (a full disk) the previous checkpoint stays as it was and one StoreError says so.
        """
        with SAVE_GUARD.saving():
            final = commit_set(self.checkpoints_path, card, files, model=self.name)
            fault_point("committed")
            self.write_card(card)
            fsync_dir(self.path)
            self._prune()
        return final

    def _prune(self) -> None:
        prune_sets(self.checkpoints_path)
        for name in (LAST, STATE, BEST):  # the old layout's files, now superseded by the sets
            with contextlib.suppress(FileNotFoundError):
                (self.path / name).unlink()

    def tidy(self) -> str:
        """Remove what a killed save left behind and bring the top-level card up to the newest set.

        Called with the training lock held. Returns a note when something was repaired.
        """
        notes = []
        for place in (self.path, self.checkpoints_path):
            if not place.is_dir():
                continue
            for entry in place.iterdir():
                # Only what our own saves leave: another process may be writing a file of its own here.
                temp = entry.name.startswith(_OWN_TEMPS) and entry.suffix == ".tmp"  # an atomic write cut short
                if temp or entry.name.startswith(LEFTOVERS):
                    discard(entry)
                    notes.append(entry.name)
        sets = self.sets()
        if sets:
            with contextlib.suppress(StoreError):
                found = self.checkpoint()
                top = None
                with contextlib.suppress(StoreError):
                    top = self.read_card()
                if top != found.card:
                    self.write_card(found.card)
        return f"removed leftovers of an interrupted save: {', '.join(sorted(notes))}" if notes else ""

    # -- metrics ----------------------------------------------------------------------------------
    def trim_metrics(self, step: int) -> None:
        """Drop curve points past ``step`` (written after the checkpoint a resume starts from)."""
        metrics.trim_metrics(self.path, step)


# core/ and the tests import a set's names and types from here, the owner of the folder's layout.
__all__ = ["BEST", "CARD", "LAST", "METRICS", "STATE", "Checkpoint", "ModelFolder"]
__all__ += ["read_card_file", "tensor_metadata"]
