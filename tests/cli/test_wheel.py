"""A wheel built from the checkout carries the stylesheet, the demo corpus and the demo model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (found,) = out.glob("lyrics_tui-*.whl")
    return found


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "tui_lyrics/ui/app.tcss",
        "tui_lyrics/assets/demo/zh_lyrics.txt",
        "tui_lyrics/assets/models/demo-zh/card.json",
        "tui_lyrics/assets/models/demo-zh/best.safetensors",
        "tui_lyrics/assets/models/demo-zh/corpus.txt.gz",
    ):
        assert needed in names, needed
    assert not [n for n in names if n.endswith((".pkl", ".pt", ".pth"))]
    assert sum(zipfile.ZipFile(wheel).getinfo(n).file_size for n in names if "/models/" in n) <= 4 * 1024 * 1024


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "LYRICS_TUI_HOME": str(tmp_path / "home")}
    probe = (
        "import json, tui_lyrics.resources as r, tui_lyrics.ui.app as a; from pathlib import Path;"
        "print(json.dumps([r.__file__, str(r.demo_corpus()), r.demo_corpus().is_file(),"
        " (Path(a.__file__).parent / 'app.tcss').is_file()]))"
    )
    where, corpus, corpus_ok, css_ok = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    )
    assert where.startswith(str(site)) and corpus.startswith(str(site)) and corpus_ok and css_ok
    models = subprocess.run([sys.executable, "-m", "tui_lyrics", "models", "--json"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    (demo,) = [r for r in json.loads(models.stdout) if r["name"] == "demo-zh"]
    assert demo["path"].startswith(str(site)) and demo["read_only"]
