"""The Write screen: a song written line by line with the model (issue #14).

``session`` is the plain owner of the song being written (draft, undo, autosave), ``jobs``
the thread bodies that load the model and sample candidates, ``widgets`` the draft and
candidate views, ``screen`` the screen that composes them and forwards keys.
"""
