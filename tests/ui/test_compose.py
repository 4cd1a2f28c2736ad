"""The composing screen: generation through the screen matches the engine, stops, branches, saves.

The screen runs in a minimal host app with the session's tiny trained GRU; the engine's own
output for the same prompt and seed is the reference. Pure helpers (wrapping, chunking,
takes) are tested directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from tui_lyrics.lock import me
from tui_lyrics.paths import data_home
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.compose.commands import BindingCommands
from tui_lyrics.ui.compose.dialogs import ModelPicker, TextPrompt
from tui_lyrics.ui.compose.jobs import chunked
from tui_lyrics.ui.compose.memory import ComposeMemory
from tui_lyrics.ui.compose.prefix import PrefixInput, unknown_note
from tui_lyrics.ui.compose.screen import ComposeScreen
from tui_lyrics.ui.compose.settings import DEFAULT_SETTINGS, Seed, nudge
from tui_lyrics.ui.compose.takes import (
    DONE,
    STOPPED,
    Take,
    TakeChar,
    TakeSession,
    completed_lines,
    default_filename,
    resolve_path,
    status_line,
)
from tui_lyrics.ui.compose.view import TakeView, wrap_rows
from tui_lyrics.vocab import CharVocab

SEED = 1234


class Host(App[None]):
    """The smallest app that shows the composing screen."""

    def __init__(self, model_name: str | None = "tiny") -> None:
        super().__init__()
        self.model_name = model_name

    def on_mount(self) -> None:
        self.push_screen(ComposeScreen(store=ModelStore(data_home()), model_name=self.model_name))


async def wait_for(pilot: Pilot, condition: Callable[[], bool], *, timeout: float = 20.0) -> None:
    """Let the app run until ``condition()`` holds (workers are real threads)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting for the screen")


async def ready(pilot: Pilot, *, seed: int | None = SEED) -> ComposeScreen:
    """The screen once its model has loaded, with a fixed seed unless told otherwise."""
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    await wait_for(pilot, lambda: screen.lm is not None)
    screen.controls.seed = Seed(fixed=seed)
    return screen


async def generate(pilot: Pilot, screen: ComposeScreen, prefix: str) -> Take:
    """Type ``prefix``, press Enter and wait for the take to finish."""
    screen.query_one("#prefix").focus()
    await pilot.press(*prefix, "enter")
    await wait_for(pilot, lambda: screen.generating is None and screen.session.current is not None)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    take = screen.session.current
    assert take is not None
    return take


def engine_text(name: str, prompt: str, config: SampleConfig) -> str:
    """The engine's own take for ``prompt`` and ``config``: the reference the screen must match."""
    from tui_lyrics.core.sample import load_model, sample_text  # torch, only where needed

    return sample_text(load_model(ModelStore(data_home()), name), prompt, config)


async def test_a_take_equals_the_engine_output_for_its_seed(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "我在风")
        assert take.state == DONE and take.prefix == "我在风" and take.seed == SEED
        assert take.text == engine_text(tiny_model, "我在风", DEFAULT_SETTINGS.replace(seed=SEED))
        assert "".join(c.char for c in screen.query_one(TakeView).chars) == take.text
        assert screen.focused is screen.query_one(TakeView)  # so the single-key bindings work next


