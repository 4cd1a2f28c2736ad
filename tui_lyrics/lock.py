"""The training lock of one model folder: one trainer at a time, and no lock left stuck.

The lock is an ``flock`` on ``train.lock``: the kernel drops it the moment its holder dies, so
a SIGKILL, an OOM kill or a power cut never leaves a model locked on this machine. The file
also says who holds it (pid, the process's start time, host name, boot id), for the message
and for locks the kernel cannot see: written by a process on another machine sharing the
folder, or by an older lyrics-tui. Such a lock whose holder is provably gone (same boot and
the pid dead or reused, or the machine rebooted) is taken over with a note; one that cannot
be judged is refused with the lock file named and ``--force`` offered.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_lyrics.errors import StoreError, describe_os_error

RETRY_SECONDS = 0.5
"""How long a trainer retries a busy lock: a library listing probes it for microseconds."""


@dataclass(frozen=True)
class Held:
    """A lock this process holds."""

    path: Path
    fd: int
    note: str = ""
    """Set when a dead holder's lock was taken over (says whose)."""


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def start_ticks(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (None: no such process, or no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    try:
        return int(stat.rsplit(")", 1)[1].split()[19])  # field 22; the name in (...) may hold spaces
    except (IndexError, ValueError):
        return None


def me() -> dict[str, Any]:
    pid = os.getpid()
    return {
        "pid": pid,
        "start": start_ticks(pid),
        "host": socket.gethostname(),
        "boot": _boot_id(),
        "since": time.time(),
    }


def read_holder(path: Path) -> dict[str, Any] | None:
    """Who the lock file says holds it (None: nobody; garbage reads as an unknown holder)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_gone(holder: dict[str, Any]) -> bool | None:
    """Is the process named by a lock file gone? True, False (alive), or None (cannot tell from here)."""
    pid, boot = holder.get("pid"), holder.get("boot")
    if not isinstance(pid, int):
        return True  # an empty or garbled lock names no one
    if boot and boot == _boot_id():  # this very boot of this machine (any container on it)
        if not pid_alive(pid):
            return True
        start = holder.get("start")
        return start is not None and start != start_ticks(pid)  # the pid now belongs to another process
    if holder.get("host") != socket.gethostname():
        return None  # another machine (or a container without our boot id): nothing to check
    if boot:
        return True  # our host name, another boot: the machine restarted since
    # An older lyrics-tui's lock (pid, host, since): a pid started after the lock was taken is reused.
    if not pid_alive(pid):
        return True
    since, start = holder.get("since"), start_ticks(pid)
    return bool(isinstance(since, int | float) and start is not None and _boot_epoch(start) > since + 1)


def _boot_epoch(ticks: int) -> float:
    try:
        line = next(x for x in Path("/proc/stat").read_text().splitlines() if x.startswith("btime "))
        return int(line.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, ValueError):
        return 0.0


def describe(holder: dict[str, Any]) -> str:
    pid, host = holder.get("pid", "?"), holder.get("host", "?")
    return f"process {pid} on {host}"


class LockUnchecked(StoreError):
    """The lock's holder cannot be checked from here (another machine): ``force`` (``--force``, the app's
    prompt) takes it over."""


def _flock(fd: int) -> bool:
    """Take the flock, retrying briefly; False if another live process holds it."""
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        except OSError as error:
            if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                return True  # a file system without flock: the lock file's content is all there is
            raise


def _open_locked(path: Path, name: str) -> int:
    """An fd on ``path`` holding its flock, the path still naming that file (not one unlinked meanwhile)."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(describe_os_error(error, "open the training lock", path)) from error
        try:
            locked = _flock(fd)
        except OSError as error:
            os.close(fd)
            raise StoreError(describe_os_error(error, "lock", path)) from error
        if not locked:
            holder = read_holder(path) or {}
            os.close(fd)
            raise StoreError(f"{name!r} is being trained by {describe(holder)} (lock {path}); stop that run first")
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # its holder released (and removed) it between our open and our flock: again


def acquire(path: Path, name: str, *, force: bool = False) -> Held:
    """Take the lock at ``path`` for model ``name``, or a StoreError saying who holds it and what to do."""
    fd = _open_locked(path, name)
    try:
        holder = read_holder(path)
        note = ""
        if holder is not None:
            gone = holder_gone(holder)
            if gone is None and not force:
                raise LockUnchecked(
                    f"{name!r} may be being trained by {describe(holder)}: its lock {path} cannot be checked from "
                    f"here; if that run is gone, train again with --force"
                )
            if gone is False and not force:
                raise StoreError(f"{name!r} is being trained by {describe(holder)} (lock {path}); stop that run first")
            how = "is gone" if gone else "was overridden by --force"
            note = f"took over the training lock of {describe(holder)}, which {how}"
        data = json.dumps(me()).encode("utf-8")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        os.fsync(fd)
    except BaseException as error:
        os.close(fd)
        if isinstance(error, OSError):  # a full disk or a read-only mount: one line, the lock not taken
            raise StoreError(describe_os_error(error, "write the training lock", path)) from error
        raise
    return Held(path, fd, note)


def release(held: Held) -> None:
    """Remove the lock file while still holding it, then let go: nobody ever sees our name on a free lock."""
    with contextlib.suppress(OSError):
        if os.stat(held.path).st_ino == os.fstat(held.fd).st_ino:
            os.unlink(held.path)
    os.close(held.fd)


def is_held(path: Path) -> bool:
    """Is the lock held right now, by any process (this one included)?"""
    holder = read_holder(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        pass  # no flock here: judge by the content alone
    finally:
        os.close(fd)
    return holder is not None and holder_gone(holder) is not True


@contextlib.contextmanager
def holding(path: Path, name: str, *, force: bool = False) -> Iterator[Held]:
    held = acquire(path, name, force=force)
    try:
        yield held
    finally:
        release(held)
