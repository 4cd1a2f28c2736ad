"""How long one training step takes on this machine, measured in about a second.

The training form uses it to say how long a budget in steps or epochs will take before the
user starts it: a few real steps of the chosen network on random characters, timed the way
``core.train`` takes them (forward, loss, backward, clip, AdamW).
"""

from __future__ import annotations

import statistics
import time

import torch
import torch.nn.functional as F

from tui_lyrics.config import ModelConfig, TrainConfig
from tui_lyrics.core.model import CharRNN, detach
from tui_lyrics.core.runtime import pick_device, setup_torch

MIN_STEPS = 3
MAX_STEPS = 12


def seconds_per_step(model: ModelConfig, train: TrainConfig, vocab_size: int, *, budget: float = 1.0) -> float:
    """The median time of one optimiser step, after one untimed warm-up step.

    Takes at least ``MIN_STEPS`` timed steps and stops once ``budget`` seconds are spent
    (or after ``MAX_STEPS``), so a large model costs a few seconds at most.
    """
    setup_torch(train)
    device = pick_device(train.device)
    generator = torch.Generator().manual_seed(0)
    net = CharRNN(model, max(2, vocab_size)).to(device)
    optimizer = torch.optim.AdamW(net.parameters(), lr=train.lr)
    x = torch.randint(net.vocab_size, (train.batch, train.seq), generator=generator).to(device)  # (B, T)
    y = torch.randint(net.vocab_size, (train.batch, train.seq), generator=generator).to(device)  # (B, T)
    hidden = net.init_state(train.batch, device)
    amp = device.type == "cuda" and train.amp
    times: list[float] = []
    began = time.monotonic()
    for step in range(MAX_STEPS + 1):
        start = time.monotonic()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            logits, state = net(x, hidden)  # (B, T, V)
            loss = F.cross_entropy(logits.float().flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), train.clip)
        optimizer.step()
        float(loss.item())  # waits for the device, as the training loop does
        hidden = detach(state)
        if step:  # the first step pays for allocation: not counted
            times.append(time.monotonic() - start)
        if len(times) >= MIN_STEPS and time.monotonic() - began > budget:
            break
    return statistics.median(times)