async def test_same_seed_regenerates_the_same_take_and_new_seed_another(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        first = await generate(pilot, screen, "夜色")
        await pilot.press("r")
        await wait_for(pilot, lambda: len(screen.session.takes) == 2 and screen.generating is None)
        again = screen.session.current
        assert again is not None and again.text == first.text and again.seed == first.seed
        await pilot.press("n")
        await wait_for(pilot, lambda: len(screen.session.takes) == 3 and screen.generating is None)
        assert screen.session.current is not None and screen.session.current.seed != first.seed


async def test_random_seed_is_resolved_and_shown(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot, seed=None)
        take = await generate(pilot, screen, "")
        assert take.settings.seed is not None
        assert take.text == engine_text(tiny_model, "", DEFAULT_SETTINGS.replace(seed=take.seed))
        assert screen.seed.label() == f"random (last {take.seed})"


async def test_escape_stops_part_way_and_keeps_what_was_written(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.controls.settings = SampleConfig(length=200_000)
        await pilot.press(*"你说", "enter")
        await wait_for(pilot, lambda: screen.session.current is not None and len(screen.session.current.chars) > 20)
        await pilot.press("escape")
        take = screen.session.current
        assert take is not None and take.state == STOPPED and screen.generating is None
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert 20 < len(take.chars) < 200_000
        reference = engine_text(tiny_model, "你说", SampleConfig(seed=SEED, length=len(take.chars)))
        assert take.text == reference
        assert "stopped" in str(screen.query_one("#take-status").render())


async def test_the_view_follows_the_tail_only_while_at_the_bottom(tiny_model: str) -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        screen.controls.settings = SampleConfig(length=200_000)
        await pilot.press("enter")
        view = screen.query_one(TakeView)
        await wait_for(pilot, lambda: view.max_scroll_y > 20)
        assert view.scroll_y == view.max_scroll_y  # following
        await pilot.press("pageup")
        await pilot.pause(0.3)
        held = view.scroll_y
        await wait_for(pilot, lambda: view.max_scroll_y > held + 30)
        assert view.scroll_y == held  # the writer is reading: left alone
        await pilot.press("end")
        await wait_for(pilot, lambda: view.max_scroll_y > held + 60)
        assert view.scroll_y == view.max_scroll_y  # back at the bottom: following again
        await pilot.press("escape")


async def test_unknown_prefix_characters_are_flagged_and_still_generate(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#prefix").focus()
        await pilot.press(*"龘风")
        note = screen.query_one("#prefix-note")
        assert note.display and "Not in the training text: 龘" in str(note.render())
        assert screen.query_one(PrefixInput).marker.unknown == {"龘"}
        take = await generate(pilot, screen, "")
        assert take.prefix == "龘风" and take.state == DONE and take.text
        assert take.text == engine_text(tiny_model, "龘风", DEFAULT_SETTINGS.replace(seed=SEED))


async def test_on_a_small_terminal_the_unknown_note_takes_one_row(tiny_model: str) -> None:
    async with Host().run_test(size=(40, 12)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#prefix").focus()
        await pilot.press(*"龘风")
        await pilot.pause()
        note = screen.query_one("#prefix-note")
        assert note.display and note.size.height == 1 and "龘" in str(note.render())  # the take keeps the rows


async def test_the_model_line_keeps_the_model_in_use(tiny_model: str) -> None:
    """A model that cannot be used is not switched to; a late load of another model is not taken."""
    from tui_lyrics.ui.compose.messages import ModelLoaded

    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        lm = screen.lm
        screen.use_model("no-such-model")
        line = str(screen.query_one("#model-line").render())
        assert line.startswith("Cannot use no-such-model: no model named") and screen.model_name == "tiny"
        screen.model_line.post_message(ModelLoaded("other", object(), "best", 0.1))
        await pilot.pause()
        assert screen.lm is lm and screen.model_name == "tiny"


def test_unknown_note_gives_the_reason() -> None:
    vocab = CharVocab(chars=("风", "雨"), rare={"雪": 1})
    note = unknown_note(vocab, "风雪龘")
    assert note.startswith("⚠ Not in the training text: 龘. Rare there: 雪 (1×). The model reads them as <unk>")
    assert unknown_note(vocab, "雪").startswith("⚠ Rare in the training text: 雪 (1×). The model reads it")
    assert unknown_note(vocab, "风雨") == ""


async def test_choosing_an_alternative_keeps_the_text_before_and_continues(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        old = await generate(pilot, screen, "我在")
        await pilot.press("a", "right", "right", "right")
        assert screen.query_one(TakeView).cursor == 3
        at = old.generated[3]
        number = next(n for n, (c, _) in enumerate(at.alternatives, start=1) if c != at.char)
        await pilot.press(str(number))
        await wait_for(pilot, lambda: len(screen.session.takes) == 2 and screen.generating is None)
        new = screen.session.current
        assert new is not None and new.branched_from == old.number
        chosen = at.alternatives[number - 1][0]
        assert new.text[:3] == old.text[:3] and new.text[3] == chosen and new.text != old.text
        assert new.generated[3].chosen
        rest = DEFAULT_SETTINGS.replace(seed=SEED, length=200 - 4)
        continuation = engine_text(tiny_model, "我在" + new.text[:4], rest)
        assert new.text[4:] == continuation


async def test_alternatives_panel_shows_candidates_with_bars(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "我")
        await pilot.press("a")
        panel = screen.query_one("#alternatives")
        assert panel.display
        shown = str(panel.render())
        assert "1 " in shown and "█" in shown and f"{take.generated[0].prob:.0%}" in shown
        await pilot.press("escape")
        assert not panel.display and screen.query_one(TakeView).cursor is None


async def test_save_writes_the_take_and_all_takes(
    tiny_model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "走过")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextPrompt))
        await pilot.press("enter")  # the default name, in the working directory
        await wait_for(pilot, lambda: any(tmp_path.glob("takes-tiny-*.txt")))
        saved = next(tmp_path.glob("takes-tiny-*.txt")).read_text(encoding="utf-8")
        assert saved.startswith(f"# take 1 · model tiny · seed {SEED}")
        assert ("走过" + take.text).rstrip("\n") in saved
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextPrompt))
        prompt = pilot.app.screen.query_one("#answer")
        prompt.value = "sub/all.txt"
        (tmp_path / "sub").mkdir()
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "sub" / "all.txt").exists())


