"""Unit tests for tui_lyrics.store: the model library, atomic writes, locks and built-ins."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_card as full_card
from tui_lyrics.card import ModelCard
from tui_lyrics.config import ModelConfig
from tui_lyrics.durable import atomic_write_bytes
from tui_lyrics.errors import StoreError
from tui_lyrics.metrics import append_metrics, read_metrics
from tui_lyrics.store import CARD, LOCK, ModelStore, is_live, validate_name


def typed_card(name: str, **state: Any) -> ModelCard:
    """A complete card (strictly valid), its state's numbers overridden by ``state``."""
    base = {"step": 7, "best_loss": 1.5, "train_seconds": 3.0, "finished": True} | state
    return full_card(name, model=ModelConfig(cell="lstm"), state=base, params=1234, updated="2024-01-01T00:00:00+00:00")


def make_card(name: str, **state: Any) -> dict[str, Any]:
    """The same card as JSON (to write by hand, or to break on purpose)."""
    return typed_card(name, **state).to_dict()


def add_model(store: ModelStore, name: str, **state: Any) -> Path:
    folder = store.create(name)
    store.write_card(name, typed_card(name, **state))
    return folder


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def store(home: Path) -> ModelStore:
    return ModelStore(home)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- names, create, list, read, rename, delete ------------------------------------------------
@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", "", "  ", "..", "a..b", "-flag", "x" * 65, "a\\b", "a\nb"])
def test_invalid_names_are_refused(store: ModelStore, name: str) -> None:
    with pytest.raises(StoreError, match="invalid model name"):
        validate_name(name)
    with pytest.raises(StoreError, match="invalid model name"):
        store.create(name)
    assert not (store.home.parent / "x").exists()


@pytest.mark.parametrize("name", ["jay", "周杰伦 v2", "model_1.final", "a-b"])
def test_plain_names_are_accepted(name: str) -> None:
    assert validate_name(f" {name} ") == name


def test_create_list_read_rename_delete(store: ModelStore) -> None:
    assert store.list() == []
    folder = add_model(store, "first")
    assert folder == store.root / "first" and folder.is_dir()
    add_model(store, "second", finished=False)

    rows = store.list()
    assert [r.name for r in rows] == ["first", "second"]
    first = rows[0]
    assert (first.cell, first.input, first.params, first.corpus) == ("lstm", "embed", 1234, "songs.txt")
    assert (first.steps, first.best_loss, first.finished, first.error) == (7, 1.5, True, None)
    assert not first.live and not first.read_only
    assert rows[1].finished is False
    assert store.card("first").name == "first"
    assert store.exists("first") and not store.exists("third")

    with pytest.raises(StoreError, match="already exists"):
        store.create("first")
    with pytest.raises(StoreError, match="already exists"):
        store.rename("first", "second")

    store.rename("first", "renamed")
    assert not store.exists("first")
    assert store.card("renamed").name == "renamed"
    assert [r.name for r in store.list()] == ["renamed", "second"]

    store.delete("renamed")
    assert [r.name for r in store.list()] == ["second"]
    assert sorted(p.name for p in store.root.iterdir()) == ["second"]
    with pytest.raises(StoreError, match="no model named 'renamed'"):
        store.card("renamed")
    with pytest.raises(StoreError, match="no model named"):
        store.delete("renamed")


def test_unique_name_skips_taken_names(store: ModelStore) -> None:
    add_model(store, "songs")
    add_model(store, "songs-2")
    assert store.unique_name("songs") == "songs-3"
    assert store.unique_name("new") == "new"


# -- atomic writes --------------------------------------------------------------------------
@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_crash_mid_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "card.json"
    path.write_bytes(b"old content")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(RuntimeError, match="killed mid-write"):
        atomic_write_bytes(path, b"new content that never lands")
    monkeypatch.undo()
    assert path.read_bytes() == b"old content"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.json"]


