"""Original takes (issue #12, items 5 and 6): the quote limit, and choruses that come back.

Run through ``bench/lyric_craft.py --original`` on models trained with the CLI:

    LYRICS_TUI_HOME=/tmp/craft lyrics-tui train ../shared/corpora/jaychou_lyrics.txt.zip --name jc-mix \
        --minutes 3 --threads 1 --seed 0
    nice -n 19 .venv/bin/python bench/lyric_craft.py --original --home /tmp/craft --mixture jc-mix

The network alone is the mixture's own network with its n-gram dropped: what `--ngram 0`
trains (the n-gram is fitted and weighted after the network is trained), without a second
training run whose step count would depend on how busy the machine is.

Every take is seeded (seeds 0..takes-1) and drawn with `generate`'s default controls
(temperature 0.8, top-k 5, the repetition controls), the quote limit as the row says.

* 8-windows in corpus: the memorisation meter's share of a take's 8-character windows found in
  the model's corpus copy, averaged over takes; longest: the meter's longest shared stretch
  (mean and max over takes). The meter reads the take alone, as the Compose screen does.
* log p/char: the model's own probability of what it wrote (``SampledChar.prob``: before any
  control), per character, and its relative change against the same model without the limit;
  network's log p/char: the same takes scored by the network alone (for the mixture: a second
  opinion that does not reward reciting the corpus, as the n-gram part does).
* quote acted: share of characters at which the limit banned at least one candidate.
* chorus rows: after a typed 4-line chorus (written for this bench, in no corpus), 8-line takes;
  chorus back = share of takes in which some line equals a chorus line; stutter = share of
  4-grams that already occurred earlier in the same line (a unit looping inside a line).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from tui_lyrics.core import soft_controls
from tui_lyrics.core.sample import LoadedModel, stream_chars
from tui_lyrics.memorise import WINDOW, CorpusIndex
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS, cjk_script, default_quote_limit
from tui_lyrics.vocab import UNK_ID

PREFIX = "我睁开双眼"
"""The issue's prompt for the memorisation figures."""
CHORUS = "月光落在旧窗台\n我把心事写成海\n你说风会带你来\n我在原地等花开\n"
"""A typed 4-line chorus (written for this bench, not from any corpus)."""
TAKE_CHARS = 200
SWEEP = (8, 10, 12, 16)
"""Quote limits tried on the mixture beside the default, to choose it."""
SOFT = 20.0
"""The 8-window penalty tried on top of a limit of SOFT_LIMIT (``soft_controls.WINDOW_PENALTY``: the product's is 5,
for CJK text with a limit of 8 or more; the rows say where it acted)."""
SOFT_LIMIT = 12
BASE = SampleConfig(length=TAKE_CHARS, alternatives=0, **RECOMMENDED_CONTROLS)


@dataclass(frozen=True)
class Take:
    """One seeded take's figures."""

    share: float
    longest: int
    logp: float
    net_logp: float
    chars: int
    acted: int
    lifted: int
    seconds: float
    chorus_back: bool
    grams: int
    stutters: int


def stutter(text: str) -> tuple[int, int]:
    """(4-grams within lines, how many of them occurred earlier in the same line)."""
    total = again = 0
    for line in text.split("\n"):
        seen: set[str] = set()
        for i in range(len(line) - 3):
            total += 1
            again += line[i : i + 4] in seen
            seen.add(line[i : i + 4])
    return total, again


def network_logp(lm: LoadedModel, prefix: str, text: str) -> float:
    """The network's own log-probability of ``text`` after ``prefix`` (its n-gram left out): one pass."""
    ids = lm.vocab.encode((prefix or "\n") + text)
    with torch.inference_mode():
        out, _ = lm.model(torch.tensor([ids]))  # (1, T, V)
    logits = out[0, len(ids) - len(text) - 1 : -1].float().clone()  # (len(text), V): row i chose text[i]
    logits[:, UNK_ID] = -math.inf
    chosen = torch.tensor(ids[len(ids) - len(text) :]).view(-1, 1)
    return float(torch.log_softmax(logits, -1).gather(1, chosen).sum())


