"""Sampling: top-k/top-p/temperature honoured, seeds replay, <unk> never emitted, stop and limits."""

from __future__ import annotations

import math
import shutil
import threading
import warnings
from collections import Counter

import numpy as np
import pytest
import torch

from tests.conftest import make_lyrics
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.core.create import create_model
from tui_lyrics.core.model import CharRNN
from tui_lyrics.core.sample import LoadedModel, load_model, preview, resolve_seed, sample_text, stream_chars
from tui_lyrics.corpus import Corpus, CorpusSummary
from tui_lyrics.errors import StoreError
from tui_lyrics.paths import data_home
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.store import ModelStore
from tui_lyrics.vocab import UNK, UNK_ID


@pytest.fixture
def lm(tiny_model: str) -> LoadedModel:
    return load_model(ModelStore(data_home()), tiny_model)


def next_char_logits(lm: LoadedModel, prefix: str, text: str) -> torch.Tensor:
    """Recomputed independently in one full pass: row i holds the logits that chose text[i]
    (the network's, mixed with the model's n-gram given the text before it)."""
    start = prefix or "\n"
    ids = lm.vocab.encode(start + text)
    with torch.no_grad():
        out, _ = lm.model(torch.tensor([ids]))
    logits = out[0, len(ids) - len(text) - 1 : -1].clone()  # (len(text), V)
    if lm.mixture is not None:
        for i in range(len(text)):
            history = lm.mixture.history((start + text)[: len(start) + i])
            logits[i] = lm.mixture.next_logits(logits[i], history)
    logits[:, UNK_ID] = -math.inf
    return logits


def fixed_distribution(probs: list[float]) -> LoadedModel:
    """A model whose next-character distribution is ``probs`` whatever the input."""
    text = "".join(chr(ord("a") + i) * (len(probs) - i) for i in range(len(probs)))  # a most frequent
    from tui_lyrics.vocab import CharVocab

    vocab = CharVocab.build(text)
    model = CharRNN(ModelConfig(layers=1, hidden=8, embed_dim=4, dropout=0.0), vocab.size).eval()
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.tensor([0.0] + [math.log(p) for p in probs]))
    return LoadedModel(name="fixed", model=model, vocab=vocab, card={}, weights="best")


def test_top_k_never_leaves_the_top_k(lm: LoadedModel) -> None:
    k = 3
    prefix = "我在"
    text = sample_text(lm, prefix, SampleConfig(temperature=2.0, top_k=k, length=150, seed=1))
    assert len(text) == 150
    logits = next_char_logits(lm, prefix, text)
    ranks = []
    for i, char in enumerate(text):
        row = logits[i]
        kth = torch.topk(row, k).values[-1]
        assert row[lm.vocab.id_of(char)] >= kth - 1e-4, (i, char)
        ranks.append(int((row > row[lm.vocab.id_of(char)]).sum()))
    assert max(ranks) > 0  # a hot temperature does leave the argmax sometimes


def test_top_k_and_top_p_keep_exactly_the_expected_set() -> None:
    fixed = fixed_distribution([0.4, 0.25, 0.15, 0.1, 0.05, 0.03, 0.02])

    def drawn(**settings: object) -> set[str]:
        return set(sample_text(fixed, "", SampleConfig(temperature=1.0, length=300, seed=0, **settings)))

    assert drawn(top_k=0) == set("abcdefg")
    assert drawn(top_k=3) == set("abc")
    assert drawn(top_k=1) == {"a"}
    assert drawn(top_k=0, top_p=0.6) == set("ab")  # 0.4 < 0.6 <= 0.65: the smallest set reaching p
    assert drawn(top_k=0, top_p=0.7) == set("abc")
    assert drawn(top_k=0, top_p=0.3) == {"a"}
    assert drawn(top_k=2, top_p=0.99) == set("ab")  # top-k first, then top-p within it


