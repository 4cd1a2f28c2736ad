"""``lyrics-tui eval``: score the held-out text (or a file), both readings side by side.

Static: each character given the training text and the text before it, the figure every
other model reports. Song memory: the n-gram also counts the text read so far, as a listener
remembers a chorus. Neither replaces the other: both are printed, each labelled, for the model,
the network alone and the n-gram alone. Beside them, measured fresh on the same weights, the
memorisation meter (``core.quote_meter``): how much of the model's seeded takes quotes its corpus,
with the app's default quote limit and with it off.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from tui_lyrics.commands.output import print_json
from tui_lyrics.errors import LyricsError
from tui_lyrics.store import ModelStore


def run_eval(args: argparse.Namespace, home: Path) -> int:
    from tui_lyrics.core.evaluate import char_probs
    from tui_lyrics.core.mixture_reading import HeldOutNgram
    from tui_lyrics.core.runtime import load_corpus_copy, pick_device
    from tui_lyrics.core.sample import load_model
    from tui_lyrics.corpus import load_corpus, split_text

    store = ModelStore.open(home)
    device = pick_device(args.device)
    lm = load_model(store, args.name, which=args.weights, device=device, max_params=args.max_params)
    if args.file:
        text, context, source = load_corpus(args.file, min_chars=1).text, "", args.file
    else:
        card = lm.card
        assert card is not None  # load_model gives the model's card
        context, text = split_text(load_corpus_copy(store.path(args.name)), held_out=card.train.held_out)
        source = f"held-out part of {card.corpus.name or 'its corpus'}"
    if not text:
        raise LyricsError("nothing to score")
    network = char_probs(lm.model, lm.vocab, text, context=context, device=device).numpy()
    readings: dict[str, Any] = {"static": {"network": _loss(network)}, "song_memory": {"network": None}}
    loss = readings["static"]["network"]
    if lm.mixture is not None:
        mixture, ngram = lm.mixture, HeldOutNgram.score(lm.mixture, text, context=context)
        static_side, song_side = network, network
        if mixture.product:  # trained to complement the n-gram: its side is softmax(logits + log p_ngram)
            from tui_lyrics.core.complement import held_out_product

            static_side, song_side = held_out_product(lm.model, lm.vocab, mixture.ngram, text, context, device)
        loss = _loss(mixture.mix(static_side, ngram.static))
        readings["static"] |= {"model": loss, "ngram": _loss(ngram.static)}
        song = _loss(mixture.mix_song(song_side, ngram.song))
        readings["song_memory"] |= {
            "model": song,
            "ngram": _loss(ngram.song.probs),
            "song_ngram": _loss(ngram.song.own),
        }
        readings["ngram_order"] = mixture.ngram.order
        readings["combine"] = "product" if mixture.product else "mix"
    else:
        readings["static"]["model"] = loss
        readings["song_memory"] |= {"model": None, "ngram": None}
    result = _result(args.name, source, lm.weights, text, loss, lm.vocab) | {"readings": readings}
    result["memorisation"] = _memorisation(lm)
    if args.json:
        print_json(result)
    else:
        _print(args.name, lm.weights, source, result)
        _print_memorisation(result["memorisation"])
    return 0


def _memorisation(lm: Any) -> dict[str, Any]:
    """The memorisation meter, measured now on the weights scored (``core.quote_meter``), or why it cannot be."""
    from tui_lyrics.core.quote_meter import TAKE_CHARS, TAKES, MeterUnreadable, measure_model
    from tui_lyrics.quotes import WHAT, quotes_record

    try:
        record = quotes_record(measure_model(lm))
    except MeterUnreadable as error:
        return {"what": WHAT, "unreadable": str(error)}
    assert record is not None  # measured without a stop
    return record | {"seeds": f"0..{TAKES - 1}", "take_chars": TAKE_CHARS}


def _print_memorisation(m: dict[str, Any]) -> None:
    if "unreadable" in m:
        print(f"  memorisation: {m['unreadable']}")
        return
    on, off = m["limited"], m["unlimited"]
    print(f"  memorisation ({on['takes']} seeded takes of {m['take_chars']} chars, generate's defaults, no prompt; "
          f"share of {m['window']}-char windows found in the corpus copy, longest stretch shared): "
          f"{on['share']:.1%}, longest {on['longest_mean']:.1f} mean / {on['longest_max']} max with the default "
          f"quote limit {on['limit']} (what a user gets); {off['share']:.1%}, longest {off['longest_mean']:.1f} / "
          f"{off['longest_max']} with the limit off (what the model itself would quote)")  # fmt: skip


def _loss(probs: Any) -> float:
    import numpy as np

    with np.errstate(divide="ignore"):
        return float(-np.log(probs).mean())


def _print(name: str, weights: str, source: str, result: dict[str, Any]) -> None:
    readings = result["readings"]
    static, song = readings["static"], readings["song_memory"]
    print(f"{name} ({weights} weights) on the {source}: {result['chars']:,} characters, "
          f"{result['unk_chars']:,} outside the vocabulary")  # fmt: skip
    print(f"  static (given the training text only): cross-entropy {result['loss']:.4f} nats/char = "
          f"{result['bits_per_char']:.4f} bits/char; perplexity {result['perplexity']:.2f}")  # fmt: skip
    if song["model"] is None:
        print("  song memory: none (no n-gram: the network's state is its only memory of the text read)")
        return
    print(f"  song memory (also counting the text read so far): cross-entropy {song['model']:.4f} nats/char = "
          f"{song['model'] / math.log(2):.4f} bits/char; perplexity {math.exp(song['model']):.2f}")  # fmt: skip
    order = readings["ngram_order"]
    print(f"  network alone: {static['network']:.4f} static (no song memory of its own); "
          f"{order}-gram alone: {static['ngram']:.4f} static, {song['ngram']:.4f} with song memory")  # fmt: skip
    if readings.get("combine") == "product":
        print(f"  combination: the network was trained to complement the {order}-gram (softmax of logits + log "
              "p_ngram, then interpolated with it): alone it is a correction, not a model")  # fmt: skip


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
