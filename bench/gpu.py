"""GPU figures, when a CUDA GPU is at hand: one prepared script that runs in a few minutes.

    python bench/gpu.py                      # on a machine with CUDA; writes bench/GPU.md
    python bench/gpu.py --device cpu --quick # checks the script itself anywhere

1. Characters/s of the engine for the report's architecture (GRU 2x512, batch 128, one-hot
   and embedding of width V) and for the default Jay Chou model, bf16 autocast on and off.
2. The time the default model takes on the GPU to reach the held-out loss the CPU reached in
   5 minutes (``--target``, default: the auto row of bench/BENCHMARKS.json).

Never needed by the tests or CI. Each figure runs in a fresh process (``bench/speed.py``).
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

from bench.common import CORPORA, PY, ROOT, canonical_corpus, machine, run, shown


def rates(device: str, seconds: float) -> list[dict[str, Any]]:
    report = ["--cell", "gru", "--layers", "2", "--hidden", "512", "--batch", "128", "--seq", "20", "--dropout", "0"]
    default = ["--cell", "gru", "--layers", "2", "--hidden", "256", "--embed-dim", "128", "--batch", "8", "--seq", "64"]
    default += ["--dropout", "0.5", "--min-count", "2"]
    rows = []
    for label, flags in (
        ("report GRU 2×512, one-hot", [*report, "--input", "onehot"]),
        ("report GRU 2×512, embedding of width V", [*report, "--input", "embed", "--embed-dim", "0"]),
        ("default Jay Chou model", [*default, "--input", "embed"]),
    ):
        for amp in (True, False):
            command = [PY, "bench/speed.py", *flags, "--device", device, "--seconds", str(seconds)]
            command += [] if amp else ["--no-amp"]
            rows.append({"model": label, "amp": amp, **run(command).json(), "command": shown(command)})
    return rows


def time_to_target(device: str, target: float, minutes: float) -> dict[str, Any]:
    """Train the default model on ``device`` until its held-out loss reaches ``target``."""
    from tui_lyrics.config import TrainConfig
    from tui_lyrics.core.control import TrainControl
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train
    from tui_lyrics.corpus import split_text
    from tui_lyrics.presets import auto_preset
    from tui_lyrics.progress import HeldOutScored
    from tui_lyrics.store import ModelStore

    corpus = canonical_corpus(CORPORA[0])
    chosen = auto_preset(len(split_text(corpus.text)[0]))
    cfg: TrainConfig = chosen.train.replace(steps=None, minutes=minutes, device=device, eval_every=25, patience=0)
    control = TrainControl(eval_seconds=10**9)
    reached: list[float] = []
    scores: list[tuple[float, float]] = []

    def on_event(event: object) -> None:
        if isinstance(event, HeldOutScored):
            scores.append((event.elapsed, event.held_loss))
            if event.held_loss <= target and not reached:
                reached.append(event.elapsed)
                control.stop.set()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as home:
        store = ModelStore(Path(home))
        name = create_model(store, corpus, name="gpu", model=chosen.model, train=cfg)
        train(store, name, callback=on_event, control=control)
    return {
        "target": target, "seconds_to_target": reached[0] if reached else None, "wall_s": time.perf_counter() - started,
        "best": min(loss for _, loss in scores) if scores else None, "scores": scores,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny budgets, to check the script")
    parser.add_argument("--target", type=float, help="held-out loss to reach (default: BENCHMARKS.json's auto row)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "GPU.md")
    args = parser.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("bench/gpu.py: no CUDA GPU here (torch.cuda.is_available() is False); nothing to measure")
    target = args.target
    if target is None:
        target = json.loads((ROOT / "bench" / "BENCHMARKS.json").read_text())["quality"]["jaychou"]["auto"]["loss"]
    result = {"machine": machine(), "device": torch.cuda.get_device_name() if args.device == "cuda" else args.device}
    result["rates"] = rates(args.device, 5 if args.quick else 30)
    result["to_target"] = time_to_target(args.device, target, 0.5 if args.quick else 5.0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [
        f"# GPU benchmarks ({result['device']}, torch {result['machine']['torch']}, {result['machine']['date']})",
        "",
    ]
    lines += ["| model | bf16 autocast | chars/s |", "|---|---|---|"]
    lines += [f"| {r['model']} | {'on' if r['amp'] else 'off'} | {r['chars_per_s']:,.0f} |" for r in result["rates"]]
    t = result["to_target"]
    when = f"{t['seconds_to_target']:.0f} s" if t["seconds_to_target"] is not None else "not reached"
    best = "none scored" if t["best"] is None else f"best {t['best']:.4f}"
    lines += ["", f"Default model to the CPU's 5-minute held-out loss {t['target']:.4f}: {when} ({best})."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