def test_an_os_error_mid_write_becomes_a_store_error_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "last.safetensors"
    path.write_bytes(b"old")

    def refuse(*args: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreError, match=r"could not write .*last\.safetensors: permission denied"):
        atomic_write_bytes(path, b"new")
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_a_full_disk_becomes_a_clear_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "card.json"
    path.write_bytes(b"old")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fd: int, *args: Any, **kwargs: Any) -> None:
            self.handle = real_fdopen(fd, *args, **kwargs)

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", FullDisk)
    with pytest.raises(StoreError) as caught:
        atomic_write_bytes(path, b"x" * 1000)
    monkeypatch.undo()
    message = str(caught.value)
    assert str(path) in message and "the disk is full" in message
    assert "\n" not in message
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_atomic_write_replaces_the_content(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    atomic_write_bytes(path, b"one")
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert leftovers(tmp_path) == []


# -- unreadable cards -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "lyrics-tui/model", ', "is corrupt \\(not valid JSON"),
        (b"\xff\xfe\x00garbage", "is corrupt"),
        (json.dumps({"name": "x", "weights": []}).encode(), "is not a lyrics-tui model card"),
        (json.dumps([1, 2, 3]).encode(), "is not a lyrics-tui model card"),
        (
            json.dumps(make_card("m") | {"format_version": 99}).encode(),
            "has card format 99; this lyrics-tui reads up to 1",
        ),
        (json.dumps({k: v for k, v in make_card("m").items() if k != "vocab"}).encode(), "has no 'vocab' section"),
    ],
)
def test_a_bad_card_is_a_clear_store_error_and_still_listed(store: ModelStore, content: bytes, message: str) -> None:
    add_model(store, "good")
    folder = store.create("m")
    (folder / CARD).write_bytes(content)
    with pytest.raises(StoreError, match=message) as caught:
        store.card("m")
    assert "\n" not in str(caught.value)
    rows = {row.name: row for row in store.list()}
    assert rows["good"].error is None
    assert rows["m"].error is not None and rows["m"].path == folder
    # The user can still get rid of it.
    store.delete("m")
    assert [r.name for r in store.list()] == ["good"]


def test_a_card_with_wrong_section_types_is_listed_with_an_error(store: ModelStore) -> None:
    folder = store.create("odd")
    (folder / CARD).write_text(json.dumps(make_card("odd") | {"model": "gru"}), encoding="utf-8")
    [row] = store.list()
    assert row.name == "odd" and row.error


def test_a_folder_without_a_card_is_listed_with_an_error_but_not_a_model(store: ModelStore) -> None:
    store.create("empty")
    [row] = store.list()
    assert row.name == "empty" and "is missing" in (row.error or "")
    assert not store.exists("empty")


# -- locks ----------------------------------------------------------------------------------
def test_a_second_lock_on_the_same_model_is_refused(store: ModelStore) -> None:
    folder = add_model(store, "m")
    add_model(store, "other")
    assert not is_live(folder)
    with store.lock("m") as locked:
        assert locked == folder
        assert is_live(folder)
        assert [r.live for r in store.list()] == [True, False]
        with pytest.raises(StoreError, match=f"'m' is being trained by process {os.getpid()}"), store.lock("m"):
            pass
        with store.lock("other"):  # another model is not affected
            pass
        assert is_live(folder)  # the refused attempt did not release the holder's lock
    assert not is_live(folder)
    assert not (folder / LOCK).exists()


def test_rename_and_delete_are_refused_while_training(store: ModelStore) -> None:
    add_model(store, "m")
    with store.lock("m"):
        with pytest.raises(StoreError, match="being trained right now"):
            store.rename("m", "n")
        with pytest.raises(StoreError, match="being trained right now"):
            store.delete("m")
    store.rename("m", "n")
    assert store.exists("n")


def test_a_stale_lock_from_a_dead_process_is_taken_over(store: ModelStore) -> None:
    folder = add_model(store, "m")
    import socket

    (folder / LOCK).write_text(json.dumps({"pid": dead_pid(), "host": socket.gethostname(), "since": 0}))
    assert not is_live(folder)
    assert [r.live for r in store.list()] == [False]
    with store.lock("m"):
        holder = json.loads((folder / LOCK).read_text())
        assert holder["pid"] == os.getpid()
    assert not (folder / LOCK).exists()


def test_a_lock_from_another_live_process_is_respected(store: ModelStore) -> None:
    folder = add_model(store, "m")
    from tui_lyrics.lock import me, start_ticks

    parent = me() | {"pid": os.getppid(), "start": start_ticks(os.getppid())}  # alive, this boot, not reused
    (folder / LOCK).write_text(json.dumps(parent))
    assert is_live(folder)
    with pytest.raises(StoreError, match=f"process {os.getppid()}"), store.lock("m"):
        pass
    assert (folder / LOCK).exists()