def test_top_p_on_a_real_model_stays_in_the_nucleus(lm: LoadedModel) -> None:
    p = 0.8
    text = sample_text(lm, "", SampleConfig(temperature=1.0, top_k=0, top_p=p, length=120, seed=3))
    logits = next_char_logits(lm, "", text)
    for i, char in enumerate(text):
        q = torch.softmax(logits[i], -1)
        probs = torch.sort(q, descending=True).values
        keep = int((torch.cumsum(probs, -1) < p - 1e-4).sum()) + 2  # + one for float slack at the edge
        # as likely as the least likely member of the nucleus (ties may fall either side of the edge)
        assert q[lm.vocab.id_of(char)] >= probs[keep - 1] - 1e-6, (i, char)


def test_temperature_zero_is_greedy(lm: LoadedModel) -> None:
    text = sample_text(lm, "夜色", SampleConfig(temperature=0, top_k=0, length=80, seed=1))
    assert text == sample_text(lm, "夜色", SampleConfig(temperature=0, top_k=5, length=80, seed=99))
    logits = next_char_logits(lm, "夜色", text)
    assert [lm.vocab.chars[i - 1] for i in logits.argmax(-1).tolist()] == list(text)


def test_same_seed_same_text_other_seed_other_text(lm: LoadedModel) -> None:
    config = SampleConfig(temperature=1.0, top_k=0, length=100, seed=7)
    first = sample_text(lm, "", config)
    assert sample_text(lm, "", config) == first
    assert sample_text(lm, "", config.replace(seed=8)) != first
    assert isinstance(resolve_seed(None), int) and resolve_seed(5) == 5


def test_unk_is_never_emitted_even_when_most_likely(lm: LoadedModel) -> None:
    with torch.no_grad():
        lm.model.head.bias[UNK_ID] += 1000.0
        out, _ = lm.model(torch.tensor([lm.vocab.encode("\n我在")]))
    assert int(out[0, -1].argmax()) == UNK_ID  # the model would say <unk>...
    for config in (
        SampleConfig(temperature=0, length=40, seed=0),
        SampleConfig(temperature=1.0, top_k=0, length=40, seed=0),
        SampleConfig(temperature=1.0, top_k=1, length=40, seed=0),
        SampleConfig(temperature=1.0, top_k=0, top_p=0.5, length=40, seed=0, alternatives=lm.vocab.size),
    ):
        chars = list(stream_chars(lm, "我在", config))
        assert len(chars) == 40
        for c in chars:  # ... but the sampler never does
            assert c.char != UNK and c.char in lm.vocab
            assert all(alt != UNK for alt, _ in c.alternatives)
            assert math.isfinite(c.prob) and c.prob > 0


def test_a_prefix_with_unknown_characters_still_generates(lm: LoadedModel) -> None:
    prefix = "我在龘𠀀☃风"
    assert lm.vocab.unknown(prefix) == ["龘", "𠀀", "☃"]
    text = sample_text(lm, prefix, SampleConfig(length=30, seed=0))
    assert len(text) == 30 and all(c in lm.vocab for c in text)


def test_lines_stops_after_two_completed_non_empty_lines(lm: LoadedModel) -> None:
    for seed in range(3):
        text = sample_text(lm, "", SampleConfig(temperature=1.0, top_k=0, lines=2, length=2000, seed=seed))
        assert text.endswith("\n") and len(text) < 2000
        assert len([line for line in text.split("\n") if line]) == 2
    # A prefix without a newline is a line in progress: its newline completes line one.
    text = sample_text(lm, "我在", SampleConfig(temperature=0.8, lines=1, length=2000, seed=0))
    assert text.endswith("\n") and text.count("\n") == 1


def test_length_is_respected(lm: LoadedModel) -> None:
    assert len(list(stream_chars(lm, "", SampleConfig(length=37, seed=0)))) == 37
    assert len(sample_text(lm, "我", SampleConfig(length=1, seed=0))) == 1


def test_alternatives_are_sorted_and_contain_the_sampled_char(lm: LoadedModel) -> None:
    config = SampleConfig(temperature=1.0, top_k=3, alternatives=5, length=60, seed=2)
    for c in stream_chars(lm, "", config):
        probs = [p for _, p in c.alternatives]
        assert len(c.alternatives) == 5
        assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
        assert c.char in dict(c.alternatives)
        assert dict(c.alternatives)[c.char] == pytest.approx(c.prob)
    none = next(stream_chars(lm, "", config.replace(alternatives=0)))
    assert none.alternatives == ()


