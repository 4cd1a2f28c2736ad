"""ModelLine: the model Compose writes with, one line about it, its weights loaded in a worker.

The line owns the model in use. ``read`` looks at a model's card at once (a model that cannot be
used says why on the line and is not chosen); ``use`` makes it the one in use and loads its
weights in a thread worker, showing which checkpoint arrived. The ``ModelLoaded`` fact goes on
up to the screen, which then tells the take desk it is ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import work
from textual.widgets import Static

from tui_lyrics.errors import LyricsError
from tui_lyrics.store import ModelInfo, ModelStore
from tui_lyrics.ui.compose.dialogs import model_summary
from tui_lyrics.ui.compose.jobs import load_job
from tui_lyrics.ui.compose.messages import ModelLoaded, ModelLoadFailed
from tui_lyrics.vocab import CharVocab

NO_MODEL = "No model chosen yet: press m to pick one."


@dataclass(frozen=True)
class Usable:
    """A model whose card was read: what the line needs to use it."""

    name: str
    info: ModelInfo
    vocab: CharVocab
    about: str
    """One line about the model: name, cell and size, corpus, held-out perplexity."""


class ModelLine(Static):
    """One row about the model in use (loading, loaded, or why it cannot be used)."""

    def __init__(self, store: ModelStore, *, id: str | None = None) -> None:
        super().__init__(NO_MODEL, id=id, markup=False)
        self.store = store
        self.chosen: Usable | None = None
        """The model in use (its card read), None until one is chosen."""
        self.lm: Any = None
        """The loaded model (``core.sample.LoadedModel``), None while loading."""

    def read(self, name: str) -> Usable | None:
        """Model ``name``'s card, or None when it cannot be used (the line then says why)."""
        info = next((m for m in self.store.list() if m.name == name), None)
        try:
            if info is None or info.error is not None:
                raise LyricsError(info.error if info is not None else f"no model named {name!r}")
            card = self.store.card(name)
            shape = f"{card.model.cell.upper()} {card.model.layers}×{card.model.hidden}"
        except LyricsError as error:
            self.update(f"Cannot use {name}: {error}. Press m to pick another model.")
            return None
        return Usable(name, info, card.vocab, f"{name} · {model_summary(info, shape=shape)}")

    def use(self, model: Usable) -> None:
        """Make ``model`` the one in use and load its weights in a worker."""
        self.chosen, self.lm = model, None
        self.update(f"Loading {model.about}…")
        self._load(model.name, live=model.info.live)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, name: str, live: bool) -> None:
        load_job(self.store, name, live=live, post=self.post_message)

    def on_model_loaded(self, message: ModelLoaded) -> None:
        if self.chosen is None or message.name != self.chosen.name:
            message.stop()  # a model chosen before this one: the screen need not hear of it
            return
        self.lm = message.model
        weights = "latest weights (training now)" if message.weights == "last" else f"{message.weights} weights"
        self.update(f"{self.chosen.about} · {weights}")

    def on_model_load_failed(self, message: ModelLoadFailed) -> None:
        if self.chosen is not None and message.name == self.chosen.name:
            self.update(f"Cannot load {message.name}: {message.error}. Press m to pick another model.")
