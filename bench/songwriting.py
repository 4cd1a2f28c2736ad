"""Measure songwriting (issue #14): how fast candidates come, and how songs keep to a template.

Uses the built-in demo model (``assets/models/demo-zh``) on the CPU, in a temporary library,
and writes ``bench/SONGWRITING.md`` (and ``.json``):

    nice -n 19 .venv/bin/python bench/songwriting.py             # ~3 min on a busy 2-core machine
    .venv/bin/python bench/songwriting.py --songs 2 --repeats 2   # a quick look

Figures:

* **Latency**: seconds from asking to the first of K=5 candidate next lines, and to all five,
  after a few draft openings, each repeated; median with min–max (the machine is shared, so
  the spread is the noise). The ratio first/all is what the streaming buys.
* **Template adherence**: songs written by ``write_song`` to templates cut from the demo
  corpus (a few verses each), one seed per song: share of model lines with the template's
  exact length, share (of lines whose reference line has a class) in its rhyme class.
* **Line-end naturalness**: the model's own probability of a line break right after a line's
  last character, P(newline | line), averaged over lines: for template lines with ranking
  (5 whole lines sampled per slot, the best kept), template lines from the controls alone
  (1 per slot), free lines (no template, default controls), and the corpus's own lines read
  in context. Also the share of lines ending on a character used as a line end in the four
  lines before (the "four lines ending on 上" problem).
* **Fluency**: mean log-probability per character (the model's own, before controls) of each
  kind of line, and the cost against free lines.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_lyrics.core.candidates import Candidate, stream_candidates, write_song  # noqa: E402
from tui_lyrics.core.sample import LoadedModel, load_model, stream_chars  # noqa: E402
from tui_lyrics.memorise import corpus_index  # noqa: E402
from tui_lyrics.resources import demo_corpus  # noqa: E402
from tui_lyrics.rhyme import last_char  # noqa: E402
from tui_lyrics.sample_config import SampleConfig  # noqa: E402
from tui_lyrics.sample_defaults import QUOTE_LIMIT, RECOMMENDED_CONTROLS  # noqa: E402
from tui_lyrics.songs.draft import Draft  # noqa: E402
from tui_lyrics.songs.template import Template, template_from_text, zi_count  # noqa: E402
from tui_lyrics.store import ModelStore  # noqa: E402

MODEL = "demo-zh"
K = 5
CONFIG = SampleConfig(alternatives=0, quote_limit=QUOTE_LIMIT, **RECOMMENDED_CONTROLS)  # what `lyrics-tui write` uses
TEMPLATE_STARTS = (0, 12, 24)
"""Templates: 4 verses of the demo corpus from these verse numbers (verses are blank-line separated)."""
VERSES = 4


def _verses() -> list[str]:
    return [v.strip("\n") for v in demo_corpus().read_text(encoding="utf-8").split("\n\n") if v.strip()]


def templates() -> list[tuple[str, Template]]:
    verses = _verses()
    out = []
    for start in TEMPLATE_STARTS:
        text = "\n\n".join(verses[start : start + VERSES]) + "\n"
        out.append((text, template_from_text(text, source=f"zh_lyrics.txt verses {start + 1}–{start + VERSES}")))
    return out


def latency(lm: LoadedModel, repeats: int) -> dict[str, Any]:
    openings = [v.split("\n")[0] + "\n" for v in _verses()[:4]]
    firsts, alls = [], []
    list(stream_candidates(lm, openings[0], k=1, config=CONFIG, seed=999))  # warm-up, not timed
    for r in range(repeats):
        for i, draft in enumerate(openings):
            began = time.perf_counter()
            first = None
            for n, _ in enumerate(stream_candidates(lm, draft, k=K, config=CONFIG, seed=100 * r + i), 1):
                if n == 1:
                    first = time.perf_counter() - began
            alls.append(time.perf_counter() - began)
            firsts.append(first or math.nan)
    return {
        "first_s": _spread(firsts),
        "all_s": _spread(alls),
        "first_over_all": statistics.median(firsts) / statistics.median(alls),
        "runs": len(alls),
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def write_songs(lm: LoadedModel, tpls: list[tuple[str, Template]], songs: int, per_line: int) -> list[dict]:
    index = corpus_index(lm.folder) if lm.folder is not None else None
    rows = []
    for t, (_, template) in enumerate(tpls):
        for s in range(songs):
            lines = list(write_song(lm, template, config=CONFIG, seed=10_000 * t + 100 * s, per_line=per_line,
                                    index=index))  # fmt: skip
            rows.append({"template": t, "seed": s, "lines": [_row(w.text, w.candidate, w.slot) for w in lines]})
    return rows


def free_songs(lm: LoadedModel, tpls: list[tuple[str, Template]], songs: int) -> list[dict]:
    """The same number of lines, written without a template (one candidate per line, as sampled)."""
    rows = []
    for t, (_, template) in enumerate(tpls):
        for s in range(songs):
            draft, lines = Draft(), []
            for number in range(len(template.slots)):
                found = next(
                    stream_candidates(lm, draft.text, k=1, config=CONFIG, seed=10_000 * t + 100 * s + number), None
                )
                if found is None:
                    break
                if found.verse_break:
                    draft = draft.append("")
                draft = draft.append(found.text, author="model")
                lines.append(_row(found.text, found, None))
            rows.append({"template": t, "seed": s, "lines": lines})
    return rows


def _row(text: str, cand: Candidate | None, slot: Any) -> dict[str, Any]:
    return {
        "text": text,
        "chars": zi_count(text),
        "target_chars": None if slot is None else slot.chars,
        "target_rhyme": None if slot is None else slot.rhyme,
        "rhyme": None if cand is None else cand.rhyme,
        "end_prob": None if cand is None else cand.end_prob,
        "mean_logprob": None if cand is None else cand.mean_logprob,
    }


def corpus_ends(lm: LoadedModel, tpls: list[tuple[str, Template]]) -> list[float]:
    """P(newline | the reference's own line, read after the lines before it) for every template line."""
    probe = SampleConfig(length=1, alternatives=lm.vocab.size - 1, seed=0)
    found = []
    for text, _ in tpls:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            prefix = "".join(x + "\n" for x in lines[:i]) + line
            step = next(stream_chars(lm, prefix, probe))
            found.append(dict(step.alternatives).get("\n", 0.0))
    return found


def summarise(songs: list[dict]) -> dict[str, Any]:
    lines = [line for song in songs for line in song["lines"]]
    shaped = [x for x in lines if x["target_chars"] is not None]
    rhymed = [x for x in shaped if x["target_rhyme"] is not None]
    ends = [x["end_prob"] for x in lines if x["end_prob"] is not None]
    logps = [x["mean_logprob"] for x in lines if x["mean_logprob"] is not None]
    return {
        "songs": len(songs),
        "lines": len(lines),
        "exact_length": sum(x["chars"] == x["target_chars"] for x in shaped) / len(shaped) if shaped else None,
        "rhyme_match": sum(x["rhyme"] == x["target_rhyme"] for x in rhymed) / len(rhymed) if rhymed else None,
        "end_prob_mean": statistics.fmean(ends) if ends else None,
        "end_prob_median": statistics.median(ends) if ends else None,
        "cut_lines": len(lines) - len(ends),
        "repeated_end": _repeated_end_share(songs),
        "mean_logprob": statistics.fmean(logps) if logps else None,
    }


def _repeated_end_share(songs: list[dict]) -> float | None:
    hits = total = 0
    for song in songs:
        ends = [last_char(x["text"]) for x in song["lines"]]
        for i in range(1, len(ends)):
            total += 1
            hits += ends[i] is not None and ends[i] in ends[max(0, i - 4) : i]
    return hits / total if total else None


def _describe(lm: LoadedModel) -> str:
    params = sum(p.numel() for p in lm.model.parameters())
    return f"{params:,} network parameters" + (", mixed with an n-gram" if lm.mixture is not None else "")


def _cost(rows: dict[str, Any], key: str) -> float | None:
    free, lp = rows["free"]["mean_logprob"], rows[key]["mean_logprob"]
    return None if free is None or lp is None else (free - lp) / -free


def report(results: dict[str, Any]) -> str:
    lat, rows = results["latency"], results["conditions"]
    free_lp = rows["free"]["mean_logprob"]

    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.1f}%"

    def num(v: float | None, f: str = ".3f") -> str:
        return "–" if v is None else format(v, f)

    out = [
        "# Songwriting: candidates and templates (issue #14)",
        "",
        f"Measured {results['when']} on {results['machine']} (load average {results['load']} at the start; the "
        "machine is shared with other work, so times carry that noise: min–max given). Model: the built-in "
        f"`{MODEL}` ({results['model']}), CPU, {results['threads']} torch thread(s). Settings: `lyrics-tui write`'s "
        f"defaults (temperature {CONFIG.temperature}, top-k {CONFIG.top_k}, repetition controls "
        f"{RECOMMENDED_CONTROLS}, quote limit {CONFIG.quote_limit}). Reproduce: `python bench/songwriting.py "
        f"--songs {results['songs_per_template']} --repeats {results['repeats']}`.",
        "",
        "## Time to candidates (K = 5 next lines, free)",
        "",
        "| | median | min | max |",
        "|---|---|---|---|",
        f"| first candidate | {lat['first_s']['median']:.3f} s | {lat['first_s']['min']:.3f} s | "
        f"{lat['first_s']['max']:.3f} s |",
        f"| all 5 | {lat['all_s']['median']:.3f} s | {lat['all_s']['min']:.3f} s | {lat['all_s']['max']:.3f} s |",
        "",
        f"First / all (medians): **{lat['first_over_all']:.2f}** over {lat['runs']} runs (4 draft openings).",
        "",
        f"## Songs to a template ({results['songs_per_template']} seeded songs × {len(TEMPLATE_STARTS)} templates "
        f"of {VERSES} verses from `assets/demo/zh_lyrics.txt`: {', '.join(results['templates'])})",
        "",
        "| lines | songs | lines | exact length | template's rhyme | P(newline after line) mean / median "
        "| end repeats one of last 4 | log p/char | fluency cost vs free |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "ranked": f"template, best of {results['per_line']} whole lines",
        "controls": "template, controls only (1 line per slot)",
        "free": "free lines (no template)",
    }
    for key, label in names.items():
        r = rows[key]
        cost = None if r["mean_logprob"] is None or free_lp is None else (free_lp - r["mean_logprob"]) / -free_lp
        out.append(
            f"| {label} | {r['songs']} | {r['lines']} | {pct(r['exact_length'])} | {pct(r['rhyme_match'])} | "
            f"{num(r['end_prob_mean'])} / {num(r['end_prob_median'])} | {pct(r['repeated_end'])} | "
            f"{num(r['mean_logprob'])} | {pct(cost) if key != 'free' else '–'} |"
        )
    c = results["corpus_end_prob"]
    out += [
        f"| the reference lines themselves (corpus) | – | {c['lines']} | 100% | 100% | "
        f"{num(c['mean'])} / {num(c['median'])} | {pct(results['corpus_repeated_end'])} | – | – |",
        "",
        "Free lines that ran past 40 characters without ending: "
        f"{rows['free']['cut_lines']} (not in the P(newline) figures).",
        "",
        "Fluency cost: how much lower the mean log-probability per character is than free lines', relative "
        "(the model's own distribution, before any control; with song memory on, as `write` samples).",
        "",
        "## Reading",
        "",
        f"* Every template line has the template's length and rhyme class: the constrained decoding "
        f"(`core/constraints.py`, tolerance 0) guarantees both; the cost is fluency, {pct(_cost(rows, 'controls'))} "
        f"below free lines with the controls alone.",
        f"* Ranking {results['per_line']} whole lines per slot by the mean log-probability of the line *and* its "
        f"line break brings that cost to {pct(_cost(rows, 'ranked'))} and the model's own P(newline) after the "
        f"line from {num(rows['controls']['end_prob_mean'])} to {num(rows['ranked']['end_prob_mean'])} "
        f"(the reference lines themselves: {num(c['mean'])}); free lines score "
        f"{num(rows['free']['end_prob_mean'])} because they end wherever a newline happened to be drawn, often at "
        "a modest probability.",
        f"* Ranked lines avoid ending on a character one of the last four lines ended on (the ranking puts those "
        f"last, so one is kept only when all {results['per_line']} do): {pct(rows['ranked']['repeated_end'])}, "
        f"against {pct(rows['controls']['repeated_end'])} for the "
        f"controls alone and {pct(results['corpus_repeated_end'])} in the reference lines.",
        f"* Candidates stream: the first of five shows after {lat['first_s']['median'] * 1000:.0f} ms (median), "
        f"{100 * lat['first_over_all']:.0f}% of the time to all five.",
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=4, help="seeded songs per template (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="latency repeats over 4 drafts (default 3)")
    parser.add_argument("--per-line", type=int, default=5, help="whole lines sampled per slot (default 5)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "SONGWRITING"), help="output path without suffix")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    with tempfile.TemporaryDirectory() as home:
        lm = load_model(ModelStore.open(Path(home)), MODEL)
        tpls = templates()
        began = time.perf_counter()
        results: dict[str, Any] = {
            "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "load": f"{load:.2f}",
            "threads": torch.get_num_threads(),
            "model": _describe(lm),
            "songs_per_template": args.songs,
            "repeats": args.repeats,
            "per_line": args.per_line,
            "templates": [f"{t.source} ({len(t)} lines)" for _, t in tpls],
            "latency": latency(lm, args.repeats),
        }
        ranked = write_songs(lm, tpls, args.songs, args.per_line)
        controls = write_songs(lm, tpls, args.songs, 1)
        free = free_songs(lm, tpls, args.songs)
        ends = corpus_ends(lm, tpls)
        ref_songs = [{"lines": [{"text": x} for x in text.split("\n") if x.strip()]} for text, _ in tpls]
        results["conditions"] = {"ranked": summarise(ranked), "controls": summarise(controls), "free": summarise(free)}
        results["corpus_end_prob"] = {
            "lines": len(ends),
            "mean": statistics.fmean(ends),
            "median": statistics.median(ends),
        }
        results["corpus_repeated_end"] = _repeated_end_share(ref_songs)
        results["seconds"] = time.perf_counter() - began
        results["examples"] = {
            "ranked": ranked[0]["lines"][:8],
            "controls": controls[0]["lines"][:8],
            "free": free[0]["lines"][:8],
        }
    Path(args.out + ".json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    Path(args.out + ".md").write_text(report(results), encoding="utf-8")
    from bench import chorus_return, verse_breaks

    for name, part in (("CHORUS_RETURN", chorus_return), ("VERSE_BREAKS", verse_breaks)):
        measured = ROOT / "bench" / f"{name}.json"
        if measured.exists():  # measured on its own by that script: keep its section
            text = part.section(json.loads(measured.read_text(encoding="utf-8")))
            chorus_return.update(Path(args.out + ".md"), text, heading=part.SECTION)
    print(report(results))


if __name__ == "__main__":
    main()
