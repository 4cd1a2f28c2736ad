"""The Write screen: a song written line by line with the model (issue #14).

``session`` is the plain owner of the song being written (draft, undo, autosave), ``writer``
the plain owner of the engine requests, ``jobs`` the thread bodies that load the model and
sample candidates, ``widgets`` and ``line_input`` the views, ``keys`` the key table, ``screen``
the screen that composes the widgets and forwards keys to the two owners.
"""
