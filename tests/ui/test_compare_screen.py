"""The Compare screen: a tiny grid run from the form, the table, sorting, re-opening, deleting,
exports, the chart's series, the keys, and a snapshot of a finished experiment on fixed data.

Only two tests train (a tiny grid of six models, and one model stopped early); the others
write an experiment and its model cards with known numbers into the temporary home.
"""

from __future__ import annotations

import contextlib
import csv
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from app_support import full_card
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from tui_lyrics import experiment_report, experiment_run
from tui_lyrics import experiments as ex
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.fmt import fmt_duration, fmt_ppl
from tui_lyrics.ui.compare.experiment_list import ExperimentList
from tui_lyrics.ui.compare.screen import CompareScreen
from tui_lyrics.ui.compare.table import COLUMNS, CompareTable, row_key
from tui_lyrics.ui.widgets.corpus_picker import CorpusPicker
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog, PromptDialog

TINY_FORM = {"budget": "4", "hidden": "16", "layers": "1", "embed_dim": "8", "dropout": "0", "batch": "4",
             "seq": "16", "eval_every": "2", "seed": "0", "prefix": "我"}  # fmt: skip
"""The form filled like tests/cli/test_compare.py's TINY_MODEL and TINY_TRAIN, with a budget of 4 steps."""


class Host(App[None]):
    def __init__(self, home: Path, experiment_id: str | None = None) -> None:
        super().__init__()
        self.home, self.experiment_id = home, experiment_id

    def on_mount(self) -> None:
        self.push_screen(CompareScreen(home=self.home, experiment_id=self.experiment_id))


