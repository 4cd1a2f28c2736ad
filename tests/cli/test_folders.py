"""Model folders from the command line: broken folders, resume options that would move the split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import cli


def test_broken_folders_are_listed_and_can_be_renamed_and_deleted(home: Path, tiny_model: str) -> None:
    (home / "models" / "half-made").mkdir()  # killed between its corpus copy and its card
    (home / "models" / "half-made" / "corpus.txt.gz").write_bytes(b"")
    (home / "models" / "garbled").mkdir()
    (home / "models" / "garbled" / "card.json").write_text("{", encoding="utf-8")

    rows = {r["name"]: r for r in json.loads(cli("models", "--json").stdout)}
    assert rows["half-made"]["broken"] and "card.json is missing" in rows["half-made"]["error"]
    assert rows["garbled"]["broken"] and "is corrupt" in rows["garbled"]["error"]
    assert not rows[tiny_model]["broken"]
    table = cli("models").stdout
    assert "broken" in table and "lyrics-tui models delete 'garbled'" in table

    cli("models", "rename", "garbled", "garbled-old")
    cli("models", "delete", "garbled-old", "--yes")
    cli("models", "delete", "half-made", "--yes")
    assert sorted(p.name for p in (home / "models").iterdir()) == [tiny_model]


@pytest.mark.parametrize(
    ("flag", "value", "why"),
    [("--held-out", "0.2", "held-out split"), ("--min-count", "1", "vocabulary"), ("--max-vocab", "50", "vocabulary")],
)
def test_resume_refuses_options_that_would_change_the_split_or_vocabulary(
    tiny_model: str, flag: str, value: str, why: str
) -> None:
    result = cli("train", "--resume", tiny_model, "--steps", "2", flag, value, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{flag} cannot change when resuming 'tiny': it fixes the model's {why}" in result.stderr
