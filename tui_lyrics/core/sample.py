"""Sampling: a generator that yields one character at a time from a trained model.

The prefix is primed in one forward pass; after that each character costs one step with
carried state, so the cost per character is constant. On the CPU that step runs in numpy
(``core.fast_step``: torch's per-operation overhead is most of a batch-1 step), and so does
everything after it, the mixture, the controls and the draw; the draw's random numbers still come
from a seeded ``torch.Generator``, so a seeded take replays. ``<unk>`` is never emitted; prefix
characters the model has no id for are fed as ``<unk>`` (what it was trained to see for
rare characters) and reported, never a crash.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tui_lyrics.card import ModelCard
from tui_lyrics.config import DEFAULT_MAX_PARAMS, check_size
from tui_lyrics.core.constraints import LyricControls
from tui_lyrics.core.draw import Exponentials, _pick
from tui_lyrics.core.draw import SampledChar as SampledChar  # where callers have always found it
from tui_lyrics.core.fast_step import NumpyState, numpy_step
from tui_lyrics.core.mixture import Mixture
from tui_lyrics.core.model import CharRNN, State
from tui_lyrics.memorise import CorpusIndex, corpus_index
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.song_memory import LADDER
from tui_lyrics.store import ModelStore
from tui_lyrics.vocab import UNK_ID, CharVocab


@dataclass
class LoadedModel:
    """A model ready to sample: network in eval mode, vocabulary and card."""

    name: str
    model: CharRNN
    vocab: CharVocab
    card: ModelCard | None
    """None for weights still being trained (``preview``); ``load_model`` always gives the card."""
    weights: str
    """Which checkpoint was loaded: best or last."""
    mixture: Mixture | None = None
    """The n-gram the network is mixed with, when the model has one (see ``core.mixture``)."""
    folder: Path | None = None
    """The model's folder: its corpus copy is indexed (once per process) when a take has a quote limit."""
    corpus: CorpusIndex | None = None
    """The corpus the quote limit checks against, when given directly (tests, benchmarks); else the folder's."""

    def quote_corpus(self) -> CorpusIndex | None:
        """The index the quote limit checks against (None: no corpus copy, so no quote limit)."""
        return self.corpus if self.corpus is not None or self.folder is None else corpus_index(self.folder)


def load_model(
    store: ModelStore,
    name: str,
    *,
    which: str = "best",
    device: str | torch.device = "cpu",
    max_params: int = DEFAULT_MAX_PARAMS,
) -> LoadedModel:
    """Load a model's weights (``best`` if there is one, else ``last``) for sampling.

    The card's size is checked against ``max_params`` before the network is built: a card can
    be hand-edited to declare any size.
    """
    from tui_lyrics.core.checkpoint import load_weights
    from tui_lyrics.errors import StoreError

    folder = store.path(name)
    checkpoint = store.folder(name).checkpoint()  # the newest committed one: its card and its weights
    card, vocab = checkpoint.card, checkpoint.card.vocab
    check_size(card.model, vocab.size, max_params=max_params, what=f"model {name!r}")
    model = CharRNN(card.model, vocab.size)
    found = checkpoint.weights(which)
    if found is None:
        raise StoreError(f"{name!r} has no weights yet: train it first")
    chosen, weights_path = found
    load_weights(model, weights_path)
    mixture = _mixture(card, folder, vocab, save=not store.is_read_only(name))
    if torch.device(device).type == "cpu":
        numpy_step(model)  # the single-step weights, exported now rather than before the first character
    return LoadedModel(
        name=name, model=model.to(device).eval(), vocab=vocab, card=card, weights=chosen, mixture=mixture, folder=folder
    )


