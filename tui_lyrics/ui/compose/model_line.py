"""ModelLine: the model Compose writes with, one line about it, its weights loaded in a worker.

The line owns the model in use. ``read`` looks at a model's card at once (a model that cannot be
used says why on the line and is not chosen); ``use`` makes it the one in use and loads its
weights in a thread worker, showing which checkpoint arrived. The ``ModelLoaded`` fact goes on
up to the screen, which then tells the take desk it is ready.

The line is worded for its width (``about_line``): the name, the held-out perplexity and the
memorisation meter beside it always (and a model in training says so), the meter as long as
room allows, then whichever of the weights in use, the shape, the corpus and the steps still
fit whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual import work
from textual.widgets import Static

from tui_lyrics.errors import LyricsError
from tui_lyrics.quotes import quotes_brief, quotes_tight
from tui_lyrics.store import ModelInfo, ModelStore
from tui_lyrics.ui.compose.dialogs import held_out
from tui_lyrics.ui.compose.jobs import load_job
from tui_lyrics.ui.compose.messages import ModelLoaded, ModelLoadFailed
from tui_lyrics.vocab import CharVocab

NO_MODEL = "No model chosen yet: press m to pick one."
WIDE = 10_000
"""The width a line is worded for before the widget has one."""


def about_line(info: ModelInfo, *, shape: str, width: int, lead: str = "", status: str = "", weights: str = "") -> str:
    """One line about a model within ``width`` cells: '{lead}name · held-out ppl · quotes … · {status}', with the
    meter's longest wording that fits, then as many of ``weights``, the shape, the corpus and the steps as fit whole
    (none cut). When even the tightest meter does not fit, the line is the tightest one (the widget ends it with an
    ellipsis)."""
    head = f"{lead}{info.name} · {held_out(info)}"
    for wording in (quotes_brief, quotes_tight):  # the longer first
        line = f"{head} · {wording(info.memorisation)}" + (f" · {status}" if status else "")
        if cell_len(line) <= width:
            break
    steps = f"{info.steps} step{'s' * (info.steps != 1)}"
    for extra in (weights, shape, info.corpus, steps):
        if not extra:
            continue
        if cell_len(line) + 3 + cell_len(extra) > width:
            break
        line += f" · {extra}"
    return line


@dataclass(frozen=True)
class Usable:
    """A model whose card was read: what the line needs to use it."""

    name: str
    info: ModelInfo
    vocab: CharVocab
    shape: str
    """Cell, layers and size: 'GRU 1×128'."""


class ModelLine(Static):
    """One row about the model in use (loading, loaded, or why it cannot be used)."""

    def __init__(self, store: ModelStore, *, id: str | None = None) -> None:
        super().__init__(NO_MODEL, id=id, markup=False)
        self.store = store
        self.chosen: Usable | None = None
        """The model in use (its card read), None until one is chosen."""
        self.lm: Any = None
        """The loaded model (``core.sample.LoadedModel``), None while loading."""
        self._about: tuple[str, str, str, str] | None = None
        """While the line is about the chosen model: the words before it, its status and weights (``about_line``),
        and the words after."""

    def read(self, name: str) -> Usable | None:
        """Model ``name``'s card, or None when it cannot be used (the line then says why)."""
        info = next((m for m in self.store.list() if m.name == name), None)
        try:
            if info is None or info.error is not None:
                raise LyricsError(info.error if info is not None else f"no model named {name!r}")
            card = self.store.card(name)
            shape = f"{card.model.cell.upper()} {card.model.layers}×{card.model.hidden}"
        except LyricsError as error:
            self._say(f"Cannot use {name}: {error}. Press m to pick another model.")
            return None
        return Usable(name, info, card.vocab, shape)

    def use(self, model: Usable) -> None:
        """Make ``model`` the one in use and load its weights in a worker."""
        self.chosen, self.lm = model, None
        self._show_about("Loading ", "training now: latest weights" if model.info.live else "", "", "…")
        self._load(model.name, live=model.info.live)

    def _say(self, text: str) -> None:
        """A line that is not about the chosen model (it keeps its words whatever the width)."""
        self._about = None
        self.update(text)

    def _show_about(self, lead: str, status: str, weights: str, end: str = "") -> None:
        self._about = (lead, status, weights, end)
        self._reword()

    def _reword(self) -> None:
        if self._about is None or self.chosen is None:
            return
        lead, status, weights, end = self._about
        model, width = self.chosen, (self.content_size.width or WIDE) - len(end)
        words = about_line(model.info, shape=model.shape, width=width, lead=lead, status=status, weights=weights)
        self.update(words + end)

    def on_resize(self) -> None:
        self._reword()

    @work(thread=True, exclusive=True, group="load")
    def _load(self, name: str, live: bool) -> None:
        load_job(self.store, name, live=live, post=self.post_message)

    def on_model_loaded(self, message: ModelLoaded) -> None:
        if self.chosen is None or message.name != self.chosen.name:
            message.stop()  # a model chosen before this one: the screen need not hear of it
            return
        self.lm = message.model
        if message.weights == "last":  # said whatever the width: not the weights the figures are of
            self._show_about("", "latest weights (training now)", "")
        else:
            self._show_about("", "", f"{message.weights} weights")

    def on_model_load_failed(self, message: ModelLoadFailed) -> None:
        if self.chosen is not None and message.name == self.chosen.name:
            self._say(f"Cannot load {message.name}: {message.error}. Press m to pick another model.")
