"""Run the whole benchmark suite side by side with the reference programs; write BENCHMARKS.md.

    python bench/run.py                 # everything, about 35 minutes on 2 cores
    python bench/run.py --quick         # every section at a small budget, to check the suite

Needs ../shared (corpora and baselines) and tmux for the start-up figures. Not part of the
test suite: timings on shared machines are noisy, so every speed is a ratio against a
reference run in the same invocation, and repeated timings are medians.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import generation, quality, scale, speed
from bench.common import CORPORA, PY, ROOT, SHARED, machine, run, shown
from bench.report import write_markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small budgets: checks the suite, not the figures")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for every program (default 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "BENCHMARKS.md")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--render", action="store_true", help="rewrite the .md from the .json of the last run")
    args = parser.parse_args()
    if args.render:
        results = json.loads(args.out.with_suffix(".json").read_text(encoding="utf-8"))
        args.out.write_text(write_markdown(results), encoding="utf-8")
        return
    if not (SHARED / "baselines").is_dir():
        sys.exit(f"bench: {SHARED} is missing: the suite needs ../shared/corpora and ../shared/baselines")
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "threads": args.threads}
    results["command"] = shown([PY, "bench/run.py", *sys.argv[1:]])
    results["commit"] = _git()
    started = time.perf_counter()
    raw = args.out.with_suffix(".json")
    raw.parent.mkdir(parents=True, exist_ok=True)
    for name in args.only or SECTIONS:
        print(f"bench: {name} …", flush=True)
        section_started = time.perf_counter()
        results[name] = SECTIONS[name](args)
        print(f"bench: {name} done in {time.perf_counter() - section_started:.0f} s", flush=True)
        results["seconds"] = time.perf_counter() - started
        # after every section, so a failure late in a long run keeps what was measured
        raw.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out.write_text(write_markdown(results), encoding="utf-8")
    print(f"bench: wrote {args.out.relative_to(ROOT)} and {raw.relative_to(ROOT)}")


def _quality(args: argparse.Namespace) -> dict[str, Any]:
    minutes = 0.25 if args.quick else 5.0
    return {c.key: quality.measure(c, threads=args.threads, minutes=minutes) for c in CORPORA}


def _speed(args: argparse.Namespace) -> dict[str, Any]:
    return speed.measure(args.threads, seconds=8 if args.quick else 30, repeats=1 if args.quick else 3)


def _generation(args: argparse.Namespace) -> dict[str, Any]:
    return generation.measure(chars=100 if args.quick else 500)


def _startup(args: argparse.Namespace) -> dict[str, Any]:
    return run([PY, "bench/app_checks.py", "startup"]).json()


def _stall(args: argparse.Namespace) -> dict[str, Any]:
    seconds = 10 if args.quick else 60
    return run([PY, "bench/app_checks.py", "stall", "--seconds", str(seconds)]).json()


def _memory(args: argparse.Namespace) -> dict[str, Any]:
    return run([PY, "bench/app_checks.py", "train-peak", "--minutes", "0.25" if args.quick else "2"]).json()


def _scale(args: argparse.Namespace) -> list[dict[str, Any]]:
    return scale.measure((1, 10) if args.quick else scale.SIZES_MB)


def _git() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


SECTIONS = {
    "quality": _quality,
    "speed": _speed,
    "generation": _generation,
    "startup": _startup,
    "stall": _stall,
    "memory": _memory,
    "scale": _scale,
}

if __name__ == "__main__":
    main()
