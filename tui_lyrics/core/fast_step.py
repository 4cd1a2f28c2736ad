"""One character at a time through a CharRNN in numpy float32: the step sampling runs per character on the CPU.

A batch-1 step is a few small matrix-vector products, and torch's per-operation dispatch costs more than
their arithmetic (``CharRNN.step``: 133 / 192 / 235 µs for rnn / gru / lstm at 2 x 256 with a 2,066-id
vocabulary, of which the head alone took 71-89 µs against 17-23 µs for the same product in numpy). So
sampling on the CPU steps here, on weights exported once per set of weights (``numpy_step`` caches them):

* the first layer's input product is a table lookup: one row per id of ``embed @ W_ih^T + b_ih`` (embed
  input) or of ``W_ih^T + b_ih`` (one-hot input: a one-hot vector selects a column), the hidden biases that
  add to it folded in as well;
* an LSTM's or an RNN's upper layers multiply ``[W_ih | W_hh]`` by ``[x; h]`` in one product; a GRU's keep
  the two products apart (its candidate gate needs ``W_hn h + b_hn`` on its own);
* an LSTM's gates are reordered (i, f, o, g) so its three sigmoids are one call.

The same formulas and gate order as ``torch.nn.LSTM/GRU/RNN``, in float32: the logits equal
``CharRNN.step``'s within float rounding (tests/core/test_fast_step.py). Priming the prefix and every batched
step (the lookahead's peek, training) stay in torch. numpy's BLAS (OpenBLAS) is held to one thread, for the
reason ``sample._fast_single_steps`` gives for torch's: a thread team made a loaded machine's matvecs up to
ten times slower.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from tui_lyrics.core.model import CharRNN, State

NumpyState = tuple[np.ndarray, np.ndarray | None]
"""h (L, H) and, for an LSTM, c (L, H): float32, one row per layer."""


@dataclass(frozen=True)
class _Upper:
    """A layer above the first: its weights as the step multiplies them."""

    w: np.ndarray
    """LSTM / RNN: ``[W_ih | W_hh]`` (G*H, In + H); GRU: ``W_ih`` (3H, In)."""
    b: np.ndarray
    """LSTM / RNN: ``b_ih + b_hh`` (G*H,); GRU: ``b_ih`` (3H,)."""
    w_hh: np.ndarray | None = None
    """GRU only: ``W_hh`` (3H, H)."""
    b_hh: np.ndarray | None = None
    """GRU only: ``b_hh`` (3H,)."""


class NumpyStep:
    """A CharRNN's weights exported for single steps in numpy (float32); ``step`` is ``CharRNN.step`` for one id."""

    def __init__(self, model: CharRNN) -> None:
        config, rnn = model.config, model.rnn
        self.cell, self.layers, self.hidden = config.cell, config.layers, config.hidden

        def weight(name: str) -> np.ndarray:
            return np.array(getattr(rnn, name).detach().float().cpu().numpy(), dtype=np.float32)

        with torch.no_grad():
            w_ih, b_ih = weight("weight_ih_l0"), weight("bias_ih_l0")  # (G*H, In), (G*H,)
            if model.embed is not None:
                embed = model.embed.weight.detach().float().cpu().numpy()  # (V, E)
                table = (embed @ w_ih.T).astype(np.float32) + b_ih  # (V, G*H)
            else:
                table = w_ih.T + b_ih  # (V, G*H): a one-hot input selects a column
            w_hh, b_hh = weight("weight_hh_l0"), weight("bias_hh_l0")
            if self.cell == "gru":
                self.b_hh0 = b_hh  # (3H,) apart: the candidate gate needs W_hn h + b_hn on its own
            else:
                table = table + b_hh  # the hidden bias adds to the input product: fold it into the table
                self.b_hh0 = np.zeros(0, dtype=np.float32)
            self.table = np.ascontiguousarray(self._gates(table, axis=1))  # (V, G*H)
            self.w_hh0 = np.ascontiguousarray(self._gates(w_hh, axis=0))  # (G*H, H)
            self.upper = [self._upper(weight, layer) for layer in range(1, self.layers)]
            self.head_w = np.ascontiguousarray(model.head.weight.detach().float().cpu().numpy())  # (V, H)
            self.head_b = np.array(model.head.bias.detach().float().cpu().numpy())  # (V,)

    def _gates(self, a: np.ndarray, *, axis: int) -> np.ndarray:
        """An LSTM's gate blocks reordered from torch's (i, f, g, o) to (i, f, o, g); other cells as they are."""
        if self.cell != "lstm":
            return a
        i, f, g, o = np.split(a, 4, axis=axis)
        return np.concatenate([i, f, o, g], axis=axis)

    def _upper(self, weight: Callable[[str], np.ndarray], layer: int) -> _Upper:
        w_ih, w_hh = weight(f"weight_ih_l{layer}"), weight(f"weight_hh_l{layer}")
        b_ih, b_hh = weight(f"bias_ih_l{layer}"), weight(f"bias_hh_l{layer}")
        if self.cell == "gru":
            return _Upper(np.ascontiguousarray(w_ih), b_ih, np.ascontiguousarray(w_hh), b_hh)
        fused = np.concatenate([w_ih, w_hh], axis=1)  # (G*H, In + H)
        return _Upper(np.ascontiguousarray(self._gates(fused, axis=0)), self._gates(b_ih + b_hh, axis=0))

    def state_of(self, state: State) -> NumpyState:
        """A torch state of one stream (L, 1, H) as the step carries it."""
        if isinstance(state, tuple):
            return _rows(state[0]), _rows(state[1])
        return _rows(state), None

    def torch_state(self, state: NumpyState) -> State:
        """The step's state as ``CharRNN.step`` takes it (L, 1, H): for a batched step from here (the peek)."""
        h = torch.from_numpy(state[0])[:, None]
        return (h, torch.from_numpy(state[1])[:, None]) if state[1] is not None else h

    def step(self, index: int, state: NumpyState) -> tuple[np.ndarray, NumpyState]:
        """The logits (V,) after the id ``index``, and the new state (fresh arrays: ``state`` is not changed)."""
        state = self.advance(index, state)
        return self.head(state), state

    def head(self, state: NumpyState) -> np.ndarray:
        """The logits (V,) from a state: the head's product, the largest of a step (V x H), so a caller that may
        not need the logits (the mixture gives the network no share at a long match) asks for them apart."""
        logits: np.ndarray = self.head_w @ state[0][-1] + self.head_b  # (V,)
        return logits

    def advance(self, index: int, state: NumpyState) -> NumpyState:
        """The state after the id ``index``, without the logits (fresh arrays: ``state`` is not changed)."""
        h0, c0 = state
        hs = np.empty_like(h0)
        cs = np.empty_like(c0) if c0 is not None else None
        if self.cell == "gru":
            x = self._gru(self.table[index], self.w_hh0 @ h0[0] + self.b_hh0, h0[0], hs, 0)
        else:
            x = self._cell(self.table[index] + self.w_hh0 @ h0[0], c0, hs, cs, 0)  # (G*H,) gates
        for layer, up in enumerate(self.upper, start=1):
            h = h0[layer]
            if up.w_hh is not None and up.b_hh is not None:  # a GRU
                x = self._gru(up.w @ x + up.b, up.w_hh @ h + up.b_hh, h, hs, layer)
            else:
                x = self._cell(up.w @ np.concatenate((x, h)) + up.b, c0, hs, cs, layer)
        return hs, cs

    def _cell(
        self, gates: np.ndarray, c0: np.ndarray | None, hs: np.ndarray, cs: np.ndarray | None, layer: int
    ) -> np.ndarray:
        """An LSTM or RNN layer's new h (and c) from its gate pre-activations, written into ``hs`` / ``cs``."""
        H = self.hidden
        if c0 is not None and cs is not None:  # an LSTM: gates i, f, o, g
            s = _sigmoid(gates[: 3 * H])
            c = cs[layer] = s[H : 2 * H] * c0[layer] + s[:H] * np.tanh(gates[3 * H :])
            hs[layer] = s[2 * H :] * np.tanh(c)
        else:
            hs[layer] = np.tanh(gates)
        out: np.ndarray = hs[layer]
        return out

    def _gru(self, gx: np.ndarray, gh: np.ndarray, h: np.ndarray, hs: np.ndarray, layer: int) -> np.ndarray:
        """A GRU layer's new h from its input and hidden products (3H,) each, biases in, written into ``hs``."""
        H = self.hidden
        r_z = _sigmoid(gx[: 2 * H] + gh[: 2 * H])
        n = np.tanh(gx[2 * H :] + r_z[:H] * gh[2 * H :])
        hs[layer] = n + r_z[H:] * (h - n)  # (1 - z) * n + z * h
        out: np.ndarray = hs[layer]
        return out


