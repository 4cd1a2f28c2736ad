"""Training: batches, learning, exact resume, stop, pause, divergence and the event stream."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import torch

from tests.conftest import make_lyrics
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.core.batches import RandomBatches, StreamBatches, fit_shape, make_batches
from tui_lyrics.core.checkpoint import load_tensors
from tui_lyrics.core.control import TrainControl
from tui_lyrics.core.create import create_model
from tui_lyrics.core.sample import load_model
from tui_lyrics.core.train import train
from tui_lyrics.corpus import Corpus, CorpusSummary, split_text
from tui_lyrics.errors import LyricsError
from tui_lyrics.folder import BEST, LAST, STATE
from tui_lyrics.metrics import read_metrics
from tui_lyrics.progress import (
    Callback,
    HeldOutScored,
    TrainEvent,
    TrainingFinished,
    TrainingProgressed,
    TrainingStarted,
)
from tui_lyrics.store import ModelStore, is_live

WAIT = 60.0  # generous bound for thread hand-offs; never a timing assertion


def new_model(store: ModelStore, name: str = "m", *, text: str, model: ModelConfig, train: TrainConfig) -> str:
    summary = CorpusSummary(
        name="songs.txt", path="/songs.txt", encoding="utf-8", files=1, chars=len(text),
        lines=text.count("\n"), distinct=len(set(text)), sha256=hashlib.sha256(text.encode()).hexdigest(),
    )  # fmt: skip
    return create_model(store, Corpus(text, summary), name=name, model=model, train=train)


def small(cell: str = "gru", **changes: object) -> ModelConfig:
    return ModelConfig(cell=cell, layers=2, hidden=16, embed_dim=8, dropout=0.3).replace(**changes)


def quick(**changes: object) -> TrainConfig:
    return TrainConfig(batch=4, seq=16, warmup=3, eval_every=1).replace(**changes)


def unigram_entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log(c / n) for c in counts.values())


# -- batches ----------------------------------------------------------------------------------
def test_stream_windows_are_contiguous_within_an_epoch() -> None:
    ids = torch.arange(5000)
    batches = StreamBatches(ids, batch=4, seq=10, seed=1)
    assert (batches.batch, batches.seq) == (4, 10)
    per_epoch = batches.steps_per_epoch
    assert per_epoch > 3
    for epoch in range(2):
        prev = None
        for window in range(per_epoch):
            x, y, reset = batches.get(epoch * per_epoch + window)
            assert x.shape == y.shape == (4, 10)
            assert torch.equal(y[:, :-1], x[:, 1:])  # targets are the inputs shifted by one
            assert torch.equal(y[:, -1], x[:, -1] + 1)  # ... continuing the text (ids are positions)
            assert torch.equal(x[:, 1:] - x[:, :-1], torch.ones(4, 9, dtype=torch.long))
            assert reset == (window == 0)
            if prev is not None:
                assert torch.equal(x[:, 0], prev[:, -1] + 1)  # stream b picks up where it stopped
            prev = x
        # Streams do not overlap.
        first = batches.get(epoch * per_epoch)[0][:, 0]
        assert torch.all(first[1:] - first[:-1] >= per_epoch * 10)


def test_stream_epochs_start_at_a_seeded_offset_and_stay_in_range() -> None:
    ids = torch.arange(3000)
    batches = StreamBatches(ids, batch=8, seq=16, seed=5)
    offsets = {batches.epoch_offset(e) for e in range(20)}
    assert len(offsets) > 1 and all(0 <= o < 16 for o in offsets)
    again = StreamBatches(ids, batch=8, seq=16, seed=5)
    for step in (0, 7, batches.steps_per_epoch * 3 + 2):
        x, y, _ = batches.get(step)
        x2, y2, _ = again.get(step)
        assert torch.equal(x, x2) and torch.equal(y, y2)
        assert int(y.max()) < len(ids)


def test_fit_shape_shrinks_for_small_texts() -> None:
    assert fit_shape(1_000_000, 32, 128) == (32, 128)
    batch, seq = fit_shape(3000, 32, 128)
    assert batch < 32 and 3000 // batch >= 3 * seq
    batch, seq = fit_shape(200, 32, 128)
    assert batch == 1 and seq < 128 and 3 * seq <= 200
    batches = StreamBatches(torch.arange(3000), batch=32, seq=128, seed=0)
    assert (batches.batch, batches.seq) == fit_shape(3000, 32, 128)
    assert batches.steps_per_epoch >= 2


def test_random_batches_are_a_function_of_seed_and_step() -> None:
    ids = torch.arange(2000)
    a = RandomBatches(ids, batch=6, seq=12, seed=3)
    b = RandomBatches(ids, batch=6, seq=12, seed=3)
    other = RandomBatches(ids, batch=6, seq=12, seed=4)
    for step in (0, 1, 50):
        x, y, reset = a.get(step)
        assert reset
        assert torch.equal(x, b.get(step)[0]) and torch.equal(y, b.get(step)[1])
        assert torch.equal(y[:, :-1], x[:, 1:]) and torch.equal(y[:, -1], x[:, -1] + 1)
        assert not torch.equal(x, other.get(step)[0])
    assert not torch.equal(a.get(0)[0], a.get(1)[0])
    assert isinstance(make_batches(ids, kind="random", batch=2, seq=4, seed=0), RandomBatches)
    assert isinstance(make_batches(ids, kind="stream", batch=2, seq=4, seed=0), StreamBatches)


# -- learning and the event stream (one run, several checks) -------------------------------------
@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModelStore, str, list[TrainEvent], TrainingFinished]:
    store = ModelStore(tmp_path_factory.mktemp("learned"))
    text = make_lyrics(4000, seed=1)
    name = new_model(
        store,
        text=text,
        model=ModelConfig(cell="gru", layers=1, hidden=64, embed_dim=16, dropout=0.0),
        train=TrainConfig(steps=100, batch=16, seq=16, lr=1e-2, warmup=10, eval_every=25),
    )
    events: list[TrainEvent] = []
    result = train(store, name, callback=events.append)
    return store, text, events, result


def test_a_tiny_model_beats_the_unigram_entropy(learned: tuple) -> None:
    store, text, _, result = learned
    train_text, _ = split_text(text, held_out=0.1)
    assert result.reason == "budget" and result.step == 100
    assert result.best_loss is not None
    assert result.best_loss < unigram_entropy(train_text) - 1.0  # ~0.6 against ~3.3 nats
    card = store.card("m")
    assert card.state.finished is True and card.state.best_loss == result.best_loss


def test_the_event_stream_is_ordered_and_marks_each_best(learned: tuple) -> None:
    store, _, events, result = learned
    assert isinstance(events[0], TrainingStarted)
    assert events[0].start_step == 0 and events[0].total_steps == 100 and events[0].name == "m"
    assert events[0].params == store.card("m").params
    assert events[-1] == result and isinstance(result, TrainingFinished)
    assert sum(isinstance(e, (TrainingStarted, TrainingFinished)) for e in events) == 2
    scored = [e for e in events if isinstance(e, HeldOutScored)]
    assert [e.step for e in scored] == [25, 50, 75, 100]
    lowest = math.inf
    for event in scored:
        assert event.best == (event.held_loss < lowest)
        lowest = min(lowest, event.held_loss)
    assert result.best_loss == lowest
    progressed = [e for e in events if isinstance(e, TrainingProgressed)]
    assert [e.step for e in progressed] == sorted(e.step for e in progressed)
    assert all(0 <= e.fraction <= 1 and math.isfinite(e.train_loss) for e in progressed)
    held = [row for row in read_metrics(store.path("m")) if row.get("kind") == "held"]
    assert [row["step"] for row in held] == [25, 50, 75, 100]
    found = store.folder("m").checkpoint()  # one committed set holds the step's files
    assert found.note == "" and found.card.state.step == 100
    assert {p.name for p in found.last.parent.iterdir()} == {BEST, LAST, STATE, "card.json"}
    assert store.card("m") == found.card and store.folder("m").read_card() == found.card


# -- stop and exact resume -------------------------------------------------------------------
def stop_at(control: TrainControl, step: int) -> Callback:
    def callback(event: TrainEvent) -> None:
        if isinstance(event, HeldOutScored) and event.step == step:
            control.stop.set()

    return callback


@pytest.mark.parametrize(("cell", "dropout"), [("gru", 0.3), ("lstm", 0.2)])
def test_a_stopped_run_resumes_exactly(tmp_path: Path, cell: str, dropout: float) -> None:
    # A text small enough that the 2N steps cross epochs (state resets, new offsets) and
    # the stop falls mid-epoch (the carried hidden state matters).
    text = make_lyrics(400, seed=2)
    n = 6
    config, budget = small(cell, dropout=dropout), quick(steps=2 * n, patience=0)

    straight = ModelStore(tmp_path / "a")
    new_model(straight, text=text, model=config, train=budget)
    assert train(straight, "m").step == 2 * n

    store = ModelStore(tmp_path / "b")
    new_model(store, text=text, model=config, train=budget)
    control = TrainControl()
    stopped = train(store, "m", callback=stop_at(control, n), control=control)
    assert (stopped.reason, stopped.step) == ("stopped", n)
    card = store.card("m")
    assert card.state.step == n and card.state.finished is False
    assert not is_live(store.path("m"))
    assert load_model(store, "m", which="last").weights == "last"  # a loadable checkpoint

    events: list[TrainEvent] = []
    resumed = train(store, "m", callback=events.append)
    assert (resumed.reason, resumed.step) == ("budget", 2 * n)
    assert isinstance(events[0], TrainingStarted) and events[0].start_step == n
    assert store.card("m").state.finished is True

    for file in ("last", "state"):
        expected = load_tensors(getattr(straight.folder("m").checkpoint(), file))
        got = load_tensors(getattr(store.folder("m").checkpoint(), file))
        assert expected.keys() == got.keys()
        for key in expected:
            assert torch.equal(got[key], expected[key]), f"{file}: {key}"
    assert resumed.best_loss == straight.card("m").state.best_loss


def test_a_finished_model_trains_more_with_a_new_budget(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, text=make_lyrics(400), model=small(), train=quick(steps=2, eval_every=5))
    assert train(store, "m").step == 2
    assert train(store, "m").step == 2  # budget spent: nothing to do
    more = train(store, "m", train_config=quick(steps=4, eval_every=5))
    assert (more.reason, more.step) == ("budget", 4)
    card = store.card("m")
    assert card.train.steps == 4 and card.state.finished is True


def test_training_more_with_another_batch_size_does_not_crash(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, text=make_lyrics(2000), model=small(), train=quick(steps=3, eval_every=5))
    assert train(store, "m").step == 3  # mid-epoch: a hidden state is carried
    more = train(store, "m", train_config=quick(steps=6, batch=2, eval_every=5))
    assert (more.reason, more.step) == ("budget", 6)


def test_an_epoch_budget_counts_epochs(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    text = make_lyrics(400)
    new_model(store, text=text, model=small(), train=quick(epochs=2.0, eval_every=100))
    events: list[TrainEvent] = []
    result = train(store, "m", callback=events.append)
    train_text, _ = split_text(text, held_out=0.1)
    per_epoch = StreamBatches(torch.zeros(len(train_text)), batch=4, seq=16, seed=0).steps_per_epoch
    assert events[0].total_steps == 2 * per_epoch
    assert (result.reason, result.step) == ("budget", 2 * per_epoch)


def test_training_without_a_budget_is_refused_and_releases_the_lock(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, text=make_lyrics(400), model=small(), train=TrainConfig())
    with pytest.raises(LyricsError, match="no training budget"):
        train(store, "m")
    assert not is_live(store.path("m"))


# -- divergence ---------------------------------------------------------------------------
def test_a_non_finite_loss_ends_with_an_error_and_keeps_the_last_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = make_lyrics(400)
    good = ModelStore(tmp_path / "good")  # the same run, stopped after the step-3 checkpoint
    new_model(good, text=text, model=small(), train=quick(steps=20, eval_every=3))
    control = TrainControl()
    assert train(good, "m", callback=stop_at(control, 3), control=control).step == 3

    store = ModelStore(tmp_path / "bad")
    new_model(store, text=text, model=small(), train=quick(steps=20, eval_every=3))
    real = torch.nn.functional.cross_entropy
    calls = 0

    def poisoned(*args: object, **kwargs: object) -> torch.Tensor:
        nonlocal calls
        loss = real(*args, **kwargs)
        if kwargs.get("reduction", "mean") == "mean":  # the training loss, not held-out scoring
            calls += 1
            if calls == 5:
                return loss * float("nan")
        return loss

    monkeypatch.setattr(torch.nn.functional, "cross_entropy", poisoned)
    events: list[TrainEvent] = []
    result = train(store, "m", callback=events.append)
    monkeypatch.undo()

    assert result.reason == "error" and events[-1] == result
    assert "diverged" in result.message and "nan" in result.message
    assert "step 5" in result.message and "step 3" in result.message
    assert "\n" not in result.message
    assert result.step == 4
    card = store.card("m")
    assert card.state.step == 3 and card.state.finished is False
    assert not is_live(store.path("m"))
    # The checkpoint on disk is the good one from step 3, bit for bit.
    expected = load_tensors(good.folder("m").checkpoint().last)
    got = load_tensors(store.folder("m").checkpoint().last)
    assert all(torch.equal(got[k], expected[k]) for k in expected)
    assert all(torch.isfinite(v).all() for v in got.values())
    # ... and training can carry on from it.
    assert train(store, "m").reason == "budget"


# -- pause -------------------------------------------------------------------------------
def test_a_paused_run_takes_no_steps_and_can_be_stopped(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    new_model(store, text=make_lyrics(400), model=small(), train=quick(steps=10_000))
    control = TrainControl()
    paused = threading.Event()

    def callback(event: TrainEvent) -> None:
        if isinstance(event, HeldOutScored) and event.step == 2:
            control.pause.set()
            paused.set()

    results: list[TrainingFinished] = []
    worker = threading.Thread(target=lambda: results.append(train(store, "m", callback=callback, control=control)))
    worker.start()
    try:
        assert paused.wait(WAIT)
        time.sleep(0.3)  # a moment in the pause (the loop polls every 0.1 s)
        assert worker.is_alive() and is_live(store.path("m"))
    finally:
        control.stop.set()
        worker.join(WAIT)
    assert not worker.is_alive()
    [result] = results
    assert (result.reason, result.step) == ("stopped", 2)
    assert store.card("m").state.step == 2
    assert not is_live(store.path("m"))
