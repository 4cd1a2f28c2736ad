"""Measure the lyric controls (issue #8): rhyme, line shape, repetition and memorisation.

Trains (or reuses) a model on the Jay Chou corpus with the project's own engine, then draws
seeded 8-line takes with and without each control and writes ``bench/LYRIC_CRAFT.md``.

    nice -n 19 .venv/bin/python bench/lyric_craft.py --home /tmp/lyric-craft   # ~4 min training + sampling

``--chorus MODEL...`` measures choruses, loops and stutters instead (issue #12, item 5): 8-line takes after a
typed chorus with the default controls, without the line rule, without the repetition controls and without
song memory, on models already in ``--home``; it prints a table for LYRIC_CRAFT.md (~1 min per model).

Every figure is pooled over the takes of a configuration:

* rhyme pairs: share of consecutive line pairs whose last characters share a 十三辙 class;
* follow: share of lines 2..8 in the class of line 1; in class: share of lines in the fixed class;
* line error: mean |characters in a line - target| (target: the structure configs' line_chars);
* 4-gram repeats: share of 4-grams (within lines) that already occurred earlier in the take;
* longest / 8-windows: the memorisation meter (``tui_lyrics.memorise``) against the whole corpus;
* log p/char: the model's own (unconstrained, temperature 1) mean log-probability per character
  of the takes, newlines included, and its change against the unconstrained baseline.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_lyrics.core import loops, soft_controls  # noqa: E402
from tui_lyrics.core.create import create_model  # noqa: E402
from tui_lyrics.core.sample import LoadedModel, load_model, stream_chars  # noqa: E402
from tui_lyrics.core.train import train  # noqa: E402
from tui_lyrics.corpus import load_corpus, split_text  # noqa: E402
from tui_lyrics.memorise import CorpusIndex  # noqa: E402
from tui_lyrics.presets import auto_preset  # noqa: E402
from tui_lyrics.rhyme import follow_rate, line_classes, pair_rate, text_lines  # noqa: E402
from tui_lyrics.sample_config import SampleConfig  # noqa: E402
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS, default_quote_limit  # noqa: E402
from tui_lyrics.store import ModelStore  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "jaychou_lyrics.txt.zip"
NAME = "jaychou-craft"
LINES = 8
LINE_CHARS = 9  # the corpus's median line length
TOLERANCE = 2
VERSE = 4


@dataclass
class Tally:
    """Pooled counts over the takes of one configuration."""

    pairs: list[float] = field(default_factory=list)
    follow: list[float] = field(default_factory=list)
    in_class: list[float] = field(default_factory=list)
    line_error: list[int] = field(default_factory=list)
    grams: int = 0
    repeated: int = 0
    longest: list[int] = field(default_factory=list)
    windows: int = 0
    found: int = 0
    logp: float = 0.0
    chars: int = 0
    lines: list[int] = field(default_factory=list)
    seconds: float = 0.0
    forced: int = 0


def repeated_4grams(text: str) -> tuple[int, int]:
    """(4-grams within lines, how many of them occurred earlier in the text)."""
    seen: set[str] = set()
    total = again = 0
    for line in text.split("\n"):
        for i in range(len(line) - 3):
            gram = line[i : i + 4]
            total += 1
            again += gram in seen
            seen.add(gram)
    return total, again


def measure(lm: LoadedModel, config: SampleConfig, takes: int, index: CorpusIndex, target: str | None) -> Tally:
    tally = Tally()
    for seed in range(takes):
        started = time.perf_counter()
        chars = list(stream_chars(lm, "", config.replace(seed=seed)))
        tally.seconds += time.perf_counter() - started
        text = "".join(c.char for c in chars)
        tally.logp += sum(math.log(c.prob) for c in chars)
        tally.chars += len(chars)
        tally.forced += sum(1 for c in chars if {"shape", "rhyme", "verse"} & set(c.controls))
        lines = text_lines(text)
        tally.lines.append(len(lines))
        classes = line_classes(text)
        rate = pair_rate(classes)
        if rate is not None:
            tally.pairs.extend([rate] * (len(classes) - 1))  # pooled: weight by pairs
        if len(classes) > 1:
            followed = follow_rate(classes) or 0.0
            tally.follow.extend([followed] * (len(classes) - 1))
        if target is not None:
            tally.in_class.extend(1.0 if c == target else 0.0 for c in classes)
        tally.line_error.extend(abs(len(line) - LINE_CHARS) for line in lines)
        total, again = repeated_4grams(text)
        tally.grams += total
        tally.repeated += again
        meter = index.measure(text)
        tally.longest.append(meter.longest)
        tally.windows += meter.windows
        tally.found += round((meter.window_share or 0.0) * meter.windows)
    return tally


def corpus_reference(text: str) -> dict[str, float]:
    """The corpus's own figures on 8-line blocks, the reference the takes are compared with."""
    lines = text_lines(text)
    classes = line_classes(text)
    blocks = [lines[i : i + LINES] for i in range(0, len(lines) - LINES + 1, LINES)]
    follow = [follow_rate(line_classes("\n".join(b))) or 0.0 for b in blocks]
    grams = [repeated_4grams("\n".join(b)) for b in blocks]
    counts = Counter(c for c in classes if c)
    total = sum(counts.values())
    return {
        "pairs": pair_rate(classes) or 0.0,
        "follow": statistics.mean(follow),
        "chance": sum((n / total) ** 2 for n in counts.values()),
        "line_error": statistics.mean(abs(len(line) - LINE_CHARS) for line in lines),
        "repeats": sum(a for _, a in grams) / max(1, sum(t for t, _ in grams)),
        "top_class": counts.most_common(1)[0][0],
        "top_class_share": counts.most_common(1)[0][1] / total,
    }


