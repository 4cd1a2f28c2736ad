"""The takes Compose keeps on disk until the user discards them: one JSON file per model.

``<data folder>/compose-takes/<model>.json`` holds that model's takes, in order: prompt, settings with
the seed, every character with the model's probability and alternatives, state and branch. Written
atomically on every change (a take ends, is stopped, deleted or saved); a model with no takes left
has no file. Reading is strict per take (unknown or missing keys, wrong types: that take is skipped
with the reason) and never fatal. Torch-free: plain JSON and the takes' own dataclasses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tui_lyrics.durable import atomic_write_json, read_json
from tui_lyrics.errors import LyricsError
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.ui.compose.takes import DONE, FAILED, GENERATING, STOPPED, Take, TakeChar

FOLDER = "compose-takes"
FORMAT = 1
TAKE_KEYS = frozenset(
    {"number", "model", "prefix", "settings", "kept", "chars", "state", "branched_from", "error", "saved"}
)


class BadTake(ValueError):
    """A stored take that cannot be read back (the reason says which field)."""


def _char_to_json(c: TakeChar) -> list[Any]:
    return [c.char, c.prob, [[a, p] for a, p in c.alternatives], c.chosen]


def _char_from_json(data: Any) -> TakeChar:
    if not (isinstance(data, list) and len(data) == 4 and isinstance(data[0], str) and len(data[0]) == 1):
        raise BadTake(f"a character must be [char, prob, alternatives, chosen], not {data!r:.60}")
    char, prob, alternatives, chosen = data
    if not isinstance(prob, int | float) or not isinstance(chosen, bool) or not isinstance(alternatives, list):
        raise BadTake(f"bad character entry {data!r:.60}")
    alts = []
    for pair in alternatives:
        ok = isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
        if not ok or not isinstance(pair[1], int | float):
            raise BadTake(f"bad alternative {pair!r:.40}")
        alts.append((pair[0], float(pair[1])))
    return TakeChar(char, float(prob), tuple(alts), chosen)


def take_to_json(take: Take) -> dict[str, Any]:
    """A take as it is stored (a take still streaming is stored as stopped: that is what it will be)."""
    return {
        "number": take.number,
        "model": take.model,
        "prefix": take.prefix,
        "settings": take.settings.to_dict(),
        "kept": [_char_to_json(c) for c in take.kept],
        "chars": [_char_to_json(c) for c in take.chars],
        "state": STOPPED if take.state == GENERATING else take.state,
        "branched_from": take.branched_from,
        "error": take.error,
        "saved": take.saved,
    }


def take_from_json(data: Any) -> Take:
    """A stored take; ``BadTake`` names what is wrong."""
    if not isinstance(data, dict):
        raise BadTake("a take must be a JSON object")
    if set(data) != TAKE_KEYS:
        odd = sorted(set(data) ^ TAKE_KEYS)
        raise BadTake(f"unknown or missing take field(s): {', '.join(odd)}")
    number, model, prefix, state = data["number"], data["model"], data["prefix"], data["state"]
    if not isinstance(number, int) or number < 1 or not isinstance(model, str) or not isinstance(prefix, str):
        raise BadTake("number, model and prefix must be a positive whole number and two strings")
    if state not in (DONE, STOPPED, FAILED):
        raise BadTake(f"state must be done, stopped or failed, not {state!r:.20}")
    branched, error, saved = data["branched_from"], data["error"], data["saved"]
    if not (branched is None or isinstance(branched, int)) or not isinstance(error, str) or not isinstance(saved, bool):
        raise BadTake("branched_from, error or saved has the wrong type")
    kept, chars = data["kept"], data["chars"]
    if not isinstance(data["settings"], dict) or not isinstance(kept, list) or not isinstance(chars, list):
        raise BadTake("settings must be an object, kept and chars lists")
    try:
        settings = SampleConfig.from_dict(data["settings"])
        take = Take(number, model, prefix, settings, tuple(_char_from_json(c) for c in kept))
    except (LyricsError, ValueError) as problem:
        raise BadTake(str(problem)) from problem
    take.chars = [_char_from_json(c) for c in chars]
    take.state, take.branched_from, take.error, take.saved = state, branched, error, saved
    return take


class TakesFolder:
    """The folder of kept takes: read all, write one model's, remove one model's."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, model: str) -> Path:
        return self.root / f"{model}.json"

    def read_all(self) -> list[Take]:
        """Every kept take of every model, oldest number first; unreadable files and takes are skipped."""
        takes: list[Take] = []
        for path in sorted(self.root.glob("*.json")) if self.root.is_dir() else ():
            data: Any = None
            with contextlib.suppress(LyricsError, OSError, ValueError):
                data = read_json(path)
            if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("takes"), list):
                continue
            for entry in data["takes"]:
                with contextlib.suppress(BadTake):
                    takes.append(take_from_json(entry))
        return sorted(takes, key=lambda t: t.number)

    def write(self, model: str, takes: Iterable[Take]) -> None:
        """Keep ``takes`` as model ``model``'s (none: its file goes). A StoreError or OSError when it cannot."""
        entries = [take_to_json(t) for t in takes]
        path = self.path(model)
        if not entries:
            path.unlink(missing_ok=True)
            return
        atomic_write_json(path, {"format": FORMAT, "model": model, "takes": entries})
