"""Quality per minute: held-out cross-entropy after 5 minutes of training, side by side.

For each corpus, one after another with the same threads: the Kneser-Ney reference (orders 5
and 7, static and ``--dynamic``), the report's pipeline (GRU 2x512, embedding input), our own
n-gram alone (orders 5, 7 and the order chosen per corpus), and ``lyrics-tui train`` with the
settings it picks by itself and with the best settings found. Our models are scored as saved, by
``lyrics-tui eval`` on the canonical held-out text (``--exact-text`` keeps the text as the
canonical split reads it; the app's 10% split is that split). Every n-gram and model row has two
readings side by side: static (given the training text only) and with song memory (the n-gram
also counts the held-out text read so far, as the reference's ``--dynamic`` does). Beside them, the
memorisation meter where a row writes text (``bench/memorisation.py``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.common import BASELINES, LYRICS, PY, ROOT, BenchCorpus, canonical_text, run, shown
from bench.memorisation import report_sample

KEPT = ROOT / "bench" / ".models"
"""The last run's trained models, kept (git ignores them) so later measurements can read them: ``<corpus>-<row>``."""

# Settings to run beside the app's own choice, when tuning finds better ones. The tuning of
# this round (bench/BENCHMARKS.md, "What was tried") went into the presets themselves, so the
# app's own choice is the best found for both corpora.
BEST_FLAGS: dict[str, list[str]] = {"jaychou": [], "shakespeare": []}


def reference_rows(corpus: BenchCorpus, *, threads: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        ngram_json, report_json = Path(folder) / "ngram.json", Path(folder) / "report.json"
        ngram_cmd = [PY, str(BASELINES / "ngram_baseline.py"), "--corpus", str(corpus.path), "--orders", "5", "7"]
        run([*ngram_cmd, "--json-out", str(ngram_json)])
        static = {r["order"]: r["ce_nats_per_char"] for r in json.loads(ngram_json.read_text())}
        run([*ngram_cmd, "--dynamic", "--json-out", str(ngram_json)])
        dynamic = {r["order"]: r["ce_nats_per_char"] for r in json.loads(ngram_json.read_text())}
        report_cmd = [
            PY, str(BASELINES / "report_baseline.py"), "--corpus", str(corpus.path), "--cell", "gru",
            "--feature", "embed", "--budget", str(seconds), "--threads", str(threads), "--gen-chars", "500",
        ]  # fmt: skip
        run([*report_cmd, "--json-out", str(report_json)])
        report = json.loads(report_json.read_text())
    return {
        "ngram": {"loss": static[5], "song_loss": dynamic[5], "command": shown(ngram_cmd)},
        "ngram7": {"loss": static[7], "song_loss": dynamic[7], "command": shown([*ngram_cmd, "--dynamic"])},
        "report": {
            "loss": report["ce_stream"], "chars_per_s": report["train_chars_per_s"], "params": report["params"],
            "gen_chars_per_s": report.get("gen_chars_per_s"), "gen_first_ms": 1000 * report["gen_time_to_first_char_s"],
            "command": shown(report_cmd),
            # its sample is read here and not kept: it quotes the corpus, whose text stays out of the repository
            "memorisation": report_sample(report, canonical_text(corpus)),
        },
    }  # fmt: skip


def ours(corpus: BenchCorpus, *, threads: int, minutes: float, flags: list[str], row: str) -> dict[str, Any]:
    """Train with ``lyrics-tui train`` for ``minutes``, then score the saved model (kept in ``KEPT``)."""
    with tempfile.TemporaryDirectory() as home:
        train_cmd = [
            *LYRICS, "train", str(corpus.path), "--exact-text", "--minutes", str(minutes),
            "--threads", str(threads), "--seed", "0", "--name", "m", *flags,
        ]  # fmt: skip
        trained = run([*train_cmd, "--home", home, "--json"]).json()
        eval_cmd = [*LYRICS, "eval", "m"]
        scored = run([*eval_cmd, "--home", home, "--json"]).json()
        card = json.loads((Path(home) / "models" / "m" / "card.json").read_text())
        kept = KEPT / f"{corpus.key}-{row}" / "models"
        shutil.rmtree(kept.parent, ignore_errors=True)
        shutil.copytree(Path(home) / "models", kept, symlinks=True)
    best = next(p for p in card["history"] if p["step"] == card["state"]["best_step"])
    state = card["state"]
    return {
        "loss": scored["loss"], "network_loss": best.get("network_loss", best["held_loss"]),
        "song_loss": scored.get("readings", {}).get("song_memory", {}).get("model"),
        "ngram_order": card.get("mixture", {}).get("order"),
        "weight": card.get("mixture", {}).get("weight"), "params": card["params"], "model": card["model"],
        "train": {k: card["train"][k] for k in ("batch", "seq", "lr", "min_count")},
        "steps": trained["step"], "best_step": state["best_step"],
        "chars_per_s": state["chars"] / state["train_seconds"],
        "reason": trained["reason"], "commands": [shown(train_cmd), shown(eval_cmd)],
        "memorisation": scored.get("memorisation"),  # eval's meter, measured on the weights it scored
    }  # fmt: skip


def our_ngram(corpus: BenchCorpus) -> dict[str, dict[str, float]]:
    """lyrics-tui's own n-gram alone on the canonical split (the mixture's n-gram, weight 0), static and
    with song memory: orders 5 and 7, and the order ``choose_order`` picks on a slice of the training text."""
    import numpy as np

    from tui_lyrics.corpus import canonical_split
    from tui_lyrics.ngram import KneserNey, choose_order
    from tui_lyrics.song_memory import song_probs

    train, held = canonical_split(canonical_text(corpus))
    chosen, _ = choose_order(train)
    rows = {}
    for key, order in (("our_ngram", 5), ("our_ngram7", 7), ("our_ngram_chosen", chosen)):
        kn = KneserNey.fit(train, order=order)
        ids = kn.encode(train[-(order - 1) :] + held)
        static = float(-np.log(kn.probs_of(ids, start=order - 1)).mean())
        song = float(-np.log(song_probs(kn, ids, order - 1)[0]).mean())
        rows[key] = {"loss": static, "song_loss": song, "order": order}
    return rows


def measure(corpus: BenchCorpus, *, threads: int, minutes: float) -> dict[str, Any]:
    rows = reference_rows(corpus, threads=threads, seconds=minutes * 60)
    rows |= our_ngram(corpus)
    rows["auto"] = ours(corpus, threads=threads, minutes=minutes, flags=[], row="auto")
    if BEST_FLAGS[corpus.key]:
        rows["best"] = ours(corpus, threads=threads, minutes=minutes, flags=BEST_FLAGS[corpus.key], row="best")
    return rows
