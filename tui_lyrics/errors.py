"""The one exception type users see: a clear, one-line message, never a traceback."""

from __future__ import annotations


class LyricsError(Exception):
    """A problem the user can fix (bad input, missing model, full disk...).

    The CLI prints ``str(error)`` on one line and exits 1; the app shows it as a notification.
    """


class CorpusError(LyricsError):
    """The corpus cannot be used: unreadable, not text, too small or too large."""


class StoreError(LyricsError):
    """The model library on disk cannot do what was asked (missing, corrupt, locked, bad name)."""


class ConfigError(LyricsError):
    """A setting is out of range or unknown."""
