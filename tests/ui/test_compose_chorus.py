"""A chorus typed in Compose comes back in a take, with song memory on, and not with it off (issue 12).

The model is trained here on songs shaped verse, chorus, verse, chorus, each chorus four lines of
characters drawn at random: the network learns that a chorus returns after a verse, but it cannot
remember a chorus it has never seen; only song memory (the mixture's n-gram counting the prompt)
can bring the typed one back. Same seeds, same prompt, song memory on then off.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from test_compose import Host, ready, wait_for
from textual.pilot import Pilot

from tests.conftest import PHRASES
from tui_lyrics.ui.compose.screen import ComposeScreen
from tui_lyrics.ui.compose.settings import Seed

CHORUS = ("星光唱着旧梦", "你的心在窗台", "海浪走过长街", "夜里等你的歌")
TYPED = "/".join(CHORUS) + "//"
"""As the writer types it: ``/`` starts a new line (the prompt ends with a blank line: the chorus is done)."""
SEEDS = range(8)


def chorus_songs(songs: int = 60, seed: int = 0) -> str:
    """Songs of four parts, blank lines between: two lines of corpus phrases, a chorus of four lines of random
    characters, twice."""
    rng = random.Random(seed)
    chars = sorted(set("".join(PHRASES)))
    out = []
    for _ in range(songs):
        chorus = ["".join(rng.choice(chars) for _ in range(6)) for _ in range(4)]
        parts = [[rng.choice(PHRASES) for _ in range(2)], chorus, [rng.choice(PHRASES) for _ in range(2)], chorus]
        out.append("\n\n".join("\n".join(part) for part in parts))
    return "\n\n".join(out) + "\n"


@pytest.fixture(scope="module")
def _chorus_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tui_lyrics.config import ModelConfig, TrainConfig
    from tui_lyrics.core.create import create_model
    from tui_lyrics.core.train import train
    from tui_lyrics.corpus import Corpus, CorpusSummary
    from tui_lyrics.store import ModelStore

    root = tmp_path_factory.mktemp("chorus")
    text = chorus_songs()
    summary = CorpusSummary(
        name="songs.txt", path=str(root / "songs.txt"), encoding="utf-8", files=1,
        chars=len(text), lines=text.count("\n"), distinct=len(set(text)), sha256="0" * 64,
    )  # fmt: skip
    config = ModelConfig(cell="gru", layers=1, hidden=32, embed_dim=16, dropout=0.0)
    store = ModelStore(root)
    create_model(store, Corpus(text, summary), name="tiny", model=config, train=TrainConfig(steps=60, eval_every=60))
    train(store, "tiny")
    return root / "models" / "tiny"


async def _takes_back(pilot: Pilot, screen: ComposeScreen, seeds: Iterable[int]) -> list[int]:
    """The seeds whose 8-line take of the typed prompt brings a line of the chorus back."""
    back = []
    for seed in seeds:
        screen.controls.seed = Seed(fixed=seed)
        screen.query_one("#prefix").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.generating is None and screen.session.current is not None)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        take = screen.session.current
        assert take is not None and take.prefix == "\n".join(CHORUS) + "\n\n" and take.seed == seed
        if any(line in CHORUS for line in take.text.split("\n")):
            back.append(seed)
    return back


async def test_a_typed_chorus_comes_back_with_song_memory(home: Path, _chorus_model_dir: Path) -> None:
    shutil.copytree(_chorus_model_dir, home / "models" / "tiny")
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.settings.song_memory  # on by default
        screen.controls.settings = screen.settings.replace(lines=8)
        screen.query_one("#prefix").focus()
        await pilot.press(*TYPED)
        with_memory = await _takes_back(pilot, screen, SEEDS)
        screen.query_one("#take").focus()
        await pilot.press("u")  # song memory off, from its key
        assert not screen.settings.song_memory
        assert "song memory off u" in str(screen.query_one("#controls").render())
        assert len(with_memory) >= 2, with_memory  # 4 of the 8 seeds here
        without = await _takes_back(pilot, screen, with_memory)
    assert without == [], (with_memory, without)  # the same seeds without song memory: the chorus stays away


def test_a_slash_in_the_first_line_box_starts_a_new_line() -> None:
    from tui_lyrics.ui.compose.prefix import prompt_of

    assert prompt_of("我推开窗 / 看见雨/风//") == "我推开窗\n看见雨\n风\n\n"
    assert prompt_of("我推开窗") == "我推开窗"
    assert prompt_of(r"AC\/DC / 风 \/ 雨/\/") == "AC/DC\n风 / 雨\n/"  # a backslash before it: a slash


def test_only_a_typed_slash_is_marked_unknown() -> None:
    from rich.text import Text

    from tui_lyrics.ui.compose.prefix import UnknownChars

    marker, text = UnknownChars(), Text("风\\/雨/夜")
    marker.unknown = frozenset("/")  # a model that never saw a slash
    marker.highlight(text)
    assert [(span.start, span.end) for span in text.spans] == [(2, 3)]  # not the / that starts a line


async def test_a_slash_can_be_typed_in_the_first_line_box(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#prefix").focus()
        await pilot.press(*"风", "backslash", "slash", *"雨", "slash", *"夜")
        assert screen.query_one("#prefix").value == "风\\/雨/夜"
        assert screen.first_line.prompt == "风/雨\n夜"
        assert "\\/ types a /" in screen.query_one("#prefix").placeholder  # said where it is typed


async def test_pasted_lines_keep_their_breaks(tiny_model: str) -> None:
    from textual import events

    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        prefix = screen.query_one("#prefix")
        prefix.focus()
        prefix.post_message(events.Paste("星光唱着\n你的心 1/2\n\n"))
        await pilot.pause()
        assert prefix.value == "星光唱着/你的心 1\\/2"  # a slash in the text stays a slash
        assert screen.first_line.prompt == "星光唱着\n你的心 1/2"
