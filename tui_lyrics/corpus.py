"""A lyrics corpus: load it (read, decode, clean, join, summarise) and split it into train and held-out text.

A corpus is one text file, a ``.zip`` of text files or a folder of them: ``corpus_files`` reads
the files' bytes under a size budget, ``lyrics_text`` decodes and cleans each one, and this
module joins them, checks the size and summarises the result. Torch-free: the CLI and the TUI
import this module at start-up.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from tui_lyrics.corpus_files import Source, read_sources
from tui_lyrics.errors import CorpusError
from tui_lyrics.lyrics_text import decode_bytes, normalise

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MIN_CHARS = 1_000


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
    In folders and zips only ``corpus_files.TEXT_SUFFIXES`` files are read (hidden files and
    ``__MACOSX/`` skipped), sorted by path and joined by one blank line.
    Sizes are checked before reading; zips are counted as they decompress.
    """
    given, shown = Path(path).expanduser(), str(path)
    try:
        return _assemble(given, shown, read_sources(given, shown, max_bytes), min_chars, exact=exact)
    except PermissionError as e:
        raise CorpusError(f"cannot read {e.filename or shown}: permission denied") from None
    except OSError as e:
        raise CorpusError(f"cannot read {e.filename or shown}: {e.strerror or e}") from None


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


def _assemble(given: Path, shown: str, sources: Iterator[Source], min_chars: int, *, exact: bool) -> Corpus:
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
