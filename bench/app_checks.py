"""The app as a person meets it: start-up, responsiveness while training, and memory.

- Start-up: launch ``lyrics-tui`` in a real terminal (tmux) and poll the screen until the
  title is painted; median of 5, next to ``python -c "import torch"`` in the same run.
- Responsiveness: the real app (``App.run_test``, headless) trains the default Jay Chou
  model in its worker thread, with the training screen shown, while a 10 ms timer on the
  event loop records how late each tick fires. The worst ticks are the UI's stalls.
- Memory: the peak resident memory of ``lyrics-tui train`` on Jay Chou with the default
  settings (it reports its own peak), and the resident memory of the idle app in tmux.

Child mode: ``python bench/app_checks.py stall --seconds 30`` and ``... train-peak`` print JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPORA, LYRICS, PY, ROOT, canonical_corpus, median, own_peak_mb, run, shown

TICK = 0.010


def startup(runs: int = 5) -> dict[str, Any]:
    """Seconds from launching the app in tmux until its title shows; and import torch."""
    if shutil.which("tmux") is None:
        return {"skipped": "tmux is not installed"}
    frames = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as home:
            session = f"bench-start-{os.getpid()}-{i}"
            started = time.perf_counter()
            subprocess.run(
                ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                 f"cd {ROOT} && LYRICS_TUI_HOME={home} {PY} -m tui_lyrics"],
                check=True,
            )  # fmt: skip
            try:
                frames.append(_wait_for_screen(session, "lyrics-tui", started))
                rss = _rss_mb(session)
            finally:
                subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    torch_import = [run([PY, "-c", "import torch"]).seconds for _ in range(3)]
    return {
        "first_frame_s": frames, "first_frame_median_s": median(frames),
        "import_torch_s": torch_import, "import_torch_median_s": median(torch_import), "idle_app_rss_mb": rss,
    }  # fmt: skip


def _wait_for_screen(session: str, text: str, started: float, limit: float = 30.0) -> float:
    while time.perf_counter() - started < limit:
        shown_now = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True)
        if text in shown_now.stdout:
            return time.perf_counter() - started
        time.sleep(0.01)
    raise RuntimeError(f"the app did not paint {text!r} within {limit} s")


def _rss_mb(session: str) -> float:
    """Resident memory of the app in the tmux pane, once torch has loaded in the background."""
    time.sleep(8.0)
    pane_pid = subprocess.run(
        ["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"], capture_output=True, text=True
    ).stdout.strip()
    pids = [pane_pid, *subprocess.run(["pgrep", "-P", pane_pid], capture_output=True, text=True).stdout.split()]
    total = 0.0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:") and "python" in Path(f"/proc/{pid}/cmdline").read_text():
                total += int(line.split()[1]) / 1024
    return total


async def stall(seconds: float) -> dict[str, Any]:
    """Timer lateness on the app's event loop while the worker trains."""
    from tui_lyrics.corpus import split_text
    from tui_lyrics.presets import auto_preset
    from tui_lyrics.ui.app import LyricsApp
    from tui_lyrics.ui.jobs import TrainPlan

    corpus = canonical_corpus(CORPORA[0])
    chosen = auto_preset(len(split_text(corpus.text)[0]))
    plan = TrainPlan(
        "stall",
        corpus=corpus,
        model=chosen.model,
        train=chosen.train.replace(steps=None, minutes=seconds / 60 + 1),
    )
    with tempfile.TemporaryDirectory() as home:
        app = LyricsApp(Path(home))
        async with app.run_test(size=(100, 30)) as pilot:
            while not app.engine.ready.is_set():
                await pilot.pause(0.1)
            app.start_training(plan)
            while app.record is None or app.record.step < 1:
                await pilot.pause(0.1)
            app.open_training("stall")  # the training screen, with its sparklines and readouts
            late: list[float] = []
            expected = [time.perf_counter() + TICK]

            def tick() -> None:
                now = time.perf_counter()
                late.append(now - expected[0])
                expected[0] = now + TICK

            timer = app.set_interval(TICK, tick)
            await asyncio.sleep(seconds)
            timer.stop()
            steps = app.record.step
            app.stop_training()
            while app.job is not None and app.record.active:
                await pilot.pause(0.2)
    late.sort()
    return {
        "ticks": len(late), "steps": steps, "p50_ms": 1000 * late[len(late) // 2],
        "p99_ms": 1000 * late[int(len(late) * 0.99)], "max_ms": 1000 * late[-1],
    }  # fmt: skip


def train_peak(minutes: float) -> dict[str, Any]:
    """Peak memory of ``lyrics-tui train`` on Jay Chou with the app's own choices."""
    with tempfile.TemporaryDirectory() as home:
        command = [*LYRICS, "train", str(CORPORA[0].path), "--minutes", str(minutes), "--home", home, "--json"]
        wrapped = [PY, "-c", _PEAK_WRAPPER, *command]
        result = run(wrapped)
    return {"peak_rss_mb": float(result.stdout.strip().splitlines()[-1]), "command": shown(command)}


# Runs a command as a child and prints that child's peak resident memory (MB) last. The
# wrapper is a small process, so the ru_maxrss its child inherits across exec is small too.
_PEAK_WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["stall", "startup", "train-peak"])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--minutes", type=float, default=1.0)
    args = parser.parse_args()
    if args.what == "stall":
        result = asyncio.run(stall(args.seconds))
        result["peak_rss_mb"] = own_peak_mb()
    elif args.what == "startup":
        result = startup()
    else:
        result = train_peak(args.minutes)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
