"""How a model's memorisation meter is worded beside its quality figures (CLI, app, bench); no torch.

The meter (``card.ModelMemorisation``, measured by ``core.quote_meter``) has two readings: with the
quote limit the app uses by default and with the limit off. Both are always shown together and
labelled, so "quotes 1.9%" is never mistaken for a quality figure or for the model's own habit.
"""

from __future__ import annotations

from typing import Any

from tui_lyrics.card import ModelCard, ModelMemorisation

UNMEASURED = "not measured — eval measures it"
"""What a model without a reading shows (a card from before the meter, or a run that ended in a hurry)."""
WHAT = (
    "memorisation meter: share of 8-character windows of seeded takes (generate's defaults, no prompt) "
    "found in the model's corpus copy, and the longest stretch shared with it; with the default quote "
    "limit (what a user gets) and with the limit off (what the model itself would quote)"
)


def quotes_line(m: ModelMemorisation | None) -> str:
    """One labelled line: 'quotes the corpus: 1.9% of 8-char windows, longest 8 (limit 8) · 7.1%, longest 14
    with the limit off'."""
    if m is None:
        return f"quotes the corpus: {UNMEASURED}"
    on, off = m.limited, m.unlimited
    return (
        f"quotes the corpus: {on.share:.1%} of {m.window}-char windows, longest {on.longest_max} "
        f"(limit {on.limit}) · {off.share:.1%}, longest {off.longest_max} with the limit off"
    )


def quotes_compact(m: ModelMemorisation | None) -> str:
    """For a narrow readout: 'quotes the corpus: 1.9% of 8-char windows (limit 8) · 7.1% with no limit'."""
    if m is None:
        return f"quotes the corpus: {UNMEASURED}"
    on, off = m.limited, m.unlimited
    return (
        f"quotes the corpus: {on.share:.1%} of {m.window}-char windows (limit {on.limit}) · "
        f"{off.share:.1%} with no limit"
    )


def quotes_brief(m: ModelMemorisation | None) -> str:
    """For one crowded line (Compose's model line, its picker): 'quotes 1.9% (limit 8), 7.1% with no limit'."""
    if m is None:
        return "quotes: not measured"
    return f"quotes {m.limited.share:.1%} (limit {m.limited.limit}), {m.unlimited.share:.1%} with no limit"


def quotes_tight(m: ModelMemorisation | None) -> str:
    """The least room a labelled reading takes: 'quotes 1.9% (7.1% no limit)'."""
    if m is None:
        return "quotes: not measured"
    return f"quotes {m.limited.share:.1%} ({m.unlimited.share:.1%} no limit)"


def quotes_short(m: ModelMemorisation | None) -> str:
    """For a table cell: '1.9%/7.1%' (with the default limit / with it off), '—' when unmeasured."""
    return "—" if m is None else f"{m.limited.share:.1%}/{m.unlimited.share:.1%}"


def quotes_of(card: ModelCard | None) -> ModelMemorisation | None:
    """The card's reading, if it is of the weights the card calls best (a later best step leaves it stale)."""
    if card is None or card.memorisation is None:
        return None
    state = card.state
    measured = state.best_step if state.best_step is not None else state.step
    return card.memorisation if card.memorisation.step == measured else None


def quotes_record(m: ModelMemorisation | None) -> dict[str, Any] | None:
    """The reading for ``--json`` and the bench: both readings, each with its limit, and what it is."""
    if m is None:
        return None
    return {"what": WHAT, **m.to_dict()}
