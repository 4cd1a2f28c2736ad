"""Model folders from the command line: broken folders, resume options that would move the split."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import cli


def test_broken_folders_are_listed_and_can_be_renamed_and_deleted(home: Path, tiny_model: str) -> None:
    (home / "models" / "half-made").mkdir()  # killed between its corpus copy and its card
    (home / "models" / "half-made" / "corpus.txt.gz").write_bytes(b"")
    (home / "models" / "garbled").mkdir()
    (home / "models" / "garbled" / "card.json").write_text("{", encoding="utf-8")

    rows = {r["name"]: r for r in json.loads(cli("models", "--json").stdout)}
    assert rows["half-made"]["broken"] and "card.json is missing" in rows["half-made"]["error"]
    assert rows["garbled"]["broken"] and "is corrupt" in rows["garbled"]["error"]
    assert not rows[tiny_model]["broken"]
    table = cli("models").stdout
    assert "broken" in table and "lyrics-tui models delete 'garbled'" in table

    cli("models", "rename", "garbled", "garbled-old")
    cli("models", "delete", "garbled-old", "--yes")
    cli("models", "delete", "half-made", "--yes")
    assert sorted(p.name for p in (home / "models").iterdir()) == [tiny_model]


@pytest.mark.parametrize(
    ("flag", "value", "why"),
    [("--held-out", "0.2", "held-out split"), ("--min-count", "1", "vocabulary"), ("--max-vocab", "50", "vocabulary")],
)
def test_resume_refuses_options_that_would_change_the_split_or_vocabulary(
    tiny_model: str, flag: str, value: str, why: str
) -> None:
    result = cli("train", "--resume", tiny_model, "--steps", "2", flag, value, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{flag} cannot change when resuming 'tiny': it fixes the model's {why}" in result.stderr


ROUNDS = 3  # each round starts two Pythons that import torch at once: seconds each; 30 rounds run at the lock level


@pytest.mark.slow
def test_two_trainers_started_together_exactly_one_trains(home: Path, tiny_model: str) -> None:
    """Two ``lyrics-tui train`` processes on one model: one trains, the other exits with the lock's one line."""
    from tui_lyrics.store import ModelStore

    command = [sys.executable, "-m", "tui_lyrics", "train", "--resume", tiny_model, "--minutes", "10"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    step = ModelStore(home).card(tiny_model).state.step
    for _ in range(ROUNDS):
        pair = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while all(p.poll() is None for p in pair):  # the loser gives up within a second of trying
                assert time.monotonic() < deadline, "neither trainer gave up the lock"
                time.sleep(0.05)
            loser = next(p for p in pair if p.poll() is not None)
            winner = next(p for p in pair if p is not loser)
            while not _trained_past(home / "models" / tiny_model / "metrics.jsonl", step):  # the winner trains
                assert winner.poll() is None, f"the winner stopped: {winner.communicate()[1]}"
                assert time.monotonic() < deadline, "the winner never trained"
                time.sleep(0.05)
            _, error = loser.communicate()
            lines = [line for line in error.splitlines() if line.strip()]
            assert loser.returncode == 1 and len(lines) == 1 and "Traceback" not in error, error
            assert f"{tiny_model!r} is being trained by process {winner.pid}" in lines[0]
            winner.send_signal(signal.SIGTERM)  # stops like a hang-up: it saves, then exits
            _, error = winner.communicate(timeout=60)
            assert winner.returncode == 130 and "being trained" not in error, error
        finally:
            for p in pair:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        after = ModelStore(home).card(tiny_model).state.step
        assert after > step  # the winner trained and saved
        step = after
    assert not (home / "models" / tiny_model / "train.lock").exists()


def _trained_past(metrics: Path, step: int) -> bool:
    try:
        lines = metrics.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return False
    return any(row.get("kind") == "train" and row.get("step", 0) > step for row in map(json.loads, lines[-5:]))
