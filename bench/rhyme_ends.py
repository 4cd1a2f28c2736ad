"""Measure rhymes that do not break words (issue #14) in Compose and `generate`, on the demo model.

Seeded 8-line takes with Compose's default controls (repetition controls, quote limit, song memory)
and a line shape of 9±2 characters, the issue's example; rhyme off ("free"), rhyme 江阳 and rhyme
follow, each written two ways: the per-character controls alone (``stream_chars``: before) and line by
line, the best of ``PER_LINE`` whole lines kept (``core.rhymed.stream_take``: after, what Compose and
`generate` now use). Beside them, the demo corpus's own lines read in context.

Figures per row: the model's own P(line break) right after a line's last character (mean, median;
for takes: the probability the model gave the newline it wrote, before any control), the share of
lines ending on a character already used as a line end in the four lines before it, the model's own
log-probability per character of the takes (newlines included), and ms per character written.

    nice -n 19 .venv/bin/python bench/rhyme_ends.py --takes 30     # ~2 minutes on a busy 2-core machine
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_lyrics.core.rhymed import stream_take  # noqa: E402
from tui_lyrics.core.sample import LoadedModel, load_model, stream_chars  # noqa: E402
from tui_lyrics.resources import demo_corpus  # noqa: E402
from tui_lyrics.rhyme import last_char  # noqa: E402
from tui_lyrics.sample_config import SampleConfig  # noqa: E402
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS, default_quote_limit  # noqa: E402
from tui_lyrics.store import ModelStore  # noqa: E402

MODEL = "demo-zh"
RECENT = 4
CORPUS_LINES = 300


def takes(lm: LoadedModel, config: SampleConfig, n: int, *, by_line: bool) -> dict[str, float]:
    ends: list[float] = []
    repeated = lines = chars = 0
    logp = 0.0
    started = time.perf_counter()
    for seed in range(n):
        run = stream_take if by_line else stream_chars
        written = list(run(lm, "", config.replace(seed=seed)))
        chars += len(written)
        logp += sum(math.log(max(c.prob, 1e-30)) for c in written)
        line, finished = "", []
        for c in written:
            if c.char != "\n":
                line += c.char
            elif line:
                ends.append(c.prob)
                finished.append(line)
                line = ""
        last = [last_char(x) for x in finished]
        repeated += sum(1 for i in range(1, len(last)) if last[i] in last[max(0, i - RECENT) : i])
        lines += len(finished)
    seconds = time.perf_counter() - started
    return summary(ends, repeated, lines) | {"logp": logp / chars, "ms_per_char": 1000 * seconds / chars}


def corpus(lm: LoadedModel) -> dict[str, float]:
    """The corpus's own lines: P(newline) after each, read after the lines of its block before it."""
    probe = SampleConfig(length=1, alternatives=lm.vocab.size - 1, seed=0, song_memory=True)
    blocks = [b for b in demo_corpus().read_text(encoding="utf-8").split("\n\n") if b.strip()]
    ends: list[float] = []
    repeated = lines = 0
    for block in blocks:
        rows = [x for x in block.split("\n") if x.strip() and not x.lstrip().startswith("《")]
        for i, line in enumerate(rows):
            prefix = "".join(x + "\n" for x in rows[:i]) + line
            ends.append(dict(next(stream_chars(lm, prefix, probe)).alternatives).get("\n", 0.0))
        last = [last_char(x) for x in rows]
        repeated += sum(1 for i in range(1, len(last)) if last[i] in last[max(0, i - RECENT) : i])
        lines += len(rows)
        if lines >= CORPUS_LINES:
            break
    return summary(ends, repeated, lines)


def summary(ends: list[float], repeated: int, lines: int) -> dict[str, float]:
    return {
        "lines": lines,
        "end_mean": statistics.fmean(ends),
        "end_median": statistics.median(ends),
        "repeated_end": repeated / max(1, lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--takes", type=int, default=30, help="seeded takes per row (default 30)")
    args = parser.parse_args()
    os.environ["LYRICS_TUI_HOME"] = tempfile.mkdtemp(prefix="rhyme-ends-")
    lm = load_model(ModelStore.open(Path(os.environ["LYRICS_TUI_HOME"])), MODEL)
    base = SampleConfig(
        **RECOMMENDED_CONTROLS, quote_limit=default_quote_limit(lm.vocab.chars), alternatives=0, lines=8,
        length=200, line_chars=9, line_tolerance=2,
    )  # fmt: skip
    rows = [("corpus lines (in context)", corpus(lm))]
    rows.append(("free lines (rhyme off)", takes(lm, base, args.takes, by_line=False)))
    for rhyme in ("江阳", "follow"):
        config = base.replace(rhyme=rhyme)
        rows.append((f"rhyme {rhyme}, per character (before)", takes(lm, config, args.takes, by_line=False)))
        rows.append((f"rhyme {rhyme}, best of 5 lines (after)", takes(lm, config, args.takes, by_line=True)))
    print(f"{args.takes} seeded 8-line takes per row, empty prompt, 9±2 chars/line, Compose's default controls")
    print("| lines of | lines | P(newline) after the last char: mean | median | end repeats one of the last 4 "
          "| log p/char | ms/char |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for label, r in rows:
        logp = f"{r['logp']:.3f}" if "logp" in r else "–"
        ms = f"{r['ms_per_char']:.1f}" if "ms_per_char" in r else "–"
        print(f"| {label} | {r['lines']} | {r['end_mean']:.3f} | {r['end_median']:.3f} "
              f"| {100 * r['repeated_end']:.1f}% | {logp} | {ms} |")  # fmt: skip


if __name__ == "__main__":
    main()
