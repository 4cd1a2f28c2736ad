"""CharVocab: characters <-> ids, with one <unk> that also stands for rare characters.

Characters are ordered by training frequency (ties by code point) so the vocabulary is
deterministic. Characters seen fewer than ``min_count`` times are trained as ``<unk>``: the
model learns how likely an unseen character is. To score held-out text as a proper
distribution over every character seen in training plus one class for the never-seen, the
``<unk>`` probability is shared out by ``unk_share``: each rare character in proportion to
its training count, the never-seen class with the weight of the characters seen once
(Good-Turing's estimate of the mass of novel characters).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

UNK = "<unk>"
UNK_ID = 0


@dataclass(frozen=True)
class CharVocab:
    """An ordered character list; id 0 is ``<unk>``."""

    chars: tuple[str, ...]
    """Characters with their own id, most frequent first (ids 1..len)."""
    rare: dict[str, int] = field(default_factory=dict)
    """Training characters folded into <unk>, with their training counts."""
    singletons: int = 0
    """How many distinct characters occur exactly once in the training text."""
    _index: dict[str, int] = field(init=False, repr=False, compare=False, default_factory=dict)
    """Each character's id, made from ``chars`` (a field so its type is declared; never saved)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c: i + 1 for i, c in enumerate(self.chars)})

    @classmethod
    def build(cls, text: str, *, min_count: int = 1, max_size: int | None = None) -> CharVocab:
        counts = Counter(text)
        ordered = sorted(counts, key=lambda c: (-counts[c], ord(c)))
        keep = [c for c in ordered if counts[c] >= min_count]
        if max_size is not None:
            keep = keep[: max(1, max_size - 1)]
        kept = set(keep)
        rare = {c: counts[c] for c in ordered if c not in kept}
        singletons = sum(1 for n in counts.values() if n == 1)
        return cls(chars=tuple(keep), rare=rare, singletons=singletons)

    @property
    def size(self) -> int:
        """Number of ids, <unk> included."""
        return len(self.chars) + 1

    def __len__(self) -> int:
        return self.size

    def __contains__(self, char: str) -> bool:
        return char in self._index

    def id_of(self, char: str) -> int:
        return self._index.get(char, UNK_ID)

    def encode(self, text: str) -> list[int]:
        index = self._index
        return [index.get(c, UNK_ID) for c in text]

    def encode_array(self, text: str) -> np.ndarray:
        """``encode`` for long texts: an int64 array, built in bounded chunks."""
        return ids_of(text, self.chars)

    def decode(self, ids: list[int]) -> str:
        return "".join(UNK if i == UNK_ID else self.chars[i - 1] for i in ids)

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that have no id of their own, in order."""
        index = self._index
        return list(dict.fromkeys(c for c in text if c not in index))

    def is_known(self, char: str) -> bool:
        """Seen in training at all (own id, or folded into <unk> as rare)."""
        return char in self or char in self.rare

    def unk_share(self, char: str) -> float:
        """The fraction of the <unk> probability that scoring gives ``char``.

        A rare training character gets its count's share; any other character belongs to
        the one never-seen class, which gets the singletons' weight (at least 1).
        """
        novel = max(1, self.singletons)
        total = novel + sum(self.rare.values())
        return self.rare.get(char, novel) / total

    def to_dict(self) -> dict[str, Any]:
        return {"chars": "".join(self.chars), "rare": self.rare, "singletons": self.singletons}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CharVocab:
        chars = data["chars"]
        if not isinstance(chars, str) or len(set(chars)) != len(chars):
            raise ValueError("vocabulary characters must be a string of distinct characters")
        rare = {str(c): int(n) for c, n in data.get("rare", {}).items()}
        return cls(chars=tuple(chars), rare=rare, singletons=int(data.get("singletons", 0)))


CHUNK = 1 << 20


def ids_of(text: str, chars: Sequence[str]) -> np.ndarray:
    """Ids of each character of ``text``: ``chars[i]`` is i + 1, anything else 0 (<unk>).

    Vectorised over code points a chunk at a time, so 100 MB of text encodes in seconds with
    the int64 result (8 bytes a character) as the only large allocation.
    """
    import numpy as np  # here, not at the top: the app imports this module while it starts

    codes = np.array([ord(c) for c in chars], dtype=np.int64)
    order = np.argsort(codes)
    known = codes[order]
    out = np.zeros(len(text), dtype=np.int64)
    if not len(known):
        return out
    for start in range(0, len(text), CHUNK):
        piece = np.frombuffer(text[start : start + CHUNK].encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        at = np.minimum(np.searchsorted(known, piece), len(known) - 1)
        out[start : start + len(piece)] = np.where(known[at] == piece, order[at] + 1, UNK_ID)
    return out
