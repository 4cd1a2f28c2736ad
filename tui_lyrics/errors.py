"""The one exception type users see: a clear, one-line message, never a traceback."""

from __future__ import annotations

import errno
import os


class LyricsError(Exception):
    """A problem the user can fix (bad input, missing model, full disk...).

    The CLI prints ``str(error)`` on one line and exits 1; the app shows it as a notification.
    """


class CorpusError(LyricsError):
    """The corpus cannot be used: unreadable, not text, too small or too large."""


class StoreError(LyricsError):
    """The model library on disk cannot do what was asked (missing, corrupt, locked, bad name)."""


class ConfigError(LyricsError):
    """A setting is out of range or unknown."""


_ELSEWHERE = "use another folder (--home or LYRICS_TUI_HOME)"
_REASONS = {
    errno.ENOSPC: "the disk is full; free some space and try again",
    getattr(errno, "EDQUOT", -1): "the disk quota is used up; free some space and try again",
    errno.EFBIG: "the file is larger than this system allows (a file size limit)",
    errno.EROFS: f"the file system is read-only; {_ELSEWHERE}",
    errno.EACCES: f"permission denied; check the folder's permissions or {_ELSEWHERE}",
    errno.EPERM: f"not permitted; check the folder's permissions or {_ELSEWHERE}",
    errno.ENAMETOOLONG: "the name is too long for the file system; use a shorter name or path",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EIO: "input/output error; the disk may be failing",
}


def describe_os_error(error: OSError, doing: str = "", path: str | os.PathLike[str] | None = None) -> str:
    """One line for an OSError: what failed, where, and what to do.

    ``doing`` is the verb ("write", "create", "rename"); ``path`` names the file the user knows
    when the error carries a temp file's name, or none.
    """
    names = [path] if path is not None else [f for f in (error.filename, error.filename2) if f is not None]
    where = " to ".join(os.fsdecode(n) if isinstance(n, bytes) else str(n) for n in names)
    reason = _REASONS.get(error.errno or 0) or (error.strerror or str(error) or type(error).__name__)
    if doing:
        return f"could not {doing} {where}: {reason}" if where else f"could not {doing}: {reason}"
    return f"{where}: {reason}" if where else reason


def store_error(error: OSError, doing: str, path: str | os.PathLike[str] | None = None) -> StoreError:
    """An OSError met while writing the library, as a StoreError with its one line."""
    return StoreError(describe_os_error(error, doing, path))