async def wait_until(pilot: Pilot, condition: Callable[[], Any], *, timeout: float = 120.0, what: str = "") -> None:
    """Let the app run until ``condition()`` holds: the grid and the readers are real threads."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


def screen_of(pilot: Pilot) -> CompareScreen:
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def write_fixed_experiment(
    home: Path, *, name: str = "cmp-fixed", cells: tuple[str, ...] = ("rnn", "lstm", "gru"),
    inputs: tuple[str, ...] = ("embed", "onehot"), repeats: int = 1,
) -> ex.Experiment:  # fmt: skip
    """A finished experiment whose model cards hold known numbers (no weights, no torch)."""
    model = ModelConfig(layers=1, hidden=64, embed_dim=32, dropout=0.0).to_dict()
    train = TrainConfig(eval_every=50, patience=0).to_dict()
    experiment = ex.new_experiment(home, str(home / "songs.txt"), cells=list(cells), inputs=list(inputs),
                                   budget={"steps": 200}, model=model, train=train, repeats=repeats,
                                   prefix="月光", name=name)  # fmt: skip
    experiment.data["created"] = "2025-01-01T12:00:00+00:00"
    for index, run in enumerate(experiment.runs):
        run["status"] = "done"
        _write_card(home, run, index)
        experiment.data["samples"][run["model"]] = f"月光下的街道\n第{index + 1}个模型在唱歌\n风吹过窗台"
    experiment.save()
    return experiment


def _write_card(home: Path, run: dict[str, Any], index: int) -> None:
    """Curves that fall at different speeds; held-out scored every 50 steps, training every 10."""
    folder = home / "models" / run["model"]
    folder.mkdir(parents=True)
    speed, floor = 1 + index % 4, 2.0 + 0.15 * index
    held = [{"step": s, "held_loss": round(floor + 3 / (1 + s * speed / 60), 4), "train_loss": 0.0,
             "elapsed": s * (0.5 + 0.1 * index)} for s in range(50, 201, 50)]  # fmt: skip
    best = min(held, key=lambda p: p["held_loss"])
    state = {"step": 200, "chars": 200 * 4 * 16, "train_seconds": 100.0 + 10 * index,
             "train_loss": round(floor - 0.2, 4), "best_loss": best["held_loss"], "best_step": best["step"],
             "finished": True}  # fmt: skip
    card = full_card(
        run["model"], model=ModelConfig(cell=run["cell"], input=run["input"]), train=TrainConfig(), state=state,
        params=10_000 + 2_345 * index, history=tuple(held), updated="2025-01-01T12:00:00+00:00",
    )  # fmt: skip
    if index % 3 != 2:  # a memorisation reading; the others show a dash (cards from before the meter)
        share = 0.004 * (index + 1)
        reading = {"takes": 8, "chars": 1600, "longest_mean": 7.5}
        card["memorisation"] = {
            "step": best["step"],
            "limited": reading | {"limit": 8, "share": share, "longest_max": 8},
            "unlimited": reading | {"limit": 0, "share": 3 * share, "longest_max": 9 + index},
        }
    (folder / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    rows = [{"kind": "train", "step": s, "loss": round(floor - 0.2 + 3.5 / (1 + s * speed / 50), 4),
             "elapsed": s * (0.5 + 0.1 * index)} for s in range(10, 201, 10)]  # fmt: skip
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def shown_rows(table: CompareTable) -> list[list[str]]:
    return [[cell.plain for cell in table.get_row(row_key(r))] for r in table.rows_shown]


def expected_cells(row: experiment_report.Row) -> list[str]:
    """How the table must spell a ``Row`` of ``experiments.table`` (written out independently)."""
    spread = f" ± {row.best_loss_sd:.3f}" if row.best_loss_sd is not None else ""
    quotes = "—" if row.quotes is None else f"{row.quotes:.1%} / {row.quotes_off:.1%}"
    return [row.cell, row.input, f"{row.best_loss:.4f}{spread}", fmt_ppl(row.best_loss), quotes,
            f"{row.train_loss:.4f}", f"{row.best_step:,}", f"{row.params:,}", f"{row.chars_per_sec:,.0f}",
            fmt_duration(row.seconds)]  # fmt: skip


async def fill_form(pilot: Pilot, corpus: Path, values: dict[str, str]) -> None:
    screen = screen_of(pilot)
    screen.query_one(CorpusPicker).choose(corpus)
    for field, value in values.items():
        screen.query_one(f"#grid-{field}", Input).value = value
    await wait_until(pilot, lambda: screen.query_one(CorpusPicker).corpus is not None, what="the corpus check")


# -- running a grid from the screen ----------------------------------------------------------------
async def test_a_tiny_grid_started_from_the_screen_fills_the_table(home: Path, corpus_file: Path) -> None:
    async with Host(home).run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        await fill_form(pilot, corpus_file, TINY_FORM)
        await pilot.press("ctrl+r")
        assert screen.shown is not None  # the grid may already be done: torch can be loaded by now
        await wait_until(pilot, lambda: screen.running is None, what="the grid")
        await wait_until(pilot, lambda: screen.experiment is not None and screen.experiment.data["samples"])
        await pilot.pause()
        experiment = ex.open_experiment(home, screen.shown or "")
        rows = experiment_report.table(home, experiment)
        table = screen.query_one(CompareTable)
        assert table.row_count == 6 and len(rows) == 6
        assert sorted(table.rows_shown, key=row_key) == sorted(rows, key=row_key)
        assert sorted(shown_rows(table)) == sorted(expected_cells(r) for r in rows)
        assert all(run["status"] == "done" for run in experiment.runs)
        assert experiment.data["settings"]["budget"] == {"steps": 4}
        assert experiment.data["settings"]["model"]["hidden"] == 16
        chart = screen.results.chart
        assert [s.model for s in chart.series] == [run["model"] for run in experiment.runs]
        assert all(len(s.held) == 4 for s in chart.series)  # a 4-step budget is scored at every step
        assert screen.results.view == "tab-table"
        assert len(screen.results.samples.samples) == 6
        assert all(text.startswith("我") for _, text in screen.results.samples.samples)


async def test_stop_saves_and_the_list_offers_resume(home: Path, corpus_file: Path) -> None:
    async with Host(home).run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        await fill_form(pilot, corpus_file, {**TINY_FORM, "budget": "100000", "name": "long"})
        for box in ("cell-rnn", "cell-lstm", "input-onehot"):
            screen.query_one(f"#grid-{box}", Checkbox).value = False
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: any(s.train for s in screen.results.chart.series), what="some progress")
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.running is None, what="the stop")
        experiment = ex.open_experiment(home, "long")
        assert experiment.runs[0]["status"] == "stopped"
        await wait_until(pilot, lambda: "r resumes" in screen.results.status, what="the status line")
        await pilot.press("escape")
        listing = screen.query_one(ExperimentList)
        await wait_until(pilot, lambda: listing.row_count == 1 and listing.summaries[0].done == 0)
        listing.focus()
        await pilot.pause()
        assert screen.check_action("resume", ()) and screen.check_action("delete", ())


# -- a saved experiment ---------------------------------------------------------------------------------
async def test_reopening_shows_the_table_without_training(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    experiment = write_fixed_experiment(home)
    monkeypatch.setattr(experiment_run, "run_experiment", lambda *a, **k: pytest.fail("re-opening must not train"))
    async with Host(home).run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        listing = screen.query_one(ExperimentList)
        await wait_until(pilot, lambda: listing.row_count == 1, what="the list")
        assert screen.focused is listing
        await pilot.press("enter")
        table = screen.query_one(CompareTable)
        await wait_until(pilot, lambda: table.row_count == 6, what="the table")
        assert sorted(shown_rows(table)) == sorted(expected_cells(r) for r in experiment_report.table(home, experiment))
        assert screen.running is None and "all done" in screen.results.status
        assert not screen.check_action("resume", ())


async def test_the_chart_receives_one_series_per_model(home: Path) -> None:
    experiment = write_fixed_experiment(home, cells=("rnn", "gru"), inputs=("embed",), repeats=2)
    async with Host(home, experiment.id).run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        chart = screen.results.chart
        await wait_until(pilot, lambda: len(chart.series) == 4, what="the curves")
        assert [s.model for s in chart.series] == [run["model"] for run in experiment.runs]
        assert [s.label for s in chart.series] == ["rnn/embed s0", "rnn/embed s1", "gru/embed s0", "gru/embed s1"]
        assert all(len(s.held) == 4 and len(s.train) == 20 for s in chart.series)
        legend = str(screen.query_one("#chart-legend").render())
        assert all(s.label in legend for s in chart.series)
        table = screen.query_one(CompareTable)
        assert table.row_count == 2  # repeats are averaged: mean ± spread
        assert all(" ± " in cells[2] for cells in shown_rows(table))
        await pilot.press("v", "v")  # table -> samples -> curves
        assert screen.results.view == "tab-curves"
        await pilot.press("x", "t")
        assert chart.x_axis == "time" and chart.show_train
        assert "over training minutes" in chart.title and "training loss" in chart.title


async def test_sorting_by_a_column(home: Path) -> None:
    write_fixed_experiment(home)
    async with Host(home, "cmp-fixed").run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        table = screen.query_one(CompareTable)
        await wait_until(pilot, lambda: table.row_count == 6, what="the table")
        losses = [r.best_loss for r in table.rows_shown]
        assert losses == sorted(losses)  # best held-out first by default
        params_column = [key for key, _ in COLUMNS].index("params")
        table.move_cursor(column=params_column)
        await pilot.press("o")
        assert [r.params for r in table.rows_shown] == sorted(r.params for r in table.rows_shown)
        await pilot.press("o")
        assert [r.params for r in table.rows_shown] == sorted((r.params for r in table.rows_shown), reverse=True)
        assert [c.plain for c in table.get_row_at(0)][params_column] == f"{max(r.params for r in table.rows_shown):,}"
        chars_column = [key for key, _ in COLUMNS].index("chars_per_sec")
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:chars_column]) + 2  # the Chars/s header
        await pilot.click(CompareTable, offset=(x, 0))
        assert table.sort_column == "chars_per_sec"


async def test_deleting_removes_it_and_its_models(home: Path) -> None:
    write_fixed_experiment(home, name="old")
    write_fixed_experiment(home, name="new")
    async with Host(home).run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        listing = screen.query_one(ExperimentList)
        await wait_until(pilot, lambda: listing.row_count == 2, what="the list")
        listing.move_cursor(row=[s.id for s in listing.summaries].index("old"))
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: listing.row_count == 1, what="the list to shrink")
        assert [s.id for s in listing.summaries] == ["new"]
        assert [e.id for e in ex.list_experiments(home)] == ["new"]
        assert not (home / "models" / "old-gru-embed").exists()  # its models went with it
        assert (home / "models" / "new-gru-embed").is_dir()


async def test_exports_write_the_files(home: Path, tmp_path: Path) -> None:
    experiment = write_fixed_experiment(home)
    out = tmp_path / "out"
    async with Host(home, experiment.id).run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        await wait_until(pilot, lambda: screen.experiment is not None, what="the experiment")
        await pilot.press("e")
        dialog = pilot.app.screen
        assert isinstance(dialog, PromptDialog)
        dialog.query_one(Input).value = str(out)
        await pilot.press("enter")
        table_csv = out / "cmp-fixed-table.csv"
        await wait_until(pilot, lambda: (out / "cmp-fixed.json").exists(), what="the export")
        assert (out / "cmp-fixed-curves.csv").exists()
        read = list(csv.DictReader(table_csv.open(encoding="utf-8")))
        assert sorted(float(r["best_loss"]) for r in read) == sorted(
            r.best_loss for r in experiment_report.table(home, experiment)
        )
        await wait_until(pilot, lambda: any("Exported" in str(n.title) for n in pilot.app._notifications))


async def test_png_export_or_a_clear_message(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_fixed_experiment(home)
    async with Host(home, "cmp-fixed").run_test(size=(100, 30)) as pilot:
        screen = screen_of(pilot)
        await wait_until(pilot, lambda: screen.experiment is not None, what="the experiment")
        with contextlib.suppress(ImportError):  # load it whole first, so hiding and restoring is clean
            import matplotlib.pyplot  # noqa: F401
        real = sys.modules.get("matplotlib")
        monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the plot extra were not installed
        await pilot.press("p")
        pilot.app.screen.query_one(Input).value = str(tmp_path / "missing.png")
        await pilot.press("enter")
        await wait_until(pilot, lambda: pilot.app._notifications, what="the message")
        assert any("needs matplotlib" in str(n.message) for n in pilot.app._notifications)
        assert not (tmp_path / "missing.png").exists()
        if real is None:
            monkeypatch.delitem(sys.modules, "matplotlib")
        else:  # put the same module back: a fresh import would break the loaded pyplot
            monkeypatch.setitem(sys.modules, "matplotlib", real)
        pytest.importorskip("matplotlib")
        await pilot.press("p")
        pilot.app.screen.query_one(Input).value = str(tmp_path / "chart.png")
        await pilot.press("enter")
        await wait_until(pilot, lambda: (tmp_path / "chart.png").exists(), what="the PNG")
        assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- keys -----------------------------------------------------------------------------------------
async def test_letter_keys_do_not_fire_while_typing(home: Path) -> None:
    write_fixed_experiment(home)
    async with Host(home).run_test(size=(80, 24)) as pilot:
        screen = screen_of(pilot)
        await wait_until(pilot, lambda: screen.query_one(ExperimentList).row_count == 1, what="the list")
        prefix = screen.query_one("#grid-prefix", Input)
        prefix.focus()
        await pilot.press(*"dresvxtepn")
        assert prefix.value == "dresvxtepn"
        assert screen.pane == "cmp-setup" and not isinstance(pilot.app.screen, ConfirmDialog)
        assert ex.list_experiments(home)


async def test_the_footer_offers_what_applies(home: Path) -> None:
    write_fixed_experiment(home)
    async with Host(home).run_test(size=(80, 24)) as pilot:
        screen = screen_of(pilot)
        await wait_until(pilot, lambda: screen.query_one(ExperimentList).row_count == 1, what="the list")

        def offered() -> set[str]:
            return {a.binding.action for a in screen.active_bindings.values() if a.enabled and a.binding.show}

        assert {"start", "browse", "delete", "select_cursor"} <= offered() and "stop" not in offered()
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.experiment is not None, what="the experiment")
        assert {"export", "export_png", "next_view", "new", "sort_here"} <= offered()
        assert not {"start", "delete", "stop", "toggle_x"} & offered()
        await pilot.press("v", "v")
        assert {"toggle_x", "toggle_train"} <= offered()
        await pilot.press("escape")
        assert screen.pane == "cmp-setup"
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, CompareScreen)


# -- snapshot ------------------------------------------------------------------------------------------
async def _finished_table(pilot: Pilot) -> None:
    screen = screen_of(pilot)
    await wait_until(pilot, lambda: screen.query_one(CompareTable).row_count == 6, what="the table")
    await pilot.pause()


async def _finished_curves(pilot: Pilot) -> None:
    await _finished_table(pilot)
    await pilot.press("v", "v", "t")
    await pilot.pause()


def test_snapshot_of_a_finished_experiment(snap_compare, home: Path) -> None:
    write_fixed_experiment(home)
    assert snap_compare(Host(home, "cmp-fixed"), terminal_size=(100, 30), run_before=_finished_table)


def test_snapshot_of_the_chart_at_80x24(snap_compare, home: Path) -> None:
    write_fixed_experiment(home)
    assert snap_compare(Host(home, "cmp-fixed"), terminal_size=(80, 24), run_before=_finished_curves)


@pytest.mark.parametrize("size", [(60, 16), (40, 12)], ids=["60x16", "40x12"])
def test_snapshot_of_the_table_on_small_terminals(snap_compare, home: Path, size) -> None:
    write_fixed_experiment(home)
    assert snap_compare(Host(home, "cmp-fixed"), terminal_size=size, run_before=_finished_table)


@pytest.mark.parametrize("size", [(60, 16), (40, 12)], ids=["60x16", "40x12"])
def test_snapshot_of_the_form_on_small_terminals(snap_compare, home: Path, size) -> None:
    async def settled(pilot: Pilot) -> None:
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    assert snap_compare(Host(home), terminal_size=size, run_before=settled)


def test_the_screen_imports_no_torch() -> None:
    """Opening Compare must stay instant: torch loads only when a grid starts, in its thread."""
    code = "import sys, tui_lyrics.ui.compare.screen\nprint('torch' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
