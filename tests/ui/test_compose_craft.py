"""The lyric-craft controls and the memorisation meter on the composing screen.

The tiny model's corpus (``tests/conftest.py``) ends its lines on 凉 上 光 (江阳) among
others, so 江阳 is a class it can rhyme in. The engine's own output for the same settings and
seed is the reference, as in ``test_compose.py``.
"""

from __future__ import annotations

from pathlib import Path

from test_compose import SEED, Host, engine_text, generate, ready, wait_for

from tests.conftest import drop_mixture
from tui_lyrics.memorise import Memorisation, corpus_index
from tui_lyrics.paths import data_home
from tui_lyrics.rhyme import CLASSES, line_class, text_lines
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, RECOMMENDED_CONTROLS
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.compose.commands import BindingCommands
from tui_lyrics.ui.compose.meter import meter_text
from tui_lyrics.ui.compose.settings import DEFAULT_SETTINGS, LADDERS, nudge, toggle_repetition
from tui_lyrics.ui.compose.takes import take_settings
from tui_lyrics.ui.compose.view import TakeView

CRAFT = DEFAULT_SETTINGS.replace(line_chars=6, rhyme="江阳", lines=4)


def take_text(name: str, prompt: str, config: SampleConfig) -> str:
    """The engine's own rhymed take (a line at a time, the best of a few: ``core.rhymed``), as Compose writes it."""
    from tui_lyrics.core.rhymed import stream_take  # torch, only where needed
    from tui_lyrics.core.sample import load_model

    return "".join(c.char for c in stream_take(load_model(ModelStore(data_home()), name), prompt, config))


