"""The network trained to complement its n-gram (a product of experts): the cross-fitted n-gram,
normalised distributions, the card's combination and old cards."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from tests.conftest import make_card, make_lyrics
from tests.core.test_train import new_model, quick, small
from tui_lyrics.card import ModelCard
from tui_lyrics.commands.evaluate import _loss
from tui_lyrics.core.complement import HeldOutDists, cross_fitted, fold_bounds, held_out_product, product_probs
from tui_lyrics.core.mixture import Mixture
from tui_lyrics.core.mixture_reading import HeldOutNgram
from tui_lyrics.core.sample import load_model, stream_chars
from tui_lyrics.core.train import train
from tui_lyrics.corpus import split_text
from tui_lyrics.ngram import KneserNey
from tui_lyrics.presets import preset
from tui_lyrics.resources import assets_dir
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.store import ModelStore
from tui_lyrics.vocab import CharVocab

TEXT = make_lyrics(3000, seed=4) + "冰霜" + make_lyrics(600, seed=5)  # 冰霜: rare, trained as <unk>


def test_batched_ngram_distributions_are_the_single_ones() -> None:
    kn = KneserNey.fit(TEXT[:2000], order=4)
    ids = kn.encode(TEXT[2000:2300])
    dists = kn.dists(ids, start=5)
    assert np.allclose(dists.sum(1), 1.0, atol=1e-12)
    for i in (5, 6, 50, 299):
        assert np.allclose(dists[i - 5], kn.dist(ids[:i].tolist()), atol=1e-15)
    assert np.allclose(dists[np.arange(len(dists)), ids[5:]], kn.probs_of(ids, start=5), atol=1e-15)


def test_the_cross_fitted_ngram_never_sees_the_fold_it_scores() -> None:
    """Changing one character inside a fold changes that fold's rows only where the character is in the
    context; the other folds' n-grams count it, so some of their rows change (the check has power)."""
    text = TEXT[:2000]
    vocab = CharVocab.build(text, min_count=1)
    order, bounds = 3, fold_bounds(len(text), 4)
    lo, hi = bounds[1], bounds[2]
    j = (lo + hi) // 2
    other = next(c for c in vocab.chars if c != text[j])
    changed = text[:j] + other + text[j + 1 :]
    a = cross_fitted(text, vocab, order=order, folds=4)
    b = cross_fitted(changed, vocab, order=order, folds=4)
    context = np.zeros(len(text), dtype=bool)
    context[j + 1 : j + order] = True  # rows whose context holds position j
    fold = np.zeros(len(text), dtype=bool)
    fold[lo:hi] = True
    assert torch.equal(a[fold & ~context], b[fold & ~context])
    assert not torch.equal(a[~fold], b[~fold])


def test_the_cross_fitted_ngram_is_not_fooled_by_a_pattern_only_its_fold_has() -> None:
    """A fold full of a pattern seen nowhere else: the fit on all of the text predicts it nearly surely,
    the cross-fitted n-gram as if it were new."""
    base = make_lyrics(4000, seed=1)
    text = base[:1000] + "XYZ" * 100 + base[1000:3000]  # the pattern lies inside fold 1 of 4
    vocab = CharVocab.build(text, min_count=1)
    table = cross_fitted(text, vocab, order=3, folds=4)
    z = vocab.id_of("Z")
    j = text.index("XYZXYZ") + 5  # a "Z" after "XY"
    full = KneserNey.fit(text, order=3, events=list(vocab.chars))
    assert full.dist(full.encode(text[j - 2 : j]).tolist())[z] > 0.9
    assert float(table[j, z].float().exp()) < 0.05


def test_the_product_is_a_proper_distribution_over_the_canonical_events() -> None:
    train_text = TEXT[:2000] + "冰霜冰" + TEXT[2000:3000]
    vocab = CharVocab.build(train_text, min_count=3)  # some characters are rare: trained as <unk>
    assert vocab.rare
    kn = KneserNey.fit(train_text, order=3, events=list(vocab.chars) + list(vocab.rare))
    context = train_text[-50:-3] + "冰霜冰"  # the n-gram has seen what follows: its rare mass is not flat
    network = torch.log_softmax(torch.randn(1, vocab.size, generator=torch.Generator().manual_seed(0)) * 3, -1)
    candidates = [*vocab.chars, *vocab.rare, "☃"]  # every event: own ids, rare, and one never seen
    for which in ("static", "song"):
        total = 0.0
        for c in candidates:
            dists = HeldOutDists.score(kn, vocab, c, context=context)
            ngram, share = (dists.static, dists.static_share) if which == "static" else (dists.song, dists.song_share)
            total += float(product_probs(network, ngram, share, dists.targets)[0])  # "☃": all never-seen ones
        assert total == pytest.approx(1.0, abs=1e-9)


