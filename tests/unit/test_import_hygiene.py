"""The torch-free modules must not import torch: the CLI and the TUI start in well under a second."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TORCH_FREE = [
    "tui_lyrics",
    "tui_lyrics.config",
    "tui_lyrics.sample_config",
    "tui_lyrics.sample_defaults",
    "tui_lyrics.presets",
    "tui_lyrics.corpus",
    "tui_lyrics.corpus_files",
    "tui_lyrics.lyrics_text",
    "tui_lyrics.vocab",
    "tui_lyrics.store",
    "tui_lyrics.card_fields",
    "tui_lyrics.durable",
    "tui_lyrics.folder",
    "tui_lyrics.checkpoint_sets",
    "tui_lyrics.metrics",
    "tui_lyrics.progress",
    "tui_lyrics.paths",
    "tui_lyrics.errors",
    "tui_lyrics.ui.compare.screen",
    "tui_lyrics.rhyme",
    "tui_lyrics.memorise",
    "tui_lyrics.quote_guard",
    "tui_lyrics.quotes",
    "tui_lyrics.cli",
    "tui_lyrics.commands.options",
    "tui_lyrics.commands.parsers",
    "tui_lyrics.ui.app",
]
# The engine: torch, but never the UI toolkit (it talks through callbacks and plain dataclasses).
CORE = sorted(
    f"tui_lyrics.core.{path.stem}"
    for path in (Path(__file__).parents[2] / "tui_lyrics" / "core").glob("*.py")
    if path.stem != "__init__"
)
UI_TOOLKITS = ("textual", "rich")


def _heavy_after_import(module: str, heavy: tuple[str, ...] = ("torch", "safetensors.torch")) -> list[str]:
    """Import ``module`` in a fresh interpreter; return the ``heavy`` modules it pulled in."""
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().split(",") if m]


@pytest.mark.parametrize("module", TORCH_FREE)
def test_torch_free_module_does_not_import_torch(module: str) -> None:
    assert _heavy_after_import(module) == []


def test_the_engine_does_not_import_the_ui_toolkit() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + f"print([m for m in {UI_TOOLKITS!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert len(CORE) > 5 and done.stdout.strip() == "[]"


def test_all_torch_free_modules_together_do_not_import_torch() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in TORCH_FREE) + "print('torch' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_check_can_fail() -> None:
    """The probe does see torch when a module imports it (the engine does)."""
    assert "torch" in _heavy_after_import("tui_lyrics.core.model")
    assert "textual" in _heavy_after_import("tui_lyrics.ui.app", UI_TOOLKITS)
