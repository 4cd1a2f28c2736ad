"""The song library: save/load round trip, strict reading, atomic writes; no torch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.songs.draft import Draft
from tui_lyrics.songs.store import SONG_JSON, SONG_TEXT, Song, SongError, SongStore, song_from_dict
from tui_lyrics.songs.template import template_from_text


def _song(name: str = "雨后") -> Song:
    template = template_from_text("雨停在傍晚的月台上\n\n我把车票折成一只船\n", source="ref.txt")
    draft = Draft(template=template).append("我在车站等一场雨").append("").append("风吹过", author="model", seed=11)
    draft = draft.mark(0, 0, "chorus").lock(0)
    return Song(name=name, model="demo-zh", draft=draft, settings=SampleConfig(temperature=0.7, top_k=3), seeds=(11,))


def test_round_trip_keeps_everything(home: Path) -> None:
    store = SongStore(home)
    saved = store.save(_song())
    assert saved.created and saved.updated
    folder = home / "songs" / "雨后"
    assert (folder / SONG_TEXT).read_text(encoding="utf-8") == "我在车站等一场雨\n\n风吹过\n"
    loaded = store.load("雨后")
    assert loaded == saved
    assert loaded.draft.lines[0].locked and loaded.draft.lines[0].part == "chorus"
    assert loaded.draft.lines[2].author == "model" and loaded.draft.lines[2].seed == 11
    assert loaded.draft.template is not None and loaded.draft.template.slots[1].verse_break
    assert [row.name for row in store.list()] == ["雨后"] and store.list()[0].lines == 2
    assert not list(folder.glob(".*.tmp"))  # no temp files left behind


def test_save_again_replaces_and_keeps_created(home: Path) -> None:
    store = SongStore(home)
    first = store.save(_song())
    second = store.save(Song(**{**first.__dict__, "draft": first.draft.append("再一行")}))
    assert second.created == first.created and store.load("雨后").draft.lyric_count == 3


def _data() -> dict:
    return json.loads(json.dumps(_song().to_dict()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "unknown key.*extra"),
        (lambda d: d["lines"][0].update(colour="red"), r"lines\[0\] has unknown key.*colour"),
        (lambda d: d["template"]["slots"][0].update(beat=4), r"slots\[0\] has unknown key.*beat"),
        (lambda d: d["settings"].update(warmth=2), "settings: unknown SampleConfig setting.*warmth"),
        (lambda d: d["lines"][1].update(locked="yes"), r"lines\[1\]: locked must be bool"),
        (lambda d: d.update(seeds=["1"]), r"seeds\[0\] must be int"),
        (lambda d: d["template"]["slots"][0].update(chars=True), "chars must be int"),
        (lambda d: d["lines"][0].update(author="ghost"), "author must be one of"),
        (lambda d: d.pop("model"), "missing key.*model"),
        (lambda d: d.update(format="other"), "not a lyrics-tui song"),
        (lambda d: d.update(format_version=99), "format 99"),
    ],
)
def test_strict_reading_names_the_field(change, message: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(SongError, match=message):
        song_from_dict(data, where="song.json")


def test_a_broken_song_is_listed_with_why_and_load_is_one_clear_error(home: Path) -> None:
    store = SongStore(home)
    store.save(_song("好"))
    bad = home / "songs" / "坏"
    bad.mkdir()
    (bad / SONG_JSON).write_text("{not json", encoding="utf-8")
    rows = {row.name: row for row in store.list()}
    assert rows["好"].error is None and "not valid JSON" in (rows["坏"].error or "")
    with pytest.raises(SongError, match="not valid JSON"):
        store.load("坏")
    with pytest.raises(SongError, match="no song named"):
        store.load("无")
    with pytest.raises(SongError, match="invalid song name"):
        store.load("../x")


def test_export_and_delete(home: Path, tmp_path: Path) -> None:
    store = SongStore(home)
    store.save(_song())
    out = store.export_text("雨后", tmp_path)
    assert out == tmp_path / "雨后.txt" and out.read_text(encoding="utf-8").startswith("我在车站")
    assert store.unique_name("雨后") == "雨后-2"
    store.delete("雨后")
    assert store.list() == [] and not store.exists("雨后")