_CACHE: weakref.WeakKeyDictionary[CharRNN, tuple[tuple[int, ...], NumpyStep]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def numpy_step(model: CharRNN) -> NumpyStep:
    """The model's weights exported for ``NumpyStep``, once per set of weights: the export is redone only when
    a parameter changed in place since (torch counts each tensor's in-place changes: training between previews)."""
    versions = tuple(p._version for p in model.parameters())
    with _CACHE_LOCK:
        found = _CACHE.get(model)
        if found is not None and found[0] == versions:
            return found[1]
    stepper = NumpyStep(model)
    single_blas_thread()
    with _CACHE_LOCK:
        _CACHE[model] = (versions, stepper)
    return stepper


_BLAS_NAMES = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
               "openblas_set_num_threads")  # fmt: skip
_blas_done = False


def single_blas_thread() -> bool:
    """Hold numpy's OpenBLAS to one thread (once per process); whether it was found.

    A batch-1 matvec is too small to split: with the cores busy a thread team waiting for a descheduled member
    made the head's product 10-30 times slower (38 µs on one thread, 300-1,800 µs on two, a loaded 2-core
    machine). numpy's BLAS serves nothing else heavy here (training and scoring are torch's, with MKL), so the
    setting is left on for the process. Where the library is not OpenBLAS, nothing changes."""
    global _blas_done
    if _blas_done:
        return True
    for path in _blas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _BLAS_NAMES:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(1)
                _blas_done = True
                return True
    return False


def _blas_libraries() -> list[str]:
    """numpy's bundled OpenBLAS (wheels ship it in numpy.libs), then any OpenBLAS this process has loaded."""
    here = os.path.dirname(np.__file__)
    found = sorted(glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*")))
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            found += sorted({line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]})
    except OSError:
        pass
    return found


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def _rows(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().cpu()[:, 0].numpy().copy()  # (L, H)
