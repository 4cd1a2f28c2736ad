"""Scale: load + normalise + encode 1, 10 and 100 MB of text, time and peak memory.

The text is the two corpora repeated until it reaches the size (UTF-8 bytes), written to a
temporary file. Each size runs in a fresh process that loads it the way training does:
``load_corpus`` (read, decode, normalise), the vocabulary of the training part, and the id
array the batches are cut from. Memory is the process's peak resident size minus what it
held before loading.

Child mode (``python bench/scale.py --file F``) prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPORA, PY, canonical_text, own_peak_mb, run

SIZES_MB = (1, 10, 100)


def child(path: Path) -> dict[str, Any]:
    from tui_lyrics.corpus import load_corpus, split_text
    from tui_lyrics.vocab import CharVocab

    before = own_peak_mb()
    started = time.perf_counter()
    corpus = load_corpus(path)
    loaded = time.perf_counter()
    train_text, _ = split_text(corpus.text)
    vocab = CharVocab.build(train_text, min_count=2)
    ids = vocab.encode_array(corpus.text)
    done = time.perf_counter()
    return {
        "chars": len(corpus.text), "load_s": loaded - started, "encode_s": done - loaded, "total_s": done - started,
        "peak_mb": own_peak_mb() - before, "ids": int(ids.size),
    }  # fmt: skip


def measure(sizes: tuple[int, ...] = SIZES_MB) -> list[dict[str, Any]]:
    base = "".join(canonical_text(c) for c in CORPORA).encode("utf-8")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for mb in sizes:
            path = Path(folder) / f"text-{mb}mb.txt"
            target = mb * 1024 * 1024
            path.write_bytes((base * (target // len(base) + 1))[:target].decode("utf-8", "ignore").encode("utf-8"))
            result = run([PY, "bench/scale.py", "--file", str(path)]).json()
            rows.append({"mb": mb, **result, "bytes_per_char": result["peak_mb"] * 2**20 / result["chars"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, required=True)
    print(json.dumps(child(parser.parse_args().file)))


if __name__ == "__main__":
    main()
