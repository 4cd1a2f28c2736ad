"""Shared output for the subcommands: JSON on stdout for scripts, notes on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def note(message: str) -> None:
    print(f"lyrics-tui: {message}", file=sys.stderr)
