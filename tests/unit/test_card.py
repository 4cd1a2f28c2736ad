"""The typed card and the model folder: strict reading, round trips, checkpoint sets (no torch)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from tui_lyrics.card import HeldOutPoint, ModelCard, TrainState
from tui_lyrics.card_fields import CardError
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import CorpusSummary
from tui_lyrics.errors import LyricsError, StoreError
from tui_lyrics.folder import BEST, CARD, LAST, STATE, ModelFolder, tensor_metadata
from tui_lyrics.resources import builtin_models_dir
from tui_lyrics.vocab import CharVocab


def a_card(**changes: Any) -> ModelCard:
    summary = CorpusSummary(
        name="s.txt", path="/s.txt", encoding="utf-8", files=1, chars=100, lines=10, distinct=20, sha256="0" * 64
    )
    card = ModelCard(
        name="m", model=ModelConfig(), train=TrainConfig(steps=10), vocab=CharVocab(chars=("a", "b")), corpus=summary
    )
    return card.replace(**changes)


def st_bytes(step: int | None, *, cut: int = 0) -> bytes:
    """A valid one-tensor safetensors file (built by hand: no torch here), stamped with ``step``."""
    header: dict[str, Any] = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    if step is not None:
        header["__metadata__"] = {"step": str(step), "kind": "test"}
    raw = json.dumps(header).encode()
    data = struct.pack("<Q", len(raw)) + raw + b"\0" * 8
    return data[: len(data) - cut]


@pytest.mark.parametrize("root", [builtin_models_dir(), Path(__file__).parents[2] / "assets" / "models"])
def test_the_shipped_demo_card_loads_and_round_trips(root: Path) -> None:
    data = json.loads((root / "demo-zh" / CARD).read_text(encoding="utf-8"))
    card = ModelCard.from_dict(data)
    assert card.name == "demo-zh" and card.state.step > 0 and card.state.best_step is not None
    assert card.history and card.split is not None
    assert ModelCard.from_dict(card.to_dict()) == card
    found = ModelFolder(root / "demo-zh").checkpoint()  # the old layout, best weights only
    assert found.card == card and found.best is not None and found.note == ""


def test_a_card_round_trips() -> None:
    card = a_card(history=(HeldOutPoint(step=5, held_loss=2.0, train_loss=2.1, elapsed=1.0),))
    assert ModelCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card
    assert "network_loss" not in card.to_dict()["history"][0]  # new optional fields stay out while unset


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), r"card has unknown field\(s\): colour"),
        (lambda d: d["state"].update(step="3"), r"card\.state\.step must be an integer, not '3'"),
        (lambda d: d["state"].update(step=True), r"card\.state\.step must be an integer"),
        (lambda d: d["state"].update(wobble=1), r"card\.state has unknown field\(s\): wobble"),
        (lambda d: d["model"].update(hidden=8.5), r"card\.model\.hidden must be an integer, not 8\.5"),
        (lambda d: d["model"].update(hidden=3), r"card\.model: hidden must be 8"),
        (lambda d: d["train"].update(lr="fast"), r"card\.train\.lr must be a number"),
        (lambda d: d.update(history=[{"step": 1}]), r"card\.history\[0\] is missing held_loss"),
        (lambda d: d.update(history={}), r"card\.history must be a list"),
        (lambda d: d.update(params="many"), r"card\.params must be an integer"),
        (lambda d: d.update(mixture={"order": 5, "weight": 3.0}), r"card\.mixture: mixture out of range"),
        (lambda d: d["corpus"].pop("sha256"), r"card\.corpus is missing sha256"),
        (
            lambda d: d.update(mixture={"order": 5, "weight": 0.5, "song_weights": [[0.1, "y"]]}),
            r"card\.mixture\.song_weights\[0\]\[1\] must be a number, not 'y'",
        ),
        (lambda d: d.update(versions={"torch": 2}), r"card\.versions\.torch must be a string, not 2"),
        (lambda d: d["vocab"].update(chars=["a"]), r"card\.vocab\.chars must be a string"),
        (lambda d: d.pop("vocab"), r"card is incomplete: it has no 'vocab' section"),
        (lambda d: d.update(format_version=99), r"card has card format 99"),
        (lambda d: d.update(format="other"), r"card is not a lyrics-tui model card"),
    ],
)
def test_a_bad_card_is_refused_with_the_field_named(change: Any, message: str) -> None:
    data = a_card().to_dict()
    change(data)
    with pytest.raises(CardError, match=message) as caught:
        ModelCard.from_dict(data)
    assert isinstance(caught.value, StoreError) and "\n" not in str(caught.value)


def test_an_older_card_without_the_newer_optional_fields_loads() -> None:
    data = a_card().to_dict()
    for key in ("split", "history", "mixture", "versions", "created", "updated", "params", "state"):
        data.pop(key, None)
    card = ModelCard.from_dict(data)
    assert card.state == TrainState() and card.history == () and card.split is None


def test_train_more_counts_from_where_the_model_stands() -> None:
    card = a_card(state=TrainState(step=40, chars=2000, train_seconds=120.0, finished=True))
    assert card.budget_from_here("steps", 10).steps == 50
    more = card.budget_from_here("minutes", 3)
    assert (more.minutes, more.steps, more.epochs) == (5.0, None, None)
    assert card.budget_from_here("epochs", 1).epochs == pytest.approx(2001.0)  # no split known: chars count
    with pytest.raises(LyricsError, match="must be positive"):
        card.budget_from_here("steps", 0)


# -- checkpoint sets --------------------------------------------------------------------------
def a_folder(tmp_path: Path) -> ModelFolder:
    (tmp_path / "m").mkdir()
    return ModelFolder(tmp_path / "m")


def commit(folder: ModelFolder, step: int, *, best: int | None = None) -> Path:
    card = a_card(state=TrainState(step=step, best_step=best, best_loss=None if best is None else 1.0))
    files: dict[str, bytes | Path] = {LAST: st_bytes(step), STATE: st_bytes(step)}
    if best is not None:
        files[BEST] = st_bytes(best)
    return folder.commit(card, files)


def test_sets_commit_prune_and_the_newest_complete_one_loads(tmp_path: Path) -> None:
    folder = a_folder(tmp_path)
    a_card_ = a_card()
    folder.write_card(a_card_)
    assert folder.checkpoint().card == a_card_ and folder.checkpoint().last is None
    for step in (5, 10, 15):
        commit(folder, step, best=5)
    assert [p.name for p in folder.sets()] == ["set-000003-step-15", "set-000002-step-10"]
    found = folder.checkpoint()
    assert found.card.state.step == 15 and found.note == "" and folder.read_card() == found.card
    assert tensor_metadata(found.best) == {"step": "5", "kind": "test"}


@pytest.mark.parametrize("damage", ["cut", "card", "step", "best"])
def test_a_damaged_newer_set_falls_back_to_the_last_complete_one(tmp_path: Path, damage: str) -> None:
    folder = a_folder(tmp_path)
    folder.write_card(a_card())
    commit(folder, 5, best=5)
    newest = commit(folder, 10, best=5)
    if damage == "cut":
        (newest / LAST).write_bytes(st_bytes(10, cut=3))
    elif damage == "card":
        (newest / CARD).write_text("{", encoding="utf-8")
    elif damage == "step":
        (newest / STATE).write_bytes(st_bytes(9))
    else:
        (newest / BEST).unlink()
    found = folder.checkpoint()
    assert found.card.state.step == 5
    assert "skipped damaged checkpoint set-000002-step-10" in found.note and "using step 5" in found.note


def test_tidy_removes_leftovers_and_catches_the_card_up(tmp_path: Path) -> None:
    folder = a_folder(tmp_path)
    folder.write_card(a_card())
    commit(folder, 5)
    (folder.checkpoints_path / ".tmp-set-000002-step-10-99").mkdir()
    (folder.path / ".card.json.abc.tmp").write_text("half", encoding="utf-8")
    folder.write_card(a_card())  # as if killed between the set's rename and the card's write
    note = folder.tidy()
    assert ".tmp-set-000002-step-10-99" in note and ".card.json.abc.tmp" in note
    assert sorted(p.name for p in folder.path.iterdir()) == ["card.json", "checkpoints"]
    assert folder.read_card().state.step == 5


def test_metrics_are_cut_back_to_the_restored_step(tmp_path: Path) -> None:
    folder = a_folder(tmp_path)
    rows = [{"kind": "train", "step": s, "loss": 1.0} for s in (1, 2, 3, 4)]
    folder.metrics_path.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"step": 5, "lo', encoding="utf-8")
    folder.trim_metrics(2)
    assert [json.loads(line)["step"] for line in folder.metrics_path.read_text().splitlines()] == [1, 2]


# -- stopping never cuts a save -------------------------------------------------------------------
def test_a_second_ctrl_c_during_a_save_waits_for_it_then_aborts(capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import signal
    import threading

    from tui_lyrics.commands.output import install_stop_signals
    from tui_lyrics.durable import SAVE_GUARD

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    stop = threading.Event()
    finished_write = False
    try:
        interrupted = install_stop_signals(stop)
        os.kill(os.getpid(), signal.SIGTERM)  # docker stop: like the first Ctrl-C
        assert stop.is_set() and interrupted.is_set()
        with pytest.raises(KeyboardInterrupt), SAVE_GUARD.saving():
            os.kill(os.getpid(), signal.SIGINT)  # the second one arrives mid-save ...
            finished_write = True  # ... and the save still runs to its end
        assert finished_write and not SAVE_GUARD.busy
        with pytest.raises(KeyboardInterrupt):  # outside a save it aborts at once
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    err = capsys.readouterr().err
    assert "stopping: saving…" in err and "saving… the checkpoint is being written" in err


def test_a_damaged_top_card_is_listed_from_the_newest_committed_set(home: Path) -> None:
    from tui_lyrics.store import ModelStore

    store = ModelStore(home)
    folder = ModelFolder(store.create("m"))
    folder.write_card(a_card())
    commit(folder, 5)
    folder.card_path.write_text("{", encoding="utf-8")
    [row] = store.list()
    assert row.error is None and row.steps == 5
    assert store.card("m").state.step == 5
    folder.tidy()
    assert folder.read_card().state.step == 5  # repaired from the set


def test_a_corpus_copy_that_unpacks_past_the_limit_is_refused(tmp_path: Path) -> None:
    folder = a_folder(tmp_path)
    folder.write_corpus("我" * 2_000)  # 6,000 bytes of UTF-8, a few dozen compressed
    assert folder.read_corpus(max_bytes=6_000) == "我" * 2_000
    with pytest.raises(StoreError, match="unpacks to more than 5,999 bytes"):
        folder.read_corpus(max_bytes=5_999)
    folder.corpus_path.write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(StoreError, match="is corrupt"):
        folder.read_corpus()


def test_an_os_error_reading_a_folder_is_one_line_naming_the_file(tmp_path: Path) -> None:
    folder = a_folder(tmp_path)
    folder.card_path.mkdir(parents=True)  # card.json is a folder: reading it is an OSError
    with pytest.raises(StoreError, match=r"^could not read .*card\.json: ") as caught:
        folder.read_card()
    assert "\n" not in str(caught.value)
