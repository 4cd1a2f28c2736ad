"""``lyrics-tui write`` end to end on the demo model, in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REFERENCE = "雨停在傍晚的月台上\n铁轨把余晖拉得很长\n\n你忘了一把伞\n斜靠在掉漆的长椅旁\n"


def cli(*args: str, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tui_lyrics", *args], input=stdin, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_candidates_for_a_draft_on_stdin_text_and_json(home: Path) -> None:
    draft = "我在车站等一场雨\n风吹过站台\n"
    shown = cli("write", "demo-zh", "--candidates", "3", "--seed", "1", stdin=draft)
    rows = shown.stdout.splitlines()
    assert [r.split("  ", 1)[0] for r in rows] == ["1", "2", "3"] and all(" 字 · " in r for r in rows)
    assert "--seed 1" in shown.stderr
    data = json.loads(cli("write", "demo-zh", "-", "--candidates", "3", "--seed", "1", "--json", stdin=draft).stdout)
    assert data["draft"] == draft and len(data["candidates"]) == 3
    assert data["settings"]["quote_limit"] == 8  # generate's default for a Chinese model
    off = cli("write", "demo-zh", "--candidates", "1", "--seed", "1", "--quote-limit", "off", "--json", stdin=draft)
    assert json.loads(off.stdout)["settings"]["quote_limit"] == 0
    assert [c["text"] for c in data["candidates"]] == [r.split("  ", 1)[1].split("\t")[0] for r in rows]
    for c in data["candidates"]:
        assert "\n" not in c["text"] and c["chars"] == len(c["text"]) and c["mean_logprob"] < 0
        assert set(c) >= {"rhyme", "end_prob", "score", "memorised", "longest_quote", "seed"}


def test_a_whole_song_to_a_template_saved_in_the_library(home: Path, tmp_path: Path) -> None:
    ref = tmp_path / "ref.lrc"
    ref.write_text("".join(f"[00:0{i}.00]{line}\n" for i, line in enumerate(REFERENCE.split("\n"))), encoding="utf-8")
    args = ["write", "demo-zh", "--template", str(ref), "--first-line", "我在车站等一场雨", "--candidates", "2"]
    data = json.loads(cli(*args, "--seed", "4", "--json", "--save", "雨后").stdout)
    lines = data["lines"]
    assert [line["author"] for line in lines] == ["user", "model", "model", "model"]
    assert data["adherence"] == {"lines": 3, "exact_length": 3, "rhymed": 3, "rhyme_match": 3}
    assert data["saved"] == "雨后"
    song = json.loads((home / "songs" / "雨后" / "song.json").read_text(encoding="utf-8"))
    assert [x["text"] for x in song["lines"]] == [
        lines[0]["text"],
        lines[1]["text"],
        "",
        *[x["text"] for x in lines[2:]],
    ]
    text = cli(*args, "--seed", "4")
    assert text.stdout == (home / "songs" / "雨后" / "song.txt").read_text(encoding="utf-8")
    again = cli(*args, "--save", "雨后", check=False)  # a kept song is never overwritten
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "3/3 written lines at the template's length" in text.stderr


def test_bad_input_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    for args, message in [
        (["write", "demo-zh"], "no draft to continue"),
        (["write", "demo-zh", str(tmp_path / "none.txt")], "cannot read"),
        (["write", "demo-zh", "--first-line", "雨", "--candidates", "0"], "--candidates must be 1–50"),
        (["write", "demo-zh", "--template", str(tmp_path / "none.lrc")], "cannot read"),
        (["write", "no-such-model", "--first-line", "雨"], "no model named"),
    ]:
        result = cli(*args, check=False)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
