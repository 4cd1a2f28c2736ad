"""Unit tests for tui_lyrics.vocab: order, rare folding, encoding and the <unk> share-out."""

from __future__ import annotations

import math

import pytest

from tui_lyrics.vocab import UNK, UNK_ID, CharVocab


def test_chars_are_ordered_by_frequency_then_code_point() -> None:
    # b and c tie (2 each), so the lower code point comes first; a is the most frequent.
    vocab = CharVocab.build("cbacabaa\n")
    assert vocab.chars == ("a", "b", "c", "\n")  # \n (1) is rarer than b and c (2)
    tie = CharVocab.build("zyx" * 3 + "夜夜夜")
    assert tie.chars == ("x", "y", "z", "夜")  # all tie at 3: by code point
    assert vocab.size == len(vocab) == 5
    assert vocab.id_of("a") == 1 and vocab.id_of("\n") == 4


def test_min_count_folds_rare_characters_into_unk_and_keeps_their_counts() -> None:
    vocab = CharVocab.build("aaaa" + "bbb" + "cc" + "d" + "e", min_count=2)
    assert vocab.chars == ("a", "b", "c")
    assert vocab.rare == {"d": 1, "e": 1}
    assert vocab.singletons == 2
    assert "d" not in vocab and vocab.is_known("d")
    assert not vocab.is_known("z")
    assert vocab.encode("adz") == [1, UNK_ID, UNK_ID]


def test_max_size_counts_unk_and_folds_the_rest() -> None:
    vocab = CharVocab.build("aaaa" + "bbb" + "cc" + "d", max_size=3)
    assert vocab.size == 3
    assert vocab.chars == ("a", "b")
    assert vocab.rare == {"c": 2, "d": 1}


def test_encode_decode_round_trip() -> None:
    text = "我在风里等你\n夜色慢慢变凉\n"
    vocab = CharVocab.build(text)
    ids = vocab.encode(text)
    assert all(i != UNK_ID for i in ids)
    assert vocab.decode(ids) == text
    assert vocab.decode([UNK_ID]) == UNK


def test_unknown_reports_unseen_characters_once_in_order() -> None:
    vocab = CharVocab.build("aabbc", min_count=2)
    # c is rare (trained as <unk>), z and 夜 never seen: all three have no id of their own.
    assert vocab.unknown("zaz夜cbz") == ["z", "夜", "c"]
    assert vocab.unknown("abab") == []


def test_unk_share_sums_to_one_over_rare_chars_and_the_never_seen_class() -> None:
    text = "a" * 10 + "b" * 5 + "c" * 3 + "d" * 2 + "e" + "f"
    vocab = CharVocab.build(text, min_count=4)
    assert set(vocab.rare) == {"c", "d", "e", "f"}
    assert vocab.singletons == 2
    total = sum(vocab.unk_share(c) for c in vocab.rare) + vocab.unk_share("never-seen")
    assert math.isclose(total, 1.0, rel_tol=1e-12)
    # Each rare character in proportion to its count; the novel class weighs the singletons.
    assert math.isclose(vocab.unk_share("c"), 3 / (2 + 3 + 2 + 1 + 1))
    assert math.isclose(vocab.unk_share("夜"), 2 / 9)
    assert vocab.unk_share("夜") == vocab.unk_share("z")


def test_unk_share_without_rare_or_singletons_gives_everything_to_the_novel_class() -> None:
    vocab = CharVocab.build("aabb")
    assert vocab.rare == {} and vocab.singletons == 0
    assert vocab.unk_share("z") == 1.0


def test_to_dict_from_dict_round_trip() -> None:
    vocab = CharVocab.build("aaab\nbb夜c d", min_count=2)
    again = CharVocab.from_dict(vocab.to_dict())
    assert again == vocab
    assert again.encode("ab夜\nz") == vocab.encode("ab夜\nz")


@pytest.mark.parametrize("chars", ["abca", ["a", "b"]])
def test_from_dict_rejects_duplicate_or_non_string_chars(chars: object) -> None:
    with pytest.raises(ValueError, match="distinct characters"):
        CharVocab.from_dict({"chars": chars, "rare": {}, "singletons": 0})


def test_encode_array_matches_encode_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_lyrics import vocab as vocab_module

    vocab = CharVocab.build("我在风里等你\n🎵 abc" * 3, min_count=1)
    text = "我不在🎵风里x等\n你abc😀" * 5  # unknown characters, and ones outside the BMP
    monkeypatch.setattr(vocab_module, "CHUNK", 7)  # many chunk boundaries
    assert vocab.encode_array(text).tolist() == vocab.encode(text)
    assert vocab.encode_array("").tolist() == []
    assert CharVocab(chars=()).encode_array("ab").tolist() == [0, 0]
