"""Widgets the screens compose; each keeps its minimum style in ``DEFAULT_CSS``."""
