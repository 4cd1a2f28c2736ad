"""Take the README's screenshots with the app's own screenshot support (SVG).

Run from the repository root with the project installed:

    python assets/screenshots/make_screenshots.py

It uses a temporary model library, so the pictures show what a new user sees: the library
with the built-in demo model, a training run on the demo corpus, and a take composed with
the demo model.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (100, 30)


async def wait(pilot, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.1)


async def library_and_compose() -> None:
    from tui_lyrics.ui.app import LyricsApp
    from tui_lyrics.ui.compose.screen import ComposeScreen

    app = LyricsApp()
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.screen.rows is not None)
        await pilot.pause(0.5)
        app.save_screenshot("library.svg", str(HERE))
        await pilot.press("c")
        await wait(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await pilot.pause(3)  # the model loads in a worker
        await pilot.press(*"雨后的车站", "enter")
        await pilot.pause(8)
        app.save_screenshot("compose.svg", str(HERE))


async def training() -> None:
    from tui_lyrics.config import TrainConfig, preset
    from tui_lyrics.corpus import load_corpus
    from tui_lyrics.resources import demo_corpus
    from tui_lyrics.ui.app import LyricsApp
    from tui_lyrics.ui.jobs import TrainPlan

    app = LyricsApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        plan = TrainPlan("my-lyrics", corpus=load_corpus(demo_corpus()), model=preset("tiny").model,
                         train=TrainConfig(minutes=2, eval_every=20))  # fmt: skip
        app._begin(plan)
        await pilot.pause(60)
        app.save_screenshot("training.svg", str(HERE))
        app.job.stop()
        await wait(pilot, lambda: app.job is None)


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["LYRICS_TUI_HOME"] = home
        asyncio.run(library_and_compose())
        asyncio.run(training())
    print(f"wrote {', '.join(sorted(p.name for p in HERE.glob('*.svg')))} in {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
