"""The memorisation meter beside the quality rows: what each row's model hands back from its corpus.

Our rows carry what ``lyrics-tui eval --json`` measures (``core/quote_meter.py``: 8 seeded takes of
200 characters, generate's defaults, no prompt; the share of their 8-character windows found in
the model's corpus copy and the longest stretch shared with it, with the default quote limit and
with the limit off). The report's pipeline has no quote limit; its one take (``--gen-chars``, from
its ``gen_text``) is read by the same meter against the same text (the canonical corpus, training
and held-out parts, as our corpus copy made with ``--exact-text``). The n-gram rows are scored
only: nothing is drawn from them, so the meter does not apply.

Adding the meter to a finished run's ``BENCHMARKS.json`` without training again, from the models
``bench/quality.py`` kept in ``bench/.models/<corpus>-<row>/models``:

    .venv/bin/python -m bench.memorisation [--json bench/BENCHMARKS.json] [--kept bench/.models]

then ``python bench/run.py --render`` rewrites BENCHMARKS.md with the meter's columns.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root on the path, as bench/run.py does
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPORA, LYRICS, ROOT, canonical_text, run, shown

KEPT = ROOT / "bench" / ".models"
OURS = ("auto", "best")
NO_SAMPLE = "the run kept no sample of it (rows measured from this commit on keep its gen_text's reading)"


def report_sample(report: dict[str, Any], corpus_text: str) -> dict[str, Any]:
    """The meter on the report pipeline's one take (the characters it generated after its prefix)."""
    from tui_lyrics.memorise import CorpusIndex

    text, chars = report.get("gen_text"), report.get("gen_chars")
    if not text or not chars:
        return {"unmeasured": NO_SAMPLE}
    take = text[len(text) - int(chars) :]
    m = CorpusIndex(corpus_text).measure(take)
    reading = {"limit": 0, "share": m.window_share or 0.0, "longest_mean": float(m.longest),
               "longest_max": m.longest, "takes": 1, "chars": len(take)}  # fmt: skip
    what = "its one take (--gen-chars after its prefix, seed 0), no quote limit"
    return {"window": m.window, "unlimited": reading, "what": what}


def from_eval(home: Path, *, loss: float | None = None) -> dict[str, Any]:
    """``lyrics-tui eval m --json``'s meter for the model kept in ``home``; its loss checked against ``loss``."""
    cmd = [*LYRICS, "eval", "m"]
    scored = run([*cmd, "--home", str(home), "--json"]).json()
    if loss is not None and abs(scored["loss"] - loss) > 1e-6:
        raise SystemExit(f"{home}: eval reads {scored['loss']:.6f}, the row says {loss:.6f}: not the row's model")
    return scored["memorisation"] | {"command": shown(cmd)}


def add_to_quality(quality: dict[str, Any], *, kept: Path = KEPT) -> list[str]:
    """Put the meter into every row it applies to (in place); returns what was done, one line each."""
    done = []
    by_key = {c.key: c for c in CORPORA}
    for key, rows in quality.items():
        for label in OURS:
            if label not in rows:
                continue
            home = kept / f"{key}-{label}"
            if not (home / "models" / "m").is_dir():
                done.append(f"{key}/{label}: no kept model in {home}")
                continue
            rows[label]["memorisation"] = from_eval(home, loss=rows[label].get("loss"))
            done.append(f"{key}/{label}: {_line(rows[label]['memorisation'])}")
        if "report" in rows and "memorisation" not in rows["report"]:
            rows["report"]["memorisation"] = report_sample(rows["report"], canonical_text(by_key[key]))
            done.append(f"{key}/report: {_line(rows['report']['memorisation'])}")
    return done


def _line(m: dict[str, Any]) -> str:
    if "unmeasured" in m or "unreadable" in m:
        return m.get("unmeasured") or m["unreadable"]
    parts = [f"{r['share']:.1%} of 8-windows, longest {r['longest_max']} (limit {r['limit'] or 'off'})"
             for r in (m.get("limited"), m["unlimited"]) if r]  # fmt: skip
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "BENCHMARKS.json", help="results to add to")
    parser.add_argument("--kept", type=Path, default=KEPT, help="where bench/quality.py kept its models")
    parser.add_argument("--dry-run", action="store_true", help="measure and print, write nothing")
    args = parser.parse_args()
    results = json.loads(args.json.read_text(encoding="utf-8"))
    for line in add_to_quality(results["quality"], kept=args.kept):
        print(line, flush=True)
    if not args.dry_run:
        temp = args.json.with_name(f".{args.json.name}.tmp")
        temp.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(temp, args.json)


if __name__ == "__main__":
    main()
