"""Generation: time to the first character and characters/s, per cell, at the default size.

Each cell gets a model of the size the app picks for the Jay Chou corpus, trained a few steps
so it carries its n-gram mixture like any trained model (speed does not depend on what the
weights learned). Batch 1, CPU, through ``core.sample.stream_chars``: the code the Compose
screen and ``lyrics-tui generate`` run. The clock starts where Enter starts a take (the model
already loaded), so the first character includes the prefix pass.

Child mode (``python bench/generation.py --cell gru``) prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPORA, PY, canonical_corpus, median, run, shown

QUOTE_LIMIT = 12  # tui_lyrics.config.QUOTE_LIMIT: what `generate` and the app use

PREFIX = "我睁开双眼"
TAKES = 5


def child(args: argparse.Namespace) -> dict[str, Any]:
    from tui_lyrics.config import SampleConfig, TrainConfig, auto_preset
    from tui_lyrics.core.sample import load_model, stream_chars
    from tui_lyrics.core.train import create_model, train
    from tui_lyrics.corpus import split_text
    from tui_lyrics.store import ModelStore

    corpus = canonical_corpus(CORPORA[0])
    model = auto_preset(len(split_text(corpus.text)[0])).model.replace(cell=args.cell, ngram=args.ngram)
    with tempfile.TemporaryDirectory() as home:
        store = ModelStore(Path(home))
        name = create_model(store, corpus, name=args.cell, model=model, train=TrainConfig(steps=2, eval_every=1))
        train(store, name)
        lm = load_model(store, name)
        firsts, rates, cpu_rates, base_rates = [], [], [], []
        for take in range(TAKES + 1):  # take 0 warms up the kernels; it is reported apart
            config = SampleConfig(
                length=args.chars, seed=take, top_k=5, quote_limit=args.quote_limit, song_memory=not args.no_song_memory
            )
            # the same take with the mixture alone, right before: a baseline under the same load
            base = config.replace(quote_limit=0, song_memory=False)
            started = time.perf_counter()
            base_rates.append(sum(1 for _ in stream_chars(lm, PREFIX, base)) / (time.perf_counter() - started))
            started, cpu = time.perf_counter(), time.process_time()
            chars = stream_chars(lm, PREFIX, config)
            next(chars)
            first = time.perf_counter() - started
            n = 1 + sum(1 for _ in chars)
            total = time.perf_counter() - started
            firsts.append(first)
            rates.append(n / total)
            cpu_rates.append(n / (time.process_time() - cpu))
    return {
        "cell": args.cell,
        "params": lm.model.params,
        "cold_first_ms": 1000 * firsts[0],
        "first_ms": 1000 * median(firsts[1:]),
        "chars_per_s": median(rates[1:]),
        "cpu_chars_per_s": median(cpu_rates[1:]),
        "mixture_alone_chars_per_s": median(base_rates[1:]),
        "ratio_to_mixture_alone": median([r / b for r, b in zip(rates[1:], base_rates[1:], strict=True)]),
        "load_1min": os.getloadavg()[0],
        "mixture": lm.mixture is not None,
        "song_memory": not args.no_song_memory,
        "quote_limit": args.quote_limit,
    }


def measure(chars: int) -> dict[str, Any]:
    rows = {}
    for cell in ("rnn", "gru", "lstm"):
        for ngram in (5, 0):
            command = [PY, "bench/generation.py", "--cell", cell, "--ngram", str(ngram), "--chars", str(chars)]
            rows[f"{cell}-{ngram}"] = {**run(command).json(), "command": shown(command)}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cell", default="gru")
    parser.add_argument("--ngram", type=int, default=5, help="the mixture's n-gram order (0: network alone)")
    parser.add_argument("--chars", type=int, default=500)
    parser.add_argument("--quote-limit", type=int, default=QUOTE_LIMIT, help="the quote limit (0: off)")
    parser.add_argument("--no-song-memory", action="store_true", help="the n-gram sees only its last few characters")
    print(json.dumps(child(parser.parse_args())))


if __name__ == "__main__":
    main()