def test_next_logits_of_a_product_are_normalised_with_and_without_song_memory() -> None:
    vocab = CharVocab.build(TEXT, min_count=3)
    mixture = Mixture.fit(TEXT, vocab, order=3, weight=0.3)
    mixture = Mixture(mixture.ngram, 0.3, vocab.size, product=True)
    logits = torch.randn(vocab.size, generator=torch.Generator().manual_seed(1)) * 4
    history = mixture.history("我们的")
    assert float(mixture.next_logits(logits, history).double().exp().sum()) == pytest.approx(1.0, abs=1e-5)
    memory = mixture.song_memory("我们的歌我们的")
    assert float(mixture.next_logits(logits, history, memory).double().exp().sum()) == pytest.approx(1.0, abs=1e-5)
    buckets = tuple((0.5, 0.2) for _ in range(11))
    with_buckets = Mixture(mixture.ngram, 0.3, vocab.size, buckets, product=True)
    mixed = with_buckets.next_logits(logits, history, memory).double().exp()
    assert float(mixed.sum()) == pytest.approx(1.0, abs=1e-5)
    # Weight 1: the product alone, which is softmax(logits + log p_ngram) over the network's ids.
    alone = Mixture(mixture.ngram, 1.0, vocab.size, product=True).next_logits(logits, history).double()
    side = mixture.ngram.dist(history)
    folded = np.concatenate([[side[0] + side[vocab.size :].sum()], side[1 : vocab.size]])
    expected = torch.log_softmax(logits.double() + torch.from_numpy(np.log(folded)), -1)
    assert torch.allclose(alone, expected, atol=1e-5)


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    store = ModelStore(tmp_path_factory.mktemp("product"))
    model = small(ngram=3, combine="product")
    new_model(store, "p", text=TEXT, model=model, train=quick(steps=20, eval_every=10, lr=1e-2))
    train(store, "p")
    return store


def test_a_product_model_records_its_combination_and_scores_as_recorded(product: ModelStore) -> None:
    card = product.card("p")
    assert card.model.combine == "product" and card.mixture is not None and card.mixture.combine == "product"
    lm = load_model(product, "p")
    assert lm.mixture is not None and lm.mixture.product
    train_text, held = split_text(TEXT, held_out=0.1)
    static, song = held_out_product(lm.model, lm.vocab, lm.mixture.ngram, held, train_text)
    ngram = HeldOutNgram.score(lm.mixture, held, context=train_text)
    assert card.state.best_loss == pytest.approx(_loss(lm.mixture.mix(static, ngram.static)), abs=1e-9)
    best = next(p for p in card.history if p.step == card.state.best_step)
    assert best.song_loss == pytest.approx(_loss(lm.mixture.mix_song(song, ngram.song)), abs=1e-9)
    take = "".join(c.char for c in stream_chars(lm, "我", SampleConfig(length=30, seed=1)))
    assert len(take) == 30


def test_an_old_card_reads_as_the_interpolation() -> None:
    data = make_card().to_dict()
    del data["model"]["combine"]
    data["mixture"] = {"order": 5, "weight": 0.4}
    card = ModelCard.from_dict(data)
    assert card.model.combine == "mix" and card.mixture is not None and card.mixture.combine is None
    assert "combine" not in card.mixture.to_dict()  # an interpolated model's card reads the same in older code


def test_the_demo_model_still_scores_as_its_card_says(tmp_path) -> None:
    env = os.environ | {"LYRICS_TUI_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "tui_lyrics", "eval", "demo-zh", "--json"], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    card = json.loads((assets_dir() / "models" / "demo-zh" / "card.json").read_text(encoding="utf-8"))
    assert result["readings"]["combine"] == "mix"
    assert result["loss"] == pytest.approx(card["state"]["best_loss"], abs=1e-5)
    # the song-memory figure the library shows (the best step's) is the one eval reads with the card's song weights
    best = next(h for h in card["history"] if h["step"] == card["state"]["best_step"])
    assert result["readings"]["song_memory"]["model"] == pytest.approx(best["song_loss"], abs=1e-5)


def test_the_larger_presets_complement_the_ngram_and_the_small_ones_interpolate() -> None:
    assert preset("medium").model.combine == preset("large").model.combine == "product"
    assert preset("small").model.combine == preset("tiny").model.combine == "mix"


def test_a_product_without_an_ngram_is_recorded_as_the_network_alone(tmp_path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, "alone", text=TEXT, model=small(ngram=0, combine="product"), train=quick(steps=2))
    assert store.card("alone").model.combine == "mix"
    train(store, "alone")
    assert store.card("alone").mixture is None and load_model(store, "alone").mixture is None
