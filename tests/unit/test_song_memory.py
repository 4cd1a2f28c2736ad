"""Song memory: the n-gram that keeps counting the song it reads, against the reference's --dynamic."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.unit.test_ngram import SHARED, _jay_chou, _reference, lyrics
from tui_lyrics.ngram import KneserNey
from tui_lyrics.song_memory import LADDER, SongMemory, song_probs


@pytest.fixture(scope="module")
def kn() -> KneserNey:
    return KneserNey.fit(lyrics(3000), order=5)


def test_memory_never_sees_the_character_it_scores(kn: KneserNey) -> None:
    rng = random.Random(7)  # no phrase of its own to repeat, one never-seen character
    first = "".join(rng.choices([chr(0x4E00 + i) for i in range(119)], k=400)) + "雪"
    ids = kn.encode(first + first)
    static = kn.probs_of(ids)
    memory = song_probs(kn, ids, 0).probs
    half = len(first)
    gain = np.log(memory) - np.log(static)  # per character, nats
    assert gain[half:].mean() > 2.0  # the copy is predicted from the first half
    assert abs(gain[:half].mean()) < 0.5  # the first half has nothing of itself to copy yet
    alone = song_probs(kn, kn.encode(first), 0).probs
    assert np.array_equal(alone, memory[:half])  # nothing after a character changes its probability


def test_distributions_stay_proper_and_agree_with_the_scorer(kn: KneserNey) -> None:
    song = lyrics(300, seed=3)
    song = song + "雪" + song[:150]
    ids = kn.encode(song)
    scored, buckets, own = song_probs(kn, ids, 0)
    memory = SongMemory(kn)
    for i, event in enumerate(ids.tolist()):
        dist = memory.dist()
        assert dist.sum() == pytest.approx(1.0, abs=1e-12)
        assert (dist > 0).all()
        assert dist[event] == pytest.approx(scored[i], rel=1e-12)
        assert memory.bucket() == buckets[i]
        mine = memory.own_dist()  # the song's own n-gram
        assert mine.sum() == pytest.approx(1.0, abs=1e-12) and (mine > 0).all()
        assert mine[event] == pytest.approx(own[i], rel=1e-12)
        a, c = [(0.7, 0.3), (0.0, 1.0), (1.0, 0.0), (0.45, 0.2)][i % 4]
        mixed = memory.mixed(a, c)  # sampling's one-pass sum of the two
        np.testing.assert_allclose(mixed, a * dist + c * mine, rtol=1e-12, atol=1e-15)
        assert mixed.sum() == pytest.approx(a + c, abs=1e-12)
        memory.read([event])


def test_a_repeated_line_fills_the_match_ladder(kn: KneserNey) -> None:
    line = "".join(chr(0x4E00 + i) for i in range(40)) + "\n"  # 41 distinct characters
    buckets = song_probs(kn, kn.encode(line + line), 0).buckets
    assert buckets[: len(line)].max() == 0
    assert buckets[-1] == len(LADDER)  # 40 characters into the copy: longer than the longest rung


@pytest.mark.skipif(not (SHARED / "baselines" / "ngram_baseline.py").is_file(), reason="needs ../shared")
def test_reproduces_the_reference_dynamic_five_gram() -> None:
    reference = _reference()
    train, held = _jay_chou()
    theirs, _ = reference.evaluate(reference.KNModel(train, 5), train, held, dynamic=True)
    assert theirs == pytest.approx(3.3671, abs=5e-5)
    ours = KneserNey.fit(train, order=5)
    probs = song_probs(ours, ours.encode(train[-4:] + held), 4).probs
    assert float(-np.log(probs).mean()) == pytest.approx(theirs, abs=1e-9)
