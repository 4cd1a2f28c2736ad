"""Which files a corpus path names, and their bytes, read under one size budget.

A corpus is one text file, a ``.zip`` of text files or a folder of them. In folders and zips
only ``TEXT_SUFFIXES`` files are read (hidden files and ``__MACOSX/`` skipped), sorted by path.
Sizes are checked before reading and zips counted as they decompress, so a zip bomb or a huge
file is refused, not read; a FIFO or a device is refused unopened. Torch-free.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from tui_lyrics.errors import CorpusError
from tui_lyrics.unzip import OverLimit, read_member

TEXT_SUFFIXES = (".txt", ".lrc", ".md")

Source = tuple[str, bytes, bool]
"""One file of a corpus: a label for messages, its raw bytes, and whether it is an ``.lrc`` file."""
_MB = 1024 * 1024


def read_sources(given: Path, shown: str, max_bytes: int) -> Iterator[Source]:
    """The files ``given`` names (``shown`` as the user typed it), at most ``max_bytes`` in all.

    A single file is read at once; a folder's or a zip's files as the iterator is consumed.
    OSErrors are left to the caller (it words them for the path the user gave).
    """
    budget = _Budget(max_bytes)
    try:
        mode = given.stat().st_mode  # stat, never open: opening a FIFO would block
    except FileNotFoundError:
        raise CorpusError(f"{shown} does not exist") from None
    if stat.S_ISDIR(mode):
        return _folder_sources(given, shown, budget)
    if not stat.S_ISREG(mode):
        raise _not_a_file(shown, mode)
    if given.suffix.lower() == ".zip":
        return _zip_sources(given, shown, budget)
    return iter([(shown, _read_file(given, shown, budget), _is_lrc(shown))])


class _Budget:
    """Counts bytes read across all files so the total never passes ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    def left(self) -> int:
        return self.max_bytes - self.used

    def take(self, n: int) -> bool:
        """Count ``n`` more bytes; True when the total is now over the limit."""
        self.used += n
        return self.used > self.max_bytes


def _read_file(path: Path, label: str, budget: _Budget) -> bytes:
    """Read one file after checking its size; the read is capped in case it grows."""
    with _open_regular(path, label) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > budget.left():
            raise _too_big(f"{label} is {_mb(size)}", budget.max_bytes)
        data = fh.read(budget.left() + 1)
    if budget.take(len(data)):
        raise _past_limit(f"{label} grew past", budget.max_bytes)
    return data


def _folder_sources(root: Path, shown: str, budget: _Budget) -> Iterator[Source]:
    """The folder's text files sorted by relative path; total size checked first."""
    found = [p for p in root.rglob("*") if _is_text_name(p.relative_to(root).as_posix())]
    files = sorted((p for p in found if p.is_file()), key=lambda p: p.relative_to(root).as_posix())
    if not files:
        raise _no_text(shown)
    total = sum(p.stat().st_size for p in files)
    if total > budget.max_bytes:
        raise _too_big(f"{shown} holds {_mb(total)} of text files", budget.max_bytes)
    for p in files:
        label = str(p)
        yield label, _read_file(p, label, budget), _is_lrc(p.name)


def _zip_sources(path: Path, shown: str, budget: _Budget) -> Iterator[Source]:
    """The zip's text members in name order, decompressed in chunks under the budget."""
    try:
        with _open_regular(path, shown) as fh, zipfile.ZipFile(fh) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and _is_text_name(i.filename)]
            if not infos:
                raise _no_text(shown)
            for info in sorted(infos, key=lambda i: i.filename):
                # Header sizes can lie (zip bombs): the output is counted as it decompresses.
                try:
                    data = read_member(fh, info, limit=budget.left())
                except OverLimit:
                    raise _past_limit(f"{shown} unzips to more than", budget.max_bytes) from None
                budget.take(len(data))
                yield f"{info.filename} in {shown}", data, _is_lrc(info.filename)
    except zipfile.BadZipFile as e:
        raise CorpusError(f"{shown} is not a valid zip file ({e})") from None
    except (RuntimeError, NotImplementedError, EOFError) as e:
        raise CorpusError(f"cannot unzip {shown}: {e}") from None


def _open_regular(path: Path, label: str) -> BinaryIO:
    """Open a file for reading only if it is a regular file; a FIFO or device is refused unopened.

    O_NONBLOCK makes the open itself return at once even if the path became a FIFO after the
    caller's ``stat``; ``fstat`` on the open descriptor then decides.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(label, mode)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _is_text_name(relative: str) -> bool:
    """A folder or zip entry to read: a text suffix, not hidden, not macOS metadata."""
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
        return False
    return PurePosixPath(relative).suffix.lower() in TEXT_SUFFIXES


def _is_lrc(name: str) -> bool:
    return name.lower().endswith(".lrc")


def _mb(n: int) -> str:
    return f"{n / _MB:.1f} MB"


def _too_big(what: str, max_bytes: int) -> CorpusError:
    return CorpusError(f"{what}; the limit is {_mb(max_bytes)} (raise it with --max-mb)")


def _past_limit(what: str, max_bytes: int) -> CorpusError:
    return CorpusError(f"{what} the {_mb(max_bytes)} limit (raise it with --max-mb)")


def _no_text(shown: str) -> CorpusError:
    accepted = ", ".join(TEXT_SUFFIXES)
    return CorpusError(f"{shown} has no text files (accepted: {accepted})")


def _not_a_file(label: str, mode: int) -> CorpusError:
    kind = (
        "a folder" if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a special file"
    )  # fmt: skip
    return CorpusError(f"{label} is {kind}, not a file; give a text file, a .zip of them or a folder")
