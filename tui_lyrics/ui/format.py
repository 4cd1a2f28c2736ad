"""Numbers only the app shows; perplexity, durations and counts come from ``tui_lyrics.fmt``
so the library and ``lyrics-tui models`` print the same figures."""

from __future__ import annotations

import math

from tui_lyrics.fmt import fmt_count
from tui_lyrics.progress import perplexity


def loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def rate(chars_per_sec: float | None) -> str:
    return "—" if not chars_per_sec else f"{fmt_count(round(chars_per_sec))} chars/s"


def learning_rate(lr: float | None) -> str:
    return "—" if lr is None else f"{lr:.2e}"


def ppl_digits(loss: float | None) -> str:
    """A perplexity for the ``Digits`` readout: three significant figures, only characters it draws."""
    if loss is None:
        return "-"
    value = perplexity(loss)
    if not math.isfinite(value) or value >= 1e6:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"
