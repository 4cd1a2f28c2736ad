"""Compose keeps takes until they are deleted (across app runs), remembers settings with the app's
defaults for keys it lacks, and gives the take the rows on short terminals (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.cells import cell_len
from test_compose import Host, generate, ready, wait_for
from textual.widgets import Input

from tui_lyrics.paths import data_home
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.compose.controls import SampleControls
from tui_lyrics.ui.compose.kept import FOLDER, BadTake, TakesFolder, take_from_json, take_to_json
from tui_lyrics.ui.compose.memory import FIRST_LINES_FILE, MEMORY_FILE, ComposeMemory
from tui_lyrics.ui.compose.screen import ComposeScreen
from tui_lyrics.ui.compose.settings import DEFAULT_SETTINGS
from tui_lyrics.ui.compose.takes import DONE, Take, TakeChar
from tui_lyrics.ui.compose.view import TakeView


class KeepingHost(Host):
    """A host with Compose's memory read from the data folder, as ``LyricsApp`` has it."""

    def __init__(self) -> None:
        super().__init__()
        self.compose_memory = ComposeMemory.load(data_home() / MEMORY_FILE)


def a_take(number: int = 1, model: str = "m") -> Take:
    take = Take(number, model, "风", SampleConfig(seed=3, rhyme="江阳"), (TakeChar("里", 0.5, (("里", 0.5),), True),))
    take.chars = [TakeChar("\n", 0.25, (("\n", 0.25), ("雨", 0.1)))]
    take.state = DONE
    return take


def test_a_take_round_trips_and_a_bad_one_names_its_field(tmp_path: Path) -> None:
    take = a_take()
    back = take_from_json(json.loads(json.dumps(take_to_json(take))))
    assert (back.number, back.model, back.prefix, back.settings, back.kept, back.chars, back.state) == (
        take.number, take.model, take.prefix, take.settings, take.kept, take.chars, take.state
    )  # fmt: skip
    with pytest.raises(BadTake, match="extra"):
        take_from_json({**take_to_json(take), "extra": 1})
    folder = TakesFolder(tmp_path)
    folder.write("m", [take])
    data = json.loads(folder.path("m").read_text(encoding="utf-8"))
    data["takes"].append({"number": "two"})  # a damaged entry is skipped, the rest is read
    folder.path("m").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    assert [t.number for t in folder.read_all()] == [1]
    folder.write("m", [])
    assert not folder.path("m").exists()


def test_takes_from_two_runs_keep_distinct_numbers(tmp_path: Path) -> None:
    folder = TakesFolder(tmp_path / FOLDER)
    folder.root.mkdir()
    folder.write("a", [a_take(1, "a")])
    folder.write("b", [a_take(1, "b")])
    memory = ComposeMemory.load(tmp_path / MEMORY_FILE)
    assert sorted(t.number for t in memory.takes.takes) == [1, 2] and memory.takes.next_number() == 3
    assert memory.unsaved == 0  # kept on disk: nothing is lost on quitting


async def test_takes_survive_a_restart_until_deleted(tiny_model: str, home: Path) -> None:
    async with KeepingHost().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        take = await generate(pilot, screen, "风")
        assert pilot.app.compose_memory.unsaved == 0
    assert (home / FOLDER / "tiny.json").is_file()
    async with KeepingHost().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        kept = screen.session.current
        assert kept is not None and (kept.number, kept.prefix, kept.text) == (take.number, "风", take.text)
        assert "".join(c.char for c in screen.query_one(TakeView).chars) == take.text
        status = str(screen.query_one("#take-status").render())
        assert status.startswith(f"Take {take.number} ·"), status  # the model loaded: its status stays up
        await wait_for(pilot, lambda: kept.memorisation is not None)  # the meter reads a kept take too
        screen.query_one(TakeView).focus()
        await pilot.press("x")  # discard it
        await pilot.pause()
        assert screen.session.takes == []
    assert not (home / FOLDER / "tiny.json").exists()
    async with KeepingHost().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.session.takes == []


async def test_a_setting_missing_from_the_file_is_the_apps_default(tiny_model: str, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / MEMORY_FILE).write_text(json.dumps({"tiny": {"line_chars": 7}}), encoding="utf-8")
    recalled = ComposeMemory.load(home / MEMORY_FILE).recall("tiny")
    assert recalled is not None and recalled.quote_limit == QUOTE_LIMIT and recalled.line_chars == 7
    assert recalled.repetition_penalty == DEFAULT_SETTINGS.repetition_penalty
    async with KeepingHost().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.settings.line_chars == 7 and screen.settings.quote_limit == QUOTE_LIMIT  # on, not off


