"""Reading a "train more" answer: ``"1000"``, ``"2 epochs"``, ``"10 min"`` as a budget and an amount.

The words map onto the CLI's budget flags (--steps, --epochs, --minutes); the arithmetic from
where a model stands is ``ModelCard.budget_from_here``, which the CLI's ``config_for_resume``
uses too, so the app and the CLI give a model the same new budget.
"""

from __future__ import annotations

from tui_lyrics.errors import LyricsError

BUDGET_WORDS = {"": "steps", "step": "steps", "steps": "steps", "epoch": "epochs", "epochs": "epochs"}
BUDGET_WORDS |= dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes")


def read_budget(answer: str) -> tuple[str, float]:
    """``"1000"``, ``"2 epochs"`` or ``"10 min"`` as (budget, amount): the CLI's --steps, --epochs, --minutes.

    The arithmetic from where a model stands is ``ModelCard.budget_from_here``, which the CLI's
    ``config_for_resume`` uses too.
    """
    text = answer.replace(",", "").strip().lower()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz ").strip()
    key = BUDGET_WORDS.get(text[len(number) :].strip())
    try:
        amount = float(number)
    except ValueError:
        amount = 0.0
    if key is None or not amount > 0 or (key == "steps" and not amount.is_integer()):
        raise LyricsError(f"{answer.strip()!r} is not a budget: try 1000 (steps), 2 epochs or 10 min")
    return key, amount
