"""Shared fixtures: every test gets its own model library; a tiny trained model is made once."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from tui_lyrics.card import HeldOutPoint, ModelCard, SplitSizes, TrainState
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import CorpusSummary
from tui_lyrics.paths import HOME_ENV
from tui_lyrics.vocab import CharVocab

PHRASES = [
    "我在风里等你",
    "夜色慢慢变凉",
    "你说星光很远",
    "海浪唱着旧歌",
    "心跳还在原地",
    "雨落在窗台上",
    "梦里有你的光",
    "走过长长的街",
]
SHARED = Path(__file__).resolve().parents[2] / "shared"
# core.quote_meter.TAKES_ENV: training runs end without reading the memorisation meter (a second or more per run,
# with subprocesses too); the tests of that reading set it themselves.
os.environ.setdefault("LYRICS_TUI_QUOTE_TAKES", "0")


def make_card(
    name: str = "m",
    *,
    model: ModelConfig | None = None,
    train: TrainConfig | None = None,
    state: dict[str, Any] | None = None,
    corpus: str = "songs.txt",
    params: int = 1_234_567,
    history: tuple[dict[str, Any], ...] = (),
    updated: str = "2025-01-01T00:00:00+00:00",
) -> ModelCard:
    """A complete, valid card holding the numbers a test shows (for tests that need a card, not a model)."""
    summary = CorpusSummary(
        name=corpus, path=f"/data/{corpus}", encoding="utf-8", files=1, chars=100_000, lines=5_000, distinct=40,
        sha256="0" * 64,
    )  # fmt: skip
    return ModelCard(
        name=name, model=model or ModelConfig(), train=train or TrainConfig(),
        vocab=CharVocab(chars=tuple("我你的了在是不有一人")), corpus=summary, state=TrainState.from_dict(state or {}),
        params=params, created=updated, updated=updated, split=SplitSizes(train_chars=90_000, held_chars=10_000),
        history=tuple(HeldOutPoint.from_dict(point) for point in history),
    )  # fmt: skip


def drop_mixture(folder: Path) -> None:
    """Make a model the network alone: no ``mixture`` in its card, the committed checkpoints' included."""
    import json

    for card in [folder / "card.json", *sorted(folder.glob("checkpoints/set-*/card.json"))]:
        data = json.loads(card.read_text(encoding="utf-8"))
        data.pop("mixture", None)
        card.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def make_lyrics(n_chars: int = 4000, seed: int = 0) -> str:
    """Deterministic lyric-like text with structure a small model can learn.

    Lines are drawn from a few fixed phrases, sometimes cut short; a blank line follows every
    fourth line.
    """
    rng = random.Random(seed)
    lines: list[str] = []
    while sum(len(line) + 1 for line in lines) < n_chars:
        phrase = rng.choice(PHRASES)
        lines.append(phrase[: rng.randint(4, len(phrase))])
        if len(lines) % 5 == 4:
            lines.append("")
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the model library at a temporary folder: tests never touch the real data dir."""
    path = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(path))
    return path


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "songs.txt"
    path.write_text(make_lyrics(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def _tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tui_lyrics.config import ModelConfig, TrainConfig
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train
    from tui_lyrics.corpus import Corpus, CorpusSummary
    from tui_lyrics.store import ModelStore

    root = tmp_path_factory.mktemp("tiny")
    text = make_lyrics()
    summary = CorpusSummary(
        name="songs.txt", path=str(root / "songs.txt"), encoding="utf-8", files=1,
        chars=len(text), lines=text.count("\n"), distinct=len(set(text)), sha256="0" * 64,
    )  # fmt: skip
    store = ModelStore(root)
    config = ModelConfig(cell="gru", layers=1, hidden=32, embed_dim=16, dropout=0.0)
    create_model(
        store, Corpus(text, summary), name="tiny", model=config, train=TrainConfig(steps=60, eval_every=30, seq=32)
    )
    train(store, "tiny")
    return root / "models" / "tiny"


@pytest.fixture
def tiny_model(home: Path, _tiny_model_dir: Path) -> str:
    """A small trained GRU named "tiny" in this test's library (trained once per session)."""
    shutil.copytree(_tiny_model_dir, home / "models" / "tiny")
    return "tiny"
