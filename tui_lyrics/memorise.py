"""The memorisation meter: how much of a take the model is quoting from its corpus; no torch.

Two figures for a take, so the writer knows when the model is reciting rather than writing:

* the longest substring it shares with the corpus (its length and text), and
* the share of its 8-character windows that occur somewhere in the corpus.

Both come from the take's *matching statistics*: for each position ``i`` of the take, the
length of the longest prefix of ``take[i:]`` found in the corpus. The corpus is indexed once
(a suffix array built by prefix doubling with numpy: O(n log n), about a second for a
million characters) and each take is then looked up in O(m log n) character comparisons, so
the meter can be refreshed while a take streams. ``corpus_index`` keeps the index of each
model's corpus in memory, so it is built once per model per process.

The same index drives the quote limit while a take is drawn (``core.constraints``), through
``quote_guard.SuffixMatch`` and ``quote_guard.QuoteGuard``.

The corpus is the model's whole corpus copy (``corpus.txt.gz``), held-out part included:
quoting a lyric the model never trained on is still quoting a lyric. Windows and the common
substring may span a line break, as a quoted passage does.
"""

from __future__ import annotations

import bisect
import contextlib
import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

WINDOW = 8
"""Width of the windows counted by ``window_share``."""


@dataclass(frozen=True)
class Memorisation:
    """The meter's reading for one take."""

    longest: int
    """Length of the longest substring the take shares with the corpus."""
    longest_text: str
    """That substring (the first one, if several are as long)."""
    window_share: float | None
    """Share of the take's ``window``-character windows found in the corpus (None: take too short)."""
    windows: int
    """How many windows the take has (``len(take) - window + 1``, or 0)."""
    window: int = WINDOW

    def to_dict(self) -> dict[str, Any]:
        return {
            "longest": self.longest,
            "longest_text": self.longest_text,
            "window_share": self.window_share,
            "windows": self.windows,
            "window": self.window,
        }


class CorpusIndex:
    """A suffix array over a corpus: answers "how far does this text match from here?"."""

    def __init__(self, text: str, *, suffixes: np.ndarray | None = None) -> None:
        """``suffixes``: the suffix array, when it was stored (see ``corpus_index``); else built here.

        Kept as a numpy array, not a list: a list of ten million ints costs a second to make and ten
        times the memory, and a binary search reads only a few dozen of its entries per character."""
        self.text = text
        self._suffixes: np.ndarray = _suffix_array(text) if suffixes is None else suffixes
        self._short: dict[str, tuple[int, int]] = {}
        """``interval`` of the short queries asked (up to ``SHORT`` characters): the quote guard asks for the
        same one- and two-character ones again and again, each two binary searches over the whole corpus."""

    def __len__(self) -> int:
        return len(self.text)

    def matching_statistics(self, take: str) -> list[int]:
        """For each position i of ``take``, the longest prefix of ``take[i:]`` found in the corpus."""
        return [self._longest_prefix(take[i:]) for i in range(len(take))]

    def _longest_prefix(self, query: str) -> int:
        if not query or not self.text:
            return 0
        text, sa = self.text, self._suffixes
        m = len(query)
        # Suffixes are sorted; the ones sharing the longest prefix with ``query`` sit beside
        # the place where ``query`` would be inserted.
        pos = bisect.bisect_left(sa, query, key=lambda s: text[s : s + m])
        best = 0
        for k in (pos - 1, pos):
            if 0 <= k < len(sa):
                best = max(best, _common_prefix(query, text, sa[k]))
        return best

    SHORT = 3
    SHORT_ENTRIES = 1 << 16

    def interval(self, query: str) -> tuple[int, int]:
        """The suffix-array interval ``[lo, hi)`` of the suffixes that start with ``query`` (empty: not found)."""
        m = len(query)
        if m <= self.SHORT:
            found = self._short.get(query)
            if found is None:
                found = self._search(query)
                if len(self._short) < self.SHORT_ENTRIES:
                    self._short[query] = found
            return found
        return self._search(query)

    def _search(self, query: str) -> tuple[int, int]:
        text, sa, m = self.text, self._suffixes, len(query)

        def key(s: int) -> str:
            return text[s : s + m]

        lo = bisect.bisect_left(sa, query, key=key)
        return lo, bisect.bisect_right(sa, query, lo, key=key)

    def measure(self, take: str, *, window: int = WINDOW) -> Memorisation:
        """The meter for ``take``: longest shared substring and share of windows found."""
        stats = self.matching_statistics(take)
        longest, start = 0, 0
        for i, n in enumerate(stats):
            if n > longest:
                longest, start = n, i
        windows = max(0, len(take) - window + 1)
        share = sum(1 for n in stats[:windows] if n >= window) / windows if windows else None
        return Memorisation(longest, take[start : start + longest], share, windows, window)