async def test_the_first_line_box_keeps_what_was_typed_between_visits_and_runs(tiny_model: str, home: Path) -> None:
    async with KeepingHost().run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        box = screen.query_one("#prefix", Input)
        box.focus()
        await pilot.press(*"风/雨")
        await pilot.press("escape")  # back to the library, and Compose again on the same model
        assert pilot.app.screen is not screen
        again = ComposeScreen(store=ModelStore(data_home()), model_name="tiny")
        await pilot.app.push_screen(again)
        await wait_for(pilot, lambda: again.lm is not None)
        box = again.query_one("#prefix", Input)
        assert box.value == "风/雨" and box.cursor_position == len("风/雨")  # carry on where it was left
        assert again.first_line.prompt == "风\n雨"
        box.focus()
        await pilot.press("backspace", *"云")
    async with KeepingHost().run_test(size=(100, 30)) as pilot:  # the app closed and opened again
        screen = await ready(pilot)
        assert screen.query_one("#prefix", Input).value == "风/云"


def test_first_lines_are_kept_per_model_and_a_bad_file_is_skipped(tmp_path: Path) -> None:
    memory = ComposeMemory(path=tmp_path / MEMORY_FILE)
    memory.remember_first_line("a", "我推开窗")
    memory.remember_first_line("b", "")  # an emptied box is kept as empty
    back = ComposeMemory.load(tmp_path / MEMORY_FILE)
    assert (back.recall_first_line("a"), back.recall_first_line("b"), back.recall_first_line("c")) == (
        "我推开窗",
        "",
        None,
    )
    (tmp_path / FIRST_LINES_FILE).write_text('{"format": 1, "first_lines": {"a": 3, "b": "风"}}', encoding="utf-8")
    assert ComposeMemory.load(tmp_path / MEMORY_FILE).first_lines == {"b": "风"}
    (tmp_path / FIRST_LINES_FILE).write_text("{not json", encoding="utf-8")
    assert ComposeMemory.load(tmp_path / MEMORY_FILE).first_lines == {}


@pytest.mark.parametrize("size", [(60, 16), (40, 12)], ids=["60x16", "40x12"])
async def test_a_short_terminal_gives_the_take_the_rows(tiny_model: str, size: tuple[int, int]) -> None:
    async with Host().run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.controls.settings = screen.settings.replace(lines=12)
        await generate(pilot, screen, "风")
        view = screen.query_one(TakeView)
        assert view.size.height >= size[1] - 7 and view.size.width >= size[0] // 2
        assert not screen.query_one("#takes").display or screen.query_one("#takes").size.height == 0
        controls = screen.query_one(SampleControls)
        assert not controls.display or (controls.compact and controls.size.height <= 3)
        if controls.display:  # every setting in sight, by its key and a name, none cut off at the edge
            rows = str(controls.render()).splitlines()
            assert all(cell_len(row) <= controls.size.width for row in rows)
            words = " ".join(rows).split()
            assert words[0::3] == list("tkplvhbgeous")
            names = ["temp", "top-k", "top-p", "len", "lines", "chars", "verse", "rhyme", "rep", "quote", "memory"]
            assert words[1::3] == [*names, "seed"]
        rows = [str(strip.text) for strip in (view.render_line(y) for y in range(view.size.height))]
        assert rows[0].strip() and sum(1 for row in rows if row.strip()) >= 5  # blank rows: verse breaks


@pytest.mark.parametrize(("width", "rows"), [(60, 3), (80, 2), (100, 2)])
async def test_compact_controls_name_every_setting_beside_its_key(width: int, rows: int) -> None:
    from textual.app import App, ComposeResult

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield SampleControls(id="controls")

    async with Bare().run_test(size=(width, 16)) as pilot:
        controls = pilot.app.query_one(SampleControls)
        full = str(controls.render())
        assert "temperature 0.8 t/T" in full and "song memory on u" in full  # tall terminals: the full names
        controls.compact = True
        await pilot.pause()
        shown = str(controls.render()).splitlines()
        assert controls.size.height == len(shown) == rows
        assert all(cell_len(row) <= width - 2 for row in shown)  # none cut off inside the padding
        assert "t temp 0.8" in shown[0] and "s seed random" in shown[-1]
