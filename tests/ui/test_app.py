"""The app as a whole: start-up without torch, quitting and hang-ups while training,
the command palette and key policy, and the small pieces the screens are built on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from app_support import TINY_SETTINGS, wait_for
from textual.pilot import Pilot

from tui_lyrics import progress
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import load_corpus
from tui_lyrics.store import LOCK, ModelStore
from tui_lyrics.ui.app import LyricsApp
from tui_lyrics.ui.jobs import TrainPlan
from tui_lyrics.ui.library.screen import LibraryScreen
from tui_lyrics.ui.messages import TrainingProgressed
from tui_lyrics.ui.record import Curve, RunRecord
from tui_lyrics.ui.training.screen import TrainingScreen
from tui_lyrics.ui.watch import MetricsTail
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog, PromptDialog
from tui_lyrics.ui.widgets.file_browser import FileBrowser

ROOT = Path(__file__).resolve().parents[2]
UI_MODULES = [
    "tui_lyrics.ui.app",
    "tui_lyrics.ui.jobs",
    "tui_lyrics.ui.engine",
    "tui_lyrics.ui.library.screen",
    "tui_lyrics.ui.training.screen",
    "tui_lyrics.ui.training.form",
    "tui_lyrics.ui.widgets.corpus_picker",
    "tui_lyrics.ui.training.monitor",
]
FIRST_FRAME = """
import json, sys, time
from tui_lyrics.ui.app import LyricsApp
seen = {"torch_at_import": "torch" in sys.modules}
async def auto(pilot):
    seen["screen"] = type(pilot.app.screen).__name__
    seen["engine_ready_at_first_frame"] = pilot.app.engine.ready.is_set()
    await pilot.app.engine.wait()
    seen["torch_after_engine"] = "torch" in sys.modules
    seen["devices"] = list(pilot.app.engine.devices)
    pilot.app.exit()
