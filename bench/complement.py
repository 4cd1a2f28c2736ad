"""Step-matched side by side: the network trained alone and interpolated with the n-gram (the
default) against the network trained to complement the n-gram (``--combine``).

Minutes-budgets are distorted when other programs share the cores, so every variant trains the
same number of steps with the same seed, all at once (one thread each), and each saved model is
scored by ``lyrics-tui eval`` on the canonical held-out text: static and with song memory.

    python -m bench.complement --corpus jaychou --steps 2524 --combine mix product
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.common import CORPORA, LYRICS, shown


def side_by_side(corpus_key: str, *, steps: int, combines: list[str], extra: list[str]) -> dict[str, Any]:
    corpus = next(c for c in CORPORA if c.key == corpus_key)
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as home:
        procs = {}
        for combine in combines:
            cmd = [
                *LYRICS, "train", str(corpus.path), "--exact-text", "--steps", str(steps), "--threads", "1",
                "--seed", "0", "--name", combine, "--combine", combine, *extra,
            ]  # fmt: skip
            procs[combine] = (cmd, subprocess.Popen([*cmd, "--home", home, "--json"], stdout=subprocess.PIPE))
        for combine, (cmd, proc) in procs.items():
            out, _ = proc.communicate()
            trained = json.loads(out)
            scored = subprocess.run(
                [*LYRICS, "eval", combine, "--home", home, "--json"], capture_output=True, text=True
            )
            readings = json.loads(scored.stdout)["readings"]
            rows[combine] = {
                "static": readings["static"]["model"],
                "song_memory": readings["song_memory"]["model"],
                "network": readings["static"]["network"],
                "steps": trained.get("step"),
                "best_step": trained.get("best_step"),
                "command": shown(cmd),
            }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=[c.key for c in CORPORA], default="jaychou")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--combine", nargs="+", default=["mix", "product"])
    parser.add_argument("--out", type=Path, help="write the rows as JSON here too")
    args, extra = parser.parse_known_args()
    rows = side_by_side(args.corpus, steps=args.steps, combines=args.combine, extra=extra)
    print(json.dumps(rows, indent=1))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
