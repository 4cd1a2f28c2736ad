"""Rhyme classes (十三辙) from pinyin finals, line classes and rhyme rates; the module stays torch-free."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui_lyrics.rhyme import (
    ASCII,
    CLASSES,
    class_name,
    class_of,
    final_of,
    follow_rate,
    is_rhyme_mode,
    last_char,
    line_class,
    line_classes,
    pair_rate,
    text_lines,
)

EXAMPLES = {
    "发花": "花家瓜她啊",
    "梭波": "波歌我火说了的",  # 了 and 的 by their default readings le, de
    "乜斜": "谢月街雪夜",
    "一七": "你里地雨去是日字词儿",  # i, ü, the apical -i of shi ri zi ci, and er
    "姑苏": "苦路哭福",
    "怀来": "来爱在还外",  # 还: default reading hai
    "灰堆": "对飞水泪美",
    "遥条": "好笑跳桥",
    "油求": "走有手留秋",
    "言前": "天远原边晚",
    "人辰": "人心云很真嗯",  # 嗯: the syllabic n
    "江阳": "光长上凉窗",  # 长: default reading zhang, still 江阳
    "中东": "风梦中红用兄星",
}


@pytest.mark.parametrize(("cls", "chars"), EXAMPLES.items())
def test_characters_fall_in_their_traditional_class(cls: str, chars: str) -> None:
    assert [class_of(c) for c in chars] == [cls] * len(chars), chars


def test_there_are_thirteen_classes_with_pinyin_names() -> None:
    assert len(CLASSES) == len(set(CLASSES)) == 13 == len(ASCII)
    assert set(EXAMPLES) == set(CLASSES)
    assert class_name("jiangyang") == "江阳" and class_name(" 江阳 ") == "江阳" and class_name("YIQI") == "一七"
    with pytest.raises(ValueError, match="unknown rhyme class"):
        class_name("江南")
    assert is_rhyme_mode("off") and is_rhyme_mode("follow") and is_rhyme_mode("zhongdong")
    assert not is_rhyme_mode("on")


def test_finals_use_strict_pinyin() -> None:
    assert final_of("对") == "uei" and final_of("有") == "iou" and final_of("云") == "vn" and final_of("是") == "i"
    assert final_of("ab") is None


def test_non_chinese_characters_have_no_class() -> None:
    assert all(class_of(c) is None for c in "a Z 7，。!\n…")
    assert class_of("あ") is None and class_of("") is None


def test_a_line_rhymes_on_its_last_character_past_punctuation() -> None:
    assert last_char("我在风里等你！ ") == "你"
    assert line_class("我在风里等你……") == "一七"
    assert line_class("天空海阔 心情好~") == "遥条"
    assert line_class("say goodbye") is None and line_class("……") is None


def test_rates_over_lines() -> None:
    text = "月光洒在路上\n\n走过长长的窗\n我在风里等你\n心里想着你\n"
    assert text_lines(text) == ["月光洒在路上", "走过长长的窗", "我在风里等你", "心里想着你"]
    classes = line_classes(text)
    assert classes == ["江阳", "江阳", "一七", "一七"]
    assert pair_rate(classes) == pytest.approx(2 / 3)
    assert follow_rate(classes) == pytest.approx(1 / 3)
    assert follow_rate(classes, "一七") == pytest.approx(1 / 2)
    assert pair_rate(["江阳"]) is None and follow_rate([]) is None
    assert pair_rate([None, None]) == 0.0  # two unclassed lines do not rhyme


def test_rhyme_imports_neither_torch_nor_pypinyin_until_used() -> None:
    code = (
        "import sys, tui_lyrics.rhyme, tui_lyrics.memorise, tui_lyrics.config\n"
        "print('torch' in sys.modules, 'pypinyin' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]
