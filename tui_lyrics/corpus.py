"""Read, decode and clean a lyrics corpus; split it into train and held-out text.

A corpus is one text file, a ``.zip`` of text files or a folder of them. Bytes are
decoded (UTF-8, UTF-16 with BOM, or GB18030/Big5 and others found by
charset-normalizer), cleaned by ``normalise`` and joined. Torch-free: the CLI and the
TUI import this module at start-up.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from tui_lyrics.errors import CorpusError
from tui_lyrics.unzip import OverLimit, read_member

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MIN_CHARS = 1_000
TEXT_SUFFIXES = (".txt", ".lrc", ".md")

# (label for messages, raw bytes, is it an .lrc file)
_Source = tuple[str, bytes, bool]
_MB = 1024 * 1024
_MAX_GARBAGE_SHARE = 0.05
# What decoding garbage turns into: control characters (Unicode category Cc) other than
# \t \n \f \r, the replacement character U+FFFD and the private-use area (where cp950 and
# Big5-HKSCS put byte pairs no real text uses).
_GARBAGE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")
_TIME_TAG = re.compile(r"\[\d+:\d{2}(?:[.:]\d{1,3})?\][ \t]*")
_HEADER_TAG = re.compile(r"\[(?:ar|ti|al|by|offset|length|re|ve|au|tool):[^\]]*\]", re.IGNORECASE)
# charset-normalizer names -> (codecs to try in order, name reported to the user).
# GB18030 is a superset of GBK/GB2312; Big5-HKSCS and cp950 extend Big5.
_GB18030, _BIG5 = (("gb18030",), "gb18030"), (("big5hkscs", "cp950"), "big5")
_CHINESE = dict.fromkeys(("gb2312", "gbk", "gb18030"), _GB18030) | dict.fromkeys(("big5", "big5hkscs", "cp950"), _BIG5)


@dataclass(frozen=True)
class CorpusSummary:
    """What a loaded corpus is, small enough to store beside a model as JSON."""

    name: str  # the file or folder name given, e.g. "jaychou_lyrics.txt.zip"
    path: str  # absolute, resolved
    encoding: str  # for several files the distinct ones joined by "+" in order of use
    files: int  # text files (or zip members) read
    chars: int  # characters in the normalised text
    lines: int  # lines in the normalised text
    distinct: int  # distinct characters in the normalised text
    sha256: str  # hex SHA-256 of the normalised text encoded as UTF-8

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CorpusSummary:
        """Build from ``to_dict`` output; unknown or missing keys raise ValueError."""
        names = {f.name for f in fields(cls)}
        if unknown := sorted(set(d) - names):
            raise ValueError(f"unknown corpus summary keys: {', '.join(unknown)}")
        if missing := sorted(names - set(d)):
            raise ValueError(f"missing corpus summary keys: {', '.join(missing)}")
        return cls(**d)


@dataclass(frozen=True)
class Corpus:
    """The normalised text and its summary."""

    text: str
    summary: CorpusSummary


def load_corpus(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_chars: int = MIN_CHARS,
    exact: bool = False,
) -> Corpus:
    """Load a text file, a ``.zip`` or a folder; raise CorpusError if it is unusable.

    ``exact`` keeps the decoded text as it is but for deleting ``\\r`` (the canonical
    benchmark text); otherwise ``normalise`` cleans it. Any file named explicitly is tried.
    In folders and zips only ``TEXT_SUFFIXES`` files are read (hidden files and
    ``__MACOSX/`` skipped), sorted by path and joined by one blank line.
    Sizes are checked before reading; zips are counted as they decompress.
    """
    given, shown = Path(path).expanduser(), str(path)
    budget = _Budget(max_bytes)
    try:
        try:
            mode = given.stat().st_mode  # stat, never open: opening a FIFO would block
        except FileNotFoundError:
            raise CorpusError(f"{shown} does not exist") from None
        if stat.S_ISDIR(mode):
            sources = _folder_sources(given, shown, budget)
        elif not stat.S_ISREG(mode):
            raise _not_a_file(shown, mode)
        elif given.suffix.lower() == ".zip":
            sources = _zip_sources(given, shown, budget)
        else:
            sources = iter([(shown, _read_file(given, shown, budget), _is_lrc(shown))])
        return _assemble(given, shown, sources, min_chars, exact=exact)
    except PermissionError as e:
        raise CorpusError(f"cannot read {e.filename or shown}: permission denied") from None
    except OSError as e:
        raise CorpusError(f"cannot read {e.filename or shown}: {e.strerror or e}") from None


def decode_bytes(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode ``data`` to ``(text, encoding)``; binary data raises CorpusError."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _strict(data, ("utf-8-sig",), name), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _strict(data, ("utf-16",), name), "utf-16"
    elif b"\x00" in data:
        raise _binary(name)
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _detect(data, name)
    garbage = sum(1 for _ in _GARBAGE.finditer(text))
    if garbage > _MAX_GARBAGE_SHARE * len(text):
        share = f"{garbage / len(text):.0%} of it decodes ({encoding}) to control, replacement or private-use"
        raise _binary(name, share + " characters")
    return text, encoding


def normalise(text: str, *, lrc: bool = False) -> str:
    """Clean text: one newline style, NFC, no trailing spaces, at most one blank line.

    With ``lrc`` the LRC time tags (``[00:12.34]``) and header lines (``[ar:...]``) go.
    Case and punctuation are never touched.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    lines = text.split("\n")
    if lrc:
        lines = [_TIME_TAG.sub("", ln) for ln in lines if not _HEADER_TAG.fullmatch(ln.strip())]
    text = "\n".join(ln.rstrip(" \t\u3000") for ln in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text + "\n" if text else ""


def split_text(text: str, *, held_out: float = 0.1) -> tuple[str, str]:
    """Split into ``(train, held_out)``, held-out being the last ``held_out`` fraction.

    Train is the first ``floor(len * (1 - held_out))`` characters, never shuffled: for 0.1
    exactly the canonical benchmark split, so the app's held-out score is the benchmark's.
    """
    if not 0 < held_out < 0.5:
        raise ValueError(f"held_out must be between 0 and 0.5, got {held_out}")
    if len(text) < 2:
        raise ValueError("text is too short to split")
    parts = 10**6  # integer arithmetic: 0.9 * n in floating point can land one below n * 9 // 10
    cut = min(max(len(text) * round((1 - held_out) * parts) // parts, 1), len(text) - 1)
    return text[:cut], text[cut:]


def canonical_split(text: str) -> tuple[str, str]:
    """The benchmark split: train = the first ``len(text) * 9 // 10`` characters.

    Benchmarks apply it to the raw decoded text with only ``\\r`` removed (not to
    ``normalise`` output), so their numbers compare across tools (see
    shared/corpora/README.md). The rest is held-out; no move to a line boundary.
    """
    n = len(text) * 9 // 10
    return text[:n], text[n:]


def preview_lines(text: str, n: int = 8) -> list[str]:
    """The first ``n`` non-blank lines, each cut to 60 characters."""
    return [line[:60] for line in text.splitlines() if line.strip()][:n]


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


def _assemble(given: Path, shown: str, sources: Iterator[_Source], min_chars: int, *, exact: bool) -> Corpus:
    """Decode, clean and join the sources; check size and summarise."""
    texts: list[str] = []
    encodings: list[str] = []
    for label, data, lrc in sources:
        raw, encoding = decode_bytes(data, name=label)
        if encoding not in encodings:
            encodings.append(encoding)
        texts.append(raw.replace("\r", "") if exact else normalise(raw, lrc=lrc))
    text = "\n".join(t for t in texts if t)
    if len(text) < min_chars:
        raise CorpusError(f"{shown} has {len(text):,} characters; at least {min_chars:,} are needed")
    resolved = given.resolve()
    summary = CorpusSummary(
        name=resolved.name or shown,
        path=str(resolved),
        encoding="+".join(encodings),
        files=len(texts),
        chars=len(text),
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        distinct=len(set(text)),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Corpus(text=text, summary=summary)


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


def _folder_sources(root: Path, shown: str, budget: _Budget) -> Iterator[_Source]:
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


def _zip_sources(path: Path, shown: str, budget: _Budget) -> Iterator[_Source]:
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


def _detect(data: bytes, name: str) -> tuple[str, str]:
    """Guess a legacy encoding with charset-normalizer, preferring Chinese ones."""
    # Imported here: it costs ~25 ms and only non-UTF-8 files need it.
    import charset_normalizer

    # Explicit settings pin the library's sampling: the same bytes, the same answer.
    matches = charset_normalizer.from_bytes(data, steps=5, chunk_size=512, threshold=0.2, explain=False)
    chinese = [m for m in matches if m.encoding in _CHINESE]
    best = chinese[0] if chinese else matches.best()
    if best is None:
        raise _binary(name)
    codecs_to_try, reported = _CHINESE.get(best.encoding, ((best.encoding,), best.encoding))
    return _strict(data, codecs_to_try, name), reported


def _strict(data: bytes, encodings: tuple[str, ...], name: str) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{name} is not valid {encodings[0]} text")


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


def _binary(name: str, why: str = "") -> CorpusError:
    return CorpusError(f"{name} is not a text file (looks binary{': ' + why if why else ''})")


def _not_a_file(label: str, mode: int) -> CorpusError:
    kind = (
        "a folder" if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a special file"
    )  # fmt: skip
    return CorpusError(f"{label} is {kind}, not a file; give a text file, a .zip of them or a folder")