def test_the_model_probability_is_at_temperature_one() -> None:
    fixed = fixed_distribution([0.5, 0.3, 0.2])
    for c in stream_chars(fixed, "", SampleConfig(temperature=0.3, top_k=0, length=20, seed=0)):
        assert c.prob == pytest.approx({"a": 0.5, "b": 0.3, "c": 0.2}[c.char], rel=1e-5)


def test_low_temperature_sharpens_the_draw() -> None:
    fixed = fixed_distribution([0.5, 0.3, 0.2])
    cold = Counter(sample_text(fixed, "", SampleConfig(temperature=0.2, top_k=0, length=400, seed=0)))
    warm = Counter(sample_text(fixed, "", SampleConfig(temperature=1.0, top_k=0, length=400, seed=0)))
    assert cold["a"] > warm["a"] and cold["a"] > 350


def test_the_stop_event_stops_the_stream(lm: LoadedModel) -> None:
    stop = threading.Event()
    got = []
    for c in stream_chars(lm, "", SampleConfig(length=500, seed=0), stop=stop):
        got.append(c)
        if len(got) == 5:
            stop.set()
    assert len(got) == 5
    already = threading.Event()
    already.set()
    assert list(stream_chars(lm, "", SampleConfig(length=500, seed=0), stop=already)) == []


def test_load_model_picks_best_then_last_and_refuses_an_untrained_one(lm: LoadedModel, home) -> None:
    store = ModelStore(data_home())
    assert lm.weights == "best" and not lm.model.training
    assert load_model(store, "tiny", which="last").weights == "last"
    # A folder of the old layout with no best weights samples from its last ones.
    found = store.folder("tiny").checkpoint()
    legacy = store.create("legacy")
    store.write_card("legacy", found.card.replace(name="legacy"))
    shutil.copy(found.last, legacy / "last.safetensors")
    shutil.copy(store.path("tiny") / "corpus.txt.gz", legacy / "corpus.txt.gz")
    assert load_model(store, "legacy").weights == "last"

    text = make_lyrics(1200)
    summary = CorpusSummary(
        name="s.txt", path="/s.txt", encoding="utf-8", files=1, chars=len(text), lines=text.count("\n"),
        distinct=len(set(text)), sha256="0" * 64,
    )  # fmt: skip
    create_model(store, Corpus(text, summary), name="fresh", model=ModelConfig(hidden=16), train=TrainConfig(steps=1))
    with pytest.raises(StoreError, match="'fresh' has no weights yet"):
        load_model(store, "fresh")


def test_preview_is_one_line_and_keeps_the_training_mode(lm: LoadedModel) -> None:
    lm.model.train()
    line = preview(lm.model, lm.vocab, seed=4)
    assert "\n" not in line and len(line) <= 60
    assert preview(lm.model, lm.vocab, seed=4) == line
    assert lm.model.training


def test_the_consumer_is_not_left_in_inference_mode_between_characters(lm: LoadedModel) -> None:
    stream = stream_chars(lm, "我在", SampleConfig(length=5, seed=0))
    next(stream)
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    assert torch.backends.mkldnn.enabled  # the global oneDNN switch is not held off while suspended
    assert len(list(stream)) == 4


def test_sampling_emits_no_warnings(lm: LoadedModel) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sample_text(lm, "我在", SampleConfig(length=10, seed=0))


def test_a_quote_limit_without_a_corpus_copy_is_plain_sampling() -> None:
    lm = fixed_distribution([0.5, 0.3, 0.2])  # no folder and no index: nothing to check quotes against
    assert lm.quote_corpus() is None
    config = SampleConfig(length=60, seed=4, alternatives=0)
    quoted = list(stream_chars(lm, "", config.replace(quote_limit=2)))
    assert "".join(c.char for c in quoted) == sample_text(lm, "", config)
    assert all(c.controls == () for c in quoted)


def test_the_one_sample_draw_is_torch_multinomials_draw_for_draw() -> None:
    from tui_lyrics.core.draw import _multinomial_one

    ours, theirs = torch.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    shapes = torch.Generator().manual_seed(5)
    for i in range(3000):
        probs = torch.softmax(3 * torch.randn(1 + i % 9, generator=shapes), -1)
        assert _multinomial_one(probs.numpy(), ours) == int(torch.multinomial(probs, 1, generator=theirs))
    with pytest.raises(RuntimeError):
        _multinomial_one(np.array([math.nan, 0.5]), ours)


