"""The memorisation meter: matching statistics against a brute force, the two figures, the per-model cache."""

from __future__ import annotations

import gzip
import itertools
import random
from pathlib import Path

import pytest

from tui_lyrics.memorise import INDEX_FILE, WINDOW, CorpusIndex, corpus_index
from tui_lyrics.quote_guard import QuoteGuard, SuffixMatch


def brute_matching(corpus: str, take: str) -> list[int]:
    return [max((j - i for j in range(i, len(take) + 1) if take[i:j] in corpus), default=0) for i in range(len(take))]


def test_matching_statistics_agree_with_brute_force() -> None:
    rng = random.Random(0)
    for _ in range(200):
        alphabet = "ab\n风里"[: rng.randint(1, 5)]
        corpus = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
        take = "".join(rng.choice(alphabet + "x") for _ in range(rng.randint(0, 25)))
        index = CorpusIndex(corpus)
        assert index.matching_statistics(take) == brute_matching(corpus, take), (corpus, take)


def test_the_suffix_array_is_sorted() -> None:
    rng = random.Random(1)
    text = "".join(rng.choice("我在风里等你\n ab") for _ in range(3000)) + "我在风里等你" * 50  # long repeats too
    suffixes = CorpusIndex(text)._suffixes
    assert sorted(suffixes) == list(range(len(text)))
    assert all(text[a:] < text[b:] for a, b in itertools.pairwise(suffixes))


def test_the_meter_reads_a_quoted_and_a_new_take() -> None:
    corpus = "坏坏的让我疯狂的可爱女人\n漂亮的让我面红的可爱女人\n"
    index = CorpusIndex(corpus)
    quoted = index.measure("坏坏的让我疯狂的可爱女人\n")
    assert quoted.longest == 13 and quoted.longest_text == "坏坏的让我疯狂的可爱女人\n"
    assert quoted.windows == 13 - WINDOW + 1 and quoted.window_share == 1.0
    fresh = index.measure("月光洒在窗台上的吉他")
    assert fresh.longest == 1 and fresh.longest_text == "的" and fresh.window_share == 0.0
    mixed = index.measure("我说坏坏的让我疯狂的心")  # 坏坏的让我疯狂的 is quoted: 8 chars, one window of 4
    assert mixed.longest == 8 and mixed.longest_text == "坏坏的让我疯狂的"
    assert mixed.windows == 4 and mixed.window_share == pytest.approx(1 / 4)
    short = index.measure("可爱")
    assert short.windows == 0 and short.window_share is None and short.longest == 2
    assert set(short.to_dict()) == {"longest", "longest_text", "window_share", "windows", "window"}


def test_an_empty_corpus_shares_nothing() -> None:
    meter = CorpusIndex("").measure("我在风里等你我在风里等你")
    assert meter.longest == 0 and meter.window_share == 0.0


def test_a_large_corpus_is_indexed(tmp_path: Path) -> None:
    rng = random.Random(2)
    corpus = "".join(rng.choice("我在风里等你夜色慢慢变凉\n") for _ in range(200_000))
    index = CorpusIndex(corpus)
    take = corpus[123_456:123_556] + "龘" + corpus[5_000:5_020]
    meter = index.measure(take)
    assert meter.longest >= 100 and meter.longest_text.startswith(corpus[123_456:123_500])
    assert meter.window_share == pytest.approx((len(take) - WINDOW + 1 - WINDOW) / (len(take) - WINDOW + 1))


def test_each_models_index_is_built_once(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    assert corpus_index(folder) is None  # no corpus copy: no meter
    (folder / "corpus.txt.gz").write_bytes(gzip.compress("我在风里等你\n".encode()))
    first = corpus_index(folder)
    assert first is not None and first.text == "我在风里等你\n"
    assert corpus_index(folder) is first
    (folder / "corpus.txt.gz").write_bytes(b"not gzip")
    assert corpus_index(folder) is None


def brute_suffix_match(corpus: str, text: str) -> int:
    """The longest suffix of ``text`` that occurs in ``corpus``."""
    return max((k for k in range(len(text) + 1) if text[len(text) - k :] in corpus), default=0)


def test_the_incremental_match_agrees_with_brute_force() -> None:
    rng = random.Random(3)
    for trial in range(300):
        alphabet = "ab\n风里"[: rng.randint(1, 5)]
        corpus = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        take = "".join(rng.choice(alphabet + "x") for _ in range(rng.randint(0, 40)))
        index = CorpusIndex(corpus)
        cap = None if trial % 2 else rng.randint(1, 6)
        match = SuffixMatch(index, cap=cap)
        for j, char in enumerate(take):
            expected = brute_suffix_match(corpus, take[: j + 1])
            expected = expected if cap is None else min(cap, expected)
            assert match.feed(char) == expected and take[: j + 1].endswith(match.match), (corpus, take, j)
            assert match.followers() == {c for c in set(corpus) if match.match + c in corpus}, (corpus, take, j)


def test_the_incremental_match_reads_the_matching_statistics_backwards() -> None:
    rng = random.Random(4)
    corpus = "".join(rng.choice("我在风里等你\n") for _ in range(2000))
    take = corpus[100:130] + "龘" + "".join(rng.choice("我在风里等你\n") for _ in range(200))
    index = CorpusIndex(corpus)
    stats = index.matching_statistics(take)
    match = SuffixMatch(index)
    for j, char in enumerate(take):  # the longest match ending at j starts at the first i whose match reaches j
        start = min(i for i in range(j + 1) if i + stats[i] > j or i == j)
        assert match.feed(char) == (j + 1 - start if stats[start] > j - start else 0)


def test_the_quote_guard_bans_corpus_quotes_the_song_does_not_have() -> None:
    rng = random.Random(5)
    for _ in range(200):
        corpus = "".join(rng.choice("ab风\n") for _ in range(rng.randint(0, 60)))
        song = "".join(rng.choice("ab风\nx") for _ in range(rng.randint(0, 40)))
        limit = rng.randint(1, 5)
        guard = QuoteGuard(CorpusIndex(corpus), limit)
        for j, char in enumerate(song):
            guard.feed(char)
            text = song[: j + 1]
            expected = set()
            if len(text) >= limit:
                expected = {c for c in "ab风\nx" if text[-limit:] + c in corpus and text[-limit:] + c not in text}
            assert guard.banned() == expected, (corpus, text, limit)


def test_the_suffix_array_is_kept_beside_the_corpus_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui_lyrics.memorise as memorise

    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "corpus.txt.gz").write_bytes(gzip.compress("我在风里等你\n风里\n".encode()))
    built = corpus_index(folder)
    assert built is not None and (folder / INDEX_FILE).is_file()
    memorise._CACHE.clear()  # a new process: the stored array is read, not rebuilt

    def no_sorting(text: str) -> list[int]:
        raise AssertionError("the suffix array was rebuilt")

    with monkeypatch.context() as m:
        m.setattr(memorise, "_suffix_array", no_sorting)
        again = corpus_index(folder)
    assert (
        again is not None
        and again._suffixes.tolist() == built._suffixes.tolist()
        and again.measure("风里等").longest == 3
    )
    for damage in (b"not safetensors", None):  # a damaged file, then a copy of another corpus: rebuilt
        memorise._CACHE.clear()
        if damage is None:
            (folder / "corpus.txt.gz").write_bytes(gzip.compress("另一首歌\n".encode()))
        else:
            (folder / INDEX_FILE).write_bytes(damage)
        index = corpus_index(folder)
        assert index is not None and index._suffixes.tolist() == CorpusIndex(index.text)._suffixes.tolist()
