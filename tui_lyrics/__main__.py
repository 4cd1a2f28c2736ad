"""``python -m tui_lyrics``: the same as the ``lyrics-tui`` command."""

import sys

from tui_lyrics.cli import main

sys.exit(main())
