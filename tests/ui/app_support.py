"""Helpers for the app's UI tests: waiting on real threads, fixed model cards, tiny settings."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.conftest import make_card
from tui_lyrics.config import ModelConfig, TrainConfig

TINY_SETTINGS = {
    "layers": "1",
    "hidden": "32",
    "embed_dim": "16",
    "dropout": "0",
    "batch": "8",
    "seq": "32",
    "patience": "0",
    "threads": "1",
}


async def wait_for(pilot: Pilot, condition: Callable[[], Any], *, timeout: float = 60.0, what: str = "") -> None:
    """Let the app run until ``condition()`` holds: training and readers are real threads."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


def full_card(name: str, **fields: Any) -> dict[str, Any]:
    """A complete, valid card as JSON (what ``ModelCard`` reads strictly) holding the numbers a test shows."""
    return make_card(name, **fields).to_dict()


def write_card(
    home: Path,
    name: str,
    *,
    params: int = 1_234_567,
    best_loss: float | None = 2.5,
    steps: int = 2000,
    seconds: float = 754.0,
    finished: bool = True,
    cell: str = "gru",
    input: str = "embed",
    corpus: str = "songs.txt",
    memorisation: dict[str, Any] | None = None,
) -> Path:
    """A model folder with a card holding known numbers (no weights: the library needs none)."""
    folder = home / "models" / name
    folder.mkdir(parents=True)
    state = {"step": steps, "train_seconds": seconds, "best_loss": best_loss, "finished": finished, "device": "cpu"}
    card = full_card(
        name, model=ModelConfig(cell=cell, input=input), train=TrainConfig(steps=max(steps, 1000)), state=state,
        corpus=corpus, params=params,
    )  # fmt: skip
    if memorisation is not None:
        card["memorisation"] = memorisation
    (folder / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    return folder


def quote_reading(step: int, *, share: float = 0.019, off: float = 0.071) -> dict[str, Any]:
    """A card's memorisation reading (``card.ModelMemorisation``) of the weights of ``step``."""
    takes = {"takes": 8, "chars": 1600}
    return {
        "step": step,
        "limited": takes | {"limit": 8, "share": share, "longest_mean": 7.6, "longest_max": 8},
        "unlimited": takes | {"limit": 0, "share": off, "longest_mean": 11.2, "longest_max": 14},
    }


def write_metrics(folder: Path, *, steps: int = 2000, every: int = 50, held_every: int = 250) -> None:
    """A plausible fixed curve: training loss falling, held-out loss bottoming out then rising."""
    rows = []
    for step in range(every, steps + 1, every):
        elapsed = step * 0.377
        rows.append({"kind": "train", "step": step, "loss": 2.0 + 3.0 / (1 + step / 200), "elapsed": elapsed})
        if step % held_every == 0:
            held = 2.6 + 2.5 / (1 + step / 200) + max(0, step - 1500) / 2000
            rows.append(
                {"kind": "held", "step": step, "held_loss": held, "train_loss": rows[-1]["loss"], "elapsed": elapsed}
            )
    with open(folder / "metrics.jsonl", "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


def fill_tiny_settings(screen: Any, *, steps: int = 100_000, eval_every: int = 10) -> None:
    """Make the form's model tiny (trains in milliseconds a step) with a large budget."""
    from textual.widgets import Input, Select

    for field, value in {**TINY_SETTINGS, "eval_every": str(eval_every)}.items():
        screen.query_one(f"#set-{field}", Input).value = value
    screen.query_one("#budget-kind", Select).value = "steps"
    screen.query_one("#budget-value", Input).value = str(steps)
