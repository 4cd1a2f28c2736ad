"""The torch-free modules must not import torch: the CLI and the TUI start in well under a second."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

TORCH_FREE = [
    "tui_lyrics",
    "tui_lyrics.config",
    "tui_lyrics.corpus",
    "tui_lyrics.vocab",
    "tui_lyrics.store",
    "tui_lyrics.progress",
    "tui_lyrics.paths",
    "tui_lyrics.errors",
    "tui_lyrics.ui.screens.compare",
    "tui_lyrics.rhyme",
    "tui_lyrics.memorise",
]
# Being written now: checked once they exist.
MAYBE = ["tui_lyrics.cli", "tui_lyrics.ui.app"]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _heavy_after_import(module: str) -> list[str]:
    """Import ``module`` in a fresh interpreter; return the heavy modules it pulled in."""
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(','.join(m for m in ('torch', 'safetensors.torch') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().split(",") if m]


@pytest.mark.parametrize("module", TORCH_FREE)
def test_torch_free_module_does_not_import_torch(module: str) -> None:
    assert _heavy_after_import(module) == []


@pytest.mark.parametrize("module", MAYBE)
def test_entry_points_do_not_import_torch(module: str) -> None:
    if not _exists(module):
        pytest.skip(f"{module} is not written yet")
    assert _heavy_after_import(module) == []


def test_all_torch_free_modules_together_do_not_import_torch() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in TORCH_FREE) + "print('torch' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_check_can_fail() -> None:
    """The probe does see torch when a module imports it (the engine does)."""
    assert "torch" in _heavy_after_import("tui_lyrics.core.model")
