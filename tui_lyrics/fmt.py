"""Numbers for people: perplexity, durations and counts, shared by the CLI and the app."""

from __future__ import annotations

import math


def fmt_ppl(loss: float | None) -> str:
    """Perplexity from a cross-entropy in nats/char."""
    if loss is None:
        return "—"
    ppl = math.exp(loss) if loss < 700 else math.inf
    return f"{ppl:,.1f}" if ppl < 10_000 else f"{ppl:.3g}"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "—"
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def fmt_count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 10_000:
        return f"{n / 1e3:.0f}k"
    return f"{n:,}"
