"""`lyrics-tui songs`: the songs kept in the library, listed, shown, exported and deleted (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui_lyrics.cli import main
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.store import Song, SongStore


@pytest.fixture
def song(home: Path) -> str:
    draft = Draft.from_text("我在车站等一场雨\n风吹过旧街道\n\n月光落在旧窗台").mark(3, 3, "chorus")
    SongStore(home).save(Song(name="车站", model="demo-zh", draft=draft.append("后来我的", author="model", seed=3)))
    return "车站"


def test_songs_list_text_and_json(home: Path, song: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["songs"]) == 0
    out = capsys.readouterr().out
    assert "车站" in out and "demo-zh" in out and " 4 " in out
    assert main(["songs", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["model"], r["lines"]) for r in rows] == [("车站", "demo-zh", 4)]


def test_songs_show_and_export(home: Path, song: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["songs", "show", song]) == 0
    out = capsys.readouterr().out
    assert "月光落在旧窗台  (chorus user)" in out and "后来我的  (model)" in out
    assert main(["songs", "show", song, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"][-1]["seed"] == 3
    assert main(["songs", "export", song]) == 0
    assert capsys.readouterr().out == "我在车站等一场雨\n风吹过旧街道\n\n月光落在旧窗台\n后来我的\n"
    assert main(["songs", "export", song, str(tmp_path), "--json"]) == 0
    assert Path(json.loads(capsys.readouterr().out)["to"]).read_text(encoding="utf-8").startswith("我在车站")


def test_songs_delete_asks_and_errors_are_one_line(home: Path, song: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["songs", "delete", song]) == 1  # no terminal to ask: refused
    assert "without --yes" in capsys.readouterr().err and SongStore(home).exists(song)
    assert main(["songs", "delete", song, "--yes"]) == 0 and not SongStore(home).exists(song)
    capsys.readouterr()
    for argv in (["songs", "show", song], ["songs", "delete", "nope", "--yes"], ["songs", "show", "../x"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith("lyrics-tui: error: ") and err.count("\n") == 1
    assert main(["songs"]) == 0 and "no songs yet" in capsys.readouterr().out
