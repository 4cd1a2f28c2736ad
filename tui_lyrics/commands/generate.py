"""``lyrics-tui generate`` (stream a take to stdout) and ``lyrics-tui eval`` (score text)."""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from tui_lyrics.commands.output import note, print_json
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, default_quote_limit
from tui_lyrics.store import ModelStore

DEFAULT_LENGTH = 200
FLUSH_EVERY_S = 0.025
"""How long a take's characters may wait to reach the terminal: a flush per character cost a fifth of the take."""


class BatchedWriter:
    """A take's characters to the terminal in batches: the first at once (time to the first character is
    unchanged), then at each newline or every ``FLUSH_EVERY_S``, whichever comes first, and at the end."""

    def __init__(self, out: TextIO, every: float = FLUSH_EVERY_S) -> None:
        self.out, self.every = out, every
        self.flushed: float | None = None  # when the last flush was; None: none yet

    def write(self, text: str) -> None:
        self.out.write(text)
        now = time.monotonic()
        if self.flushed is None or "\n" in text or now - self.flushed >= self.every:
            self.out.flush()
            self.flushed = now

    def flush(self) -> None:
        self.out.flush()


def sample_config(args: argparse.Namespace, seed: int) -> SampleConfig:
    """The flags of ``generate`` as a SampleConfig, one flag per field."""
    config = SampleConfig(
        temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
        length=DEFAULT_LENGTH if args.length is None else args.length,
        lines=args.lines, seed=seed, alternatives=0, line_chars=args.line_chars, line_tolerance=args.line_tolerance,
        verse_lines=args.verse_lines, rhyme=args.rhyme, repetition_penalty=args.repetition_penalty,
        repetition_window=args.repetition_window, no_repeat_ngram=args.no_repeat_ngram, loop_repeats=args.loop_repeats,
        quote_limit=QUOTE_LIMIT if args.quote_limit is None else args.quote_limit,
        song_memory=args.song_memory == "on", corpus_lines=args.corpus_lines == "on",
    )  # fmt: skip
    shape = config.shape_chars
    if args.length is None and shape is not None and shape > DEFAULT_LENGTH:
        config = config.replace(length=shape)  # generation stops at the requested shape, not at 200
    return config


def run_generate(args: argparse.Namespace, home: Path) -> int:
    sample_config(args, 0 if args.seed is None else args.seed)  # a bad option fails before torch loads (~3 s)
    from tui_lyrics.core.rhymed import stream_take  # with rhyme on, lines that do not break words
    from tui_lyrics.core.runtime import pick_device
    from tui_lyrics.core.sample import load_model, resolve_seed

    seed = resolve_seed(args.seed)
    config = sample_config(args, seed)
    store = ModelStore.open(home)
    device = pick_device(args.device)
    lm = load_model(store, args.name, which=args.weights, device=device, max_params=args.max_params)
    if args.quote_limit is None:  # the default depends on the script: a Chinese character is about a word
        config = config.replace(quote_limit=default_quote_limit(lm.vocab.chars))
    unknown = lm.vocab.unknown(args.prefix)
    if unknown and not args.json:
        note(f"not in {args.name!r}'s vocabulary, read as <unk>: {' '.join(unknown)}")
    stop = threading.Event()
    chars: list[str] = []
    logp = 0.0
    # Where the quote limit banned a quote or gave way; without a corpus copy there is nothing to check against.
    checked = bool(config.quote_limit) and lm.quote_corpus() is not None
    quote = {"limit": config.quote_limit, "checked": checked, "acted": 0, "lifted": 0}
    out = BatchedWriter(sys.stdout)
    if not args.json:
        sys.stdout.write(args.prefix)
    try:
        for sampled in stream_take(lm, args.prefix, config, stop=stop):
            chars.append(sampled.char)
            logp += math.log(sampled.prob)
            quote["acted"] += "quote" in sampled.controls
            quote["lifted"] += "quote-lifted" in sampled.controls
            if not args.json:
                out.write(sampled.char)
    except KeyboardInterrupt:
        stop.set()
    finally:
        out.flush()  # what the last batch held, also after Ctrl-C
    text = "".join(chars)
    # Rhyme classes only where they are shown: their dictionary (pypinyin) takes a second or more to import.
    craft = take_report(store.path(args.name), args.prefix, text, logp, rhymes=args.json or config.rhyme != "off")
    if args.json:
        print_json({"name": args.name, "prefix": args.prefix, "text": text, "seed": seed,
                    "unknown": unknown, "weights": lm.weights, "settings": config.to_dict(), "quote_limit": quote,
                    **craft})  # fmt: skip
    else:
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        _note_craft(craft, rhyme=config.rhyme != "off", quote_limit=config.quote_limit)
        if config.quote_limit and not checked:
            note("no corpus copy: the quote limit could not be applied")
        note(f"seed {seed} (replay with --seed {seed})")
    return 0


def take_report(folder: Path, prefix: str, text: str, logp: float, *, rhymes: bool = True) -> dict[str, Any]:
    """What the composing screen shows beside a take: its lines and their rhyme (None without ``rhymes``),
    the meter, its fluency."""
    from tui_lyrics.memorise import corpus_index
    from tui_lyrics.rhyme import line_class, text_lines

    index = corpus_index(folder)
    return {
        "lines": [
            {"text": line, "chars": len(line), "rhyme": line_class(line) if rhymes else None}
            for line in text_lines(prefix + text)
        ],
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
