"""The command palette's entries: every action the current screen has a key for, then Textual's own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen


def binding_commands(
    screen: Screen[Any], run_action: Callable[[str, DOMNode], Any], *, builtin: Iterable[SystemCommand] = ()
) -> Iterator[SystemCommand]:
    """A palette entry per shown, enabled binding of ``screen`` (once per description), then ``builtin``'s others."""
    seen = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.show and binding.description and active.enabled and binding.description not in seen:
            seen.add(binding.description)
            help_text = binding.tooltip or f"{binding.description} (key: {binding.key})"
            yield SystemCommand(binding.description, help_text, partial(run_action, binding.action, active.node))
    for command in builtin:
        if command.title not in seen:
            yield command
