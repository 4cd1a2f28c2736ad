"""The settings of a new model: name, preset, budget and device up front, and every
engine setting behind an "Advanced" toggle.

The advanced fields are generated from the ``ModelConfig``/``TrainConfig`` dataclasses
(their docstrings become tooltips), so a new engine setting appears here by itself.
Values are checked by the dataclasses: their ``ConfigError`` message is shown as is.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from dataclasses import fields
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Checkbox, Collapsible, Input, Label, RadioButton, RadioSet, Select

from tui_lyrics.config import BATCHING, CELLS, COMBINE, INPUTS, ModelConfig, TrainConfig, default_threads
from tui_lyrics.errors import ConfigError
from tui_lyrics.presets import Preset, auto_preset, preset
from tui_lyrics.ui.training.estimate_line import EstimateLine

PRESETS = ("tiny", "small", "medium", "large")
BUDGETS = ("steps", "epochs", "minutes")
CHOICES = {"cell": CELLS, "input": INPUTS, "combine": COMBINE, "batching": BATCHING}
BASIC_TRAIN_FIELDS = {"steps", "epochs", "minutes", "device"}
FIRST_RUN_MINUTES = {"tiny": 2, "small": 5, "medium": 10, "large": 20}
"""The budget a preset offers: minutes, so a first run takes minutes whatever the machine."""


def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of a settings dataclass (shown as tooltips)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return {}
    body = tree.body if isinstance(tree, ast.ClassDef) else []
    docs = {}
    for node, after in itertools.pairwise(body):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue  # not a field
        if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            docs[node.target.id] = after.value.value
    return docs


def label(name: str) -> str:
    """A field's name as the CLI flag spells it: ``embed_dim`` -> ``embed-dim``."""
    return name.replace("_", "-")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _parse(name: str, kind: str, raw: str) -> Any:
    """Turn an input's text into the field's type (``int | None`` may be left blank)."""
    raw = raw.strip()
    if "None" in kind and not raw:
        return None
    base = kind.split("|")[0].strip()
    try:
        if base == "int":
            return int(raw)
        if base == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"{label(name)}: {raw!r} is not a number") from None
    return raw


