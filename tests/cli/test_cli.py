"""The headless CLI end to end, in subprocesses, as a script or a person would run it."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

TINY = ["--layers", "1", "--hidden", "32", "--embed-dim", "16", "--batch", "8", "--seq", "32"]


def cli(*args: str, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("timeout", 300)
    result = subprocess.run([sys.executable, "-m", "tui_lyrics", *args], capture_output=True, text=True, **kwargs)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_train_generate_eval_models_round_trip(corpus_file: Path, home: Path) -> None:
    trained = json.loads(cli("train", str(corpus_file), "--name", "t1", "--steps", "30", *TINY, "--json").stdout)
    assert trained["name"] == "t1" and trained["reason"] == "budget" and trained["step"] == 30
    assert trained["best_loss"] > 0 and trained["best_ppl"] > 1

    rows = [r for r in json.loads(cli("models", "--json").stdout) if not r["read_only"]]
    assert [r["name"] for r in rows] == ["t1"]
    assert rows[0]["steps"] == 30 and rows[0]["best_loss"] == pytest.approx(trained["best_loss"])

    one = json.loads(cli("generate", "t1", "--prefix", "我在", "--seed", "7", "--length", "40", "--json").stdout)
    two = json.loads(cli("generate", "t1", "--prefix", "我在", "--seed", "7", "--length", "40", "--json").stdout)
    assert one["text"] == two["text"] and len(one["text"]) == 40 and "<unk>" not in one["text"]

    streamed = cli("generate", "t1", "--prefix", "我在", "--seed", "7", "--length", "40")
    assert streamed.stdout.rstrip("\n") == ("我在" + one["text"]).rstrip("\n")
    assert "--seed 7" in streamed.stderr

    scored = json.loads(cli("eval", "t1", "--json").stdout)
    assert scored["loss"] == pytest.approx(trained["best_loss"], rel=1e-6)
    assert scored["perplexity"] == pytest.approx(trained["best_ppl"], rel=1e-6)


def test_unknown_prefix_characters_are_reported_not_fatal(tiny_model: str) -> None:
    result = cli("generate", tiny_model, "--prefix", "龘X", "--length", "10", "--seed", "1")
    assert "龘" in result.stderr and "<unk>" in result.stderr
    assert result.stdout.startswith("龘X") and len(result.stdout.strip()) > 2


def test_eval_on_a_file_counts_unknown_characters(tiny_model: str, tmp_path: Path) -> None:
    text = tmp_path / "other.txt"
    text.write_text("我在风里等你\n龘龘\n", encoding="utf-8")
    scored = json.loads(cli("eval", tiny_model, str(text), "--json").stdout)
    assert scored["chars"] == len("我在风里等你\n龘龘\n") and scored["unk_chars"] == 2


def own_models() -> list[str]:
    return [r["name"] for r in json.loads(cli("models", "--json").stdout) if not r["read_only"]]


def test_models_rename_and_delete(tiny_model: str) -> None:
    cli("models", "rename", tiny_model, "renamed")
    assert own_models() == ["renamed"]
    refused = cli("models", "delete", "renamed", check=False, stdin=subprocess.DEVNULL)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    cli("models", "delete", "renamed", "--yes")
    assert own_models() == []


def test_the_demo_model_is_offered_read_only() -> None:
    rows = json.loads(cli("models", "--json").stdout)
    demo = next(r for r in rows if r["name"] == "demo-zh")
    assert demo["read_only"] and demo["best_ppl"] < 400
    take = json.loads(cli("generate", "demo-zh", "--prefix", "雨", "--seed", "1", "--lines", "2", "--json").stdout)
    assert take["text"].count("\n") >= 1
    refused = cli("models", "delete", "demo-zh", "--yes", check=False)
    assert refused.returncode == 1 and "built-in" in refused.stderr


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["train", "no/such/file.txt"], 1, "does not exist"),
        (["generate", "nobody"], 1, "no model named 'nobody'"),
        (["models", "rename", "a", "../b"], 1, "no model named 'a'"),
        (["train", "x.txt", "--steps", "5", "--minutes", "2"], 2, "not allowed with argument"),
        (["generate", "x", "--top-p", "2"], 1, "top-p"),
        (["generate", "x", "--max-params", "1.5"], 2, "--max-params: expected a whole number, not '1.5'"),
        (["eval", "x", "--max-params", "0"], 2, "--max-params: expected a number above 0, not '0'"),
        (["train", "x.txt", "--max-mb", "nan"], 2, "--max-mb: expected a number above 0, not 'nan'"),
    ],
)
def test_user_errors_are_one_line_without_traceback(args: list[str], code: int, needle: str) -> None:
    result = cli(*args, check=False)
    assert result.returncode == code
    assert needle in result.stderr and "Traceback" not in result.stderr


def error_line(result: subprocess.CompletedProcess[str], *, last: bool = True) -> str:
    """A failed command's one error line: exit 1, no traceback, and (``last``) nothing printed after it."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert not last or result.stderr.rstrip("\n").endswith(errors[0]), result.stderr
    return errors[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--length", "0"], "length must be 1–1000000, not 0"),
        (["--temperature", "1e-39"], "temperature must be 0 (greedy) or 0.01–10, not 1e-39"),
        (["--lines", "0"], "lines must be at least 1"),
        (["--seed", "-1"], "seed must be 0–9223372036854775807, not -1"),
        (["--device", "nope"], "device 'nope' is not available here; available: "),
        (["--max-params", "1000"], "model 'tiny' (1 layer of 32 gru units, "),
    ],
)
def test_bad_generate_options_are_one_line(tiny_model: str, args: list[str], message: str) -> None:
    assert message in error_line(cli("generate", tiny_model, *args, check=False))


