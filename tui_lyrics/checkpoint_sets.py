"""Checkpoint sets: the files of one training step, made visible together by one rename.

A set is a folder ``set-000007-step-425/`` under a model's ``checkpoints/`` holding its card and
``last``, ``state`` and (once there is one) ``best`` weights. Its files are written and fsynced
in a temp folder, and one ``rename`` makes the whole set visible at once. Each safetensors file
carries its step in its metadata, checked against the set's card on load, so weights,
optimiser/RNG state and card never come from two different steps. ``folder.ModelFolder`` keeps
sets in a model folder, its top-level card in step with the newest, and the old layout loading.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from tui_lyrics.card import ModelCard
from tui_lyrics.durable import fault_point, fsync_dir, write_durably
from tui_lyrics.errors import StoreError, describe_os_error

CARD = "card.json"
"""A model's card: at the top of its folder (what the library lists) and in each set (the truth)."""
LAST, STATE, BEST = "last.safetensors", "state.safetensors", "best.safetensors"
"""A set's weights and optimiser/RNG state (the old layout kept them at the top of the model folder)."""
KEEP_SETS = 2
"""Committed sets kept: the newest and one before it, to fall back on if the newest is damaged."""
LEFTOVERS = (".tmp-set-", ".trash-")
"""How a set cut short by a kill (while written or while removed) begins its name."""
_SET = re.compile(r"^set-(\d{6,})-step-(\d+)$")


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
    """A card file read into the typed card; a StoreError (a CardError for a bad field) names the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StoreError(f"{path} is missing") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"{path} is corrupt (not valid JSON: {error})") from error
    except OSError as error:
        raise StoreError(describe_os_error(error, "read", path)) from error
    return ModelCard.from_dict(data, where=str(path))


def list_sets(root: Path) -> list[Path]:
    """The committed sets under ``root`` (a model's ``checkpoints/``), newest first."""
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _SET.match(p.name)) and p.is_dir()]
    return [p for _, p in sorted(found, reverse=True)]


def newest_set(root: Path) -> tuple[Checkpoint | None, list[str]]:
    """The newest set under ``root`` that verifies, and the newer ones skipped on the way (name and why)."""
    skipped: list[str] = []
    for path in list_sets(root):
        try:
            return verify_set(path), skipped
        except StoreError as error:
            skipped.append(f"{path.name} ({error})")
    return None, skipped


def commit_set(root: Path, card: ModelCard, files: dict[str, bytes | Path], *, model: str) -> Path:
    """Write ``files`` (bytes, or an older set's file to share) and ``card`` as the next set under ``root``.

    The set is complete on disk before one rename makes it visible. On an OSError (a full disk)
    the temp set is removed, the sets already there stay as they were, and one StoreError says
    what happened (naming ``model``). Returns the new set's folder.
    """
    newest = list_sets(root)
    last = _SET.match(newest[0].name) if newest else None  # list_sets lists only names that match
    number = int(last.group(1)) + 1 if last else 1
    final = root / f"set-{number:06d}-step-{card.state.step}"
    temp = root / f".tmp-{final.name}-{os.getpid()}"
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
                f"could not save a checkpoint of {model}: {describe_os_error(error, path=root)}; "
                f"the previous checkpoint is kept"
            ) from error
        raise
    return final


def prune_sets(root: Path) -> None:
    """Remove the sets beyond the newest ``KEEP_SETS``."""
    for old in list_sets(root)[KEEP_SETS:]:
        discard(old)
        fault_point("prune")


def verify_set(path: Path) -> Checkpoint:
    """A set's card and files, each file checked to be complete and from the step its card names."""
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


def discard(path: Path) -> None:
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
