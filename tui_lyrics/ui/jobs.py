"""The training job: the body of the app's thread worker.

It waits for the engine, creates the model if it is new, and runs ``train`` with a
``TrainControl`` built on its own pause/stop events. It reaches the UI only by posting
messages; every failure becomes a ``TrainingFinished`` with a message for the user
(the engine's own wording for a ``LyricsError``), never a traceback.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from tui_lyrics import progress
from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import Corpus
from tui_lyrics.errors import LyricsError, describe_os_error
from tui_lyrics.lock import LockUnchecked
from tui_lyrics.metrics import read_metrics
from tui_lyrics.store import ModelStore
from tui_lyrics.ui.engine import Engine
from tui_lyrics.ui.messages import MetricsRead, ModelCreated, TrainingFinished, message_for

PREVIEW_SECONDS = 4.0
EVAL_SECONDS = 20.0
ERROR_LOG = "last-error.txt"


@dataclass(frozen=True)
class TrainPlan:
    """What to train: a new model (corpus + settings) or more of an existing one."""

    name: str
    corpus: Corpus | None = None
    """Set for a new model, which is created from it first."""
    model: ModelConfig | None = None
    train: TrainConfig | None = None
    """For a new model its settings; for an existing one a replacement (a new budget) or None."""
    force: bool = False
    """Take over a training lock whose holder cannot be checked from here (the user said so)."""


class TrainingJob:
    """One training run. Made on the UI thread; ``run`` is the worker body (another thread)."""

    def __init__(
        self,
        plan: TrainPlan,
        *,
        store: ModelStore,
        engine: Engine,
        post: Callable[[Message], object],
        preview_seconds: float = PREVIEW_SECONDS,
        eval_seconds: float = EVAL_SECONDS,
    ) -> None:
        self.plan = plan
        self.store, self.engine, self.post = store, engine, post
        self.preview_seconds, self.eval_seconds = preview_seconds, eval_seconds
        self.stop_event = threading.Event()
        self.hurry_event = threading.Event()
        """Set with a quit: the run saves and returns without reading its memorisation meter."""
        self.pause_event = threading.Event()
        self.done = threading.Event()

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def paused(self) -> bool:
        return self.pause_event.is_set()

    def pause(self) -> None:
        self.pause_event.set()

    def resume(self) -> None:
        self.pause_event.clear()

    def stop(self, *, hurry: bool = False) -> None:
        """Ask the loop to save and return (``hurry``: and skip the meter's few seconds); safe from any thread."""
        if hurry:
            self.hurry_event.set()
        self.stop_event.set()

    def stop_and_wait(self, timeout: float) -> bool:
        """Stop and block until the checkpoint is saved (or ``timeout``); True if it was."""
        self.stop()
        return self.done.wait(timeout)

    # -- the worker body (runs in a thread) ---------------------------------------------------
    def run(self) -> None:
        try:
            self._run()
        except LockUnchecked as error:
            self._finished("error", str(error), takeover=True)
        except LyricsError as error:
            self._failed(str(error))
        except MemoryError:
            self._failed("out of memory: try a smaller batch, seq or hidden size")
        except OSError as error:  # a file the engine could not read or write: what, where, what to do
            self._failed(describe_os_error(error))
        except Exception as error:  # a bug: one line for the user, the details in a file
            self._failed(self._unexpected(error))
        finally:
            self.done.set()

    def _run(self) -> None:
        self.engine.ready.wait()
        if self.engine.error:
            raise LyricsError(self.engine.error)
        # Imported here, in the worker thread: the engine module imports torch.
        from tui_lyrics.core.control import TrainControl
        from tui_lyrics.core.create import create_model
        from tui_lyrics.core.train import train

        plan = self.plan
        if self.stop_event.is_set():
            self._finished("stopped", "")
            return
        if plan.corpus is not None:
            assert plan.model is not None and plan.train is not None
            create_model(self.store, plan.corpus, name=plan.name, model=plan.model, train=plan.train)
            self.post(ModelCreated(name=plan.name))
        else:
            self._post_history()
        control = TrainControl(
            stop=self.stop_event,
            pause=self.pause_event,
            hurry=self.hurry_event,
            preview_seconds=self.preview_seconds,
            eval_seconds=self.eval_seconds,
        )
        override = plan.train if plan.corpus is None else None
        train(self.store, plan.name, callback=self._report, control=control, train_config=override, force=plan.force)

    def _report(self, event: progress.TrainEvent) -> None:
        self.post(message_for(self.name, event))

    def _post_history(self) -> None:
        """Send the curve so far, so a resumed run's chart continues where it left off."""
        folder = self.store.path(self.name)
        rows = tuple(read_metrics(folder))
        self.post(MetricsRead(name=self.name, rows=rows, card=self.store.card(self.name), live=True, reset=True))

    def _finished(self, reason: str, message: str, *, takeover: bool = False) -> None:
        event = progress.TrainingFinished(name=self.name, reason=reason, step=0, best_loss=None, message=message)
        self.post(TrainingFinished(name=self.name, event=event, takeover=takeover))

    def _failed(self, message: str) -> None:
        self._finished("error", message)

    def _unexpected(self, error: Exception) -> str:
        text = str(error)
        if isinstance(error, RuntimeError) and ("out of memory" in text or "allocate" in text):
            return "out of memory: try a smaller batch, seq or hidden size"
        log = self._log_path()
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
            where = f" (details in {log})"
        except OSError:
            where = ""
        return f"training stopped by an unexpected error: {type(error).__name__}: {text}{where}"

    def _log_path(self) -> Path:
        return self.store.home / ERROR_LOG
