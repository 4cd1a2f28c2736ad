"""Songwriting without torch: the song draft, templates from reference songs, the song library.

``draft`` is the plain model of a song being written (lines, who wrote them, marks, locks),
``template`` turns a reference song into the shape new words are written to, and ``store``
keeps songs on disk. The engine side (candidate lines, whole songs) is ``core.candidates``.
"""
