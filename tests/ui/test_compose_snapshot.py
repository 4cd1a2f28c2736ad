"""A snapshot of the composing screen: a finished take on a fixed seed, alternatives shown.

The model is built, not trained, so the picture is the same on every machine: a one-hot
input, an ``rnn`` cell whose hidden state is exactly the one-hot of the last character
(tanh(20) is 1.0 in float32) and a head holding the log bigram probabilities of a small
fixed lyric. Its next-character distribution is the bigram table, bit for bit.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import Corpus, CorpusSummary
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.compose.screen import ComposeScreen
from tui_lyrics.ui.compose.settings import Seed

LYRIC = """月光下的街道很安静
我睁开双眼看见你的脸
风吹过窗台带走了思念
我们的故事写在夜里
你说星光很远我说你很近
月光下我唱着旧的歌
风吹过的夜里有你的脸
我睁开双眼天已经亮了
"""


def build_bigram_model(store: ModelStore, name: str = "bigram") -> str:
    """A model whose sampling is a fixed bigram table (see the module docstring)."""
    import torch  # the test builds weights by hand; only this fixture needs torch

    from tui_lyrics.core.checkpoint import save_tensors
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.model import CharRNN

    text = LYRIC * 4
    summary = CorpusSummary(
        name="fixed.txt", path="/fixed.txt", encoding="utf-8", files=1,
        chars=len(text), lines=text.count("\n"), distinct=len(set(text)), sha256="0" * 64,
    )  # fmt: skip
    vocab_size = len(set(text)) + 1
    config = ModelConfig(cell="rnn", input="onehot", layers=1, hidden=vocab_size, dropout=0.0)
    create_model(store, Corpus(text, summary), name=name, model=config, train=TrainConfig(steps=1, min_count=1))
    card = store.card(name)
    vocab = card.vocab
    assert vocab.size == vocab_size
    counts = torch.full((vocab_size, vocab_size), 0.05)  # (next, previous), smoothed
    ids = vocab.encode(text)
    for previous, following in itertools.pairwise(ids):
        counts[following, previous] += 1
    model = CharRNN(config, vocab_size)
    state = {k: torch.zeros_like(v) for k, v in model.state_dict().items()}
    state["rnn.weight_ih_l0"] = torch.eye(vocab_size) * 20.0  # h = tanh(20 * onehot) = onehot
    state["head.weight"] = torch.log(counts / counts.sum(0, keepdim=True))  # logits = log P(next | previous)
    save_tensors(store.path(name) / "best.safetensors", state)
    scored = dataclasses.replace(card.state, step=1, best_loss=math.log(6.5), best_step=1)
    store.folder(name).write_card(card.with_state(scored))
    return name


class Host(App[None]):
    def __init__(self, store: ModelStore) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(ComposeScreen(store=self.store, model_name="bigram"))


async def finished_take_with_alternatives(pilot: Pilot) -> None:
    """Generate four lines on seed 7, wait for the meter, then open alternatives at the seventh character."""
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    for _ in range(1000):
        if screen.lm is not None:
            break
        await pilot.pause(0.02)
    screen.controls.seed = Seed(fixed=7)
    screen.controls.settings = screen.settings.replace(lines=4)
    screen.query_one("#prefix").focus()
    await pilot.press(*"月光下", "enter")
    for _ in range(1000):
        if screen.generating is None:
            break
        await pilot.pause(0.02)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    take = screen.session.current
    assert take is not None and take.text
    for _ in range(1000):  # the memorisation meter is measured in a worker after the take ends
        if take.memorisation is not None:
            break
        await pilot.pause(0.02)
    assert take.memorisation is not None
    screen.desk.timings[take.number] = [0.0, 0.012, 0.112]  # wall-clock speed varies: fix it for the picture
    screen.desk.show_current()
    await pilot.press("a", *["right"] * 6)


def test_compose_screen_snapshot(snap_compare, home: Path) -> None:
    store = ModelStore(home)
    build_bigram_model(store)
    assert snap_compare(Host(store), terminal_size=(80, 24), run_before=finished_take_with_alternatives)


@pytest.mark.parametrize("size", [(60, 16), (40, 12)], ids=["60x16", "40x12"])
def test_compose_on_a_small_terminal_shows_the_take_first(snap_compare, home: Path, size) -> None:
    """The takes list and the extras give way; the take and its alternatives stay."""
    store = ModelStore(home)
    build_bigram_model(store)
    assert snap_compare(Host(store), terminal_size=size, run_before=finished_take_with_alternatives)


@pytest.fixture
def bigram(home: Path) -> str:
    return build_bigram_model(ModelStore(home))


def test_the_built_model_samples_its_bigram_table(bigram: str, home: Path) -> None:
    """Greedy sampling follows the most frequent successor, so the weights are what we think."""
    from tui_lyrics.core.sample import load_model, sample_text
    from tui_lyrics.sample_config import SampleConfig

    lm = load_model(ModelStore(home), bigram)
    assert sample_text(lm, "我睁", SampleConfig(temperature=0, length=3, seed=0)) == "开双眼"
