"""The Kneser-Ney n-gram: against a direct transcription of the formulas, and the reference 5-gram."""

from __future__ import annotations

import importlib.util
import math
import random
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from tui_lyrics.corpus import canonical_split
from tui_lyrics.ngram import KneserNey

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def direct_kn(text: str, order: int, events: list[str]):
    """Interpolated modified Kneser-Ney written out with dicts, one probability at a time."""
    grams = {k: Counter(text[i : i + k] for i in range(len(text) - k + 1)) for k in range(1, order + 1)}
    counts = {order: grams[order]}
    for k in range(1, order):
        counts[k] = Counter(g[1:] for g in grams[k + 1])  # distinct left extensions
        counts[k][text[:k]] = max(counts[k][text[:k]], 1)  # the text-initial gram has none: it counts once
    discounts, totals, mass = {}, {}, {}
    for k, table in counts.items():
        n = [sum(1 for c in table.values() if c == r) for r in (1, 2, 3, 4)]
        assert all(n), f"the test text is too regular: count-of-counts {n} at order {k}"
        y = n[0] / (n[0] + 2 * n[1])
        d = [0.0] + [min(max(r - (r + 1) * y * n[r] / n[r - 1], 0.05), r) for r in (1, 2, 3)]
        discounts[k], totals[k], mass[k] = d, defaultdict(float), defaultdict(float)
        for g, c in table.items():
            totals[k][g[:-1]] += c
            mass[k][g[:-1]] += d[min(c, 3)]
    size = len(events) + 1

    def prob(char: str, history: str) -> float:
        p = 1.0 / size
        for k in range(1, order + 1):
            if len(history) < k - 1:
                break
            h = history[len(history) - (k - 1) :] if k > 1 else ""
            total = totals[k].get(h, 0.0)
            if total:
                c = counts[k].get(h + char, 0)
                p = (max(c - discounts[k][min(c, 3)], 0.0) + mass[k][h] * p) / total
        return p

    return prob


def lyrics(n: int, seed: int = 0) -> str:
    """Text with a Zipf-like alphabet of 120 characters and some repeated phrases."""
    rng = random.Random(seed)
    alphabet = [chr(0x4E00 + i) for i in range(119)] + ["\n"]
    weights = [1 / (i + 1) for i in range(len(alphabet))]
    phrases = ["".join(rng.choices(alphabet[:20], k=5)) for _ in range(8)]
    out: list[str] = []
    while len(out) < n:
        out.extend(rng.choice(phrases) if rng.random() < 0.3 else rng.choices(alphabet, weights)[0])
    return "".join(out[:n])


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_matches_the_formulas_written_out(order: int) -> None:
    train, held = lyrics(4000), lyrics(300, seed=1) + "雪" + lyrics(5)  # 雪 is never seen
    kn = KneserNey.fit(train, order=order)
    oracle = direct_kn(train, order, list(kn.events))
    got = kn.probs_of(kn.encode(train[-5:] + held), start=5)
    context = train[-5:] + held
    for i, char in enumerate(held):
        event = char if char in kn.index else "\x00"
        assert got[i] == pytest.approx(oracle(event, context[: 5 + i]), rel=1e-9), (i, char)


def test_each_distribution_sums_to_one_and_agrees_with_the_scorer() -> None:
    train = lyrics(2000)
    kn = KneserNey.fit(train, order=5)
    text = "雪" + lyrics(200, seed=2)  # a never-seen character in the history
    ids = kn.encode(text)
    scored = kn.probs_of(ids)
    for i in range(len(ids)):
        dist = kn.dist(ids[:i].tolist())
        assert dist.sum() == pytest.approx(1.0, abs=1e-12)
        assert (dist > 0).all()
        assert dist[ids[i]] == pytest.approx(scored[i], rel=1e-12)


def test_events_keep_the_given_order_and_unknown_characters_are_unk() -> None:
    kn = KneserNey.fit("abcabcab", order=2, events=["c", "b", "a"])
    assert kn.events == ("c", "b", "a") and kn.size == 4
    assert kn.encode("abz").tolist() == [3, 2, 0]
    with pytest.raises(ValueError, match="order"):
        KneserNey.fit("abc", order=0)


def _reference():
    spec = importlib.util.spec_from_file_location("ngram_baseline", SHARED / "baselines" / "ngram_baseline.py")
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    sys.modules["ngram_baseline"] = reference
    spec.loader.exec_module(reference)
    return reference


def _jay_chou() -> tuple[str, str]:
    raw = zipfile.ZipFile(SHARED / "corpora" / "jaychou_lyrics.txt.zip").read("jaychou_lyrics.txt").decode("utf-8")
    return canonical_split(raw.replace("\r", ""))


@pytest.mark.skipif(not (SHARED / "baselines" / "ngram_baseline.py").is_file(), reason="needs ../shared")
def test_reproduces_the_reference_five_gram() -> None:
    reference = _reference()
    train, held = _jay_chou()
    theirs, _ = reference.evaluate(reference.KNModel(train, 5), train, held)
    assert theirs == pytest.approx(5.2308, abs=5e-5)  # the figure in shared/baselines/README.md
    ours = KneserNey.fit(train, order=5)
    exact = float(-np.log(ours.probs_of(ours.encode(train[-4:] + held), start=4)).mean())
    assert exact == pytest.approx(theirs, abs=1e-9)
    assert math.isfinite(exact)
