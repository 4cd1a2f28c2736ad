"""The library's models table: one row per model, read from the cards, with its state mark.

It owns what it shows: the models and experiments of the last read, which experiments are
opened (a comparison's models are grouped under one row that enter shows or hides), and the
selection. It words the details line for the selected row, and does the renames and deletes
the screen's keys ask for (after a dialog); each done edit is reported as ``ModelEdited`` so
the library reads itself again.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import TYPE_CHECKING

from rich.text import Text
from textual.markup import escape
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from tui_lyrics.errors import LyricsError
from tui_lyrics.experiments import delete_experiment
from tui_lyrics.fmt import fmt_count, fmt_duration, fmt_ppl
from tui_lyrics.quotes import quotes_compact
from tui_lyrics.ui.library.messages import ModelEdited
from tui_lyrics.ui.widgets.dialogs import ConfirmDialog, PromptDialog

if TYPE_CHECKING:
    from tui_lyrics.store import ModelInfo
    from tui_lyrics.ui.app import LyricsApp
    from tui_lyrics.ui.record import RunRecord

COLUMNS = ("", "Name", "Held ppl", "Steps", "Time", "Cell", "Params", "Corpus")
"""Most telling first: a narrow terminal cuts the table from the right."""
GROUP = "experiment:"
"""Row keys of experiment rows start with this (a model name cannot contain a colon)."""
EMPTY = "No models yet. Press [b]n[/b] to train one on a lyrics file (.txt, .lrc, .md, a .zip or a folder)."

Experiments = tuple[tuple[str, tuple[str, ...]], ...]
"""Each experiment's id and the names of its models."""


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ModelTable(DataTable[Text]):
    """The models of the library; an experiment's models under its row, shown on enter."""

    app: LyricsApp

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.columns_keys = self.add_columns(*COLUMNS)
        self.models: tuple[ModelInfo, ...] | None = None
        """The models of the last read (None before the first)."""
        self.experiments: Experiments = ()
        self.expanded: set[str] = set()
        """Experiments whose models are shown under them."""

    # -- drawing ----------------------------------------------------------------------------
    def show(self, models: tuple[ModelInfo, ...], experiments: Experiments) -> bool:
        """Show a read of the library; True if it differs from the one shown."""
        if models == self.models and experiments == self.experiments:
            return False
        self.models, self.experiments = models, experiments
        self._fill()
        return True

    def toggle_selected_group(self) -> bool:
        """On an experiment's row, show or hide its models; False on a model's row."""
        group = self.selected_group()
        if group is None:
            return False
        self.expanded ^= {group}
        self._fill()
        return True

    def show_run(self, record: RunRecord) -> None:
        """Refresh the training model's row in place with the run's step, time and best score (this comes
        ~10 times a second; its card says them only at each checkpoint)."""
        info = next((row for row in self.models or () if row.name == record.name), None)
        if info is None or info.error:
            return
        info = dataclasses.replace(
            info,
            steps=max(info.steps, record.step),
            train_seconds=record.elapsed if record.elapsed is not None else info.train_seconds,
            best_loss=record.best_loss if record.best_loss is not None else info.best_loss,
        )
        with contextlib.suppress(CellDoesNotExist):
            for column, cell in zip(self.columns_keys, self.cells(info), strict=True):
                self.update_cell(info.name, column, cell, update_width=True)

    def _fill(self) -> None:
        models = self.models or ()
        selected = self.selected_key()
        self.clear()
        members = {name for _, names in self.experiments for name in names}
        for info in models:
            if info.name not in members:
                self.add_row(*self.cells(info), key=info.name)
        by_name = {info.name: info for info in models}
        for exp_id, names in self.experiments:
            present = [by_name[name] for name in names if name in by_name]
            if not present:
                continue
            self.add_row(*self._group_cells(exp_id, present), key=GROUP + exp_id)
            if exp_id in self.expanded:
                for info in present:
                    self.add_row(*self.cells(info), key=info.name)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

    def _group_cells(self, exp_id: str, models: list[ModelInfo]) -> tuple[Text, ...]:
        """One row for an experiment: its id, how many models, the best held-out perplexity."""
        scored = [info.best_loss for info in models if info.best_loss is not None]
        mark = "▾" if exp_id in self.expanded else "▸"
        live = any(info.live or self.app.runs.running(info.name) for info in models)
        return (
            Text(mark),
            Text(exp_id),
            Text(fmt_ppl(min(scored)) if scored else "", justify="right"),
            Text(""),
            Text(""),
            Text(f"{len(models)} models" + (" ●" if live else "")),
            Text(""),
            Text(_cut(models[0].corpus, 16)),
        )

    def state(self, info: ModelInfo) -> str:
        """The row's mark: ● training, ! unreadable, ◆ built in, ✓ finished, ◐ can train more, · untrained."""
        if self.app.runs.running(info.name) or info.live:
            return "●"
        if info.error:
            return "!"
        if info.read_only:
            return "◆"
        return "✓" if info.finished else "◐" if info.steps else "·"

    def cells(self, info: ModelInfo) -> tuple[Text, ...]:
        """One table row; names come from users and files, so they are never read as markup."""
        if info.error:
            return (Text("!"), Text(info.name), Text("unreadable"), *(Text("") for _ in range(5)))
        numbers = (fmt_ppl(info.best_loss), f"{info.steps:,}", fmt_duration(info.train_seconds))
        name = f"└ {info.name}" if any(info.name in names for _, names in self.experiments) else info.name
        return (
            Text(self.state(info)),
            Text(name),
            *(Text(n, justify="right") for n in numbers),
            Text(f"{info.cell}/{info.input}"),
            Text(fmt_count(info.params), justify="right"),
            Text(_cut(info.corpus, 16)),
        )

    # -- the details line -------------------------------------------------------------------
    def describe(self) -> str:
        """The details line for the selected row (markup; names escaped)."""
        info = self.selected()
        group = self.selected_group()
        if not self.models:
            return EMPTY
        if group is not None:
            count = len(dict(self.experiments).get(group, ()))
            return (
                f"[b]{escape(group)}[/b] · a comparison of {count} models · enter shows or hides them · "
                "e opens Compare · d deletes it with its models"
            )
        if info is None:
            return ""
        if info.error:
            return f"[b]{escape(info.name)}[/b] cannot be read: {escape(info.error)}"
        return self._summary(info)

    def _summary(self, info: ModelInfo) -> str:
        if info.read_only:
            state = "built-in, read-only"
        elif self.app.training_here(info.name):
            state = "[b]● training in this app[/b]"
        elif self.app.runs.training_here(info.name):
            state = "[b]● training in this app's comparison grid[/b] (v to watch)"
        elif info.live or info.name in self.app.runs.elsewhere:
            state = "[b]● being trained by another process[/b] (v to watch)"
        else:
            state = "finished" if info.finished else "can train more" if info.steps else "not trained yet"
        held = f"held-out perplexity {fmt_ppl(info.best_loss)}" if info.best_loss is not None else "not scored yet"
        if info.song_loss is not None:  # beside the static figure, labelled: never instead of it
            held += f" (with song memory {fmt_ppl(info.song_loss)})"
        if info.best_loss is not None:  # what the weights scored hand back from the corpus, beside the score
            held += f" · {quotes_compact(info.memorisation)}"
        # The figures and the state first, the rest short: the line has three rows (one when low; the demo's fits
        # whole at 80 columns); most of what a narrow terminal cuts from the end is in the table too.
        return (
            f"[b]{escape(info.name)}[/b] · {held} · {state} · corpus {escape(info.corpus)} · "
            f"{info.cell}/{info.input}, {fmt_count(info.params)} params · "
            f"{info.steps:,} steps, {fmt_duration(info.train_seconds)}"
        )

    # -- selection --------------------------------------------------------------------------
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def selected_name(self) -> str | None:
        """The selected model's name (None on an experiment's row)."""
        key = self.selected_key()
        return None if key is None or key.startswith(GROUP) else key

    def selected_group(self) -> str | None:
        """The selected experiment's id, on an experiment's row."""
        key = self.selected_key()
        return key.removeprefix(GROUP) if key is not None and key.startswith(GROUP) else None

    def selected(self) -> ModelInfo | None:
        name = self.selected_name()
        return next((info for info in self.models or () if info.name == name), None)

    def usable(self) -> ModelInfo | None:
        """The selected model, if it can be acted on; otherwise say why."""
        info = self.selected()
        if info is None and self.selected_group() is not None:
            self.notify("An experiment: press enter to show its models, then pick one", severity="warning")
        elif info is None:
            self.notify("No model selected: press n to train one", severity="warning")
        elif info.error:
            self.notify(f"{info.name} cannot be read: {info.error}", severity="error")
            return None
        return info

    # -- edits (each asks first) ------------------------------------------------------------
    def _editable(self, info: ModelInfo | None) -> ModelInfo | None:
        """``info`` unless it is built in (said now, not after a question whose answer cannot be carried out)."""
        if info is not None and info.read_only:
            self.notify(f"{info.name} is built in and read-only; press n to train your own model", severity="warning")
            return None
        return info

    def ask_rename(self) -> None:
        info = self._editable(self.usable())
        if info is not None:
            self.app.push_screen(
                PromptDialog(f"New name for {info.name}:", value=info.name, ok="Rename"),
                lambda new: self._rename(info.name, new),
            )

    def _rename(self, old: str, new: str | None) -> None:
        if new is None or new.strip() == old:
            return
        try:
            self.app.store.rename(old, new)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Renamed {old} to {new.strip()}")
        self.post_message(ModelEdited(name=new.strip()))

    def ask_delete(self) -> None:
        group = self.selected_group()
        if group is not None:
            count = len(dict(self.experiments).get(group, ()))
            question = f"Delete the experiment {group} and its {count} models? This cannot be undone."
            dialog = ConfirmDialog(question, yes="Delete all", no="Keep")
            self.app.push_screen(dialog, lambda yes: self._delete_experiment(group, yes))
            return
        info = self.selected()
        if info is None:
            self.notify("No model selected", severity="warning")
            return
        if self._editable(info) is None:
            return
        question = f"Delete {info.name} and its checkpoints? This cannot be undone."
        self.app.push_screen(ConfirmDialog(question, yes="Delete", no="Keep"), lambda yes: self._delete(info, yes))

    def _delete(self, info: ModelInfo, yes: bool | None) -> None:
        if not yes:
            return
        if self.app.runs.training_here(info.name):
            self.notify(f"{info.name!r} is being trained right now; stop it first", severity="error")
            return
        try:
            self.app.store.delete(info.name)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Deleted {info.name}")
        self.post_message(ModelEdited(name=info.name))

    def _delete_experiment(self, exp_id: str, yes: bool | None) -> None:
        if not yes:
            return
        names = dict(self.experiments).get(exp_id, ())
        busy = sorted(self.app.runs.live_names() & set(names))
        if busy:
            self.notify(f"{busy[0]!r} is being trained right now; stop it first", severity="error")
            return
        try:
            delete_experiment(self.app.store.home, exp_id, with_models=True)
        except (LyricsError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Deleted the experiment {exp_id} and its models")
        self.post_message(ModelEdited(name=exp_id))
