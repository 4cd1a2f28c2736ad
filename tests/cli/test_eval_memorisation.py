"""`lyrics-tui eval` measures the memorisation meter beside the quality figures, and says what it is."""

from __future__ import annotations

import json
from pathlib import Path

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
