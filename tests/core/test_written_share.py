"""Writing is not reading: a take's match with its own lines gives the song's own n-gram at most
``WRITTEN_SONG_SHARE``; a match with the typed prompt, and scoring, keep the fitted shares."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import make_lyrics
from tui_lyrics.core import mixture as mixture_module
from tui_lyrics.core.mixture import BUCKETS, WRITTEN_SONG_SHARE, Mixture
from tui_lyrics.vocab import CharVocab

SONG = "我在风里等你\n天空海阔心情好\n我在风里等你\n天空海阔"
TEXT = make_lyrics(2000, seed=3) + SONG


@pytest.fixture(scope="module")
def reciting() -> Mixture:
    vocab = CharVocab.build(TEXT)
    fitted = Mixture.fit(TEXT, vocab, order=3, weight=0.4)
    return Mixture(fitted.ngram, 0.4, vocab.size, tuple((0.0, 1.0) for _ in range(BUCKETS)))


def test_a_match_with_the_takes_own_lines_caps_the_songs_share(reciting: Mixture) -> None:
    logits = torch.randn(reciting.own, generator=torch.Generator().manual_seed(0))
    history = reciting.history(SONG)
    memory = reciting.song_memory(SONG)
    assert memory.bucket() > 0  # the end of SONG matches its earlier lines
    fitted = reciting.next_logits(logits, history, memory)
    typed = reciting.next_logits(logits, history, memory, prompt=SONG, recent=SONG)
    assert torch.equal(typed, fitted)  # the match is in what was typed: the fitted shares
    written = reciting.next_logits(logits, history, memory, prompt="\n", recent=SONG)
    capped = Mixture(reciting.ngram, 0.4, reciting.own, ((1 - WRITTEN_SONG_SHARE, WRITTEN_SONG_SHARE),) * BUCKETS)
    assert torch.allclose(written, capped.next_logits(logits, history, memory), atol=1e-6)
    assert not torch.allclose(written, fitted, atol=1e-3)


def test_scoring_keeps_the_fitted_shares(reciting: Mixture, monkeypatch: pytest.MonkeyPatch) -> None:
    song = reciting.song_ngram_probs(SONG)
    network = np.full(len(song.probs), 0.01)  # (n,) the network's probability of each character
    before = reciting.mix_song(network, song)
    monkeypatch.setattr(mixture_module, "WRITTEN_SONG_SHARE", 0.0)
    assert np.array_equal(reciting.mix_song(network, song), before)
