"""The torch engine, imported in a background thread once the first frame is on screen.

``import torch`` takes seconds; the app paints first, then this thread imports the
engine modules and posts ``EngineLoaded``. Anything that needs the engine waits for
``Engine.ready`` (a thread) or ``await engine.wait()`` (the UI), so nothing freezes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from textual.message import Message

from tui_lyrics.ui.messages import EngineLoaded


class Engine:
    """Loads the engine once; tells whoever asks whether it is ready and what it found."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.devices: tuple[str, ...] = ()
        """Devices torch can train on here, best first (known once ready)."""
        self.error: str | None = None
        """Why the engine could not be loaded (a broken torch install), for the user."""
        self._thread: threading.Thread | None = None

    def start(self, post: Callable[[Message], object]) -> None:
        """Begin the import in a daemon thread (it must not hold up a quick quit)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load, args=(post,), name="engine-import", daemon=True)
        self._thread.start()

    def _load(self, post: Callable[[Message], object]) -> None:
        try:
            # The whole point of this thread: torch is imported here, off the UI thread.
            import tui_lyrics.core.sample
            import tui_lyrics.core.train  # noqa: F401
            from tui_lyrics.core.runtime import available_devices

            self.devices = tuple(available_devices())
        except Exception as error:  # a broken torch must become a message, not a crash
            self.error = f"the training engine could not be loaded ({type(error).__name__}: {error})"
        finally:
            self.ready.set()
        post(EngineLoaded(devices=self.devices, error=self.error))

    async def wait(self) -> None:
        """Wait (without blocking the event loop) until the engine is loaded."""
        while not self.ready.is_set():
            await asyncio.sleep(0.05)

    @property
    def status(self) -> str:
        if not self.ready.is_set():
            return "loading engine…"
        return "training unavailable" if self.error else ""