def draw(lm: LoadedModel, prefix: str, config: SampleConfig, takes: int, index: CorpusIndex) -> list[Take]:
    out = []
    chorus = {line for line in CHORUS.split("\n") if line}
    for seed in range(takes):
        started = time.perf_counter()
        chars = list(stream_chars(lm, prefix, config.replace(seed=seed)))
        seconds = time.perf_counter() - started
        text = "".join(c.char for c in chars)
        meter = index.measure(text)
        grams, stutters = stutter(text)
        out.append(Take(
            share=meter.window_share or 0.0, longest=meter.longest, logp=sum(math.log(c.prob) for c in chars),
            net_logp=network_logp(lm, prefix, text), chars=len(chars),
            acted=sum(1 for c in chars if "quote" in c.controls),
            lifted=sum(1 for c in chars if "quote-lifted" in c.controls), seconds=seconds,
            chorus_back=any(line.strip() in chorus for line in text.split("\n")), grams=grams, stutters=stutters,
        ))  # fmt: skip
    return out


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def per_char(takes: list[Take], attr: str) -> float:
    return sum(getattr(t, attr) for t in takes) / max(1, sum(t.chars for t in takes))


def change(takes: list[Take], base: list[Take] | None, attr: str) -> str:
    """Per-character log-probability, and its relative change against ``base`` (same seeds)."""
    value = per_char(takes, attr)
    if base is None:
        return f"{value:.3f}"
    ref = per_char(base, attr)
    return f"{value:.3f} ({100 * (value - ref) / abs(ref):+.1f}%)"


def quote_row(label: str, takes: list[Take], base: list[Take] | None) -> str:
    return "| " + " | ".join([
        label, str(len(takes)), pct(statistics.mean(t.share for t in takes)),
        f"{statistics.mean(t.longest for t in takes):.1f}", str(max(t.longest for t in takes)),
        change(takes, base, "logp"), change(takes, base, "net_logp"), pct(per_char(takes, "acted")),
        str(sum(t.lifted for t in takes)), f"{1000 * per_char(takes, 'seconds'):.2f}",
    ]) + " |"  # fmt: skip


def chorus_row(label: str, takes: list[Take]) -> str:
    return "| " + " | ".join([
        label, str(len(takes)), pct(statistics.mean(t.chorus_back for t in takes)),
        pct(sum(t.stutters for t in takes) / max(1, sum(t.grams for t in takes))),
        pct(statistics.mean(t.share for t in takes)),
        f"{statistics.mean(t.longest for t in takes):.1f} (max {max(t.longest for t in takes)})",
        f"{per_char(takes, 'logp'):.3f}",
    ]) + " |"  # fmt: skip


QUOTE_HEADER = (
    "| model, quote limit | takes | 8-windows in corpus | longest (mean) | longest (max) | log p/char (vs off) "
    "| network's log p/char (vs off) | quote acted | lifted | ms/char |\n|---|---|---|---|---|---|---|---|---|---|"
)
CHORUS_HEADER = (
    "| model, song memory | takes | chorus line back | 4-gram stutter | 8-windows in corpus | longest shared "
    "| log p/char |\n|---|---|---|---|---|---|---|"
)


def chorus_configs(lm: LoadedModel) -> list[tuple[str, SampleConfig]]:
    """Song memory on and off (the mixture's n-gram counting the song), with and without the repetition
    controls (whose n-gram blocking also stops a chorus line coming back); the quote limit on."""
    chorus = BASE.replace(quote_limit=default_quote_limit(lm.vocab.chars), lines=8, length=400)
    plain = chorus.replace(repetition_penalty=1.0, no_repeat_ngram=0, loop_repeats=0)
    memories = (True, False) if lm.mixture is not None else (False,)
    out = []
    for controls, config in (("", chorus), (", repetition controls off", plain)):
        for memory in memories:
            shown = ("on" if memory else "off") if lm.mixture is not None else "– (no n-gram)"
            out.append((shown + controls, config.replace(song_memory=memory)))
    return out