def ensure_model(store: ModelStore, minutes: float) -> None:
    if store.exists(NAME):
        return
    corpus = load_corpus(CORPUS)
    train_text, _ = split_text(corpus.text)
    chosen = auto_preset(len(train_text))
    budget = chosen.train.replace(steps=None, minutes=minutes, threads=1, device="cpu")
    create_model(store, corpus, name=NAME, model=chosen.model, train=budget)
    print(f"training {NAME}: preset {chosen.name}, {minutes} minutes, one thread", file=sys.stderr)
    finished = train(store, NAME)
    print(f"  {finished.reason} after {finished.step} steps", file=sys.stderr)


def configurations(top_class: str) -> list[tuple[str, SampleConfig, str | None, str | None]]:
    """(label, settings, fixed rhyme class, the row its fluency is compared with)."""
    base = SampleConfig(lines=LINES, length=1000, alternatives=0)
    shape = {"line_chars": LINE_CHARS, "line_tolerance": TOLERANCE, "verse_lines": VERSE}
    reps = dict(RECOMMENDED_CONTROLS)
    plain, cold = "unconstrained", "temperature 0.3 (prone to loop)"
    return [
        (plain, base, None, None),
        ("structure", base.replace(**shape), None, plain),
        ("rhyme follow", base.replace(rhyme="follow"), None, plain),
        (f"rhyme {top_class}", base.replace(rhyme=top_class), top_class, plain),
        ("rhyme 江阳", base.replace(rhyme="江阳"), "江阳", plain),
        ("structure + rhyme follow", base.replace(rhyme="follow", **shape), None, plain),
        (NO_LOOKAHEAD, base.replace(rhyme="follow", **shape), None, plain),
        ("repetition controls", base.replace(**reps), None, plain),
        ("all: structure + follow + repetition", base.replace(rhyme="follow", **shape, **reps), None, plain),
        (cold, base.replace(temperature=0.3), None, None),
        ("temperature 0.3 + repetition controls", base.replace(temperature=0.3, **reps), None, cold),
    ]


