"""The training form's time line: how long the budget will take, and where that figure comes from.

The widget owns the work behind the line: it reads the newest past run from the library when
it mounts and measures this machine's step time in a thread when it must (``estimate.py`` has
the arithmetic and the reasons). The screen tells it what the form holds (``show_for``); the
threads answer it by message, and it redraws itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.markup import escape
from textual.widgets import Label

from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.corpus import Corpus
from tui_lyrics.errors import LyricsError
from tui_lyrics.ui.training.estimate import Budget, PastRun, calibration, describe, newest_run, steps_per_epoch
from tui_lyrics.ui.training.messages import PastRunRead, SpeedMeasured

if TYPE_CHECKING:
    from tui_lyrics.ui.app import LyricsApp

Settings = tuple[ModelConfig, TrainConfig]


class EstimateLine(Label):
    """``Time: about 14 min on this machine, done about 12:14 (4,000 steps × 0.21 s, as songs trained here)``."""

    app: LyricsApp

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[Corpus | None, Settings | None, str] | None = None
        """What the form held at the last ``show_for`` (redrawn when a thread answers)."""
        self.speeds: dict[tuple[object, ...], float] = {}
        """Measured seconds per step, by the settings measured."""
        self._measuring: tuple[object, ...] | None = None
        self.past: PastRun | None = None
        """The newest model trained here, whose real speed the estimate prefers to a measurement."""
        self._past_read = False
        self.factor: float | None = None
        """How many times slower that run really went than its settings measure (once measured)."""

    def on_mount(self) -> None:
        self._read_past()

    def show_for(self, corpus: Corpus | None, settings: Settings | None, kind: str) -> None:
        """Say how long the budget takes: at once for minutes or settings trained here before, else measured."""
        self._shown = (corpus, settings, kind)
        if settings is None:
            self.update("")  # Start says what is wrong with the settings
            return
        model, train = settings
        budget = Budget(kind, float(getattr(train, kind) or 0))
        train_chars = round(corpus.summary.chars * (1 - train.held_out)) if corpus is not None else 0
        per_epoch = steps_per_epoch(train_chars, batch=train.batch, seq=train.seq)
        unknown = describe(budget, seconds_per_step=None, per_epoch=per_epoch)
        if kind == "minutes":
            self.update(unknown)
        elif corpus is None:
            self.update("Time: known once a corpus is chosen (a minutes budget is known now)")
        elif not self._past_read:  # a moment: a past run's real speed beats a measurement
            self.update(unknown)
        elif self.past is not None and self.past.matches(model, train):
            seconds = self.past.seconds_per_step(train)
            words = f"{seconds:.2f} s, as {self.past.name} trained here"
            self.update(describe(budget, seconds_per_step=seconds, per_epoch=per_epoch, overhead=0, source=words))
        else:
            self._measured(budget, per_epoch, model, train, corpus.summary.distinct + 1)

    def _measured(self, budget: Budget, per_epoch: int, model: ModelConfig, train: TrainConfig, vocab: int) -> None:
        """The estimate from a measurement (scaled by how the newest past run really went, once known)."""
        key = (model, train.batch, train.seq, train.device, train.threads, vocab)
        seconds = self.speeds.get(key)
        if seconds is not None and self.past is not None and self.factor is not None:
            words = f"{seconds:.2f} s measured, ×{self.factor:.2f} as {self.past.name} ran here"
            line = describe(
                budget, seconds_per_step=seconds, per_epoch=per_epoch, overhead=self.factor - 1, source=words
            )
            self.update(line)
        elif seconds is not None:
            self.update(describe(budget, seconds_per_step=seconds, per_epoch=per_epoch))
        elif not self.app.engine.ready.is_set():
            self.update("Time: known once the engine has loaded…")
        elif self.app.job is not None:
            self.update("Time: not measured while another model trains (a minutes budget is exact)")
        else:
            self.update(describe(budget, seconds_per_step=None, per_epoch=per_epoch))
            if self._measuring != key:
                self._measuring = key
                self._measure(key, model, train, vocab, self.past if self.factor is None else None)

    def _again(self) -> None:
        if self._shown is not None:
            self.show_for(*self._shown)

    # -- the threads --------------------------------------------------------------------------
    @work(thread=True, group="past-run", exit_on_error=False)
    def _read_past(self) -> None:
        try:
            self.post_message(PastRunRead(run=newest_run(self.app.store)))
        except (LyricsError, OSError):  # an unreadable library: the estimate measures instead
            self.post_message(PastRunRead(run=None))

    def on_past_run_read(self, message: PastRunRead) -> None:
        self.past, self._past_read = message.run, True
        self._again()

    @work(thread=True, exclusive=True, group="speed", exit_on_error=False)
    def _measure(
        self, key: tuple[object, ...], model: ModelConfig, train: TrainConfig, vocab: int, past: PastRun | None
    ) -> None:
        """Time a few steps of these settings, and of ``past``'s to scale by how that run really went."""
        try:
            # Imported here, in the worker thread: the engine module imports torch.
            from tui_lyrics.core.speed import seconds_per_step

            measured = seconds_per_step(model, train, vocab)
        except Exception as error:  # a device that is not there: say so in the estimate line
            self.post_message(SpeedMeasured(key=key, seconds_per_step=None, error=str(error)))
            return
        factor = None
        try:
            if past is not None:
                factor = calibration(past, seconds_per_step(past.model, past.train, past.vocab))
        except Exception:  # its device is gone, say: the measurement alone, with the usual quarter
            factor = None
        self.post_message(SpeedMeasured(key=key, seconds_per_step=measured, factor=factor))

    def on_speed_measured(self, message: SpeedMeasured) -> None:
        self._measuring = None
        if message.factor is not None:
            self.factor = message.factor
        if message.seconds_per_step is not None:
            self.speeds[message.key] = message.seconds_per_step
            self._again()
        else:
            self.update(f"Time: cannot measure ({escape(message.error or '')})")
