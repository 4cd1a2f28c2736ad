"""``lyrics-tui generate`` (stream a take to stdout) and ``lyrics-tui eval`` (score text)."""

from __future__ import annotations

import argparse
import math
import sys
import threading
from pathlib import Path
from typing import Any

from tui_lyrics.commands.output import note, print_json
from tui_lyrics.config import SampleConfig, TrainConfig
from tui_lyrics.errors import LyricsError
from tui_lyrics.store import ModelStore


def run_generate(args: argparse.Namespace, home: Path) -> int:
    from tui_lyrics.core.sample import load_model, resolve_seed, stream_chars

    seed = resolve_seed(args.seed)
    config = SampleConfig(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
                          length=args.length, lines=args.lines, seed=seed, alternatives=0)  # fmt: skip
    lm = load_model(ModelStore.open(home), args.name, which=args.weights, device=args.device)
    unknown = lm.vocab.unknown(args.prefix)
    if unknown and not args.json:
        note(f"not in {args.name!r}'s vocabulary, read as <unk>: {' '.join(unknown)}")
    stop = threading.Event()
    chars: list[str] = []
    if not args.json:
        sys.stdout.write(args.prefix)
    try:
        for sampled in stream_chars(lm, args.prefix, config, stop=stop):
            chars.append(sampled.char)
            if not args.json:
                sys.stdout.write(sampled.char)
                sys.stdout.flush()
    except KeyboardInterrupt:
        stop.set()
    text = "".join(chars)
    if args.json:
        print_json({"name": args.name, "prefix": args.prefix, "text": text, "seed": seed,
                    "unknown": unknown, "weights": lm.weights, "settings": config.to_dict()})  # fmt: skip
    else:
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        note(f"seed {seed} (replay with --seed {seed})")
    return 0


def run_eval(args: argparse.Namespace, home: Path) -> int:
    from tui_lyrics.core.evaluate import evaluate
    from tui_lyrics.core.runtime import load_corpus_copy
    from tui_lyrics.core.sample import load_model
    from tui_lyrics.corpus import load_corpus, split_text

    store = ModelStore.open(home)
    lm = load_model(store, args.name, which=args.weights, device=args.device)
    if args.file:
        text, context, source = load_corpus(args.file, min_chars=1).text, "", args.file
    else:
        held = TrainConfig.from_dict(lm.card["train"]).held_out
        context, text = split_text(load_corpus_copy(store.path(args.name)), held_out=held)
        source = f"held-out part of {lm.card['corpus'].get('name', 'its corpus')}"
    if not text:
        raise LyricsError("nothing to score")
    loss = evaluate(lm.model, lm.vocab, text, context=context, device=args.device)
    result = _result(args.name, source, lm.weights, text, loss, lm.vocab)
    if args.json:
        print_json(result)
    else:
        print(f"{args.name} ({lm.weights} weights) on the {source}: {result['chars']:,} characters, "
              f"{result['unk_chars']:,} outside the vocabulary")  # fmt: skip
        print(f"  cross-entropy {loss:.4f} nats/char = {result['bits_per_char']:.4f} bits/char; "
              f"perplexity {result['perplexity']:.2f}")  # fmt: skip
    return 0


def _result(name: str, source: str, weights: str, text: str, loss: float, vocab: Any) -> dict[str, Any]:
    return {
        "name": name,
        "source": source,
        "weights": weights,
        "chars": len(text),
        "unk_chars": sum(1 for c in text if c not in vocab),
        "loss": loss,
        "bits_per_char": loss / math.log(2),
        "perplexity": math.exp(loss),
    }
