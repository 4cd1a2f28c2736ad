"""Shared pieces of the benchmark suite: paths, corpora, child processes, medians.

Every timed figure comes from a fresh child process, so thread settings, imports and memory
peaks of one measurement never leak into the next.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BASELINES = SHARED / "baselines"
PY = sys.executable
LYRICS = [PY, "-m", "tui_lyrics"]


@dataclass(frozen=True)
class BenchCorpus:
    key: str
    title: str
    path: Path


CORPORA = (
    BenchCorpus("jaychou", "Jay Chou", SHARED / "corpora" / "jaychou_lyrics.txt.zip"),
    BenchCorpus("shakespeare", "Tiny Shakespeare", SHARED / "corpora" / "tinyshakespeare.txt"),
)


def canonical_text(corpus: BenchCorpus) -> str:
    """The corpus as the canonical split reads it: decoded UTF-8, every \\r deleted."""
    import zipfile

    if corpus.path.suffix == ".zip":
        with zipfile.ZipFile(corpus.path) as zf:
            raw = zf.read(zf.namelist()[0])
    else:
        raw = corpus.path.read_bytes()
    return raw.decode("utf-8").replace("\r", "")


def canonical_corpus(corpus: BenchCorpus) -> Any:
    """``canonical_text`` as the engine's ``Corpus``, for creating a model in-process."""
    from tui_lyrics.corpus import Corpus, CorpusSummary

    text = canonical_text(corpus)
    summary = CorpusSummary(
        corpus.path.name, str(corpus.path), "utf-8", 1, len(text), text.count("\n"), len(set(text)), ""
    )
    return Corpus(text, summary)


@dataclass
class Ran:
    """A finished child process: what it printed and how long it took."""

    command: list[str]
    stdout: str
    seconds: float

    def json(self) -> Any:
        """stdout as JSON, or its last line that parses (children print their result last)."""
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            pass
        for line in reversed(self.stdout.strip().splitlines()):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
        raise RuntimeError(f"no JSON result from {shown(self.command)}:\n{self.stdout[-2000:]}")


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> Ran:
    """Run a child to completion; fail loudly (with its output) if it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{shown(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return Ran(command, done.stdout, seconds)


def own_peak_mb() -> float:
    """This process's peak resident memory in MB since it started its program.

    VmHWM, not ``ru_maxrss``: Linux carries ``ru_maxrss`` across exec, so a child of a large
    parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def shown(command: list[str]) -> str:
    """A command as a person would type it from the project root."""
    parts = [("python" if part == PY else part) for part in command]
    text = shlex.join(parts)
    return text.replace(str(ROOT) + "/", "").replace(str(SHARED), "../shared")


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict[str, Any]:
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
