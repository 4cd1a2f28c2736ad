"""A model's fitted n-gram on disk (``ngram.safetensors``), so that opening a model does not refit it.

Refitting from the corpus copy costs about 10 s per MB of corpus; reading the stored arrays costs
a fraction of a second. The file holds what the fit produced (per order: gram keys, counts,
discounts; the event list) as plain arrays (safetensors, no pickle), and in its metadata what it
was fitted from: the corpus copy's SHA-256, the held-out share and the order. Any mismatch, a
missing file or a damaged one reads as "not stored": the caller refits and stores again. Torch-free.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tui_lyrics.ngram import KneserNey

NGRAM_FILE = "ngram.safetensors"
CORPUS_FILE = "corpus.txt.gz"
FORMAT = "lyrics-tui/ngram"


def _key(folder: Path, *, order: int, held_out: float) -> dict[str, str] | None:
    """What the stored n-gram must have been fitted from; None without a corpus copy."""
    try:
        digest = hashlib.sha256((folder / CORPUS_FILE).read_bytes()).hexdigest()
    except OSError:
        return None
    return {"format": FORMAT, "corpus_sha256": digest, "order": str(order), "held_out": repr(float(held_out))}


def load_ngram(folder: Path, *, order: int, held_out: float, events: Sequence[str]) -> KneserNey | None:
    """The stored n-gram if it was fitted from this folder's corpus copy with these settings, else None."""
    from safetensors import SafetensorError, safe_open

    path = folder / NGRAM_FILE
    key = _key(folder, order=order, held_out=held_out)
    if key is None or not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="np") as handle:
            meta = handle.metadata() or {}
            if any(meta.get(k) != v for k, v in key.items()):
                return None
            arrays = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118 (not a dict)
        kn = KneserNey.from_arrays(arrays)
    except (SafetensorError, OSError, KeyError, ValueError, TypeError, OverflowError):
        return None  # damaged or foreign: refit
    if kn.order != order or kn.events != tuple(events):
        return None
    return kn


def store_ngram(folder: Path, kn: KneserNey, *, held_out: float) -> bool:
    """Write ``kn`` atomically beside the weights; False (nothing written) if it could not be."""
    from safetensors.numpy import save

    from tui_lyrics.durable import atomic_write_bytes
    from tui_lyrics.errors import StoreError

    key = _key(folder, order=kn.order, held_out=held_out)
    if key is None:
        return False
    arrays = {name: np.ascontiguousarray(a) for name, a in kn.to_arrays().items()}
    try:
        atomic_write_bytes(folder / NGRAM_FILE, save(arrays, metadata=key))
    except StoreError:
        return False  # a read-only or full disk: the model still works, it refits next time
    return True
