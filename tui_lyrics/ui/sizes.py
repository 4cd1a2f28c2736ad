"""Terminal-size classes for every screen: small terminals drop side panels and extras first.

Textual puts one class per axis on the screen showing (``-narrow``/``-medium``/``-wide`` by
width, ``-low``/``-short``/``-tall`` by height); the stylesheets hide or shrink by them.
"""

from __future__ import annotations

HORIZONTAL = [(0, "-narrow"), (50, "-medium"), (80, "-wide")]
VERTICAL = [(0, "-low"), (14, "-short"), (20, "-tall")]
