"""The live view of a run: loss curves, held-out perplexity, speed, time and a sample.

It draws a ``RunRecord`` and nothing else, so a run in this app and a headless run
watched through its metrics file look the same.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Digits, Label, Static

from tui_lyrics.fmt import fmt_count, fmt_duration, fmt_ppl
from tui_lyrics.quotes import quotes_compact
from tui_lyrics.ui import format as fmt
from tui_lyrics.ui.record import RunRecord
from tui_lyrics.ui.status import RunStatus
from tui_lyrics.ui.training.sparkline import LossSparkline

OVERFITTING = (
    "Overfitting: held-out loss rises while training loss falls. The best checkpoint is kept; "
    "stop now, or retrain with more dropout or a smaller model."
)


class TrainMonitor(Vertical):
    """The monitor pane of the training screen."""

    DEFAULT_CSS = """
    TrainMonitor { height: 1fr; }
    TrainMonitor #monitor-readout { height: auto; }
    TrainMonitor #ppl-box { width: auto; height: auto; }
    TrainMonitor #held-ppl { width: auto; }
    TrainMonitor #run-stats { width: 1fr; height: auto; }
    TrainMonitor #sample { height: auto; max-height: 4; }
    TrainMonitor #overfit-hint { display: none; }
    TrainMonitor.-overfitting #overfit-hint { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="run-title")
        yield LossSparkline("Training loss", id="train-curve")
        yield LossSparkline("Held-out loss", id="held-curve")
        with Horizontal(id="monitor-readout"):
            with Vertical(id="ppl-box"):
                yield Label("held-out perplexity", classes="readout-caption")
                yield Digits("-", id="held-ppl")
            yield Static("", id="run-stats")
        yield Static("", id="sample")
        yield Static(OVERFITTING, id="overfit-hint")

    def show(self, record: RunRecord, *, engine_ready: bool = True) -> None:
        """Redraw from ``record`` (called on the UI thread at most ~10 times a second)."""
        status = RunStatus(record.status).label
        if record.status == RunStatus.WAITING and not engine_ready:
            status = "loading the engine…"
        if record.status == RunStatus.FAILED and record.message:
            status = f"✗ failed: {record.message}"
        self.query_one("#run-title", Label).update(f"[b]{escape(record.name)}[/b]  {escape(status)}")
        train_caption = f"{fmt.loss(record.train_loss)}  (perplexity {fmt_ppl(record.train_loss)}, smoothed)"
        self.query_one("#train-curve", LossSparkline).show(record.train.values, train_caption)
        held = [point.held_loss for point in record.held]
        best = fmt.loss(record.best_loss)
        held_caption = f"{fmt.loss(held[-1] if held else None)}  (best {best}, {len(held)} scorings)"
        song = record.held[-1].song_loss if record.held else None
        if song is not None:  # beside the static figure, never instead of it
            held_caption += f"; with song memory {fmt.loss(song)}"
        self.query_one("#held-curve", LossSparkline).show(held, held_caption)
        self.query_one("#held-ppl", Digits).update(fmt.ppl_digits(held[-1] if held else None))
        self.query_one("#run-stats", Static).update(self._stats(record))
        self.query_one("#sample", Static).update(self._sample(record))
        self.set_class(record.overfitting, "-overfitting")

    @staticmethod
    def _stats(record: RunRecord) -> str:
        if record.total_steps:
            share = f" ({record.fraction:.0%})" if record.fraction is not None else ""
            steps = f"step {record.step:,} / {record.total_steps:,}{share}"
        elif record.fraction is not None:  # a minutes budget: how much of its time has gone, as the header says
            steps = f"step {record.step:,} · {record.fraction:.0%} of its time"
        else:
            steps = f"step {record.step:,}"
        epoch = f" · epoch {record.epoch:.2f}" if record.epoch is not None else ""
        elapsed = record.live_elapsed()
        eta = record.eta
        if eta is not None and elapsed is not None and record.elapsed is not None:
            eta = max(0.0, eta - (elapsed - record.elapsed))  # the clock moved on since the reading
        lines = [
            f"train perplexity [b]{fmt_ppl(record.train_loss)}[/b] · best held-out {fmt_ppl(record.best_loss)}",
            TrainMonitor._quotes(record),
            f"{steps}{epoch}",
            f"{fmt.rate(record.chars_per_sec)} · lr {fmt.learning_rate(record.lr)}",
            f"elapsed {fmt_duration(elapsed)} · ETA {fmt_duration(eta)}",
            f"device {record.device or '—'} · {fmt_count(record.params)} parameters",
        ]
        return "\n".join(lines)

    @staticmethod
    def _quotes(record: RunRecord) -> str:
        """The memorisation meter of the best weights, beside the held-out figure: read when the run ends."""
        if record.active or (record.memorisation is None and record.best_loss is None):
            return "[dim]quotes the corpus: read when the run ends[/dim]"
        return escape(quotes_compact(record.memorisation))

    @staticmethod
    def _sample(record: RunRecord) -> str:
        if record.sample is None and record.active:
            return "[dim]A sample from the current weights appears here every few seconds.[/dim]"
        if record.sample is None and record.status == RunStatus.WATCHING:
            return "[dim]Only the curves are shared by the process training it; samples stay there.[/dim]"
        if record.sample is None:
            return "[dim]Press c to write lyrics with this model.[/dim]"
        step, text = record.sample
        return f"[dim]sample at step {step:,}:[/dim] {escape(text.strip().replace(chr(10), ' / '))}"