LyricsApp().run(headless=True, auto_pilot=auto)
print(json.dumps(seen))
"""


def run_python(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LYRICS_TUI_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_the_app_modules_import_without_torch(home: Path) -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in UI_MODULES) + "assert 'torch' not in sys.modules, 'torch'"
    result = run_python(code, home)
    assert result.returncode == 0, result.stderr


def test_the_first_frame_comes_before_the_engine(home: Path) -> None:
    result = run_python(FIRST_FRAME, home)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["torch_at_import"] is False
    assert seen["screen"] == "LibraryScreen"
    assert seen["engine_ready_at_first_frame"] is False  # torch is still loading behind the library
    assert seen["torch_after_engine"] is True and "cpu" in seen["devices"]


def tiny_plan(corpus: Path) -> TrainPlan:
    settings = {k: float(v) if "." in v or k == "dropout" else int(v) for k, v in TINY_SETTINGS.items()}
    model = ModelConfig(**{k: settings[k] for k in ("layers", "hidden", "embed_dim", "dropout")})
    train = TrainConfig(
        steps=100_000, eval_every=10, **{k: settings[k] for k in ("batch", "seq", "patience", "threads")}
    )
    return TrainPlan("songs", corpus=load_corpus(corpus), model=model, train=train)


async def start_training(pilot: Pilot, corpus: Path) -> None:
    app = pilot.app
    assert isinstance(app, LyricsApp)
    app.start_training(tiny_plan(corpus))
    await wait_for(pilot, lambda: app.record is not None and app.record.step > 0, what="the first steps")


def saved_step(home: Path) -> int:
    assert not (home / "models" / "songs" / LOCK).exists()
    return ModelStore(home).card("songs").state.step


async def test_quitting_while_training_asks_then_saves(corpus_file: Path, home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_training(pilot, corpus_file)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen) and app.job is not None
        await pilot.press("ctrl+q")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.return_code is not None, what="the app to exit")
    assert saved_step(home) > 0


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
async def test_a_hang_up_saves_the_run_before_exiting(corpus_file: Path, home: Path) -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_training(pilot, corpus_file)
        assert app.hang_up.installed, "the SIGHUP handler is not installed"
        os.kill(os.getpid(), signal.SIGHUP)
        await wait_for(pilot, lambda: app.return_code is not None, what="the app to exit")
        assert app.return_code == 129
    assert saved_step(home) > 0


async def test_every_footer_action_is_in_the_palette() -> None:
    app = LyricsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"New", "Train", "Compose", "Curves", "Rename", "Delete", "Quit"} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"new")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainingScreen), what="the palette's New")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Library", "Start", "Browse", "Advanced"} <= titles


def test_no_binding_uses_keys_tmux_or_terminals_take() -> None:
    banned = {"ctrl+b", "ctrl+a", "ctrl+s", "ctrl+j"}
    for owner in (LyricsApp, LibraryScreen, TrainingScreen, ConfirmDialog, PromptDialog, FileBrowser):
        for binding in owner.BINDINGS:
            keys = set(binding.key.split(",")) if hasattr(binding, "key") else set(binding[0].split(","))
            assert not keys & banned, (owner.__name__, keys & banned)


# -- the pieces -------------------------------------------------------------------------------
def test_messages_are_frozen_facts() -> None:
    event = progress.TrainingProgressed(step=1, total_steps=10, epoch=0.1, train_loss=2.0,
                                        chars_per_sec=1.0, lr=1e-3, elapsed=1.0, fraction=0.1, eta=None)  # fmt: skip
    message = TrainingProgressed(name="a", event=event)
    with pytest.raises(FrozenInstanceError):
        message.name = "b"
    assert message.can_replace(TrainingProgressed(name="a", event=event))
    assert not message.can_replace(TrainingProgressed(name="b", event=event))


def test_a_curve_keeps_a_bounded_uniform_number_of_points() -> None:
    curve = Curve(limit=8)
    for value in range(100):
        curve.add(float(value))
    assert len(curve) < 8 and curve.last == 99.0
    assert curve.values == sorted(curve.values)  # still in order, evenly averaged


def test_overfitting_is_rising_held_out_loss_with_falling_training_loss() -> None:
    record = RunRecord("a")
    for step, held, train in ((100, 2.0, 2.2), (200, 2.1, 2.0), (300, 2.2, 1.8)):
        record.add_held(step, held, train)
    assert record.overfitting and record.best_loss == 2.0
    record.add_held(400, 1.9, 1.7)
    assert not record.overfitting


def test_metrics_rows_build_the_curves_and_skip_foreign_rows() -> None:
    record = RunRecord("a", read_only=True)
    rows = [
        {"kind": "train", "step": 10, "loss": 3.0, "elapsed": 1.0},
        {"kind": "train", "step": 20, "loss": 2.5, "elapsed": 2.0},
        {"kind": "held", "step": 20, "held_loss": 2.7, "train_loss": 2.5, "elapsed": 2.0},
        {"kind": "train", "step": "x"},
        {"something": "else"},
    ]
    record.add_rows(rows, chars_per_step=100)
    assert len(record.train) == 2 and record.step == 20 and record.chars_per_sec == 1000.0
    assert record.best_loss == 2.7


def test_the_metrics_tail_reads_only_whole_new_lines(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"kind": "train", "step": 1}\n{"kind": "tr', encoding="utf-8")
    tail = MetricsTail(tmp_path)
    rows, reset = tail.read()
    assert rows == [{"kind": "train", "step": 1}] and reset
    with path.open("a", encoding="utf-8") as handle:
        handle.write('ain", "step": 2}\n')
    rows, reset = tail.read()
    assert rows == [{"kind": "train", "step": 2}] and not reset
    path.write_text("", encoding="utf-8")
    assert tail.read() == ([], True)


def test_every_message_of_the_app_is_a_frozen_fact() -> None:
    """One convention: each Message a module of ``tui_lyrics.ui`` defines is made by ``messages.fact``."""
    import importlib
    import inspect
    import pkgutil

    from textual.message import Message

    import tui_lyrics.ui

    found, loose = 0, []
    for module_info in pkgutil.walk_packages(tui_lyrics.ui.__path__, "tui_lyrics.ui."):
        module = importlib.import_module(module_info.name)
        nested = [
            c for _, k in inspect.getmembers(module, inspect.isclass) for _, c in inspect.getmembers(k, inspect.isclass)
        ]
        for cls in {*(c for _, c in inspect.getmembers(module, inspect.isclass)), *nested}:
            if (
                issubclass(cls, Message)
                and cls.__module__ == module.__name__
                and cls.__dict__.get("__dataclass_fields__")
            ):
                found += 1
                if getattr(cls.__setattr__, "__qualname__", "") != "fact.<locals>.__setattr__":
                    loose.append(f"{cls.__module__}.{cls.__qualname__}")
    assert found > 20
    assert loose == [], f"messages that are not frozen facts: {loose}"


def test_every_run_status_has_its_words_in_the_one_table() -> None:
    from tui_lyrics.ui.status import LABELS, RunStatus

    assert set(LABELS) == set(RunStatus)
    assert all(status.label and status.badge for status in RunStatus)
    assert RunStatus("paused") == "paused" and RunRecord("a", status=RunStatus.PAUSED).active
    assert not RunRecord("a", status=RunStatus.IDLE).active
