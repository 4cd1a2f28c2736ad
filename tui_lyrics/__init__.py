"""lyrics-tui: train character-level language models on lyrics and compose with them."""

__version__ = "0.1.0"
