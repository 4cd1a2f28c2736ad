"""Held-out scoring: against a hand computation, the <unk> share-out, and chunked streams."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from tests.conftest import make_lyrics
from tui_lyrics.config import ModelConfig
from tui_lyrics.core.evaluate import WARM_UP, evaluate, unk_shares
from tui_lyrics.core.model import CharRNN
from tui_lyrics.core.sample import load_model
from tui_lyrics.paths import data_home
from tui_lyrics.store import ModelStore
from tui_lyrics.vocab import CharVocab

TRAIN = "我在风里等你\n夜色慢慢变凉\n你说星光很远\n" * 3 + "雨" + "梦梦"


@pytest.fixture
def vocab() -> CharVocab:
    vocab = CharVocab.build(TRAIN, min_count=2)
    assert vocab.rare == {"雨": 1}
    return vocab


def random_model(vocab: CharVocab, cell: str = "lstm") -> CharRNN:
    torch.manual_seed(3)
    config = ModelConfig(cell=cell, layers=2, hidden=16, embed_dim=8, dropout=0.5)
    model = CharRNN(config, vocab.size)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(3)  # sharper predictions, so mistakes in scoring show
    return model.train()  # evaluate must switch dropout off (and back on)


def by_hand(model: CharRNN, vocab: CharVocab, text: str, context: str) -> float:
    """One pass, full softmax, summed log-probs, plus -log(share) for characters outside the vocabulary."""
    model.eval()
    lead = context[-WARM_UP:] or "\n"
    ids = vocab.encode(lead + text)
    with torch.no_grad():
        logits, _ = model(torch.tensor([ids[:-1]]))
    logp = torch.log_softmax(logits[0].double(), -1)
    total = 0.0
    for i in range(len(lead), len(ids)):
        total -= float(logp[i - 1, ids[i]])
    for char in text:
        if char not in vocab:
            total -= math.log(vocab.unk_share(char))
    model.train()
    return total / len(text)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("context", ["", "夜色慢慢\n我在风", "风里等你\n" * 80])
def test_evaluate_matches_a_hand_computation(vocab: CharVocab, cell: str, context: str) -> None:
    model = random_model(vocab, cell)
    text = "你说星光很远\n雨梦里有你的光\n我在"  # 雨 is rare, 有 and 的 never seen
    assert len(text) < 256 and vocab.unknown(text) == ["雨", "有", "的"]
    got = evaluate(model, vocab, text, context=context, streams=1)
    assert got == pytest.approx(by_hand(model, vocab, text, context), abs=1e-5)
    assert model.training  # put back as it was


def test_context_changes_the_score_and_only_its_last_warm_up_counts(vocab: CharVocab) -> None:
    model = random_model(vocab)
    text = "我在风里等你\n"
    context = "夜色慢慢变凉\n" * 50
    with_context = evaluate(model, vocab, text, context=context, streams=1)
    assert with_context != pytest.approx(evaluate(model, vocab, text, streams=1), abs=1e-4)
    longer = "你说星光很远\n" * 40 + context
    assert evaluate(model, vocab, text, context=longer, streams=1) == pytest.approx(with_context, abs=1e-6)


def penalty(text: str, vocab: CharVocab) -> float:
    return float(-unk_shares(text, vocab).log().sum())


def test_unk_shares_for_rare_and_never_seen_characters(vocab: CharVocab) -> None:
    # rare: 雨 (count 1); singletons: 雨 -> never-seen weight 1; total 2.
    assert vocab.unk_share("雨") == pytest.approx(0.5)
    assert penalty("雨", vocab) == pytest.approx(math.log(2))
    assert penalty("有", vocab) == pytest.approx(math.log(2))
    assert penalty("我在风", vocab) == 0.0
    assert unk_shares("雨有有我", vocab).tolist() == [0.5, 0.5, 0.5, 1.0]

    skewed = CharVocab.build("aaaa" + "bbb" + "cc" + "d" + "e" + "f", min_count=4)  # rare b3 c2 d1 e1 f1
    total = 3 + 2 + 1 + 1 + 1 + 3  # rare counts + three singletons for the never-seen class
    assert penalty("b", skewed) == pytest.approx(-math.log(3 / total))
    assert penalty("d", skewed) == pytest.approx(-math.log(1 / total))
    assert penalty("z", skewed) == pytest.approx(-math.log(3 / total))
    assert penalty("cz", skewed) == pytest.approx(-math.log(2 / total) - math.log(3 / total))


def test_empty_text_is_refused(vocab: CharVocab) -> None:
    with pytest.raises(ValueError, match="nothing to score"):
        evaluate(random_model(vocab), vocab, "")


def test_several_streams_score_close_to_one(tiny_model: str) -> None:
    lm = load_model(ModelStore(data_home()), tiny_model)
    text = make_lyrics(3000, seed=7)
    context = make_lyrics(600, seed=8)
    one = evaluate(lm.model, lm.vocab, text, context=context, streams=1)
    four = evaluate(lm.model, lm.vocab, text, context=context, streams=4)
    assert four == pytest.approx(one, rel=0.01)
    assert evaluate(lm.model, lm.vocab, text, context=context) == pytest.approx(one, abs=1e-6)  # default: 1 stream
    assert one < math.log(lm.vocab.size)  # it learned something


def test_a_text_longer_than_a_chunk_matches_the_hand_computation(vocab: CharVocab) -> None:
    model = random_model(vocab, "gru")
    text = ("夜色慢慢变凉\n你说星光很远\n" * 60)[:1300]  # crosses two CHUNK boundaries
    got = evaluate(model, vocab, text, context="", streams=1)
    assert got == pytest.approx(by_hand(model, vocab, text, ""), abs=1e-5)
    assert F is not None
