"""The Write screen's keys, one table: what each key does is the screen's ``action_*`` of that name.

With the draft focused: ``g`` candidates for the next line, ``1``–``9`` accept one, ``m`` more,
``r`` rewrite the highlighted line, ``e`` edit it, ``c``/``v``/``b`` mark it chorus/verse/bridge,
``l`` lock it, ``h`` insert the chorus, ``x`` delete, ``u`` undo, ``t`` template, ``o`` open a
song, ``f`` write the rest to the template, ``s`` export, ``y`` copy, ``i`` type a line. Esc has
one rule, named in the footer: it stops a running request, else leaves the line input for the
draft, else leaves the screen (the screen's ``check_action`` lets exactly one of the three run).
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

WRITE_KEYS: list[BindingType] = [
    # One key, three actions; the footer shows the one that runs, first.
    # At 80 columns the footer shows esc, g, r, e, c, t and f; the rest are in the docstring above.
    Binding("escape", "stop", "Stop"),
    Binding("escape", "to_draft", "To draft"),
    Binding("escape", "back", "Back"),
    Binding("g", "candidates", "Next"),
    Binding("m", "more", "More", show=False),  # the candidates' status line names it
    Binding("r", "rewrite", "Rewrite"),
    Binding("e", "edit", "Edit"),
    Binding("i", "type", "Type", show=False),
    Binding("c", "mark('chorus')", "Chorus"),
    Binding("v", "mark('verse')", "Verse", show=False),
    Binding("b", "mark('bridge')", "Bridge", show=False),
    Binding("l", "lock", "Lock", show=False),
    Binding("h", "insert_chorus", "Insert chorus", show=False),  # marking a chorus names it
    Binding("x", "delete", "Delete", show=False),
    Binding("u", "undo", "Undo", show=False),
    Binding("t", "template", "Template"),
    Binding("f", "fill", "Fill"),
    Binding("o", "open", "Open", show=False),
    Binding("s", "export", "Export", show=False),
    Binding("y", "copy", "Copy", show=False),
    *(Binding(str(n), f"accept({n})", f"Accept {n}", show=False) for n in range(1, 10)),
]