def test_a_garbled_lock_file_counts_as_stale(store: ModelStore) -> None:
    folder = add_model(store, "m")
    (folder / LOCK).write_text("{not json")
    assert not is_live(folder)
    with store.lock("m"):
        assert is_live(folder)


# -- built-in (read-only) models ----------------------------------------------------------------
@pytest.fixture
def builtin(tmp_path: Path) -> Path:
    root = tmp_path / "builtin"
    for name in ("shipped", "both"):
        (root / name).mkdir(parents=True)
        (root / name / CARD).write_text(json.dumps(make_card(name, step=100)), encoding="utf-8")
    return root


def test_builtin_models_are_listed_read_only(home: Path, builtin: Path) -> None:
    store = ModelStore(home, builtin=builtin)
    [row] = [r for r in store.list() if r.name == "shipped"]
    assert row.read_only and row.path == builtin / "shipped" and row.steps == 100
    assert store.is_read_only("shipped")
    assert store.path("shipped") == builtin / "shipped"


def test_a_users_model_shadows_a_builtin_of_the_same_name(home: Path, builtin: Path) -> None:
    store = ModelStore(home, builtin=builtin)
    own = store.root / "both"
    own.mkdir(parents=True)
    store.write_card("both", typed_card("both", step=3))
    rows = store.list()
    assert [r.name for r in rows] == ["both", "shipped"]
    both = rows[0]
    assert not both.read_only and both.path == own and both.steps == 3
    assert store.path("both") == own and not store.is_read_only("both")
    assert store.card("both").state.step == 3
    # Deleting the user's copy uncovers the built-in again.
    store.delete("both")
    assert store.path("both") == builtin / "both" and store.is_read_only("both")


def test_builtin_models_cannot_be_renamed_deleted_or_reused(home: Path, builtin: Path) -> None:
    store = ModelStore(home, builtin=builtin)
    with pytest.raises(StoreError, match="built-in model and cannot be changed"):
        store.rename("shipped", "mine")
    with pytest.raises(StoreError, match="built-in model and cannot be changed"):
        store.delete("shipped")
    with pytest.raises(StoreError, match="already exists"):
        store.create("shipped")
    assert (builtin / "shipped" / CARD).is_file()
    assert store.unique_name("shipped") == "shipped-2"


def test_a_builtin_model_cannot_be_locked_for_training(home: Path, builtin: Path) -> None:
    store = ModelStore(home, builtin=builtin)
    with pytest.raises(StoreError, match="built-in"), store.lock("shipped"):
        pass
    assert not (builtin / "shipped" / LOCK).exists()


def test_locking_a_missing_model_is_a_store_error(store: ModelStore) -> None:
    with pytest.raises(StoreError, match="no model named 'ghost'"), store.lock("ghost"):
        pass


# -- metrics --------------------------------------------------------------------------------
def test_metrics_append_and_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    append_metrics(tmp_path, [{"step": 1, "loss": 2.0}])
    append_metrics(tmp_path, [{"step": 2, "loss": 1.5}, {"step": 3, "loss": 1.2}])
    with open(tmp_path / "metrics.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"step": 4, "lo')
    assert [row["step"] for row in read_metrics(tmp_path)] == [1, 2, 3]
    assert read_metrics(tmp_path / "missing") == []


def test_a_model_is_made_complete_or_not_at_all(store: ModelStore) -> None:
    def half_then_fail(path: Path) -> None:
        (path / "corpus.txt.gz").write_bytes(b"x")
        raise StoreError("the disk filled up")

    with pytest.raises(StoreError, match="disk filled up"):
        store.create("m", half_then_fail)
    assert not store.root.exists() or list(store.root.iterdir()) == []  # nothing half-made, the name is free
    abandoned = store.root / f".new-old-{dead_pid()}"  # left by a process killed while making a model
    abandoned.mkdir(parents=True)
    folder = store.create("m", lambda path: (path / CARD).write_text(json.dumps(make_card("m"))))
    assert folder == store.root / "m" and store.card("m").name == "m"
    assert sorted(p.name for p in store.root.iterdir()) == ["m"]