class SettingsForm(Vertical):
    """Everything ``create_model`` needs besides the corpus."""

    preset_name = "small"
    """The preset the fields were last filled from (the user may have edited them since)."""

    DEFAULT_CSS = """
    SettingsForm { height: auto; }
    SettingsForm Horizontal { height: auto; }
    SettingsForm .form-group { width: auto; }
    SettingsForm #budget-estimate { color: $text-muted; width: 1fr; height: auto; }
    SettingsForm #advanced-grid { grid-size: 4; grid-columns: auto 1fr auto 1fr; height: auto; grid-gutter: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Name", classes="field-label")
            yield Input(placeholder="a name for the model", id="model-name", compact=True)
        with Horizontal(classes="form-row", id="preset-row"):  # a narrow screen puts the presets two by two
            yield Label("Size", classes="field-label")
            with RadioSet(id="preset", compact=True):
                for name in PRESETS:
                    yield RadioButton(name, value=name == "small", id=f"preset-{name}", compact=True)
            yield Label("", id="preset-hint", classes="-empty")
        # Two groups in one row; a narrow screen stacks them (training.tcss) so Device is never cut.
        with Horizontal(classes="form-row", id="budget-row"):
            with Horizontal(classes="form-group"):
                yield Label("Budget", classes="field-label")
                yield Input("5", id="budget-value", type="number", compact=True)
                budgets = [(b, b) for b in BUDGETS]
                yield Select(budgets, value="minutes", allow_blank=False, id="budget-kind", compact=True)
            with Horizontal(classes="form-group"):
                yield Label("Device", classes="field-label")
                yield Select([("auto", "auto")], value="auto", allow_blank=False, id="device", compact=True)
        yield EstimateLine(id="budget-estimate")
        with Collapsible(title="Advanced settings", id="advanced"), Grid(id="advanced-grid"):
            yield from self._fields(ModelConfig(), field_docs(ModelConfig))
            yield from self._fields(TrainConfig(), field_docs(TrainConfig), skip=BASIC_TRAIN_FIELDS)

    def _fields(self, config: Any, docs: dict[str, str], skip: set[str] = set()) -> ComposeResult:  # noqa: B006
        for f in fields(config):
            if f.name in skip:
                continue
            value, widget_id = getattr(config, f.name), f"set-{f.name}"
            yield Label(label(f.name), classes="field-label")
            if f.name in CHOICES:
                options = [(choice, choice) for choice in CHOICES[f.name]]
                widget: Any = Select(options, value=value, allow_blank=False, id=widget_id, compact=True)
            elif f.type == "bool":
                widget = Checkbox("", value=value, id=widget_id, compact=True)
            else:
                widget = Input(_text(value), id=widget_id, compact=True)
            widget.tooltip = docs.get(f.name)
            yield widget

    def on_mount(self) -> None:
        self.apply_preset(preset(self.preset_name))

    # -- filling in -------------------------------------------------------------------------
    def suggest(self, train_chars: int, name: str) -> None:
        """Pick the preset that suits a corpus of ``train_chars`` and propose a name."""
        chosen = auto_preset(train_chars)
        hint = self.query_one("#preset-hint", Label)
        hint.update(f"suggested: {chosen.name}")
        hint.remove_class("-empty")
        buttons = self.query(f"#preset-{chosen.name}")
        if buttons:
            buttons.first(RadioButton).value = True
        self.apply_preset(chosen)
        self.query_one("#model-name", Input).value = name

    @on(RadioSet.Changed, "#preset")
    def _preset_changed(self, event: RadioSet.Changed) -> None:
        name = (event.pressed.id or "").removeprefix("preset-")
        if name and name != self.preset_name:  # not the echo of a preset already applied
            self.apply_preset(preset(name))

    def apply_preset(self, chosen: Preset) -> None:
        self.preset_name = chosen.name
        for config in (chosen.model, chosen.train):
            for f in fields(config):
                self._set(f.name, getattr(config, f.name))
        if chosen.train.threads is None:
            self._set("threads", default_threads())
        self.query_one("#budget-kind", Select).value = "minutes"
        self.query_one("#budget-value", Input).value = _text(FIRST_RUN_MINUTES.get(chosen.name, 5))

    def _set(self, name: str, value: Any) -> None:
        widgets = self.query(f"#set-{name}")
        if not widgets:
            return
        widget = widgets.first()
        if isinstance(widget, Input):
            widget.value = _text(value)
        elif isinstance(widget, (Checkbox, Select)):  # the only other kinds of field it makes
            widget.value = value

    def set_devices(self, devices: tuple[str, ...]) -> None:
        """Offer the devices the engine found; ``auto`` names the one it would pick."""
        select = self.query_one("#device", Select)
        options = [(f"auto ({devices[0]})" if devices else "auto", "auto"), *((d, d) for d in devices)]
        select.set_options(options)
        select.value = "auto"
        # Same value, new label: redraw it. Textual's documented call; mypy objects to reading a
        # generic class's reactive (Select[T].value) through the class.
        select.mutate_reactive(Select.value)  # type: ignore[misc]

    # -- reading ----------------------------------------------------------------------------
    @property
    def name_value(self) -> str:
        return self.query_one("#model-name", Input).value.strip()

    @property
    def budget_kind(self) -> str:
        return str(self.query_one("#budget-kind", Select).value)

    def read(self) -> tuple[ModelConfig, TrainConfig]:
        """The settings as the engine's dataclasses; raises ``ConfigError`` with the reason."""
        model = ModelConfig(**self._values(ModelConfig))
        values = self._values(TrainConfig, skip=BASIC_TRAIN_FIELDS)
        kind = self.budget_kind
        budget_type = "int" if kind == "steps" else "float"
        values[kind] = _parse(kind, budget_type, self.query_one("#budget-value", Input).value)
        values["device"] = str(self.query_one("#device", Select).value)
        return model, TrainConfig(**values)

    def _values(self, cls: type, skip: set[str] = set()) -> dict[str, Any]:  # noqa: B006
        values = {}
        for f in fields(cls):
            if f.name in skip:
                continue
            widget = self.query_one(f"#set-{f.name}")
            if isinstance(widget, Input):
                values[f.name] = _parse(f.name, str(f.type), widget.value)
            elif isinstance(widget, (Checkbox, Select)):  # the only other kinds of field it makes
                values[f.name] = widget.value
        return values
