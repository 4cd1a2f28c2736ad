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

DEFAULT_LENGTH = 200


def sample_config(args: argparse.Namespace, seed: int) -> SampleConfig:
    """The flags of ``generate`` as a SampleConfig, one flag per field."""
    config = SampleConfig(
        temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
        length=DEFAULT_LENGTH if args.length is None else args.length,
        lines=args.lines, seed=seed, alternatives=0, line_chars=args.line_chars, line_tolerance=args.line_tolerance,
        verse_lines=args.verse_lines, rhyme=args.rhyme, repetition_penalty=args.repetition_penalty,
        repetition_window=args.repetition_window, no_repeat_ngram=args.no_repeat_ngram, loop_repeats=args.loop_repeats,
        quote_limit=args.quote_limit,
    )  # fmt: skip
    shape = config.shape_chars
    if args.length is None and shape is not None and shape > DEFAULT_LENGTH:
        config = config.replace(length=shape)  # generation stops at the requested shape, not at 200
    return config


def run_generate(args: argparse.Namespace, home: Path) -> int:
    from tui_lyrics.core.runtime import pick_device
    from tui_lyrics.core.sample import load_model, resolve_seed, stream_chars

    seed = resolve_seed(args.seed)
    config = sample_config(args, seed)
    store = ModelStore.open(home)
    device = pick_device(args.device)
    lm = load_model(store, args.name, which=args.weights, device=device, max_params=args.max_params)
    unknown = lm.vocab.unknown(args.prefix)
    if unknown and not args.json:
        note(f"not in {args.name!r}'s vocabulary, read as <unk>: {' '.join(unknown)}")
    stop = threading.Event()
    chars: list[str] = []
    logp = 0.0
    quote = {"limit": config.quote_limit, "acted": 0, "lifted": 0}  # where it banned a quote, or gave way
    if not args.json:
        sys.stdout.write(args.prefix)
    try:
        for sampled in stream_chars(lm, args.prefix, config, stop=stop):
            chars.append(sampled.char)
            logp += math.log(sampled.prob)
            quote["acted"] += "quote" in sampled.controls
            quote["lifted"] += "quote-lifted" in sampled.controls
            if not args.json:
                sys.stdout.write(sampled.char)
                sys.stdout.flush()
    except KeyboardInterrupt:
        stop.set()
    text = "".join(chars)
    craft = take_report(store.path(args.name), args.prefix, text, logp)
    if args.json:
        print_json({"name": args.name, "prefix": args.prefix, "text": text, "seed": seed,
                    "unknown": unknown, "weights": lm.weights, "settings": config.to_dict(), "quote_limit": quote,
                    **craft})  # fmt: skip
    else:
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        _note_craft(craft, rhyme=config.rhyme != "off", quote_limit=config.quote_limit)
        note(f"seed {seed} (replay with --seed {seed})")
    return 0


def take_report(folder: Path, prefix: str, text: str, logp: float) -> dict[str, Any]:
    """What the composing screen shows beside a take: its lines and their rhyme, the meter, its fluency."""
    from tui_lyrics.memorise import corpus_index
    from tui_lyrics.rhyme import line_class, text_lines

    index = corpus_index(folder)
    return {
        "lines": [{"text": line, "chars": len(line), "rhyme": line_class(line)} for line in text_lines(prefix + text)],
        "memorisation": index.measure(text).to_dict() if index is not None else None,
        "mean_logprob": logp / len(text) if text else None,
    }


def _note_craft(craft: dict[str, Any], *, rhyme: bool, quote_limit: int) -> None:
    meter = craft["memorisation"]
    if meter is not None:
        share = "" if meter["window_share"] is None else f"; {100 * meter['window_share']:.0f}% of its 8-character "
        share += "windows are in the corpus" if share else ""
        limit = f" (quote limit {quote_limit}; --quote-limit off to lift it)" if quote_limit else " (no quote limit)"
        note(f"longest stretch shared with the corpus: {meter['longest']} characters{limit}{share}")
    if rhyme:
        note("rhyme per line: " + " ".join(line["rhyme"] or "–" for line in craft["lines"]))


def run_eval(args: argparse.Namespace, home: Path) -> int:
    import numpy as np

    from tui_lyrics.core.evaluate import char_probs
    from tui_lyrics.core.runtime import load_corpus_copy, pick_device
    from tui_lyrics.core.sample import load_model
    from tui_lyrics.corpus import load_corpus, split_text

    store = ModelStore.open(home)
    device = pick_device(args.device)
    lm = load_model(store, args.name, which=args.weights, device=device, max_params=args.max_params)
    if args.file:
        text, context, source = load_corpus(args.file, min_chars=1).text, "", args.file
    else:
        held = TrainConfig.from_dict(lm.card["train"]).held_out
        context, text = split_text(load_corpus_copy(store.path(args.name)), held_out=held)
        source = f"held-out part of {lm.card['corpus'].get('name', 'its corpus')}"
    if not text:
        raise LyricsError("nothing to score")
    probs = char_probs(lm.model, lm.vocab, text, context=context, device=device).numpy()
    if lm.mixture is not None:
        probs = lm.mixture.mix(probs, lm.mixture.ngram_probs(text, context=context))
    loss = float(-np.log(probs).mean())
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
