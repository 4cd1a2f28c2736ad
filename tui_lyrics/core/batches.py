"""Training batches: contiguous streams for truncated BPTT, or the report's random windows.

Both are pure functions of the step number and the seed, so a resumed run sees exactly
the batches an uninterrupted one would.
"""

from __future__ import annotations

import torch
from torch import Tensor


def fit_shape(n: int, batch: int, seq: int) -> tuple[int, int]:
    """Shrink (B, T) for a small text so every epoch has at least two windows per stream."""
    while batch > 1 and n // batch < 2 * seq + seq:
        batch //= 2
    while seq > 8 and n // batch < 2 * seq + seq:
        seq //= 2
    return batch, seq


class StreamBatches:
    """The text cut into B parallel streams, read T characters at a time.

    Each epoch starts the streams at a seeded offset in [0, T) so windows do not always
    break at the same characters; the recurrent state is reset at each epoch start.
    """

    def __init__(self, ids: Tensor, *, batch: int, seq: int, seed: int) -> None:
        self.ids, self.seed = ids, seed
        self.batch, self.seq = fit_shape(len(ids), batch, seq)
        self.stream_len = (len(ids) - self.seq) // self.batch  # room for any offset < T
        self.steps_per_epoch = max(1, (self.stream_len - 1) // self.seq)

    def epoch_offset(self, epoch: int) -> int:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return int(torch.randint(self.seq, (1,), generator=g))

    def get(self, step: int) -> tuple[Tensor, Tensor, bool]:
        """Inputs (B, T), targets (B, T), and whether the state must be reset first."""
        epoch, window = divmod(step, self.steps_per_epoch)
        start = self.epoch_offset(epoch)
        L, B, T = self.stream_len, self.batch, self.seq
        streams = self.ids[start : start + B * L + 1]
        x = streams[:-1].view(B, L)[:, window * T : (window + 1) * T]
        y = streams[1:].view(B, L)[:, window * T : (window + 1) * T]
        return x, y, window == 0


class RandomBatches:
    """The report's method: B windows at random positions, each from a zero state."""

    def __init__(self, ids: Tensor, *, batch: int, seq: int, seed: int) -> None:
        self.ids, self.seed = ids, seed
        self.batch, self.seq = fit_shape(len(ids), batch, seq)
        self.steps_per_epoch = max(1, len(ids) // (self.batch * self.seq))

    def get(self, step: int) -> tuple[Tensor, Tensor, bool]:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + step)
        starts = torch.randint(len(self.ids) - self.seq, (self.batch,), generator=g)
        offsets = torch.arange(self.seq + 1)
        windows = self.ids[starts[:, None] + offsets]  # (B, T + 1)
        return windows[:, :-1], windows[:, 1:], True


def make_batches(ids: Tensor, *, kind: str, batch: int, seq: int, seed: int) -> StreamBatches | RandomBatches:
    cls = StreamBatches if kind == "stream" else RandomBatches
    return cls(ids, batch=batch, seq=seq, seed=seed)
