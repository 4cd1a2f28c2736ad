"""CharRNN: an input encoding, a stack of RNN/LSTM/GRU layers and a linear softmax head."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

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
            x = self.embed(ids)  # (B, T, E)
        else:
            x = F.one_hot(ids, self.vocab_size).to(self.head.weight.dtype)  # (B, T, V)
        out, state = self.rnn(self.drop(x), state)  # (B, T, H)
        return self.head(self.drop(out)), state  # (B, T, V)


def detach(state: State) -> State:
    """Cut the graph between windows (truncated back-propagation), keeping the values."""
    if isinstance(state, tuple):
        return (state[0].detach(), state[1].detach())
    return state.detach()


def state_tensors(state: State) -> list[Tensor]:
    return list(state) if isinstance(state, tuple) else [state]


def state_from_tensors(tensors: list[Tensor], cell: str) -> State:
    return (tensors[0], tensors[1]) if cell == "lstm" else tensors[0]
