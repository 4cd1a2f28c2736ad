"""One model's folder: the name of every file in it, its corpus copy and its checkpoints.

Layout::

    card.json            the card of the newest committed checkpoint (what the library lists)
    corpus.txt.gz        the normalised training text, held-out part included
    metrics.jsonl        the live curve, appended while training
    train.lock           the training lock (see ``store.ModelStore.lock``)
    checkpoints/set-000007-step-425/
        card.json, last.safetensors, state.safetensors, best.safetensors

A checkpoint is one committed set: its files are written and fsynced in a temp folder, and
one ``rename`` makes the whole set visible at once; only then is the top-level card updated.
Each safetensors file carries its step in its metadata, checked against the set's card on
load, so weights, optimiser/RNG state and card can never come from two different steps. A
load that meets a broken newer set falls back to the last complete one and says so. Folders
of the old layout (``last/state/best.safetensors`` beside ``card.json``) still load.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

from tui_lyrics.card import CardError, ModelCard
from tui_lyrics.durable import SAVE_GUARD, atomic_write_bytes, atomic_write_json, fault_point, fsync_dir, write_durably
from tui_lyrics.errors import StoreError, describe_os_error

CARD = "card.json"
CORPUS = "corpus.txt.gz"
METRICS = "metrics.jsonl"
LOCK = "train.lock"
CHECKPOINTS = "checkpoints"
LAST, STATE, BEST = "last.safetensors", "state.safetensors", "best.safetensors"
KEEP_SETS = 2
"""Committed sets kept: the newest and one before it, to fall back on if the newest is damaged."""
_SET = re.compile(r"^set-(\d{6,})-step-(\d+)$")
_OWN_TEMPS = tuple(f".{name}." for name in (CARD, CORPUS, METRICS, LAST, STATE, BEST))


def tensor_metadata(path: Path) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file, read without torch; StoreError if it is cut short."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            length = int.from_bytes(handle.read(8), "little")
            if not 2 <= length <= min(size - 8, 100 * 1024 * 1024):
                raise StoreError(f"{path} is not a complete safetensors file")
            header = json.loads(handle.read(length))
    except FileNotFoundError as error:
        raise StoreError(f"{path} is missing") from error
    except OSError as error:
        raise StoreError(describe_os_error(error, "read", path)) from error
    except ValueError as error:
        raise StoreError(f"{path} is not a valid safetensors file ({error})") from error
    if not isinstance(header, dict):
        raise StoreError(f"{path} is not a valid safetensors file")
    ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__" and isinstance(v, dict)]
    if 8 + length + max(ends, default=0) > size:
        raise StoreError(f"{path} is cut short ({size:,} bytes)")
    meta = header.get("__metadata__") or {}
    return meta if isinstance(meta, dict) else {}


@dataclass(frozen=True)
class Checkpoint:
    """What a load of a model folder found: a card and the files that go with it."""

    card: ModelCard
    last: Path | None
    state: Path | None
    best: Path | None
    note: str = ""
    """Set when a newer checkpoint was damaged and an older one is used instead (says which and why)."""

    def weights(self, which: str = "best") -> tuple[str, Path] | None:
        """The weights to sample from: ``best`` if there are any, else ``last`` (or the other way round)."""
        files = {"best": self.best, "last": self.last}
        for one in ["best", "last"] if which == "best" else ["last", "best"]:
            if (path := files[one]) is not None:
                return one, path
        return None


def read_card_file(path: Path) -> ModelCard:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StoreError(f"{path} is missing") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"{path} is corrupt (not valid JSON: {error})") from error
    except OSError as error:
        raise StoreError(describe_os_error(error, "read", path)) from error
    return ModelCard.from_dict(data, where=str(path))


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
        root = self.checkpoints_path
        if not root.is_dir():
            return []
        found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _SET.match(p.name)) and p.is_dir()]
        return [p for _, p in sorted(found, reverse=True)]

    def checkpoint(self) -> Checkpoint:
        """The newest complete checkpoint: a committed set, else the old layout's files, else a bare card."""
        skipped: list[str] = []
        for path in self.sets():
            try:
                found = _verify_set(path)
            except StoreError as error:
                skipped.append(f"{path.name} ({error})")
                continue
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

        The set is complete on disk before one rename makes it visible; the top-level card is
        then replaced and older sets beyond ``KEEP_SETS`` removed. On an OSError (a full disk)
        the temp set is removed, the previous checkpoint stays as it was, and one StoreError
        says what happened.
        """
        root = self.checkpoints_path
        newest = self.sets()
        last = _SET.match(newest[0].name) if newest else None  # sets() lists only names that match
        number = int(last.group(1)) + 1 if last else 1
        final = root / f"set-{number:06d}-step-{card.state.step}"
        temp = root / f".tmp-{final.name}-{os.getpid()}"
        with SAVE_GUARD.saving():
            self._commit(card, files, temp, final)
        return final

    def _commit(self, card: ModelCard, files: dict[str, bytes | Path], temp: Path, final: Path) -> None:
        root = final.parent
        try:
            root.mkdir(exist_ok=True)
            temp.mkdir()
            for name, data in files.items():
                if isinstance(data, Path):
                    _share(data, temp / name)
                    fault_point(f"set:{name}")
                else:
                    write_durably(temp / name, data, point=f"set:{name}")
            body = json.dumps(card.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
            write_durably(temp / CARD, body, point=f"set:{CARD}")
            fsync_dir(temp)
            fault_point("commit")
            os.rename(temp, final)
            fsync_dir(root)
        except BaseException as error:
            shutil.rmtree(temp, ignore_errors=True)
            if isinstance(error, OSError):
                raise StoreError(
                    f"could not save a checkpoint of {self.name}: {describe_os_error(error, path=root)}; "
                    f"the previous checkpoint is kept"
                ) from error
            raise
        fault_point("committed")
        self.write_card(card)
        fsync_dir(self.path)
        self._prune()

    def _prune(self) -> None:
        for old in self.sets()[KEEP_SETS:]:
            _remove(old)
            fault_point("prune")
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
                if temp or entry.name.startswith((".tmp-set-", ".trash-")):
                    _remove(entry)
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
        try:
            lines = self.metrics_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError as error:
            raise StoreError(describe_os_error(error, "read", self.metrics_path)) from error
        except UnicodeDecodeError as error:
            raise StoreError(f"{self.metrics_path} is corrupt ({error})") from error
        kept = []
        for line in lines:
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a torn last line
            if isinstance(row, dict) and isinstance(row.get("step"), int) and row["step"] <= step:
                kept.append(line)
        if len(kept) != len(lines):
            atomic_write_bytes(self.metrics_path, "".join(f"{line}\n" for line in kept).encode("utf-8"))


def _verify_set(path: Path) -> Checkpoint:
    card = read_card_file(path / CARD)
    step, best_step = card.state.step, card.state.best_step
    wanted = {LAST: step, STATE: step}
    if best_step is not None:
        wanted[BEST] = best_step
    for name, at in wanted.items():
        meta = tensor_metadata(path / name)
        if meta.get("step") != str(at):
            raise StoreError(f"{name} is from step {meta.get('step')}, its card says {at}")
    best = path / BEST if best_step is not None else None
    return Checkpoint(card, path / LAST, path / STATE, best)


def _share(source: Path, target: Path) -> None:
    """Put an older set's file into a new one: a hard link (no copy), else a durable copy."""
    try:
        os.link(source, target)
    except OSError:
        write_durably(target, source.read_bytes())


def _remove(path: Path) -> None:
    """Rename first so a half-removed set never looks like one, then delete."""
    trash = path.with_name(f".trash-{path.name}-{os.getpid()}")
    try:
        os.rename(path, trash)
    except OSError:
        trash = path
    if trash.is_dir():
        shutil.rmtree(trash, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            trash.unlink()


__all__ = ["CardError", "Checkpoint", "ModelCard", "ModelFolder"]