async def test_copy_puts_the_take_on_the_clipboard(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "心跳")
        await pilot.press("y")
        assert pilot.app.clipboard == "心跳" + take.text


class MemoryHost(Host):
    """A host that keeps Compose's memory between visits, as ``LyricsApp`` does."""

    def __init__(self) -> None:
        super().__init__()
        self.compose_memory = ComposeMemory()


@pytest.mark.parametrize("focus", ["#prefix", "#take", "#takes"])
async def test_esc_leaves_from_every_focus_once_a_take_is_done(tiny_model: str, focus: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        await generate(pilot, screen, "风")
        screen.query_one(focus).focus()
        await pilot.pause()
        assert screen.active_bindings["escape"].binding.action == "back"  # the footer shows the way back
        await pilot.press("escape")
        assert pilot.app.screen is not screen


async def test_q_in_the_first_line_box_is_a_letter(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#prefix").focus()
        await pilot.press("q")
        assert pilot.app.screen is screen and screen.query_one("#prefix", Input).value == "q"


async def test_a_new_visit_finds_the_takes_and_the_models_settings(tiny_model: str) -> None:
    async with MemoryHost().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "风")
        screen.controls.settings = screen.settings.replace(line_chars=7, verse_lines=4, rhyme="follow", lines=8)
        await pilot.press("escape")
        assert pilot.app.screen is not screen
        again = ComposeScreen(store=ModelStore(data_home()), model_name="tiny")
        await pilot.app.push_screen(again)
        await wait_for(pilot, lambda: again.lm is not None)
        assert again.session.takes == [take] and again.session.current is take
        kept = again.settings
        assert (kept.line_chars, kept.verse_lines, kept.rhyme, kept.lines) == (7, 4, "follow", 8)


def test_settings_are_remembered_in_the_data_folder(tmp_path: Path) -> None:
    path = tmp_path / "compose.json"
    ComposeMemory(path=path).remember("tiny", SampleConfig(line_chars=9, rhyme="江阳"))
    recalled = ComposeMemory.load(path).recall("tiny")
    assert recalled is not None and (recalled.line_chars, recalled.rhyme) == (9, "江阳")
    path.write_text('{"tiny": {"gone": 1, "line_chars": 5}, "bad": {"line_chars": -1}, "x": 3}', encoding="utf-8")
    loaded = ComposeMemory.load(path).settings  # stale keys and bad entries are skipped, never fatal
    assert list(loaded) == ["tiny"] and loaded["tiny"].line_chars == 5


async def test_takes_switch_and_delete(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot, seed=None)
        await generate(pilot, screen, "雨")
        await pilot.press("n")
        await wait_for(pilot, lambda: len(screen.session.takes) == 2 and screen.generating is None)
        await pilot.press("left_square_bracket")
        assert screen.session.current is screen.session.takes[0]
        view_text = "".join(c.char for c in screen.query_one(TakeView).chars)
        assert view_text == screen.session.takes[0].text
        await pilot.press("x")
        assert [t.number for t in screen.session.takes] == [2]


async def test_letters_go_into_the_prefix_not_to_bindings(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#prefix").focus()
        await pilot.press(*"rnatkw[hHbBgGe")
        assert screen.query_one("#prefix").value == "rnatkw[hHbBgGe"
        assert screen.session.takes == [] and screen.settings == DEFAULT_SETTINGS


async def test_keys_adjust_the_controls(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.query_one(TakeView).focus()
        await pilot.press("t", "K", "P", "L", "v", "s")
        s = screen.settings
        assert (s.temperature, s.top_k, s.top_p, s.length, s.lines) == (0.7, 6, 1.0, 300, 24)
        assert screen.seed.fixed is None  # s frees a fixed seed
        shown = str(screen.query_one("#controls").render())
        assert "temperature 0.7" in shown and "top-k 6" in shown and "seed random" in shown


async def test_model_picker_lists_the_library_without_errors(tiny_model: str, home: Path) -> None:
    (home / "models" / "broken").mkdir()
    (home / "models" / "broken" / "card.json").write_text("{not json", encoding="utf-8")
    async with Host(model_name=None).run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ModelPicker))
        options = pilot.app.screen.query_one("#models")
        assert [o.id for o in options.options] == ["broken", "tiny"]
        assert options.options[0].disabled and not options.options[1].disabled
        options.highlighted = 1
        await pilot.press("enter")
        screen = await ready(pilot)
        assert screen.model_name == "tiny"


async def test_a_model_in_training_is_composed_with_its_latest_weights(tiny_model: str, home: Path) -> None:
    lock = home / "models" / "tiny" / "train.lock"
    lock.write_text(json.dumps(me()), encoding="utf-8")  # this live process holds it
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.lm.weights == "last"
        assert "latest weights" in str(screen.query_one("#model-line").render())


async def test_the_command_palette_offers_the_screen_actions(tiny_model: str) -> None:
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        provider = BindingCommands(screen)
        titles = [title for title, _, _ in provider._commands()]
        assert "Generate" in titles and "Raise temperature" in titles
        assert "Save" not in titles  # no take yet: switched off
        await generate(pilot, screen, "")
        assert "Save" in [title for title, _, _ in provider._commands()]


def test_the_screen_imports_without_torch() -> None:
    code = "import sys, tui_lyrics.ui.compose.screen; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# --- pure helpers --------------------------------------------------------------------------


def test_wrap_rows_keeps_line_breaks_and_wraps_by_display_width() -> None:
    rows = wrap_rows("我睁开双眼看着空白\nab", 9)  # 8 cells for characters, 1 for a newline
    assert rows == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [10, 11]]
    assert wrap_rows("", 10) == []