def _mixture(card: ModelCard, folder: Path, vocab: CharVocab, *, save: bool = True) -> Mixture | None:
    """The model's n-gram, if training chose a mixture: stored beside the weights, else refitted from its
    corpus copy (and stored, ``save``). The card checked the mixture's order and weight when it was read."""
    from tui_lyrics.core.runtime import load_corpus_copy
    from tui_lyrics.corpus import split_text
    from tui_lyrics.errors import StoreError

    spec = card.mixture
    if spec is None:
        return None
    order, weight, held_out = spec.order, spec.weight, card.train.held_out

    def train_text() -> str:  # only when the stored n-gram is missing or stale (ngram_file)
        if not (folder / "corpus.txt.gz").is_file():
            raise StoreError(f"{folder.name} has lost its corpus copy (corpus.txt.gz), which its n-gram is fitted from")
        return split_text(load_corpus_copy(folder), held_out=held_out)[0]

    song = spec.song_weights
    return Mixture.for_folder(
        folder, vocab, order=order, held_out=held_out, train_text=train_text, weight=weight,
        song_weights=tuple((float(a), float(c)) for a, c in song) if song else None, save=save,
        product=spec.combine == "product",
    )  # fmt: skip


NUMPY_STEPS = True
"""Step in numpy on the CPU (``core.fast_step``); False: in torch, as on other devices (a test compares the two)."""


def resolve_seed(seed: int | None) -> int:
    """A take's seed: the one given, or a fresh one to report so the take can be replayed."""
    return seed if seed is not None else random.SystemRandom().randrange(2**31)


_ONEDNN_LOCK = threading.Lock()
_ONEDNN_USERS: list[bool] = []
"""The oneDNN flag the first sampler inside found, once per sampler inside (the flag is process-wide)."""


@contextmanager
def _fast_single_steps(cpu: bool) -> Iterator[None]:
    """Single steps on the CPU: no oneDNN (its per-call overhead dominates single LSTM steps) and one thread.

    A batch-1 step is a few small matrix-vector products: splitting them over threads costs more than it
    saves, and when the cores are busy (the app's own UI, a training run, other programs) a thread team
    waiting for a descheduled member made steps several times slower (bench/BENCHMARKS.md, section 3).
    The thread count set here is the calling thread's (OpenMP's is per thread; a thread started meanwhile
    inherits it, and training sets its own when it starts). The oneDNN flag is process-wide: the first sampler
    in turns it off and the last one out puts back what the first found, so two samplers at once (Compose and
    Write) never leave it off.
    """
    if not cpu:
        with torch.inference_mode():
            yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with _ONEDNN_LOCK:
        # Only the enabled flag: mkldnn.flags() also sets allow_tf32, which warns on CPU builds.
        _ONEDNN_USERS.append(_ONEDNN_USERS[0] if _ONEDNN_USERS else bool(torch.backends.mkldnn.enabled))
        torch.backends.mkldnn.enabled = False  # type: ignore[assignment]  # torch types it as its descriptor
    try:
        with torch.inference_mode():
            yield
    finally:
        with _ONEDNN_LOCK:
            was = _ONEDNN_USERS.pop()
            if not _ONEDNN_USERS:
                torch.backends.mkldnn.enabled = was  # type: ignore[assignment]  # as above
        torch.set_num_threads(threads)


