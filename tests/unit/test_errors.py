"""OSErrors as one line (what, where, what to do), and writes that leave the old file whole."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from tui_lyrics import experiments as ex
from tui_lyrics.durable import atomic_write_bytes
from tui_lyrics.errors import StoreError, describe_os_error


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full; free some space and try again"),
        (errno.EROFS, "the file system is read-only; use another folder (--home or LYRICS_TUI_HOME)"),
        (
            errno.EACCES,
            "permission denied; check the folder's permissions or use another folder (--home or LYRICS_TUI_HOME)",
        ),
        (errno.ENAMETOOLONG, "the name is too long for the file system; use a shorter name or path"),
        (errno.EFBIG, "the file is larger than this system allows (a file size limit)"),
        (errno.EBUSY, os.strerror(errno.EBUSY)),
    ],
)
def test_each_os_error_is_one_line_with_what_where_and_what_to_do(code: int, reason: str) -> None:
    error = OSError(code, os.strerror(code), "/lib/m/card.json")
    assert describe_os_error(error, "write") == f"could not write /lib/m/card.json: {reason}"
    assert describe_os_error(error) == f"/lib/m/card.json: {reason}"


def test_a_rename_names_both_paths_and_a_bare_error_still_says_something() -> None:
    error = OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b")
    assert describe_os_error(error, "rename") == "could not rename /a to /b: Invalid cross-device link"
    assert describe_os_error(OSError(), "write") == "could not write: OSError"


def test_the_file_the_user_knows_is_named_not_the_temp_file() -> None:
    error = OSError(errno.ENOSPC, "No space left on device", "/lib/m/.card.json.x1y2.tmp")
    assert describe_os_error(error, "write", "/lib/m/card.json").startswith("could not write /lib/m/card.json: ")


def write_old(tmp_path: Path) -> Path:
    path = tmp_path / "card.json"
    path.write_bytes(b"old")
    return path


def test_read_only_folder_refuses_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_old(tmp_path)

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".card.json.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(StoreError) as caught:
        atomic_write_bytes(path, b"new")
    assert str(caught.value) == (
        f"could not write {path}: the file system is read-only; use another folder (--home or LYRICS_TUI_HOME)"
    )
    assert path.read_bytes() == b"old"


def test_full_disk_leaves_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_old(tmp_path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError, match=r"card\.json: the disk is full; free some space and try again$"):
        atomic_write_bytes(path, b"new" * 1000)
    assert path.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["card.json"]


def test_a_name_too_long_for_the_file_system_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / ("字" * 80 + ".json")  # 245 bytes: fine alone, too long with mkstemp's prefix and suffix
    with pytest.raises(StoreError, match=r"the name is too long for the file system; use a shorter name or path$"):
        atomic_write_bytes(path, b"{}")


def test_an_experiment_under_a_file_is_a_store_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    with pytest.raises(StoreError, match=r"^could not create .*home/experiments/x: part of the path is a file"):
        ex.new_experiment(home, "songs.txt", cells=["gru"], inputs=["embed"], budget={"steps": 1}, model={},
                          train={}, name="x")  # fmt: skip
