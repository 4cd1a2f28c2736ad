"""The song draft and templates: plain Python, no torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui_lyrics.songs.draft import Draft, DraftError, Line
from tui_lyrics.songs.template import Slot, TemplateError, read_template, template_from_text

SONG = "雨停在傍晚的月台上\n铁轨把余晖拉得很长\n\n广播里报着晚点时长\n我把车票折成一只船\n"


def test_lines_and_breaks_from_text() -> None:
    draft = Draft.from_text("\n\n第一行\n\n\n第二行  \n\n")
    assert [line.text for line in draft.lines] == ["第一行", "", "第二行"]
    assert draft.text == "第一行\n\n第二行\n"
    assert draft.lyric_count == 2 and draft.lyric_number(2) == 1 and draft.lyric_number(1) is None


def test_append_edit_rewrite_record_who_wrote_each_line() -> None:
    draft = Draft().append("我在车站").append("等一场雨", author="model", seed=7)
    assert [(x.author, x.seed) for x in draft.lines] == [("user", None), ("model", 7)]
    edited = draft.edit(1, "等一场大雨")
    assert edited.lines[1].author == "both" and edited.lines[1].text == "等一场大雨"
    assert draft.lines[1].text == "等一场雨"  # the old draft is untouched
    rewritten = edited.rewrite(0, "我在站台", seed=3)
    assert rewritten.lines[0] == Line("我在站台", author="model", seed=3)
    assert rewritten.prefix_before(1) == "我在站台\n" and rewritten.prefix_before(0) == ""
    assert draft.append("").append("").text == "我在车站\n等一场雨\n\n"  # one break, not two


def test_a_line_is_one_line() -> None:
    with pytest.raises(DraftError, match="line break"):
        Draft().append("一\n二")
    with pytest.raises(DraftError, match="author"):
        Line("x", author="ghost")


def test_locked_lines_refuse_edit_rewrite_and_delete() -> None:
    draft = Draft.from_text("一\n二\n三").lock(1)
    for change in (lambda d: d.edit(1, "x"), lambda d: d.rewrite(1, "x"), lambda d: d.delete(1)):
        with pytest.raises(DraftError, match="line 2 is locked"):
            change(draft)
    assert draft.rewrite(0, "x").lines[0].text == "x"
    assert draft.lock(1, False).edit(1, "y").lines[1].text == "y"
    with pytest.raises(DraftError, match="line 3 is locked"):  # counted as the writer counts: breaks not
        Draft.from_text("一\n\n二\n三").lock(3).edit(3, "x")
    with pytest.raises(DraftError, match="no line 9"):
        draft.lock(8)


def test_marks_and_insert_chorus() -> None:
    draft = Draft.from_text("主歌一\n主歌二\n\n副歌一\n副歌二\n\n副歌三\n\n桥段")
    draft = draft.mark(0, 1, "verse").mark(3, 6, "chorus").mark(8, 8, "bridge")
    assert [x.part for x in draft.lines] == ["verse", "verse", None, "chorus", "chorus", None, "chorus", None, "bridge"]
    assert [x.text for x in draft.chorus()] == ["副歌一", "副歌二", "", "副歌三"]
    again = draft.lock(3).insert_chorus()
    assert again.text == draft.text + "\n副歌一\n副歌二\n\n副歌三\n"
    assert all(not x.locked for x in again.lines[-4:]) and again.lines[-1].part == "chorus"
    assert draft.mark(3, 6, None).chorus() == ()
    with pytest.raises(DraftError, match="no chorus"):
        Draft.from_text("一").insert_chorus()
    with pytest.raises(DraftError, match="part"):
        draft.mark(0, 0, "outro")


def test_template_shapes_the_draft() -> None:
    template = template_from_text(SONG, source="ref.txt")
    assert template.slots == (
        Slot(9, "江阳"), Slot(9, "江阳"), Slot(9, "江阳", verse_break=True), Slot(9, "言前"),
    )  # fmt: skip
    draft = Draft.from_text("我在车站等一场雨\n\n风", template=template)
    assert draft.label(0) == "8/9 字 · 江阳" and draft.label(1) == "" and draft.label(2) == "1/9 字 · 江阳"
    assert draft.next_slot() == Slot(9, "江阳", verse_break=True)
    assert template.slots[3].label() == "9 字 · 言前"
    full = Draft.from_text(SONG, template=template)
    assert full.next_slot() is None


def test_template_from_a_file_of_titled_songs_and_errors() -> None:
    text = "《一》\n短短\n\n《二》\n长长长长长\n好好\n"
    assert [s.chars for s in template_from_text(text, song=2).slots] == [5, 2]
    assert template_from_text(text, song="二").source == "《二》"
    assert template_from_text(text).slots == (Slot(2, "言前"),)  # the first song
    assert template_from_text("我 爱你\u3000中国  \n").slots == (Slot(5, "梭波"),)  # spaces are not 字
    with pytest.raises(TemplateError, match="1 to 2"):
        template_from_text(text, song=3)
    with pytest.raises(TemplateError, match="no song titled"):
        template_from_text(text, song="三")
    with pytest.raises(TemplateError, match="no lyric lines"):
        template_from_text("\n\n")


def test_template_from_txt_and_lrc(tmp_path: Path) -> None:
    txt = tmp_path / "ref.txt"
    txt.write_text(SONG, encoding="utf-8")
    lrc = tmp_path / "ref.lrc"
    lrc.write_text(
        "[ti:雨]\n[ar:someone]\n[00:00.00]作词 : 某人\n[00:00.50]作曲：某人\n"
        "[00:01.00]雨停在傍晚的月台上\n[00:05.20]铁轨把余晖拉得很长\n[00:09.00]\n"
        "[00:12.00]广播里报着晚点时长\n[00:15.50][01:15.50]我把车票折成一只船\n",
        encoding="utf-8",
    )
    from_txt, from_lrc = read_template(txt), read_template(lrc)
    assert from_txt.slots == from_lrc.slots and len(from_lrc) == 4
    assert from_lrc.source == "ref.lrc"
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(SONG.encode("gb18030"))
    assert read_template(gbk).slots == from_txt.slots
    with pytest.raises(TemplateError, match="cannot read"):
        read_template(tmp_path / "missing.txt")
    with pytest.raises(TemplateError, match="folder"):
        read_template(tmp_path)


def test_songs_modules_do_not_import_torch() -> None:
    code = (
        "import sys\nimport tui_lyrics.songs.draft, tui_lyrics.songs.template, tui_lyrics.songs.store\n"
        "import tui_lyrics.commands.write, tui_lyrics.ui.write.screen\nprint('torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_template_from_verses_of_an_untitled_file() -> None:
    """A corpus file without titles (like the demo's) gives its template by verses: 'verses 2-3'."""
    text = "一二三\n四五六七\n\n雨停在月台上\n风吹\n\n铁轨很长\n\n末一行\n"
    t = template_from_text(text, source="c.txt", song="verses 2-3")
    assert [(s.chars, s.verse_break) for s in t.slots] == [(6, False), (2, False), (4, True)]
    assert t.source == "c.txt verses 2–3"
    assert [s.chars for s in template_from_text(text, song="verse 4").slots] == [3]
    with pytest.raises(TemplateError, match="4 verse"):
        template_from_text(text, song="verses 3-9")
    with pytest.raises(TemplateError, match="verses 1-4"):
        template_from_text("一行\n" * 400)


def test_line_numbers_as_the_writer_counts_them_skip_breaks() -> None:
    draft = Draft.from_text("一\n\n二\n三\n\n\n四\n")
    assert [draft.number(i) for i in range(len(draft))] == [1, 2, 2, 3, 4, 4]
    assert [draft.next_lyric(i) for i in range(len(draft))] == [0, 2, 2, 3, 5, 5]
    assert Draft.from_text("一\n\n").next_lyric(1) is None
