"""`lyrics-tui eval` measures the memorisation meter beside the quality figures, and says what it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import cli
from tests.conftest import drop_mixture


def test_eval_carries_the_meter_beside_both_readings(tiny_model: str) -> None:
    scored = json.loads(cli("eval", tiny_model, "--json").stdout)
    m = scored["memorisation"]
    assert "8-character windows" in m["what"] and "quote limit" in m["what"]
    assert m["limited"]["limit"] == 8 and m["unlimited"]["limit"] == 0  # the app's default for Chinese, and off
    for reading in (m["limited"], m["unlimited"]):
        assert reading["takes"] == 8 and reading["chars"] > 0 and 0 <= reading["share"] <= 1
        assert reading["longest_mean"] <= reading["longest_max"]
    assert set(scored["readings"]) >= {"static", "song_memory"}  # beside the quality figures, not instead
    text = cli("eval", tiny_model).stdout
    line = next(line for line in text.splitlines() if "memorisation" in line)
    assert "with the default quote limit 8" in line and "with the limit off" in line


def test_a_model_without_its_corpus_copy_says_the_meter_cannot_be_read(
    tiny_model: str, home: Path, tmp_path: Path
) -> None:
    folder = home / "models" / tiny_model
    drop_mixture(folder)  # the network alone: its n-gram would be refitted from the corpus copy
    (folder / "corpus.txt.gz").unlink()
    text = tmp_path / "other.txt"
    text.write_text("我在风里等你\n夜色慢慢变凉\n", encoding="utf-8")
    scored = json.loads(cli("eval", tiny_model, str(text), "--json").stdout)
    assert scored["loss"] > 0
    assert "no corpus copy" in scored["memorisation"]["unreadable"]
    line = [line for line in cli("eval", tiny_model, str(text)).stdout.splitlines() if "memorisation" in line]
    assert line == ["  memorisation: tiny has no corpus copy (corpus.txt.gz): the memorisation meter cannot be read"]


def test_models_show_and_json_carry_the_cards_reading(home: Path) -> None:
    from tests.conftest import make_card
    from tests.unit.test_card_memorisation import READING

    folder = home / "models" / "m"
    folder.mkdir(parents=True)
    card = make_card("m", state={"step": 50, "best_step": 40, "best_loss": 4.0}).replace(memorisation=READING)
    (folder / "card.json").write_text(json.dumps(card.to_dict(), ensure_ascii=False), encoding="utf-8")
    row = next(r for r in json.loads(cli("models", "--json").stdout) if r["name"] == "m")
    assert row["memorisation"]["limited"]["share"] == 0.019 and row["memorisation"]["unlimited"]["limit"] == 0
    shown = cli("models", "show", "m").stdout
    assert "quotes the corpus: 1.9% of 8-char windows, longest 8 (limit 8) · 7.1%, longest 14 with the limit" in shown


def test_a_grid_rows_carry_the_meter_each_model_read_as_it_ended(
    home: Path, corpus_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.cli.test_compare import plan
    from tui_lyrics import experiment_report, experiment_run
    from tui_lyrics.store import ModelStore

    monkeypatch.setenv("LYRICS_TUI_QUOTE_TAKES", "1")  # core.quote_meter.TAKES_ENV (the suite skips the reading)
    experiment = plan(home, corpus_file, cells=["gru"], inputs=["embed"])
    experiment_run.run_experiment(home, experiment)
    (row,) = experiment_report.table(home, experiment)
    m = ModelStore(home).card(row.models[0]).memorisation
    assert m is not None and m.limited.takes == 1
    assert (row.quotes, row.quotes_off) == (m.limited.share, m.unlimited.share)
