"""Widgets more than one screen uses: the corpus picker, the dialogs, the file browser.

Each keeps its minimum style in ``DEFAULT_CSS``. A widget only one screen uses lives in that
screen's package (``ui/library``, ``ui/training``, ``ui/compose``, ``ui/compare``, ``ui/write``).
"""