NO_LOOKAHEAD = "structure + rhyme follow, no lookahead"


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def row(label: str, t: Tally, base_logp: float | None) -> str:
    logp = t.logp / t.chars
    drop = "" if base_logp is None else f" ({100 * (logp - base_logp) / abs(base_logp):+.1f}%)"
    mean = statistics.mean
    cells = [
        label,
        pct(mean(t.pairs)) if t.pairs else "–",
        pct(mean(t.follow)) if t.follow else "–",
        pct(mean(t.in_class)) if t.in_class else "–",
        f"{mean(t.line_error):.2f}",
        pct(t.repeated / max(1, t.grams)),
        f"{mean(t.longest):.1f} (max {max(t.longest)})",
        pct(t.found / max(1, t.windows)),
        f"{logp:.3f}{drop}",
        f"{mean(t.lines):.2f}",
        f"{1000 * t.seconds / max(1, t.chars):.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="model library to train into (or reuse)")
    parser.add_argument("--minutes", type=float, default=4.0, help="training budget in minutes (default 4)")
    parser.add_argument("--takes", type=int, default=200, help="seeded takes per configuration (default 200)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "LYRIC_CRAFT.md", help="results file")
    original = parser.add_argument_group("original takes (issue #12): models trained with the CLI beforehand")
    original.add_argument("--original", action="store_true", help="measure the quote limit and choruses instead")
    original.add_argument("--mixture", default="jc-mix", help="a mixture model in --home (its network alone too)")
    original.add_argument("--sweep-takes", type=int, default=50, help="takes per quote limit tried (default 50)")
    original.add_argument("--chorus-takes", type=int, default=100, help="8-line takes after the chorus (default 100)")
    parser.add_argument(
        "--chorus", nargs="+", metavar="MODEL", help="measure choruses, loops and stutters on these models in --home"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    store = ModelStore(args.home)
    if args.original:
        return run_original(args, store)
    if args.chorus:
        return run_chorus(args, store)
    ensure_model(store, args.minutes)
    lm = load_model(store, NAME)
    corpus = load_corpus(CORPUS).text
    index = CorpusIndex(corpus)
    ref = corpus_reference(corpus)
    rows: list[str] = []
    fluency: dict[str, float] = {}
    for label, config, target, compared in configurations(ref["top_class"]):
        saved = soft_controls.LOOKAHEAD
        soft_controls.LOOKAHEAD = 0 if label == NO_LOOKAHEAD else saved
        try:
            tally = measure(lm, config, args.takes, index, target)
        finally:
            soft_controls.LOOKAHEAD = saved
        fluency[label] = tally.logp / tally.chars
        rows.append(row(label, tally, fluency[compared] if compared else None))
        print(rows[-1], file=sys.stderr, flush=True)
    write(args, lm, ref, rows)
    return 0


def run_original(args: argparse.Namespace, store: ModelStore) -> int:
    """Items 5 and 6 of issue #12: the mixture and its network alone, with and without the quote limit."""
    import dataclasses

    from bench import original_takes as ot

    started = time.perf_counter()
    mixture = load_model(store, args.mixture)
    network = dataclasses.replace(mixture, mixture=None)  # the same network, its n-gram dropped: --ngram 0
    rows, sweep, chorus = ot.measure(
        {"mixture": mixture, "network alone": network},
        takes=args.takes, sweep_takes=args.sweep_takes, chorus_takes=args.chorus_takes,
    )  # fmt: skip
    card = mixture.card.to_dict()
    text = ot.SECTION.format(
        date=datetime.date.today().isoformat(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
        model=f"{card['model']['cell']} {card['model']['layers']}×{card['model']['hidden']}, "
        f"{card['state']['step']} steps, mixed with its {card['mixture']['order']}-gram at weight "
        f"{card['mixture']['weight']:.2f}",
        home=args.home, name=args.mixture, takes=args.takes, sweep_takes=args.sweep_takes,
        chorus_takes=args.chorus_takes, minutes=(time.perf_counter() - started) / 60,
        table="\n".join([ot.QUOTE_HEADER, *rows]), sweep="\n".join([ot.QUOTE_HEADER, *sweep]),
        chorus="\n".join([ot.CHORUS_HEADER, *chorus]),
    )  # fmt: skip
    ot.write_section(args.out, text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


# -- choruses, loops and stutters (issue #12, item 5) ---------------------------------------------------------

BLOCK = 4
"""The longest block of lines checked for a third round in a row (the typed chorus's length)."""


def line_loops(prompt: str, text: str) -> int:
    """Lines of ``text`` that loop: equal to one of the two lines before it, or starting a third round in a row
    of a block of 3..BLOCK lines (blank lines skipped; the prompt's lines count as lines before)."""
    before = [x for x in prompt.split("\n") if x.strip()]
    seq = before + [x for x in text.split("\n") if x.strip()]
    found = 0
    for i in range(len(before), len(seq)):
        third = any(seq[i - 2 * p : i - p] == seq[i - p : i] and seq[i] == seq[i - p] for p in range(3, BLOCK + 1))
        found += seq[i] in seq[max(0, i - 2) : i] or third
    return found


@dataclass
class ChorusTally:
    """Pooled figures of one chorus row."""

    takes: int = 0
    back: int = 0
    loops: int = 0
    looping_takes: int = 0
    lines: int = 0
    returned: int = 0
    grams: int = 0
    stutters: int = 0
    shares: list[float] = field(default_factory=list)
    longest: list[int] = field(default_factory=list)
    logp: float = 0.0
    chars: int = 0
    example: str = ""


def chorus_draw(lm: LoadedModel, config: SampleConfig, takes: int, index: CorpusIndex) -> ChorusTally:
    from bench.original_takes import CHORUS, stutter

    typed = [line for line in CHORUS.split("\n") if line]
    chorus = set(typed)
    tally = ChorusTally()
    for seed in range(takes):
        chars = list(stream_chars(lm, CHORUS, config.replace(seed=seed)))
        text = "".join(c.char for c in chars)
        lines = [x.strip() for x in text.split("\n") if x.strip()]
        tally.returned += sum(x in (typed + lines)[: len(typed) + i] for i, x in enumerate(lines))
        loops = line_loops(CHORUS, text)
        grams, again = stutter(text)
        meter = index.measure(text)
        tally.takes += 1
        tally.back += any(x in chorus for x in lines)
        tally.loops += loops
        tally.looping_takes += loops > 0
        tally.lines += len(lines)
        tally.grams += grams
        tally.stutters += again
        tally.shares.append(meter.window_share or 0.0)
        tally.longest.append(meter.longest)
        tally.logp += sum(math.log(c.prob) for c in chars)
        tally.chars += len(chars)
        if seed == 0:
            tally.example = " / ".join(lines)
    return tally


def chorus_configs(lm: LoadedModel) -> list[tuple[str, SampleConfig, bool]]:
    """(label, settings, whether the line rule is on): generate's defaults (8 lines after the chorus), without
    the line rule (the controls before it), with the repetition controls off, and with song memory off."""
    base = SampleConfig(lines=8, length=400, alternatives=0, **RECOMMENDED_CONTROLS)
    base = base.replace(quote_limit=default_quote_limit(lm.vocab.chars))
    plain = base.replace(repetition_penalty=1.0, no_repeat_ngram=0, loop_repeats=0)
    rows = [
        ("default controls", base, True),
        ("default controls, no line rule (before)", base, False),
        ("repetition controls off", plain, False),
    ]
    if lm.mixture is not None:
        rows.append(("default controls, song memory off", base.replace(song_memory=False), True))
    return rows


CHORUS_TABLE = (
    "| model | controls | takes | chorus line back | lines back | takes with a loop | looping lines | 4-gram stutter "
    "| 8-windows in corpus | longest shared | log p/char |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def chorus_row(model: str, label: str, t: ChorusTally) -> str:
    return "| " + " | ".join([
        model, label, str(t.takes), pct(t.back / t.takes), pct(t.returned / max(1, t.lines)),
        pct(t.looping_takes / t.takes),
        pct(t.loops / max(1, t.lines)), pct(t.stutters / max(1, t.grams)), pct(statistics.mean(t.shares)),
        f"{statistics.mean(t.longest):.1f} (max {max(t.longest)})", f"{t.logp / t.chars:.3f}",
    ]) + " |"  # fmt: skip


def run_chorus(args: argparse.Namespace, store: ModelStore) -> int:
    """The chorus rows: each model of --chorus, with the controls now and before the line rule."""
    rows, examples = [], []
    for name in args.chorus:
        lm = load_model(store, name)
        index = lm.quote_corpus()
        if index is None:
            raise SystemExit(f"{name} has no corpus copy to measure against")
        for label, config, line_rule in chorus_configs(lm):
            saved = loops.LINE_LOOPS
            loops.LINE_LOOPS = line_rule
            try:
                tally = chorus_draw(lm, config, args.chorus_takes, index)
            finally:
                loops.LINE_LOOPS = saved
            rows.append(chorus_row(name, label, tally))
            examples.append(f"* {name}, {label}, seed 0: {tally.example}")
            print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join([CHORUS_TABLE, *rows, "", *examples]))
    return 0


def write(args: argparse.Namespace, lm: LoadedModel, ref: dict[str, Any], rows: list[str]) -> None:
    card = lm.card.to_dict()
    state = card["state"]
    header = (
        "| configuration | rhyme pairs | follow line 1 | in class | line error (chars) | 4-gram repeats "
        "| longest shared (chars) | 8-windows in corpus | log p/char (vs unconstrained) | lines | ms/char |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    reference = (
        f"| **corpus itself** (8-line blocks) | {pct(ref['pairs'])} | {pct(ref['follow'])} | – "
        f"| {ref['line_error']:.2f} | {pct(ref['repeats'])} | – | – | – | – | – |"
    )
    text = TEMPLATE.format(
        date=datetime.date.today().isoformat(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores ({platform.processor() or platform.platform()})",
        python=platform.python_version(),
        torch=torch.__version__,
        model=f"{card['model']['cell']} {card['model']['layers']}×{card['model']['hidden']}, {card['params']:,} "
        f"parameters, {state['step']} steps in {state.get('train_seconds', 0) / 60:.1f} minutes, "
        f"best held-out loss {state.get('best_loss') or float('nan'):.3f} nats/char",
        takes=args.takes,
        last=args.takes - 1,
        minutes=args.minutes,
        chance=pct(ref["chance"]),
        top=ref["top_class"],
        top_share=pct(ref["top_class_share"]),
        recommended=", ".join(f"{k}={v}" for k, v in RECOMMENDED_CONTROLS.items()),
        table="\n".join([header, reference, *rows]),
    )
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


TEMPLATE = """# Lyric controls: rhyme, line shape, repetition, memorisation (issue #8)

Measured by `bench/lyric_craft.py` on {date}: {machine}; Python {python}, torch {torch}, one thread.

    nice -n 19 .venv/bin/python bench/lyric_craft.py --home <a temporary library> --minutes {minutes:g}

Model: trained by the project's own engine on `shared/corpora/jaychou_lyrics.txt.zip` (auto preset,
its budget replaced by `minutes={minutes:g}, threads=1`, CPU): {model}. Sampling uses the best
(held-out) checkpoint.

{takes} seeded takes (seeds 0–{last}) of 8 lines per configuration, temperature 0.8, top-k 5,
empty prompt. Structure = `line_chars=9` (the corpus's median line), `line_tolerance=2`,
`verse_lines=4`. Repetition controls = `{recommended}` (what `generate` uses by default).
Fixed class {top} is the corpus's most common line-end class ({top_share} of its lines); 江阳 is a
mid-frequency one. Chance that two random corpus lines rhyme: {chance}.

{table}

Columns: *rhyme pairs* = consecutive line pairs whose last characters share a 十三辙 class;
*follow line 1* = lines 2–8 in line 1's class; *in class* = lines in the fixed class; *line error*
= mean |line length − 9|; *4-gram repeats* = 4-grams (within lines) already used earlier in the
take; *longest shared* and *8-windows in corpus* = the memorisation meter against the whole corpus
(mean over takes); *log p/char* = the model's own unconstrained log-probability per character of
the takes, newlines included (higher is more fluent in the model's eyes), with its relative
change against unconstrained sampling at the same temperature; *lines* = lines per take;
*ms/char* = sampling time (a shared machine: indicative only).
"""


if __name__ == "__main__":
    sys.exit(main())
