"""Files that a kill or a full disk never leaves half-written, and the guard that defers an exit.

``atomic_write_bytes`` replaces a file whole (temp file in the same folder, fsync,
``os.replace``); ``write_durably`` writes a new file inside a temp folder that one rename
publishes later (a checkpoint set). Every such write runs inside ``SAVE_GUARD.saving()``, so
a Ctrl-C or a hang-up ends the process between saves, never in one. ``fault_point`` is where
the kill tests end the process on purpose. Torch-free, and below every other storage module.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from tui_lyrics.errors import StoreError, store_error

FAULT_ENV = "LYRICS_TUI_FAULT"
"""Tests only: ``POINT`` or ``POINT:N`` kills this process (SIGKILL) at the N-th pass through POINT."""
_fault_count: dict[str, int] = {}


class SaveGuard:
    """Knows when a save is being written, so that nothing ends the process in the middle of one.

    Every checkpoint commit and atomic write runs inside ``saving()``. A signal handler asks
    ``busy`` and defers an abort with ``defer()`` (raised in the main thread as the save ends);
    code that must end the process at once calls ``exit()``, which waits for the save in progress
    and lets no new one start.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._deferred = False

    @property
    def busy(self) -> bool:
        return self._depth > 0

    def defer(self) -> None:
        """Raise KeyboardInterrupt in the main thread as soon as the save in progress is written."""
        self._deferred = True

    @contextlib.contextmanager
    def saving(self) -> Iterator[None]:
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
        if self._depth == 0 and self._deferred and threading.current_thread() is threading.main_thread():
            self._deferred = False
            raise KeyboardInterrupt

    def wait(self) -> None:
        """Block until no save is being written."""
        with self._lock:
            pass

    def exit(self, code: int) -> NoReturn:
        """End the process now, but never mid-write: wait for the save in progress, start no other."""
        self._lock.acquire()
        os._exit(code)


SAVE_GUARD = SaveGuard()


def fault_point(point: str) -> None:
    """A place where a test may kill the process, to prove that a save survives it."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    name, _, nth = wanted.rpartition(":")
    if not nth.isdigit():
        name, nth = wanted, "1"
    if name != point:
        return
    _fault_count[point] = _fault_count.get(point, 0) + 1
    if _fault_count[point] >= int(nth):
        os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (where the platform allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_durably(path: Path, data: bytes, *, point: str = "") -> None:
    """Write a new file and fsync it (inside a temp set folder, so no rename of its own)."""
    with open(path, "xb") as handle:
        if point:
            handle.write(data[: len(data) // 2])
            handle.flush()
            fault_point(point)  # a kill here leaves a half-written file behind
            handle.write(data[len(data) // 2 :])
        else:
            handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new content, never half.

    A temp file in the same folder, fsync, then ``os.replace``. On failure (a full disk)
    the temp file is removed, the old file is untouched and the OSError becomes a StoreError.
    """
    with SAVE_GUARD.saving():  # a second Ctrl-C or a hang-up waits for this write
        _atomic_write(path, data)


def _atomic_write(path: Path, data: bytes) -> None:
    try:  # a read-only folder, a full disk or a name too long fails here, before anything is written
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise store_error(error, "write", path) from error
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; a model should be as readable as any file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            fault_point(f"write:{path.name}")  # tests only: a kill mid-write
            handle.write(data[len(data) // 2 :])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)  # the rename itself survives a power cut
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise store_error(error, "write", path) from error
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def read_json(path: Path) -> Any:
    """Parse a JSON file, turning every failure into one clear StoreError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StoreError(f"{path} is missing") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"{path} is corrupt (not valid JSON: {error})") from error
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from error
