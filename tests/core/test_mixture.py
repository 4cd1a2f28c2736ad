"""The network mixed with a Kneser-Ney n-gram: scoring, the chosen weight, sampling and the card."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

from tests.conftest import make_lyrics
from tests.core.test_train import new_model, quick, small
from tui_lyrics.core.evaluate import char_probs
from tui_lyrics.core.mixture import BUCKETS, Mixture
from tui_lyrics.core.mixture_reading import WEIGHTS, HeldOutNgram, best_weight
from tui_lyrics.core.sample import load_model, sample_text
from tui_lyrics.core.train import train
from tui_lyrics.corpus import split_text
from tui_lyrics.errors import StoreError
from tui_lyrics.ngram import KneserNey, choose_order
from tui_lyrics.ngram_file import NGRAM_FILE, load_ngram
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.store import ModelStore
from tui_lyrics.vocab import UNK_ID, CharVocab

TEXT = make_lyrics(3000, seed=4) + "冰霜" + make_lyrics(600, seed=5)  # 冰霜: rare, trained as <unk>


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    store = ModelStore(tmp_path_factory.mktemp("mixed"))
    new_model(store, "m", text=TEXT, model=small(ngram=3), train=quick(steps=30, eval_every=10, lr=1e-2))
    train(store, "m")
    return store


def test_the_held_out_score_is_the_mixture_at_the_recorded_weight(mixed: ModelStore) -> None:
    card = mixed.card("m")
    assert card.mixture is not None
    weight = card.mixture.weight
    assert card.mixture.order == 3 and weight in WEIGHTS
    lm = load_model(mixed, "m")
    train_text, held = split_text(TEXT, held_out=0.1)
    network = char_probs(lm.model, lm.vocab, held, context=train_text).numpy()
    kn = KneserNey.fit(train_text, order=3)  # fitted apart, with its own event order
    ngram = kn.probs_of(kn.encode(train_text[-2:] + held), start=2)
    by_hand = float(-np.log(weight * network + (1 - weight) * ngram).mean())
    assert card.state.best_loss == pytest.approx(by_hand, abs=1e-9)
    for point in card.history:  # the chosen weight never does worse than the network alone
        assert point.network_loss is not None and point.held_loss <= point.network_loss + 1e-12


def test_the_best_weight_is_the_grid_minimum() -> None:
    network = np.array([0.5, 0.01, 0.2])
    ngram = np.array([0.1, 0.3, 0.2])
    weight, loss = best_weight(network, ngram)
    losses = {w: -np.log(w * network + (1 - w) * ngram).mean() for w in WEIGHTS}
    assert loss == pytest.approx(min(losses.values())) and losses[weight] == pytest.approx(loss)
    assert 0 < weight < 1  # neither alone is best here


def test_next_logits_fold_the_ngrams_rare_characters_into_unk() -> None:
    train_text = make_lyrics(2000, seed=6) + "冰霜雪"
    vocab = CharVocab.build(train_text, min_count=2)
    assert set(vocab.rare) == {"冰", "霜", "雪"}
    mixture = Mixture.fit(train_text, vocab, order=4, weight=0.3)
    logits = torch.randn(vocab.size, generator=torch.Generator().manual_seed(0))
    history = mixture.history("我在风里")
    mixed = mixture.next_logits(logits, history).double().exp()
    ngram = mixture.ngram.dist(history)
    net = torch.softmax(logits.double(), -1).numpy()
    assert float(mixed.sum()) == pytest.approx(1.0, abs=1e-6)
    own = vocab.id_of("等")
    assert float(mixed[own]) == pytest.approx(0.3 * net[own] + 0.7 * ngram[own], rel=1e-5)
    folded = ngram[UNK_ID] + ngram[vocab.size :].sum()  # never-seen + the three rare characters
    assert float(mixed[UNK_ID]) == pytest.approx(0.3 * net[UNK_ID] + 0.7 * folded, rel=1e-5)


def test_sampling_uses_the_mixture_and_replays(mixed: ModelStore) -> None:
    lm = load_model(mixed, "m")
    assert lm.mixture is not None
    config = SampleConfig(length=60, seed=7, top_k=5)
    take = sample_text(lm, "我在", config)
    assert take == sample_text(load_model(mixed, "m"), "我在", config)
    alone = load_model(mixed, "m")
    alone.mixture = None
    assert take != sample_text(alone, "我在", config)  # the n-gram changes what is written


def test_a_corrupt_mixture_in_the_card_is_a_clear_error(mixed: ModelStore) -> None:
    sets = mixed.folder("m").sets()  # a load reads the checkpoint's card, and falls back to an older set
    cards = [json.loads((s / "card.json").read_text(encoding="utf-8")) for s in sets]
    bad_ones = (({"order": "x", "weight": 0.5}, "mixture.order must be an int"), ({"order": 5, "weight": 2}, "range"))
    for bad, message in bad_ones:
        for path, card in zip(sets, cards, strict=True):
            (path / "card.json").write_text(json.dumps({**card, "mixture": bad}), encoding="utf-8")
        with pytest.raises(StoreError, match=message):
            load_model(mixed, "m")
    for path, card in zip(sets, cards, strict=True):
        (path / "card.json").write_text(json.dumps(card), encoding="utf-8")


def test_order_zero_trains_the_network_alone(tmp_path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, "plain", text=TEXT, model=small(ngram=0), train=quick(steps=4, eval_every=2))
    train(store, "plain")
    card = store.card("plain")
    assert card.mixture is None and card.history[-1].network_loss is None
    assert load_model(store, "plain").mixture is None


def test_both_readings_are_recorded_and_the_song_weights_reproduce_the_song_figure(mixed: ModelStore) -> None:
    card = mixed.card("m")
    best = next(p for p in card.history if p.step == card.state.best_step)
    assert best.held_loss == pytest.approx(card.state.best_loss)
    assert card.mixture is not None and card.mixture.song_weights is not None
    song_weights = card.mixture.song_weights
    assert len(song_weights) == BUCKETS and all(a in WEIGHTS and c in WEIGHTS and a + c <= 1 for a, c in song_weights)
    lm = load_model(mixed, "m")
    assert lm.mixture is not None and lm.mixture.song_weights == tuple(tuple(pair) for pair in song_weights)
    train_text, held = split_text(TEXT, held_out=0.1)
    network = char_probs(lm.model, lm.vocab, held, context=train_text).numpy()
    ngram = HeldOutNgram.score(lm.mixture, held, context=train_text)
    song = float(-np.log(lm.mixture.mix_song(network, ngram.song)).mean())
    assert best.song_loss == pytest.approx(song, abs=1e-9)
    assert best.song_loss < best.held_loss  # the held-out text repeats its phrases


def test_the_stored_ngram_gives_exactly_the_refitted_probabilities(mixed: ModelStore) -> None:
    folder = mixed.path("m")
    assert (folder / NGRAM_FILE).is_file()  # written when training started
    lm = load_model(mixed, "m")
    train_text, held = split_text(TEXT, held_out=0.1)
    refit = Mixture.fit(train_text, lm.vocab, order=3)
    assert lm.mixture is not None
    assert np.array_equal(lm.mixture.ngram_probs(held, context=train_text), refit.ngram_probs(held, context=train_text))
    assert np.array_equal(lm.mixture.ngram.dist([1, 2]), refit.ngram.dist([1, 2]))


def test_a_stale_or_damaged_stored_ngram_is_refitted(mixed: ModelStore) -> None:
    folder = mixed.path("m")
    good = (folder / NGRAM_FILE).read_bytes()
    vocab = load_model(mixed, "m").vocab
    events = list(vocab.chars) + list(vocab.rare)
    assert load_ngram(folder, order=3, held_out=0.1, events=events) is not None
    assert load_ngram(folder, order=4, held_out=0.1, events=events) is None  # another order
    assert load_ngram(folder, order=3, held_out=0.2, events=events) is None  # another split
    (folder / NGRAM_FILE).write_bytes(good[:100])
    assert load_ngram(folder, order=3, held_out=0.1, events=events) is None
    assert load_model(mixed, "m").mixture is not None  # refitted ...
    assert load_ngram(folder, order=3, held_out=0.1, events=events) is not None  # ... and stored again


def test_the_order_is_chosen_higher_on_text_that_needs_it() -> None:
    rng = random.Random(0)
    words = ["".join(rng.choices("abcdefgh", k=8)) for _ in range(40)]  # long units over a small alphabet
    needs_context = "".join(rng.choice(words) for _ in range(2500))
    noise = "".join(rng.choices("abcdefgh", k=20000))  # no structure beyond single characters
    high, scores = choose_order(needs_context)
    low, _ = choose_order(noise)
    assert set(scores) == set(range(3, 10))
    assert high >= 6 and low == 3


def test_auto_order_is_chosen_on_the_training_text_and_recorded(tmp_path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, "auto", text=TEXT, model=small(ngram=-1), train=quick(steps=4, eval_every=2))
    train(store, "auto")
    card = store.card("auto")
    train_text, _ = split_text(TEXT, held_out=0.1)
    order, scores = choose_order(train_text, events=list(load_model(store, "auto").vocab.chars))
    assert card.mixture is not None and card.mixture.order == order and card.mixture.order_scores is not None
    assert {int(k) for k in card.mixture.order_scores} == set(scores)


def test_composing_with_song_memory_brings_a_chorus_back(mixed: ModelStore) -> None:
    lm = load_model(mixed, "m")
    chorus = "雨光歌街夜\n浪梦心走\n"  # the corpus's characters, never next to each other there
    prefix = chorus + "我在风里等你\n" + chorus[:3]
    returns = {}
    for memory in (True, False):
        takes = [
            sample_text(lm, prefix, SampleConfig(length=12, seed=s, top_k=5, song_memory=memory)) for s in range(8)
        ]
        returns[memory] = sum(take.startswith(chorus[3:8]) for take in takes)
    assert returns[True] >= 4 and returns[False] == 0, returns


def test_next_log_probs_sum_to_one_and_ask_for_the_logits_only_where_the_network_has_a_share() -> None:
    """Sampling's numpy mixture: a proper distribution in every match bucket, and the network's logits (the
    numpy step's head product) computed only where its share is not 0, which adds exactly nothing."""
    train_text = make_lyrics(2000, seed=6)
    vocab = CharVocab.build(train_text)
    shares = tuple((0.0, 1.0) if b % 2 else (0.3, 0.2) for b in range(BUCKETS))
    mixture = Mixture.fit(train_text, vocab, order=4, weight=0.3).with_weight(0.3, shares)
    logits = np.random.default_rng(0).normal(size=vocab.size).astype(np.float32)
    song = "我在风里等你\n" * 3
    asked = []

    def network() -> np.ndarray:
        asked.append(True)
        return logits

    for end in range(1, len(song)):
        memory = mixture.song_memory(song[:end])
        asked.clear()
        mixed = mixture.next_log_probs(network, mixture.history(song[:end]), memory)
        assert mixed.dtype == np.float32 and float(np.exp(mixed.astype(np.float64)).sum()) == pytest.approx(1, abs=1e-5)
        w = shares[memory.bucket()][0]
        assert bool(asked) == (w > 0)
        full = mixture.next_logits(torch.from_numpy(logits), mixture.history(song[:end]), memory)
        assert np.array_equal(mixed, full.numpy())  # the torch wrapper: the same numbers
