"""Files shipped with lyrics-tui: the demo corpus and the built-in demo model.

In a wheel they live in ``tui_lyrics/assets`` (copied there at build time); in a source
checkout they are read from the repository's top-level ``assets/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "assets"
_CHECKOUT = Path(__file__).resolve().parent.parent / "assets"


def assets_dir() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def demo_corpus() -> Path:
    """The original Chinese demo lyrics (written for this project, MIT licensed)."""
    return assets_dir() / "demo" / "zh_lyrics.txt"


def builtin_models_dir() -> Path | None:
    """Read-only models offered in every library (the demo model), if shipped."""
    path = assets_dir() / "models"
    return path if path.is_dir() else None
