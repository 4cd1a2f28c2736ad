"""Generation: time to the first character and characters/s, per cell, at the default size.

Each cell gets a model of the size the app picks for the Jay Chou corpus, trained a few steps
so it carries its n-gram mixture like any trained model (speed does not depend on what the
weights learned), with the demo model's fitted song weights (``give_song_weights``): the network keeps
the share in each match bucket a trained model gives it, so its head and softmax are timed where a real
take computes them (a 2-step fit would give it none, and the take would be timed on the n-grams alone).
Batch 1, CPU, through ``core.sample.stream_chars``: the code the Compose
screen and ``lyrics-tui generate`` run, with what they turn on by default (song memory, the
quote limit for the model's script, the recommended repetition controls). The clock starts
where Enter starts a take (the model already loaded), so the first character includes the
prefix pass. Before each take the same take with the mixture alone (no song memory, no
controls) is timed as a baseline under the same load.

``--cli`` times ``lyrics-tui generate`` writing to a terminal (a pty) against the engine on the
same model and settings, alternating, in the same run: characters/s from the first character of
the take to the last (launch and the report after the take not counted), and their ratio.

``--open HOME NAME`` times opening a model as ``generate`` does, against ``import torch`` in the
same run: launch to the first character of a one-character take in a pty, and the whole command.

Child mode (``python bench/generation.py --cell gru``) prints one JSON line.
"""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import json
import os
import pty
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPORA, LYRICS, PY, ROOT, canonical_corpus, median, run, shown

PREFIX = "我睁开双眼"
TAKES = 5
CLI_TAKES = 3


def make_model(home: Path, cell: str, ngram: int) -> str:
    """A model of the app's default size for Jay Chou, trained two steps (it has its n-gram like any other)."""
    from tui_lyrics.config import TrainConfig
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train
    from tui_lyrics.corpus import split_text
    from tui_lyrics.presets import auto_preset
    from tui_lyrics.store import ModelStore

    corpus = canonical_corpus(CORPORA[0])
    model = auto_preset(len(split_text(corpus.text)[0])).model.replace(cell=cell, ngram=ngram)
    store = ModelStore(home)
    name = create_model(store, corpus, name=cell, model=model, train=TrainConfig(steps=2, eval_every=1))
    train(store, name)
    give_song_weights(store.path(name))
    return name


def give_song_weights(folder: Path) -> None:
    """The demo model's fitted song weights on every card of ``folder`` (its committed sets' and its own).

    Two steps of training leave a network that predicts nothing, so the fit gives it a share of 0 in every
    match bucket: its step's head and softmax would then be skipped and the take timed on the n-grams alone,
    which no trained model does. The demo's weights (fitted on its held-out text) give the network the share
    a real model has: 0.55 at no match down to 0 past a long one.
    """
    from tui_lyrics.checkpoint_sets import CARD, list_sets, read_card_file
    from tui_lyrics.durable import atomic_write_json
    from tui_lyrics.folder import CHECKPOINTS

    demo = json.loads((ROOT / "assets/models/demo-zh/card.json").read_text(encoding="utf-8"))
    weights = demo["mixture"]["song_weights"]
    for path in [folder / CARD, *(one / CARD for one in list_sets(folder / CHECKPOINTS))]:
        card = read_card_file(path)
        if card.mixture is not None:  # --ngram 0: no mixture, the network alone
            mixture = dataclasses.replace(card.mixture, song_weights=weights)
            atomic_write_json(path, card.replace(mixture=mixture).to_dict())


def app_config(args: argparse.Namespace, chars: tuple[str, ...], **fields: Any) -> Any:
    """What the app and ``generate`` sample with by default, less what the flags turn off."""
    from tui_lyrics.sample_config import SampleConfig
    from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS, default_quote_limit

    limit = default_quote_limit(chars) if args.quote_limit is None else args.quote_limit
    controls = {} if args.no_controls else RECOMMENDED_CONTROLS
    return SampleConfig(top_k=5, quote_limit=limit, song_memory=not args.no_song_memory, **controls, **fields)