def test_chunked_sends_the_first_item_at_once_then_groups() -> None:
    ticks = iter([0.0, 0.001, 0.002, 0.003, 0.004, 0.5, 0.501])
    chunks = list(chunked(range(7), max_items=3, max_seconds=0.03, clock=lambda: next(ticks)))
    assert chunks == [[0], [1, 2, 3], [4, 5], [6]]


def test_nudge_steps_along_the_ladders() -> None:
    config = SampleConfig()
    assert nudge(config, "temperature", 1).temperature == 0.9
    assert nudge(config.replace(top_k=50), "top_k", 1).top_k == 0  # no limit is the top rung
    assert nudge(config.replace(top_k=0), "top_k", 1).top_k == 0
    assert nudge(config, "lines", -1).lines == 24
    assert nudge(config.replace(temperature=0.75), "temperature", -1).temperature == 0.7


def _take(prefix: str = "我", text: str = "风雨\n你好\n", **kw: object) -> Take:
    chars = [TakeChar(c, 0.5, ((c, 0.5), ("星", 0.3))) for c in text]
    return Take(1, "m", prefix, SampleConfig(seed=7, length=10, lines=3), chars=chars, **kw)


def test_a_branch_keeps_the_text_before_and_spends_the_rest_of_the_budget() -> None:
    branch = _take().branch(3, 1, number=2, settings=SampleConfig(seed=9, length=10, lines=3))
    assert branch.text == "风雨\n星" and branch.prompt == "我风雨\n星" and branch.branched_from == 1
    config = branch.engine_config()
    assert (config.length, config.lines, config.seed) == (6, 2, 9)
    assert completed_lines("", "\n\na\nb\n") == 2 and completed_lines("我", "\n") == 1


def test_take_text_file_and_names(tmp_path: Path) -> None:
    take = _take(state=STOPPED)
    text = take.to_text()
    assert text.startswith("# take 1 · model m · seed 7 · temperature 0.8") and "stopped early" in text
    assert text.endswith("我风雨\n你好\n")
    assert default_filename("my model", when=datetime(2025, 1, 2, 3, 4, 5)) == "takes-my_model-20250102-030405.txt"
    assert resolve_path("", default_name="x.txt", cwd=tmp_path) == tmp_path / "x.txt"
    assert resolve_path(str(tmp_path), default_name="x.txt") == tmp_path / "x.txt"
    assert "stopped" in status_line(take, [0.0, 0.01, 0.1])


def test_session_moves_and_deletes() -> None:
    session = TakeSession()
    for _ in range(3):
        session.add(Take(session.next_number(), "m", "", SampleConfig(seed=1)))
    assert session.move(-1).number == 2 and session.move(-5).number == 1
    session.delete_current()
    assert session.current is not None and session.current.number == 2
    assert session.next_number() == 4
