"""The training lock: one trainer at a time, dead holders taken over, live ones never."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from functools import partial
from pathlib import Path

import pytest

from tests.unit.test_store import add_model
from tui_lyrics import lock
from tui_lyrics.errors import StoreError
from tui_lyrics.lock import me, start_ticks
from tui_lyrics.store import LOCK, ModelStore, is_live


@pytest.fixture
def store(home: Path) -> ModelStore:
    store = ModelStore(home)
    add_model(store, "m")
    return store


def fork(body) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            body()
        except BaseException:  # the child never returns into pytest
            code = 1
        os._exit(code)
    return pid


def contend(store: ModelStore, go: int, out: int, done: int) -> None:
    """One trainer: wait for the start, try the lock; report W (won, and hold it until told) or L (lost)."""
    os.read(go, 1)
    try:
        with store.lock("m"):
            os.write(out, b"W")
            os.read(done, 1)  # hold it until the other one has given up
    except StoreError:
        os.write(out, b"L")


def test_two_trainers_started_together_exactly_one_gets_the_model(
    store: ModelStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "RETRY_SECONDS", 0.05)  # the loser gives up sooner (the winner holds on anyway)
    for _ in range(30):
        go_read, go_write = os.pipe()
        out_read, out_write = os.pipe()
        done_read, done_write = os.pipe()
        children = [fork(partial(contend, store, go_read, out_write, done_read)) for _ in range(2)]
        os.write(go_write, b"gg")  # both start at the same moment
        results = os.read(out_read, 1) + os.read(out_read, 1)
        os.write(done_write, b"x")
        for child in children:
            assert os.waitpid(child, 0)[1] == 0
        for fd in (go_read, go_write, out_read, out_write, done_read, done_write):
            os.close(fd)
        assert sorted(results) == sorted(b"WL")
        assert not is_live(store.path("m"))


def test_a_lock_held_by_a_live_process_is_never_taken(store: ModelStore) -> None:
    ready_read, ready_write = os.pipe()

    def holder() -> None:
        with store.lock("m"):
            os.write(ready_write, b"1")
            time.sleep(60)

    child = fork(holder)
    try:
        os.read(ready_read, 1)
        assert is_live(store.path("m"))
        for force in (False, True):
            with pytest.raises(StoreError) as caught, store.lock("m", force=force):
                pass
            message = str(caught.value)
            assert f"process {child} on {socket.gethostname()}" in message and str(store.path("m") / LOCK) in message
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(ready_read)
        os.close(ready_write)


def test_the_lock_of_a_killed_trainer_is_taken_over_with_a_note(store: ModelStore) -> None:
    ready_read, ready_write = os.pipe()

    def holder() -> None:
        with store.lock("m"):
            os.write(ready_write, b"1")
            time.sleep(60)

    child = fork(holder)
    os.read(ready_read, 1)
    os.kill(child, signal.SIGKILL)  # no clean-up: the lock file still names it
    os.waitpid(child, 0)
    assert json.loads((store.path("m") / LOCK).read_text())["pid"] == child
    assert not is_live(store.path("m"))
    with store.lock("m"):
        assert (
            store.lock_note
            == f"took over the training lock of process {child} on {socket.gethostname()}, which is gone"
        )
        assert json.loads((store.path("m") / LOCK).read_text())["pid"] == os.getpid()
    assert not (store.path("m") / LOCK).exists()


def test_a_reused_pid_does_not_keep_a_dead_lock_alive(store: ModelStore) -> None:
    # The pid is alive (it is ours) but started at another time than the lock's holder.
    stale = me() | {"start": (start_ticks(os.getpid()) or 0) + 12345}
    (store.path("m") / LOCK).write_text(json.dumps(stale))
    assert not is_live(store.path("m"))
    with store.lock("m"):
        assert "which is gone" in store.lock_note


def test_a_lock_from_another_machine_is_refused_unless_forced(store: ModelStore) -> None:
    lock = store.path("m") / LOCK
    lock.write_text(json.dumps({"pid": 4242, "start": 1, "host": "box-elsewhere", "boot": "another-boot"}))
    assert is_live(store.path("m"))  # it may be: better not to offer to delete it
    with pytest.raises(StoreError) as caught, store.lock("m"):
        pass
    message = str(caught.value)
    assert "process 4242 on box-elsewhere" in message and str(lock) in message and "--force" in message
    with store.lock("m", force=True):
        assert (
            store.lock_note
            == "took over the training lock of process 4242 on box-elsewhere, which was overridden by --force"
        )
    assert not lock.exists()


def test_our_host_after_a_reboot_is_a_dead_lock(store: ModelStore) -> None:
    (store.path("m") / LOCK).write_text(json.dumps(me() | {"boot": "a-boot-before-this-one"}))
    with store.lock("m"):
        assert "which is gone" in store.lock_note