def child(args: argparse.Namespace) -> dict[str, Any]:
    from tui_lyrics.core.sample import load_model, stream_chars
    from tui_lyrics.store import ModelStore

    with tempfile.TemporaryDirectory() as home:
        store = ModelStore(Path(home))
        lm = load_model(store, make_model(Path(home), args.cell, args.ngram))
        firsts, rates, cpu_rates, base_rates = [], [], [], []
        for take in range(TAKES + 1):  # take 0 warms up the kernels; it is reported apart
            config = app_config(args, lm.vocab.chars, length=args.chars, seed=take)
            # the same take with the mixture alone, right before: a baseline under the same load
            base = config.replace(quote_limit=0, song_memory=False, repetition_penalty=1.0, no_repeat_ngram=0)
            base = base.replace(loop_repeats=0)
            started = time.perf_counter()
            base_rates.append(sum(1 for _ in stream_chars(lm, PREFIX, base)) / (time.perf_counter() - started))
            started, cpu = time.perf_counter(), time.process_time()
            chars = stream_chars(lm, PREFIX, config)
            next(chars)
            first = time.perf_counter() - started
            n = 1 + sum(1 for _ in chars)
            total = time.perf_counter() - started
            firsts.append(first)
            rates.append(n / total)
            cpu_rates.append(n / (time.process_time() - cpu))
    return {
        "cell": args.cell,
        "params": lm.model.params,
        "cold_first_ms": 1000 * firsts[0],
        "first_ms": 1000 * median(firsts[1:]),
        "chars_per_s": median(rates[1:]),
        "cpu_chars_per_s": median(cpu_rates[1:]),
        "mixture_alone_chars_per_s": median(base_rates[1:]),
        "ratio_to_mixture_alone": median([r / b for r, b in zip(rates[1:], base_rates[1:], strict=True)]),
        "load_1min": os.getloadavg()[0],
        "mixture": lm.mixture is not None,
        "order": lm.mixture.ngram.order if lm.mixture is not None else 0,
        "song_memory": not args.no_song_memory,
        "song_weights": "demo-zh's fitted" if lm.mixture is not None else None,
        "quote_limit": config.quote_limit,
        "controls": not args.no_controls,
    }


def cli_child(args: argparse.Namespace) -> dict[str, Any]:
    """``lyrics-tui generate`` to a pty against the engine, each take in a fresh process, alternating."""
    with tempfile.TemporaryDirectory() as home:
        name = make_model(Path(home), args.cell, args.ngram)
        cli_rates, engine_rates, cli_cpu_rates, engine_cpu_rates = [], [], [], []
        for take in range(CLI_TAKES + 1):  # take 0 warms up; not counted
            flags = ["--prefix", PREFIX, "--seed", str(take)]
            flags += ["--quote-limit", str(args.quote_limit)] if args.quote_limit is not None else []
            flags += ["--song-memory", "off"] if args.no_song_memory else []
            flags += ["--repetition-penalty", "1", "--no-repeat-ngram", "0", "--loop-repeats", "0"] * args.no_controls
            command = [*LYRICS, "generate", name, *flags, "--length", str(args.chars)]
            times, cpu = _pty_char_times(command, Path(home), skip=len(PREFIX), chars=args.chars)
            one = [*LYRICS, "generate", name, *flags, "--length", "1"]
            _, cpu_one = _pty_char_times(one, Path(home), skip=len(PREFIX), chars=1)
            engine = [PY, "bench/generation.py", "--engine-take", str(take), "--home", home, "--cell", args.cell]
            engine += ["--chars", str(args.chars), *_flags(args)]
            result = run(engine).json()
            if take:
                cli_rates.append((len(times) - 1) / (times[-1] - times[0]))
                engine_rates.append(result["chars_per_s"])
                # CPU per character: the whole command less the same command for one character (start-up, report)
                cli_cpu_rates.append((args.chars - 1) / (cpu - cpu_one))
                engine_cpu_rates.append(result["cpu_chars_per_s"])
            config = result["config"]
    return {
        "cell": args.cell,
        "chars": args.chars,
        "cli_chars_per_s": median(cli_rates),
        "engine_chars_per_s": median(engine_rates),
        "ratio": median([c / e for c, e in zip(cli_rates, engine_rates, strict=True)]),
        "cli_cpu_chars_per_s": median(cli_cpu_rates),
        "engine_cpu_chars_per_s": median(engine_cpu_rates),
        "cpu_ratio": median([c / e for c, e in zip(cli_cpu_rates, engine_cpu_rates, strict=True)]),
        "cli_all": cli_rates,
        "engine_all": engine_rates,
        "load_1min": os.getloadavg()[0],
        "quote_limit": config["quote_limit"],
        "song_memory": not args.no_song_memory,
        "controls": not args.no_controls,
    }