def _common_prefix(query: str, text: str, at: int) -> int:
    """Length of the common prefix of ``query`` and ``text[at:]``."""
    n = 0
    limit = min(len(query), len(text) - at)
    while n < limit and query[n] == text[at + n]:
        n += 1
    return n


def _suffix_array(text: str) -> np.ndarray:
    """Start positions of ``text``'s suffixes in sorted order (code point order), by prefix doubling."""
    import numpy as np  # only when a corpus is indexed: keeps the meter's import free

    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    _, rank = np.unique(codes, return_inverse=True)  # dense ranks of single characters
    rank = rank.astype(np.int64)
    k = 1
    while True:
        second = np.full(n, -1, dtype=np.int64)
        second[: n - k] = rank[k:] if k < n else second[:0]
        key = rank * (n + 1) + (second + 1)  # order by (rank[i], rank[i + k]); -1 sorts first
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        new = np.empty(n, dtype=np.int64)
        new[order] = np.concatenate(([0], np.cumsum(sorted_key[1:] != sorted_key[:-1])))
        rank = new
        if int(rank.max()) == n - 1 or k >= n:
            return order
        k *= 2


_CACHE: dict[tuple[str, int, int], CorpusIndex] = {}
_CACHE_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()


def corpus_index(folder: Path) -> CorpusIndex | None:
    """The index of a model's corpus copy (built once per process and file version); None if it has none.

    The suffix array is kept beside the corpus copy (``INDEX_FILE``), so a model opened again reads
    it instead of sorting the corpus (seconds per million characters) before its first character.
    """
    path = folder / "corpus.txt.gz"
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    with _BUILD_LOCK:  # the meter's worker and a take's quote limit may ask at once: build it once
        with _CACHE_LOCK:
            if key in _CACHE:
                return _CACHE[key]
        return _open_index(folder, path, key)


def _open_index(folder: Path, path: Path, key: tuple[str, int, int]) -> CorpusIndex | None:
    try:
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError):
        return None  # a corrupt copy: the meter is simply not shown
    digest = hashlib.sha256(raw).hexdigest()
    suffixes = _load_suffixes(folder / INDEX_FILE, digest, len(text))
    index = CorpusIndex(text, suffixes=suffixes)
    if suffixes is None:
        _store_suffixes(folder / INDEX_FILE, digest, index._suffixes)
    with _CACHE_LOCK:
        _CACHE.clear()  # one model at a time is composed with: keep only the latest index
        _CACHE[key] = index
    return index


INDEX_FILE = "corpus.index.safetensors"
"""The corpus copy's suffix array (int32 or int64), with the copy's SHA-256 in its metadata."""
_FORMAT = "lyrics-tui/corpus-index"


def _load_suffixes(path: Path, digest: str, n: int) -> np.ndarray | None:
    """The stored suffix array if it was built from this corpus copy; None if missing, stale or damaged."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            if meta.get("format") != _FORMAT or meta.get("corpus_sha256") != digest:
                return None
            suffixes = f.get_tensor("suffixes")
    except (OSError, SafetensorError, KeyError, ValueError):
        return None
    if suffixes.shape != (n,) or suffixes.dtype.kind != "i":
        return None
    loaded: np.ndarray = suffixes
    return loaded


def _store_suffixes(path: Path, digest: str, suffixes: np.ndarray) -> None:
    """Keep the suffix array beside the corpus copy (atomically); a read-only folder just rebuilds next time."""
    import numpy as np
    from safetensors.numpy import save

    from tui_lyrics.durable import atomic_write_bytes
    from tui_lyrics.errors import StoreError

    dtype = np.int32 if len(suffixes) < 2**31 else np.int64
    data = save({"suffixes": np.asarray(suffixes, dtype=dtype)}, metadata={"format": _FORMAT, "corpus_sha256": digest})
    with contextlib.suppress(StoreError, OSError):
        atomic_write_bytes(path, data)
