"""Kill torture: a training run SIGKILLed at every write of a save, and at random moments.

Every time, the folder still loads (listed without error, a committed checkpoint found) and
training resumed from it ends bit for bit where an uninterrupted run ends.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.conftest import make_lyrics
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.core.checkpoint import load_tensors
from tui_lyrics.core.create import create_model
from tui_lyrics.core.sample import load_model
from tui_lyrics.core.train import train
from tui_lyrics.corpus import Corpus, CorpusSummary
from tui_lyrics.metrics import read_metrics
from tui_lyrics.progress import TrainEvent, TrainingStarted
from tui_lyrics.store import ModelStore

WORKER = Path(__file__).with_name("kill_worker.py")
STEPS, EVERY = 24, 4
FAULTS = [
    # Each file of a checkpoint set, half written (the second save: an earlier set exists) ...
    "set:last.safetensors:2",
    "set:state.safetensors:2",
    "set:best.safetensors:2",
    "set:card.json:2",
    # ... the set complete but not yet renamed, renamed but the top card not yet replaced, ...
    "commit:2",
    "committed:2",
    # ... the top card half written, an old set half removed, the curve half appended.
    "write:card.json:2",
    "prune:1",
    "metrics:2",
]


def base_model(home: Path) -> None:
    text = make_lyrics(1500, seed=3)
    summary = CorpusSummary(
        name="s.txt", path="/s.txt", encoding="utf-8", files=1, chars=len(text), lines=text.count("\n"),
        distinct=len(set(text)), sha256=hashlib.sha256(text.encode()).hexdigest(),
    )  # fmt: skip
    model = ModelConfig(cell="lstm", layers=1, hidden=16, embed_dim=8, dropout=0.2, ngram=0)
    budget = TrainConfig(batch=4, seq=16, warmup=2, eval_every=EVERY, steps=STEPS, patience=0, threads=1, device="cpu")
    create_model(ModelStore(home), Corpus(text, summary), name="m", model=model, train=budget)


def torture(tmp_path: Path, faults: list[str], moments: int) -> tuple[Path, list[tuple[str, Path, dict]]]:
    """Train an uninterrupted reference and killed copies in forked children; returns their homes."""
    base = tmp_path / "base"
    base_model(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    cases = [(f"fault {f}", tmp_path / f"fault-{i}", {"fault": f}) for i, f in enumerate(faults)]
    rng = random.Random(13)
    cases += [(f"kill {i}", tmp_path / f"kill-{i}", {"kill_fraction": rng.uniform(0.02, 1.0)}) for i in range(moments)]
    for _, home, _ in cases:
        shutil.copytree(base, home)
    scenarios = [{"home": str(reference)}] + [{"home": str(home), **spec} for _, home, spec in cases]
    plan = tmp_path / "scenarios.json"
    plan.write_text(json.dumps(scenarios), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(WORKER), str(plan)], capture_output=True, text=True, timeout=300, check=False
    )
    results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and len(results) == len(scenarios), out.stderr[-3000:]
    assert results[0] == {"killed": False, "code": 0, "seconds": results[0]["seconds"]}, out.stderr[-3000:]
    return reference, [(what, home, result) for (what, home, _), result in zip(cases, results[1:], strict=True)]


def check_survived(what: str, home: Path, reference: Path) -> int:
    """The killed folder loads, and training resumed from it ends exactly where the reference does."""
    store = ModelStore(home)
    assert [row.error for row in store.list()] == [None], what
    found = store.folder("m").checkpoint()
    step = found.card.state.step
    assert step % EVERY == 0, what  # only committed steps are ever seen
    if step:
        load_model(store, "m", which="last")  # loadable for composing as it is
    events: list[TrainEvent] = []
    result = train(store, "m", callback=events.append)
    assert isinstance(events[0], TrainingStarted) and events[0].start_step == step, what
    assert (result.reason, result.step) == ("budget", STEPS), what
    want, got = ModelStore(reference).folder("m").checkpoint(), store.folder("m").checkpoint()
    for part in ("last", "state", "best"):
        expected, actual = load_tensors(getattr(want, part)), load_tensors(getattr(got, part))
        assert expected.keys() == actual.keys(), (what, part)
        assert all(torch.equal(expected[k], actual[k]) for k in expected), (what, part)
    held = [(p.step, p.held_loss) for p in got.card.history]
    assert held == [(p.step, p.held_loss) for p in want.card.history], what
    train_steps = [row["step"] for row in read_metrics(store.path("m")) if row.get("kind") == "train"]
    assert train_steps == sorted(train_steps), what  # the curve never goes backwards after a resume
    leftovers = [p.name for p in store.path("m").rglob(".*")]
    assert leftovers == [], (what, leftovers)
    return step


def test_a_run_killed_at_every_write_of_a_save_and_at_random_moments_resumes_exactly(tmp_path: Path) -> None:
    reference, cases = torture(tmp_path, FAULTS, moments=4)
    for what, _, result in cases:
        if what.startswith("fault"):
            assert result["killed"], f"{what} was never reached"
    resumed_from = {what: check_survived(what, home, reference) for what, home, _ in cases}
    assert all(resumed_from[f"fault {f}"] > 0 for f in FAULTS if f.endswith(":2"))  # an earlier set was kept


@pytest.mark.slow  # about 45 s on 2 quiet cores; the issue asks for twenty random kills in CI
def test_twenty_random_kills_each_resume_exactly(tmp_path: Path) -> None:
    reference, cases = torture(tmp_path, [], moments=20)
    for what, home, _ in cases:
        check_survived(what, home, reference)