def engine_take(args: argparse.Namespace) -> dict[str, Any]:
    """One take through the engine in a fresh process, as ``generate`` samples it (``--cli``'s other half)."""
    from tui_lyrics.core.sample import load_model, stream_chars
    from tui_lyrics.store import ModelStore

    lm = load_model(ModelStore(Path(args.home)), args.cell)
    config = app_config(args, lm.vocab.chars, length=args.chars, seed=args.engine_take, alternatives=0)
    stamps, cpu = [], []
    started = time.perf_counter()
    for _ in stream_chars(lm, PREFIX, config):
        stamps.append(time.perf_counter() - started)
        cpu.append(time.process_time())
    return {
        "chars_per_s": (len(stamps) - 1) / (stamps[-1] - stamps[0]),
        "cpu_chars_per_s": (len(cpu) - 1) / (cpu[-1] - cpu[0]),
        "config": config.to_dict(),
    }


def open_times(home: str, name: str, rounds: int = 3) -> dict[str, Any]:
    """``generate NAME --length 1`` (launch to its first character, and to its exit) against ``import torch``."""
    torch_s, first_s, whole_s = [], [], []
    for _ in range(rounds):
        # launch to the line printed after the import, as the take's first character is timed (not the exit)
        imported, _ = _pty_char_times([PY, "-c", "import torch; print('.')"], Path(home), skip=0, chars=1)
        torch_s.append(imported[0])
        command = [*LYRICS, "generate", name, "--prefix", PREFIX, "--length", "1", "--seed", "0"]
        started = time.perf_counter()
        times, _ = _pty_char_times(command, Path(home), skip=len(PREFIX), chars=1)
        whole_s.append(time.perf_counter() - started)
        first_s.append(times[0])
    return {
        "import_torch_s": torch_s, "first_char_s": first_s, "whole_s": whole_s,
        "first_minus_torch_s": median([f - t for f, t in zip(first_s, torch_s, strict=True)]),
        "load_1min": os.getloadavg()[0],
    }  # fmt: skip


def _flags(args: argparse.Namespace) -> list[str]:
    """The sampling flags of ``args`` again, for a child."""
    flags = [] if args.quote_limit is None else ["--quote-limit", str(args.quote_limit)]
    return flags + ["--no-song-memory"] * args.no_song_memory + ["--no-controls"] * args.no_controls


def _pty_char_times(command: list[str], home: Path, *, skip: int, chars: int) -> tuple[list[float], float]:
    """When each character of the take reached the terminal (seconds from launch), the prefix skipped;
    and the CPU seconds the command used in all."""
    master, slave = pty.openpty()
    env = {**os.environ, "LYRICS_TUI_HOME": str(home), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    decoder, seen, times = codecs.getincrementaldecoder("utf-8")(), 0, []
    try:
        while len(times) < chars:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            try:
                data = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            now = time.perf_counter() - started
            for char in decoder.decode(data):
                seen += 1
                if seen > skip and char != "\r":  # the terminal turns each newline into \r\n
                    times.append(now)
    finally:
        _, _, usage = os.wait4(proc.pid, 0)
        os.close(master)
    return times[:chars], usage.ru_utime + usage.ru_stime


def measure(chars: int) -> dict[str, Any]:
    rows = {}
    for cell in ("rnn", "gru", "lstm"):
        for ngram in (-1, 0):
            command = [PY, "bench/generation.py", "--cell", cell, "--ngram", str(ngram), "--chars", str(chars)]
            rows[f"{cell}-{'auto' if ngram < 0 else ngram}"] = {**run(command).json(), "command": shown(command)}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cell", default="gru")
    parser.add_argument("--ngram", type=int, default=-1, help="the n-gram's order (-1: chosen, the default; 0: none)")
    parser.add_argument("--chars", type=int, default=500)
    parser.add_argument("--quote-limit", type=int, help="the quote limit (0: off; default: the app's for the model)")
    parser.add_argument("--no-song-memory", action="store_true", help="the n-gram sees only its last few characters")
    parser.add_argument("--no-controls", action="store_true", help="without the recommended repetition controls")
    parser.add_argument("--cli", action="store_true", help="lyrics-tui generate to a pty against the engine")
    parser.add_argument("--engine-take", type=int, help=argparse.SUPPRESS)  # --cli's engine half: this seed
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--open", nargs=2, metavar=("HOME", "NAME"), help="time opening this model (see above)")
    args = parser.parse_args()
    if args.open:
        print(json.dumps(open_times(*args.open)))
    elif args.engine_take is not None:
        print(json.dumps(engine_take(args)))
    else:
        print(json.dumps(cli_child(args) if args.cli else child(args)))


if __name__ == "__main__":
    main()