def test_bad_eval_options_are_one_line(tiny_model: str, tmp_path: Path) -> None:
    assert "device 'nope' is not available here" in error_line(cli("eval", tiny_model, "--device", "nope", check=False))
    os.mkfifo(tmp_path / "pipe.txt")
    line = error_line(cli("eval", tiny_model, str(tmp_path / "pipe.txt"), check=False, timeout=60))
    assert "pipe.txt is a named pipe (FIFO), not a file" in line


def test_a_huge_network_is_refused_before_it_is_built(corpus_file: Path, home: Path) -> None:
    line = error_line(cli("train", str(corpus_file), "--hidden", "8192", "--layers", "8", check=False))
    assert "the model (8 layers of 8192 gru units, " in line
    assert "over the limit of 100,000,000 (raise it with --max-params 4000000000)" in line
    assert not (home / "models").exists() or not any((home / "models").iterdir())


@pytest.mark.skipif(sys.platform == "darwin", reason="mps may be there")
def test_a_device_not_here_is_refused_before_a_model_is_made(corpus_file: Path, home: Path) -> None:
    line = error_line(cli("train", str(corpus_file), "--device", "mps", "--steps", "1", *TINY, check=False))
    assert "device 'mps' is not available here; available: " in line
    assert not (home / "models").exists() or not any((home / "models").iterdir())


def test_a_hand_edited_card_declaring_a_huge_size_is_refused(tiny_model: str, home: Path) -> None:
    for card_path in (home / "models" / tiny_model).rglob("card.json"):  # the folder's and each checkpoint's
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["model"].update(hidden=8192, layers=8)
        card_path.write_text(json.dumps(card), encoding="utf-8")
    for args in (["generate", tiny_model], ["train", "--resume", tiny_model, "--steps", "1"]):
        line = error_line(cli(*args, check=False))
        assert "model 'tiny' (8 layers of 8192 gru units" in line and "(raise it with --max-params " in line


# Runs lyrics-tui as if a package were not installed: the import system finds no ``HIDE``.
WITHOUT = """
import sys
HIDE = {hide!r}
class Gone:
    def find_spec(self, name, path=None, target=None):
        if name == HIDE or name.startswith(HIDE + "."):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Gone())
from tui_lyrics.cli import main
sys.exit(main({argv!r}))
"""


@pytest.mark.parametrize(("argv", "hide"), [([], "textual"), (["models"], "tui_lyrics.commands.models")])
def test_a_missing_package_is_one_line_and_a_failure(home: Path, argv: list[str], hide: str) -> None:
    """A broken install (textual gone, say) names what is missing and exits non-zero: no traceback, never 0."""
    code = WITHOUT.format(hide=hide, argv=argv)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"lyrics-tui: error: {hide} is not installed; reinstall lyrics-tui"]
    assert done.stdout == ""


