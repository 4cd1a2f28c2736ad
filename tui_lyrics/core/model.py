"""CharRNN: an input encoding, a stack of RNN/LSTM/GRU layers and a linear softmax head.

One-hot input never builds the one-hot matrix: multiplying a one-hot vector by the first
layer's input weights selects one column, so that layer's input projection is a lookup of
``weight_ih_l0`` (same parameters, same gradients) and its recurrence runs here, step by step;
the layers above run in the library's fused kernel. That skips about half the arithmetic of
the report's one-hot GRU (its V x 3H input product).
"""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F
from torch import _VF, Tensor, nn

from tui_lyrics.config import ModelConfig

State = Tensor | tuple[Tensor, Tensor]
_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class CharRNN(nn.Module):
    """Predicts the next character from the characters so far, carrying a recurrent state."""

    def __init__(self, config: ModelConfig, vocab_size: int) -> None:
        super().__init__()
        self.config = config
        self.vocab_size = vocab_size
        if config.input == "embed":
            self.embed: nn.Embedding | None = nn.Embedding(vocab_size, config.embed_dim)
            width = config.embed_dim
        else:
            self.embed = None
            width = vocab_size
        # dropout between layers goes to the keyword that means it (the report passed it as bias).
        between = config.dropout if config.layers > 1 else 0.0
        self.rnn = _CELLS[config.cell](width, config.hidden, config.layers, dropout=between, batch_first=True)
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden, vocab_size)

    @property
    def params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def init_state(self, batch: int, device: torch.device | str = "cpu") -> State:
        shape = (self.config.layers, batch, self.config.hidden)
        h = torch.zeros(shape, device=device)
        return (h, torch.zeros_like(h)) if self.config.cell == "lstm" else h

    def forward(self, ids: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """ids (B, T) -> logits (B, T, V) and the state after the last character."""
        if self.embed is not None:
            out, state = self.rnn(self.drop(self.embed(ids)), state)  # (B, T, H)
        else:
            out, state = self._onehot_layers(ids, state if state is not None else self.init_state(len(ids), ids.device))
        return self.head(self.drop(out)), state  # (B, T, V)

    def step(self, ids: Tensor, state: State) -> tuple[Tensor, State]:
        """One character per row, for sampling: ids (B,) -> logits (B, V) and the new state.

        The same arithmetic as ``forward`` on a length-1 sequence in eval mode, through the
        single-step cell functions: a quarter to a half less overhead per character than the
        sequence kernel.
        """
        rnn, cell = self.rnn, self.config.cell
        h0, c0 = (state[0], state[1]) if isinstance(state, tuple) else (state, None)
        hs: list[Tensor] = []
        cs: list[Tensor] = []
        if self.embed is not None:
            x = self.embed(ids)  # (B, E)
        else:  # the first layer's input product is a column lookup (see the module docstring)
            gx = F.embedding(ids, rnn.weight_ih_l0.t()) + rnn.bias_ih_l0  # (B, G*H)
            _, x, c = _first_layer(cell, gx[:, None], h0[0], None if c0 is None else c0[0], rnn)
            hs.append(x)
            cs += [c] if c is not None else []
        for layer in range(len(hs), self.config.layers):
            w = rnn._flat_weights[4 * layer : 4 * layer + 4]  # w_ih, w_hh, b_ih, b_hh
            if cell == "lstm":
                assert c0 is not None  # an LSTM's state is (h, c)
                x, c = torch.lstm_cell(x, (h0[layer], c0[layer]), *w)
                cs.append(c)
            else:
                x = (torch.gru_cell if cell == "gru" else torch.rnn_tanh_cell)(x, h0[layer], *w)
            hs.append(x)
        h = torch.stack(hs)  # (L, B, H)
        return self.head(x), (h, torch.stack(cs)) if cell == "lstm" else h

    def _onehot_layers(self, ids: Tensor, state: State) -> tuple[Tensor, State]:
        rnn, cell, layers = self.rnn, self.config.cell, self.config.layers
        # W x for a one-hot x is a column of W: look it up. Dropout on a one-hot vector scales
        # (or zeroes) its single 1, so it scales the looked-up column the same way.
        x = F.embedding(ids, rnn.weight_ih_l0.t())  # (B, T, G*H), G gates
        if self.training and self.config.dropout > 0:
            x = x * self.drop(torch.ones_like(x[..., :1]))
        x = x + rnn.bias_ih_l0
        h0, c0 = (state[0], state[1]) if isinstance(state, tuple) else (state, None)
        out, h_first, c_first = _first_layer(cell, x, h0[0], None if c0 is None else c0[0], rnn)
        if layers == 1:
            h, c = h_first[None], None if c_first is None else c_first[None]
        else:
            out = F.dropout(out, rnn.dropout, self.training)
            # The layers above: the very call nn.RNN/GRU/LSTM.forward makes, on their weights only.
            rest = rnn._flat_weights[4:]
            args = (rest, True, layers - 1, rnn.dropout, self.training, False, True)
            if cell == "lstm":
                assert c0 is not None and c_first is not None  # an LSTM's state is (h, c)
                out, h_up, c_up = _VF.lstm(out, (h0[1:], c0[1:]), *args)
                h, c = torch.cat([h_first[None], h_up]), torch.cat([c_first[None], c_up])
            else:
                out, h_up = (_VF.gru if cell == "gru" else _VF.rnn_tanh)(out, h0[1:], *args)
                h, c = torch.cat([h_first[None], h_up]), None
        return out, (h, c) if c is not None else h


def _first_layer(
    cell: str, x: Tensor, h: Tensor, c: Tensor | None, rnn: nn.Module
) -> tuple[Tensor, Tensor, Tensor | None]:
    """The first layer's recurrence over x (B, T, G*H), its input product already done;
    PyTorch's gate order and formulas, so weights move freely between the two paths."""
    # Registered by nn.RNNBase at run time: mypy sees only Module.__getattr__ (Tensor | Module).
    w_hh, b_hh = cast(Tensor, rnn.weight_hh_l0), cast(Tensor, rnn.bias_hh_l0)
    outs = []
    for t in range(x.shape[1]):
        gx, gh = x[:, t], torch.addmm(b_hh, h, w_hh.t())  # (B, G*H) each
        if cell == "gru":
            xr, xz, xn = gx.chunk(3, 1)
            hr, hz, hn = gh.chunk(3, 1)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = n + z * (h - n)  # (1 - z) * n + z * h
        elif cell == "lstm":
            assert c is not None  # an LSTM's state is (h, c)
            i, f, g, o = (gx + gh).chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        else:
            h = torch.tanh(gx + gh)
        outs.append(h)
    return torch.stack(outs, 1), h, c  # (B, T, H)


def detach(state: State) -> State:
    """Cut the graph between windows (truncated back-propagation), keeping the values."""
    if isinstance(state, tuple):
        return (state[0].detach(), state[1].detach())
    return state.detach()


def state_tensors(state: State) -> list[Tensor]:
    return list(state) if isinstance(state, tuple) else [state]


def state_from_tensors(tensors: list[Tensor], cell: str) -> State:
    return (tensors[0], tensors[1]) if cell == "lstm" else tensors[0]