def test_the_batched_exponentials_are_the_generators_stream_call_by_call() -> None:
    """The draw takes Exp(1) variables in batches (``Exponentials``): torch must fill a tensor one variable per
    entry from the stream, so a batch equals the calls it replaces, sizes above the batch included."""
    from tui_lyrics.core.draw import Exponentials

    sizes = [1, 5, 5, 40, 2, 3000, 7, 1024, 5, 1]
    batched = Exponentials(torch.Generator().manual_seed(7))
    plain = torch.Generator().manual_seed(7)
    for n in sizes * 3:
        expected = torch.empty(n, dtype=torch.float32).exponential_(1, generator=plain).numpy()
        assert np.array_equal(batched.take(n), expected)


def test_the_fast_path_draws_what_the_plain_pipeline_draws(lm: LoadedModel) -> None:
    """What makes a step fast (one thread, carried state, the draw, song memory's one-pass sums) keeps the
    take: the same characters, and the same probabilities to 1e-6, as the plain pipeline recomputed here
    for every character (a full forward pass, a fresh song memory, the controls, torch.multinomial)."""
    from tui_lyrics.core.constraints import LyricControls
    from tui_lyrics.sample_defaults import RECOMMENDED_CONTROLS

    assert lm.mixture is not None and lm.quote_corpus() is not None
    prefix = "我在"
    config = SampleConfig(length=150, seed=4, quote_limit=4, **RECOMMENDED_CONTROLS)
    fast = list(stream_chars(lm, prefix, config))
    g = torch.Generator().manual_seed(4)
    controls = LyricControls(lm.vocab, config, prefix, corpus=lm.quote_corpus())
    text, acted = prefix, Counter[str]()
    for sampled in fast:
        with torch.no_grad():
            logits = lm.model(torch.tensor([lm.vocab.encode(text)]))[0][0, -1]
        memory = lm.mixture.song_memory(text)
        logits = lm.mixture.next_logits(logits, lm.mixture.history(text), memory).clone()
        logits[UNK_ID] = -math.inf
        own = torch.softmax(logits, -1)
        work, used = controls.adjust(logits.numpy())  # no line shape: the sampler's lookahead never acts
        work = torch.from_numpy(work)
        top, ids = torch.topk(work / config.temperature, config.top_k)
        index = int(ids[torch.multinomial(torch.softmax(top, -1), 1, generator=g)])
        assert (sampled.char, sampled.controls) == (lm.vocab.chars[index - 1], used), len(text)
        assert sampled.prob == pytest.approx(float(own[index]), abs=1e-6)
        acted.update(used)
        controls.advance(sampled.char)
        text += sampled.char
    assert acted["quote"] and acted["penalty"]  # the take did exercise the controls


def test_samplers_at_once_leave_threads_and_onednn_as_they_found_them() -> None:
    """Two samplers in two threads (Write's candidates beside a Compose take), the first leaving while the second
    steps: each thread gets its own thread count back, and the process-wide oneDNN flag stays off until the last
    one leaves, then is what the first found (a training thread in the same process uses both)."""
    import threading

    import torch

    from tui_lyrics.core.sample import _fast_single_steps

    before, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    entered, leave = threading.Event(), threading.Event()
    other_after: list[int] = []

    def first_sampler() -> None:
        torch.set_num_threads(2)
        with _fast_single_steps(True):
            entered.set()
            leave.wait(30)
        other_after.append(torch.get_num_threads())

    torch.set_num_threads(2)
    first = threading.Thread(target=first_sampler)
    try:
        first.start()
        assert entered.wait(30)
        with _fast_single_steps(True):
            assert torch.get_num_threads() == 1 and not torch.backends.mkldnn.enabled
            leave.set()
            first.join(30)
            assert not torch.backends.mkldnn.enabled  # the first left; this one still steps
        assert other_after == [2] and torch.get_num_threads() == 2
        assert torch.backends.mkldnn.enabled == onednn and not torch.is_inference_mode_enabled()
    finally:
        leave.set()
        torch.set_num_threads(before)
