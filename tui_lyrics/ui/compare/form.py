"""The settings of a new experiment: the corpus, the grid (cells x inputs x seeds) and one budget.

Blank size fields take the auto preset's values for the corpus, exactly as
``lyrics-tui compare`` does, so a grid planned here and one planned on the command line
train the same models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Checkbox, Collapsible, Input, Label, Select, Static

from tui_lyrics.config import CELLS, INPUTS, ModelConfig, TrainConfig
from tui_lyrics.corpus import Corpus, split_text
from tui_lyrics.errors import ConfigError, LyricsError
from tui_lyrics.presets import auto_preset

SIZE_FIELDS = {"hidden": ("model", int), "layers": ("model", int)}
ADVANCED_FIELDS = {
    "embed_dim": ("model", int),
    "dropout": ("model", float),
    "batch": ("train", int),
    "seq": ("train", int),
    "eval_every": ("train", int),
    "lr": ("train", float),
}
"""Field -> (which settings it belongs to, its type); blank means the auto preset's value."""
PRESET_HINT = "Blank fields take the preset that suits the corpus (sized to its length)."


@dataclass(frozen=True)
class GridPlan:
    """Everything ``experiments.new_experiment`` needs besides the home and the corpus."""

    cells: list[str]
    inputs: list[str]
    budget: dict[str, float]
    model: dict[str, Any]
    train: dict[str, Any]
    repeats: int
    prefix: str
    name: str | None

    @property
    def runs(self) -> int:
        return len(self.cells) * len(self.inputs) * self.repeats


def _number(raw: str, kind: type, what: str) -> Any:
    try:
        return kind(raw.replace(",", "").strip())
    except ValueError:
        raise ConfigError(f"{what}: {raw!r} is not a number") from None


class CompareForm(Vertical):
    """The grid and the budget (the corpus picker sits above it on the screen)."""

    DEFAULT_CSS = """
    CompareForm { height: auto; }
    CompareForm Horizontal { height: auto; }
    CompareForm Checkbox { width: auto; margin-right: 1; }
    CompareForm .grid-label { width: 9; color: $text-muted; }
    CompareForm Input { width: 12; margin-right: 1; }
    CompareForm #grid-prefix, CompareForm #grid-name { width: 1fr; }
    CompareForm #grid-budget-kind { width: 14; margin-right: 1; }
    CompareForm #grid-hint { color: $text-muted; padding-left: 9; height: auto; }
    CompareForm #grid-advanced-fields { grid-size: 4; grid-columns: auto 12 auto 12; grid-gutter: 0 1; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Cells", classes="grid-label")
            for cell in CELLS:
                yield Checkbox(cell, value=True, id=f"grid-cell-{cell}", compact=True)
            yield Label("Inputs", classes="grid-label")
            for kind in INPUTS:
                yield Checkbox(kind, value=True, id=f"grid-input-{kind}", compact=True)
        with Horizontal(classes="form-row"):
            yield Label("Budget", classes="grid-label")
            yield Input(placeholder="auto", id="grid-budget", compact=True, tooltip="Blank: the preset's steps")
            options = [("steps each", "steps"), ("minutes each", "minutes")]
            yield Select(options, value="steps", allow_blank=False, id="grid-budget-kind", compact=True)
            yield Label("Repeats", classes="grid-label")
            yield Input("1", id="grid-repeats", compact=True, tooltip="Seeds per cell; the table shows mean ± spread")
        yield Static(PRESET_HINT, id="grid-hint")
        with Horizontal(classes="form-row"):
            yield Label("Hidden", classes="grid-label")
            yield Input(placeholder="auto", id="grid-hidden", compact=True, tooltip="Units per layer")
            yield Label("Layers", classes="grid-label")
            yield Input(placeholder="auto", id="grid-layers", compact=True)
            yield Label("Seed", classes="grid-label")
            yield Input("0", id="grid-seed", compact=True, tooltip="Shared by every model")
        with Horizontal(classes="form-row"):
            yield Label("Prefix", classes="grid-label")
            yield Input(placeholder="first words of the samples, e.g. 我", id="grid-prefix", compact=True)
        with Horizontal(classes="form-row"):
            yield Label("Name", classes="grid-label")
            yield Input(placeholder="cmp-<date>-<time>", id="grid-name", compact=True)
        with Collapsible(title="Advanced (blank: the preset's)", id="grid-advanced"), Grid(id="grid-advanced-fields"):
            for name in ADVANCED_FIELDS:
                yield Label(name.replace("_", "-"), classes="grid-label")
                yield Input(placeholder="auto", id=f"grid-{name}", compact=True)

    def show_preset(self, corpus: Corpus) -> None:
        """Say what "auto" means for ``corpus``: the preset ``lyrics-tui compare`` would use."""
        base = auto_preset(len(split_text(corpus.text)[0]))
        m = base.model
        self.query_one("#grid-hint", Static).update(
            f"auto = the {base.name} preset for this corpus: {base.train.steps:,} steps, "
            f"{m.hidden} hidden x {m.layers} layer(s), embed {m.embed_dim}, dropout {m.dropout:g}"
        )

    def _value(self, name: str) -> str:
        return self.query_one(f"#grid-{name}", Input).value.strip()

    def read(self, corpus: Corpus) -> GridPlan:
        """The plan for ``corpus``; raises ConfigError/LyricsError with a message for the user."""
        cells = [c for c in CELLS if self.query_one(f"#grid-cell-{c}", Checkbox).value]
        inputs = [i for i in INPUTS if self.query_one(f"#grid-input-{i}", Checkbox).value]
        if not cells or not inputs:
            raise LyricsError("tick at least one cell and one input")
        base = auto_preset(len(split_text(corpus.text)[0]))
        model, train = base.model.to_dict(), base.train.to_dict() | {"steps": None, "patience": 0}
        for name, (part, kind) in {**SIZE_FIELDS, **ADVANCED_FIELDS}.items():
            if raw := self._value(name):
                (model if part == "model" else train)[name] = _number(raw, kind, name.replace("_", "-"))
        train["seed"] = _number(self._value("seed") or "0", int, "seed")
        repeats = _number(self._value("repeats") or "1", int, "repeats")
        if repeats < 1:
            raise ConfigError("repeats must be at least 1")
        budget = self._budget(base.train.steps or 1)
        ModelConfig.from_dict(model)  # the engine's own checks, before any folder is made
        TrainConfig.from_dict({**train, "epochs": None, "minutes": None, **budget})
        grid_name = self._value("name") or None
        return GridPlan(cells, inputs, budget, model, train, repeats, self._value("prefix"), grid_name)

    def _budget(self, default_steps: int) -> dict[str, float]:
        kind = self.query_one("#grid-budget-kind", Select).value
        raw = self._value("budget")
        if kind == "minutes":
            return {"minutes": _number(raw or "2", float, "minutes")}
        return {"steps": _number(raw, int, "steps") if raw else default_steps}
