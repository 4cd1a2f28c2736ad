"""The command palette (Ctrl+P) offers every key binding of the screen it was opened on.

So each action can be found by name as well as by key, and the palette never lists an
action the screen has switched off (nothing to stop, no take to save...).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.actions import parse
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class BindingCommands(Provider):
    """Commands made from the calling screen's own ``BINDINGS`` (those with a description)."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        screen = self.screen
        # An app may already offer the footer's keys as system commands: never list one twice.
        seen = {command[0] for command in self.app.get_system_commands(screen)}
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            _, name, parameters = parse(binding.action)
            if screen.check_action(name, parameters):
                key = binding.key_display or binding.key.split(",")[0]
                yield binding.description, binding.action, key

    async def discover(self) -> Hits:
        for title, action, key in self._commands():
            yield DiscoveryHit(title, partial(self.screen.run_action, action), help=f"key: {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, key in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.screen.run_action, action), help=f"key: {key}")