async def test_a_rhymed_shaped_take_keeps_class_and_bounds_and_matches_the_engine(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.controls.settings = CRAFT
        take = await generate(pilot, screen, "")
        assert take.error == "" and take.settings == CRAFT.replace(seed=SEED)
        lines = text_lines(take.text)
        low, high = CRAFT.line_bounds or (0, 0)
        assert len(lines) == 4
        assert all(line_class(line) == "江阳" for line in lines), lines
        assert all(low <= len(line) <= high for line in lines), lines
        assert take.text == take_text(tiny_model, "", CRAFT.replace(seed=SEED))
        view = screen.query_one(TakeView)
        first_row = "".join(segment.text for segment in view.render_line(0))
        assert first_row.rstrip().endswith("江阳")  # the class in the margin, dim
        assert "rhyme 江阳" in take.describe() and "6±2 chars/line" in take.describe()


async def test_the_meter_shows_the_corpus_index_reading(tiny_model: str, home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "我在风")
        await wait_for(pilot, lambda: take.memorisation is not None)
        index = corpus_index(home / "models" / tiny_model)
        assert index is not None
        expected = index.measure(take.text)
        assert take.memorisation == expected
        shown = str(screen.query_one("#take-meter").render())
        assert f"longest quote {expected.longest} chars" in shown
        assert meter_text(expected) in shown


async def test_without_a_corpus_copy_the_meter_says_so(tiny_model: str, home: Path) -> None:
    store = ModelStore(home)  # a network alone: a mixture would need the corpus copy for its n-gram
    drop_mixture(store.path(tiny_model))
    (home / "models" / tiny_model / "corpus.txt.gz").unlink()
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        await wait_for(pilot, lambda: screen.desk.meter.corpus_state == "missing")
        take = await generate(pilot, screen, "夜")
        assert take.memorisation is None
        assert "no corpus copy: meter unavailable" in str(screen.query_one("#take-meter").render())


async def test_craft_keys_change_the_controls_and_are_in_the_palette(tiny_model: str) -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.settings == DEFAULT_SETTINGS  # the repetition controls start on, as in generate
        screen.query_one(TakeView).focus()
        await pilot.press("H", "H", "B", "B", "G", "G", "e")
        s = screen.settings
        assert (s.line_chars, s.verse_lines, s.rhyme) == (6, 4, CLASSES[0])
        assert (s.repetition_penalty, s.no_repeat_ngram, s.loop_repeats) == (1.0, 0, 0)
        shown = str(screen.query_one("#controls").render())
        assert "chars/line 6±2" in shown and "verse 4" in shown and f"rhyme {CLASSES[0]}" in shown
        assert "repetition off" in shown
        await pilot.press("h", "b", "g", "e")
        s = screen.settings
        assert (s.line_chars, s.verse_lines, s.rhyme) == (5, 2, "follow")
        assert {k: getattr(s, k) for k in RECOMMENDED_CONTROLS} == RECOMMENDED_CONTROLS
        titles = [title for title, _, _ in BindingCommands(screen)._commands()]
        assert "More characters per line" in titles and "Repetition and line-shape controls on or off" in titles


def test_craft_ladders_and_the_take_length() -> None:
    assert nudge(DEFAULT_SETTINGS, "line_chars", -1).line_chars is None  # off is the bottom rung
    assert nudge(DEFAULT_SETTINGS.replace(line_chars=14), "line_chars", 1).line_chars == 14
    assert nudge(DEFAULT_SETTINGS.replace(verse_lines=8), "verse_lines", -1).verse_lines == 4
    assert nudge(DEFAULT_SETTINGS.replace(rhyme=CLASSES[-1]), "rhyme", 1).rhyme == CLASSES[-1]
    assert LADDERS["rhyme"][:3] == ("off", "follow", CLASSES[0])
    assert toggle_repetition(toggle_repetition(DEFAULT_SETTINGS)) == DEFAULT_SETTINGS
    off = toggle_repetition(DEFAULT_SETTINGS)  # e turns the corpus's line shape off with the rest
    assert DEFAULT_SETTINGS.corpus_lines and not off.corpus_lines and off.repetition_penalty == 1.0
    long_shape = DEFAULT_SETTINGS.replace(line_chars=14, verse_lines=8, lines=24)
    assert take_settings(long_shape, 5).length == long_shape.shape_chars == 24 * 17 + 2
    assert take_settings(CRAFT, 5) == CRAFT.replace(seed=5)  # the shape fits in the length: unchanged


def test_meter_text_in_words() -> None:
    reading = Memorisation(longest=6, longest_text="我在风里\n等你", window_share=0.03, windows=100)
    assert meter_text(reading) == "longest quote 6 chars · 3% of 8-char windows in the corpus · «我在风里/等你»"
    short = Memorisation(longest=2, longest_text="风里", window_share=None, windows=0)
    assert "too short for 8-char windows" in meter_text(short)


async def test_the_quote_limit_starts_on_and_o_switches_it(tiny_model: str, home: Path) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        controls = screen.query_one("#controls")
        assert screen.settings.quote_limit == QUOTE_LIMIT  # on, as in generate
        assert f"corpus quotes ≤{QUOTE_LIMIT} o" in str(controls.render())
        screen.query_one(TakeView).focus()
        await pilot.press("o")
        assert screen.settings.quote_limit == 0 and "corpus quotes off o" in str(controls.render())
        await pilot.press("o")
        assert screen.settings == DEFAULT_SETTINGS
        assert "Quote limit on or off (corpus quotes)" in [title for title, _, _ in BindingCommands(screen)._commands()]
        screen.controls.settings = DEFAULT_SETTINGS.replace(quote_limit=3)  # tight enough to act on the tiny model
        take = await generate(pilot, screen, "我在风")
        assert take.text == engine_text(tiny_model, "我在风", screen.settings.replace(seed=SEED))
        index = corpus_index(home / "models" / tiny_model)
        assert index is not None and index.measure("我在风" + take.text).longest <= 3
        assert "corpus quotes ≤3 chars" in take.describe()


def test_a_default_quote_limit_follows_the_models_script() -> None:
    from tui_lyrics.sample_defaults import QUOTE_LIMIT_ALPHABETIC
    from tui_lyrics.ui.compose.settings import fit_quote_limit

    english = "abcdefghijklmnopqrstuvwxyz"
    assert fit_quote_limit(DEFAULT_SETTINGS, english).quote_limit == QUOTE_LIMIT_ALPHABETIC
    assert fit_quote_limit(fit_quote_limit(DEFAULT_SETTINGS, english), "我在风里").quote_limit == QUOTE_LIMIT
    assert fit_quote_limit(DEFAULT_SETTINGS.replace(quote_limit=30), english).quote_limit == 30  # chosen: kept
    assert fit_quote_limit(DEFAULT_SETTINGS.replace(quote_limit=0), english).quote_limit == 0