def stream_chars(
    lm: LoadedModel, prefix: str, config: SampleConfig, *, stop: threading.Event | None = None
) -> Iterator[SampledChar]:
    """Yield sampled characters after ``prefix``; ``config.seed`` must be resolved for replay."""
    model, vocab = lm.model, lm.vocab
    device = next(model.parameters()).device
    g = torch.Generator(device="cpu").manual_seed(resolve_seed(config.seed))  # the draw runs on the CPU
    draws = Exponentials(g)  # its stream in batches: the same draws, one torch call per ~200 characters
    corpus = lm.quote_corpus() if config.quote_limit or config.corpus_lines else None
    controls = LyricControls(vocab, config, prefix, corpus=corpus) if config.has_controls else None
    # Torch's fast-step context is entered around each torch call, never across a yield: the consumer's
    # thread must not be left in inference mode (nor the global oneDNN flag off) between chars.
    mixture = lm.mixture
    history = mixture.history(prefix or "\n") if mixture is not None else []
    # Song memory: the n-gram counts the prefix and every character written (core.mixture, song_memory).
    memory = mixture.song_memory(prefix or "\n") if mixture is not None and config.song_memory else None
    newline = vocab.id_of("\n")
    cpu = device.type == "cpu"
    stepper = numpy_step(model) if cpu and NUMPY_STEPS else None

    # The text's last characters, for the song memory's match: with the prompt or only with the take's own lines.
    recent = (prefix or "\n")[-LADDER[-1] :]

    def torch_state() -> State:  # the state now, as torch steps it (only the lookahead's peek asks)
        return stepper.torch_state(fast) if stepper is not None and fast is not None else state

    def network() -> np.ndarray:  # the network's logits now: the numpy step's head only when asked for
        return stepper.head(fast) if stepper is not None and fast is not None else logits

    def pick() -> SampledChar:
        if mixture is None:
            mixed = network()
        else:  # the mixture asks for the network's logits only where it gives the network a share
            mixed = mixture.next_log_probs(network, history, memory, prompt=prefix or "\n", recent=recent)

        def peek(ids: np.ndarray) -> np.ndarray:
            with _fast_single_steps(cpu):
                return _newline_after(model, torch_state(), newline, torch.from_numpy(ids).to(device))

        return _pick(mixed, vocab, config, draws, controls=controls, peek=peek if controls is not None else None)

    if (stop is not None and stop.is_set()) or config.length <= 0:
        return
    with _fast_single_steps(cpu):
        out, state = _prime(model, vocab, prefix, device)
        logits = out.float().cpu().numpy()
    fast: NumpyState | None = None
    sampled = pick()  # from the primed logits
    fast = stepper.state_of(state) if stepper is not None else None
    lines = 0
    line_has_text = bool(prefix) and not prefix.endswith("\n")
    for n in range(1, config.length + 1):
        if controls is not None:
            line_class = controls.advance(sampled.char)
            if line_class is not None:
                sampled = dataclasses.replace(sampled, line_class=line_class)
        yield sampled
        if sampled.char == "\n":
            lines += line_has_text
            line_has_text = False
            if config.lines is not None and lines >= config.lines:
                return
        else:
            line_has_text = True
        if n == config.length or (stop is not None and stop.is_set()):
            return
        # one step: the network, the n-gram, the draw
        index = vocab.id_of(sampled.char)
        if stepper is not None and fast is not None:
            fast = stepper.advance(index, fast)
        else:
            with _fast_single_steps(cpu):
                out, state = model.step(torch.tensor([index], device=device), state)
                logits = out[0].float().cpu().numpy()
        if mixture is not None:
            history = (history + mixture.history(sampled.char))[-mixture.ngram.order :]
            if memory is not None:
                memory.read(history[-1:])  # the character's n-gram id, as read_text would encode it
                recent = (recent + sampled.char)[-LADDER[-1] :]
        sampled = pick()


def _prime(model: CharRNN, vocab: CharVocab, prefix: str, device: torch.device) -> tuple[torch.Tensor, State]:
    """Run the prefix (or a newline, the start of a line) through the model in one pass."""
    ids = vocab.encode(prefix or "\n")
    out, state = model(torch.tensor([ids], device=device))  # (1, T, V)
    return out[0, -1], state


def _newline_after(model: CharRNN, state: State, newline: int, ids: torch.Tensor) -> np.ndarray:
    """The model's probability of a newline right after each candidate in ``ids`` (K,): one batched step."""
    k = ids.numel()
    if isinstance(state, tuple):
        branched: State = (state[0].expand(-1, k, -1).contiguous(), state[1].expand(-1, k, -1).contiguous())
    else:
        branched = state.expand(-1, k, -1).contiguous()  # (L, K, H)
    logits = model.step(ids.view(k), branched)[0].float()  # (K, V)
    logits[:, UNK_ID] = -torch.inf
    ends: np.ndarray = torch.softmax(logits, -1)[:, newline].cpu().numpy()  # (K,)
    return ends


def sample_text(lm: LoadedModel, prefix: str, config: SampleConfig) -> str:
    """The whole take as a string (for tests and scripts)."""
    return "".join(c.char for c in stream_chars(lm, prefix, config))


def preview(model: CharRNN, vocab: CharVocab, *, seed: int, length: int = 60) -> str:
    """One line from the weights being trained, so the user can watch the model learn."""
    was_training = model.training
    model.eval()
    try:
        lm = LoadedModel(name="", model=model, vocab=vocab, card=None, weights="live")
        config = SampleConfig(length=length, lines=1, seed=seed, alternatives=0)
        return sample_text(lm, "", config).strip()
    finally:
        model.train(was_training)
