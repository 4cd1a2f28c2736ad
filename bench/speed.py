"""Training speed: the engine against the report's pipeline on the report's architectures.

Both train GRU 2x512 at batch 128 on the Jay Chou training text with the same threads, one
after the other, each in a fresh process: one-hot input, and an embedding of width V. The
engine runs its real training loop (``core.train.train``) and the rate is read from its own
progress events, after a warm-up, as the report's script times its steps after a warm-up.

Child mode (``python bench/speed.py --input onehot ...``) prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BASELINES, CORPORA, PY, canonical_corpus, median, run, shown

WARM_UP_SECONDS = 5.0


def engine_rate(args: argparse.Namespace) -> dict[str, Any]:
    """Train for ``args.seconds`` through the engine; characters/s after the warm-up."""
    from tui_lyrics.config import ModelConfig, TrainConfig
    from tui_lyrics.core.control import TrainControl
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train
    from tui_lyrics.corpus import split_text
    from tui_lyrics.progress import TrainingProgressed
    from tui_lyrics.store import ModelStore
    from tui_lyrics.vocab import CharVocab

    corpus = canonical_corpus(CORPORA[0])
    train_text, _ = split_text(corpus.text, held_out=0.1)
    width = CharVocab.build(train_text, min_count=1).size if args.embed_dim == 0 else args.embed_dim
    model = ModelConfig(
        cell=args.cell, input=args.input, layers=args.layers, hidden=args.hidden, embed_dim=width,
        dropout=args.dropout, ngram=0,
    )  # fmt: skip
    cfg = TrainConfig(
        batch=args.batch, seq=args.seq, steps=10**6, eval_every=10**9, patience=0, min_count=args.min_count,
        threads=args.threads, seed=0, warmup=10, device=args.device, amp=args.amp,
    )  # fmt: skip
    control = TrainControl()
    marks: list[tuple[float, int]] = []

    def on_event(event: object) -> None:
        if isinstance(event, TrainingProgressed):
            marks.append((event.elapsed, event.step))
            if event.elapsed > WARM_UP_SECONDS + args.seconds:
                control.stop.set()

    with tempfile.TemporaryDirectory() as home:
        store = ModelStore(Path(home))
        name = create_model(store, corpus, name="speed", model=model, train=cfg)
        params = store.card(name).params
        train(store, name, callback=on_event, control=control)
    timed = [(t, s) for t, s in marks if t >= WARM_UP_SECONDS]
    (t0, s0), (t1, s1) = timed[0], timed[-1]
    return {"chars_per_s": (s1 - s0) * args.batch * args.seq / (t1 - t0), "params": params, "steps": s1}


def measure(threads: int, seconds: float, repeats: int) -> dict[str, Any]:
    """Alternate the two programs ``repeats`` times per input; medians of characters/s."""
    corpus = CORPORA[0]
    rows: dict[str, Any] = {}
    for feature in ("onehot", "embed"):
        report_cmd = [
            PY, str(BASELINES / "report_baseline.py"), "--corpus", str(corpus.path), "--cell", "gru",
            "--feature", feature, "--budget", str(seconds), "--threads", str(threads), "--no-eval",
        ]  # fmt: skip
        engine_cmd = [
            PY, "bench/speed.py", "--input", feature, "--cell", "gru", "--layers", "2", "--hidden", "512",
            "--batch", "128", "--seq", "20", "--dropout", "0", "--min-count", "1", "--embed-dim", "0",
            "--threads", str(threads), "--seconds", str(seconds),
        ]  # fmt: skip
        report, engine = [], []
        for _ in range(repeats):
            result = run(report_cmd)
            report.append(_report_rate(result.stdout))
            engine.append(run(engine_cmd).json()["chars_per_s"])
        rows[feature] = {
            "report": report, "engine": engine, "report_median": median(report), "engine_median": median(engine),
            "ratio": median(engine) / median(report), "commands": [shown(report_cmd), shown(engine_cmd)],
        }  # fmt: skip
    return rows


def _report_rate(stdout: str) -> float:
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            return float(json.loads(line[len("RESULT ") :])["train_chars_per_s"])
    raise RuntimeError("report_baseline.py printed no RESULT line")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cell", default="gru")
    parser.add_argument("--input", default="onehot")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--embed-dim", type=int, default=0, help="0: as wide as the vocabulary (the report)")
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seq", type=int, default=20)
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--no-amp", dest="amp", action="store_false", help="no bf16 autocast on CUDA")
    print(json.dumps(engine_rate(parser.parse_args())))


if __name__ == "__main__":
    main()
