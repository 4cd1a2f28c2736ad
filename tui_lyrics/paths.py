"""Where the model library lives: the platformdirs user data dir, or LYRICS_TUI_HOME."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "LYRICS_TUI_HOME"
APP_NAME = "lyrics-tui"


def data_home(override: str | os.PathLike[str] | None = None) -> Path:
    """The library root: ``override`` (``--home``), else ``$LYRICS_TUI_HOME``, else the user data dir."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_path  # only needed without an override

    return user_data_path(APP_NAME, appauthor=False)


def models_dir(home: Path) -> Path:
    """The folder holding one sub-folder per model."""
    return home / "models"