def test_fifo_corpus_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "songs.txt")
    line = error_line(cli("train", str(tmp_path / "songs.txt"), check=False, timeout=60))
    assert line.endswith("songs.txt is a named pipe (FIFO), not a file; give a text file, a .zip of them or a folder")


def test_a_library_folder_that_cannot_be_made_is_one_line(corpus_file: Path, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    line = error_line(cli("--home", str(afile), "train", str(corpus_file), "--steps", "1", *TINY, check=False))
    expected = f"could not create {afile}/models/songs-gru: part of the path is a file, not a folder"
    assert line == f"lyrics-tui: error: {expected}"
    long_home = tmp_path / ("x" * 300)
    line = error_line(cli("--home", str(long_home), "train", str(corpus_file), "--steps", "1", *TINY, check=False))
    assert line.endswith(": the name is too long for the file system; use a shorter name or path")


def test_a_save_that_fails_keeps_the_previous_model(tiny_model: str, home: Path) -> None:
    """A file size limit stands in for a full disk: the checkpoint write fails (EFBIG, as ENOSPC would)."""
    card = home / "models" / tiny_model / "card.json"
    step = json.loads(card.read_text(encoding="utf-8"))["state"]["step"]

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # the weights are ~28 kB

    result = cli("train", "--resume", tiny_model, "--steps", "5", check=False, preexec_fn=small_files)
    line = error_line(result, last=False)  # the progress bar's last frame may follow it
    assert f"{home}/models/tiny" in line and ("File too large" in line or "a file size limit" in line)
    assert json.loads(card.read_text(encoding="utf-8"))["state"]["step"] == step
    take = json.loads(cli("generate", tiny_model, "--seed", "1", "--length", "20", "--json").stdout)
    assert len(take["text"]) == 20


def test_a_read_only_library_refuses_rename_and_delete_in_one_line(
    tiny_model: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_lyrics.errors import StoreError
    from tui_lyrics.store import ModelStore

    def read_only(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(src), None, str(dst))

    monkeypatch.setattr(os, "rename", read_only)
    store, folder = ModelStore(home), home / "models" / tiny_model
    reason = "the file system is read-only; use another folder (--home or LYRICS_TUI_HOME)"
    with pytest.raises(StoreError) as caught:
        store.rename(tiny_model, "other")
    assert str(caught.value) == f"could not rename {folder} to {home / 'models' / 'other'}: {reason}"
    with pytest.raises(StoreError) as caught:
        store.delete(tiny_model)
    assert str(caught.value) == f"could not delete {folder}: {reason}"
    assert (folder / "card.json").is_file()


def test_binary_corpus_is_refused_by_name(tmp_path: Path) -> None:
    blob = tmp_path / "image.txt"
    blob.write_bytes(bytes(range(256)) * 40)
    result = cli("train", str(blob), check=False)
    assert result.returncode == 1 and "image.txt" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_saves_a_resumable_checkpoint(corpus_file: Path, home: Path) -> None:
    args = [sys.executable, "-m", "tui_lyrics", "train", str(corpus_file), "--name", "c", "--steps", "100000", *TINY]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    card = home / "models" / "c" / "card.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (card.exists() and json.loads(card.read_text())["state"]["step"] > 0):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "stopped and saved" in out and "--resume c" in out
    state = json.loads(card.read_text())["state"]
    assert state["step"] > 0 and not state["finished"]
    resumed = json.loads(cli("train", "--resume", "c", "--steps", "5", "--json").stdout)
    assert resumed["step"] == state["step"] + 5 and resumed["reason"] == "budget"


def test_home_flag_overrides_the_environment(corpus_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    cli("--home", str(other), "train", str(corpus_file), "--name", "h", "--steps", "3", *TINY, "--json")
    assert (other / "models" / "h" / "card.json").is_file()
    env = {**os.environ, "LYRICS_TUI_HOME": str(tmp_path / "unused")}
    rows = json.loads(cli("models", "--home", str(other), "--json", env=env).stdout)
    assert [r["name"] for r in rows if not r["read_only"]] == ["h"]
