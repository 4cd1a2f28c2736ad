"""UI tests see only the models they write, unless marked ``demo`` (the built-in demo model)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_builtin_models(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "demo" not in request.keywords:
        monkeypatch.setattr("tui_lyrics.resources.builtin_models_dir", lambda: None)