def measure(
    models: dict[str, LoadedModel], *, takes: int, sweep_takes: int, chorus_takes: int
) -> tuple[list[str], list[str], list[str]]:
    """(the default-limit rows, the sweep rows, the chorus rows), printing each row as it is measured."""

    def say(rows: list[str], row: str) -> None:
        print(row, file=sys.stderr, flush=True)
        rows.append(row)

    main_rows: list[str] = []
    sweep_rows: list[str] = []
    chorus_rows: list[str] = []
    for label, lm in models.items():
        index = lm.quote_corpus()
        if index is None:
            raise SystemExit(f"{label} has no corpus copy to measure against")
        default = default_quote_limit(lm.vocab.chars)
        off = draw(lm, PREFIX, BASE, takes, index)
        say(main_rows, quote_row(f"{label}, off", off, None))
        on = draw(lm, PREFIX, BASE.replace(quote_limit=default), takes, index)
        say(main_rows, quote_row(f"{label}, {limited(lm, default)} (default)", on, off))
        if label == "mixture" and sweep_takes:
            base = off[:sweep_takes] if sweep_takes <= takes else draw(lm, PREFIX, BASE, sweep_takes, index)
            say(sweep_rows, quote_row(f"{label}, off", base, None))
            for limit in sorted({*SWEEP, default}):
                if limit == default and sweep_takes <= takes:
                    swept = on[:sweep_takes]  # the same seeds: the first takes of the default's row
                else:
                    swept = draw(lm, PREFIX, BASE.replace(quote_limit=limit), sweep_takes, index)
                say(sweep_rows, quote_row(f"{label}, {limited(lm, limit)}", swept, base))
            saved = soft_controls.WINDOW_PENALTY
            soft_controls.WINDOW_PENALTY = SOFT
            try:
                soft = draw(lm, PREFIX, BASE.replace(quote_limit=SOFT_LIMIT), sweep_takes, index)
            finally:
                soft_controls.WINDOW_PENALTY = saved
            say(sweep_rows, quote_row(f"{label}, {SOFT_LIMIT} + 8-window penalty ×{SOFT:g}", soft, base))
        for row_label, config in chorus_configs(lm) if chorus_takes else ():
            say(chorus_rows, chorus_row(f"{label}, {row_label}", draw(lm, CHORUS, config, chorus_takes, index)))
    return main_rows, sweep_rows, chorus_rows


def limited(lm: LoadedModel, limit: int) -> str:
    """A row's quote limit, and the 8-window penalty where it acts beside it (CJK text, a limit of 8 or more)."""
    soft = soft_controls.WINDOW_PENALTY > 1 and limit >= WINDOW and cjk_script(lm.vocab.chars)
    return f"{limit} + 8-window penalty ×{soft_controls.WINDOW_PENALTY:g}" if soft else str(limit)


START, END = "<!-- original-takes:start -->", "<!-- original-takes:end -->"


def write_section(out: Path, section: str) -> None:
    """Put ``section`` between the markers in ``out`` (appended the first time); the rest stays."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    block = f"{START}\n{section.rstrip()}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


SECTION = """## Original takes: the quote limit (issue #12, item 6) and choruses (item 5)

Measured by `bench/lyric_craft.py --original` on {date} ({machine}, one torch thread, a shared
machine: ms/char is indicative only); the whole run took {minutes:.1f} minutes.

    nice -n 19 .venv/bin/python bench/lyric_craft.py --original --home {home} --mixture {name}

Model `{name}`: trained with `lyrics-tui train ../shared/corpora/jaychou_lyrics.txt.zip --name {name}
--minutes 3 --threads 1 --seed 0` (auto preset): {model}. "network alone" is the same network with
its n-gram dropped (what `--ngram 0` samples from). Takes: seeded (0..n-1), 200 characters after
the prompt 我睁开双眼, `generate`'s default controls (temperature 0.8, top-k 5, repetition controls,
song memory on: the mixture's n-gram keeps counting the prompt and the take).

**The default quote limit** ({takes} takes per row):

{table}

**Choosing the default**: the mixture at several limits ({sweep_takes} takes per row, same seeds):

{sweep}

**Choruses** ({chorus_takes} 8-line takes after a typed 4-line chorus, quote limit on, with the
mixture's song memory on (the default) and off, and with the repetition controls off):

{chorus}

Columns: *8-windows in corpus* = mean share of a take's 8-character windows found in the corpus
copy (the memorisation meter); *longest* = the meter's longest stretch shared with the corpus
(mean and max over takes); *log p/char* = the model's own probability of the characters it wrote
(before any control), with its relative change against the same model without the limit (same
seeds); *network's log p/char* = the same takes scored by the network alone (the mixture's n-gram
rewards reciting the corpus; the network judges fluency without that);
*quote acted* = characters at which the limit banned a candidate; *lifted* = characters at which
it had to give way (every candidate quoted); *chorus line back* = takes in which some line equals
a line of the chorus; *4-gram stutter* = 4-grams already used earlier in the same line.
"""
