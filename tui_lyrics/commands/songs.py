"""``lyrics-tui songs``: list, show, export or delete the songs kept in the library (``songs/``).

A song is written with ``lyrics-tui write --save`` or on the app's Write screen; this command
reads what they keep. Torch-free: listing songs never loads a model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui_lyrics.commands.output import print_json
from tui_lyrics.errors import LyricsError
from tui_lyrics.songs.store import Song, SongInfo, SongStore


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("songs", help="list, show, export or delete songs written with `write` or the app")
    ss = p.add_subparsers(dest="action", metavar="ACTION")
    ss.add_parser("list", help="a table of songs (the default)")
    show = ss.add_parser("show", help="a song's lines, with who wrote each and the chorus marks")
    show.add_argument("name")
    export = ss.add_parser("export", help="write a song's plain text to a file (or - for stdout)")
    export.add_argument("name")
    export.add_argument("dest", nargs="?", default="-", help="a .txt file or a folder (default: stdout)")
    delete = ss.add_parser("delete", help="delete a song")
    delete.add_argument("name")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run_songs(args: argparse.Namespace, home: Path) -> int:
    store = SongStore(home)
    action = args.action or "list"
    if action == "list":
        _list(store, as_json=args.json)
    elif action == "show":
        song = store.load(args.name)
        print_json(song.to_dict()) if args.json else _show(song)
    elif action == "export":
        if args.dest == "-":
            text = store.load(args.name).draft.text
            print_json({"name": args.name, "text": text}) if args.json else sys.stdout.write(text)
        else:
            target = store.export_text(args.name, Path(args.dest))
            print_json({"exported": args.name, "to": str(target)}) if args.json else print(f"wrote {target}")
    elif action == "delete":
        if not store.exists(args.name):
            store.load(args.name)  # the one-line "no song named …"
        _confirm(args)
        store.delete(args.name)
        print_json({"deleted": args.name}) if args.json else print(f"deleted {args.name!r}")
    return 0


def _confirm(args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise LyricsError(f"refusing to delete the song {args.name!r} without --yes (no terminal to ask)")
    if input(f"Delete the song {args.name!r}? [y/N] ").strip().lower() not in ("y", "yes"):
        raise LyricsError("not deleted")


def _row(info: SongInfo) -> dict[str, Any]:
    row: dict[str, Any] = {"name": info.name, "path": str(info.path), "model": info.model, "lines": info.lines}
    row["updated"] = info.updated
    if info.error:
        row["error"] = info.error
    return row


def _list(store: SongStore, *, as_json: bool) -> None:
    rows = store.list()
    if as_json:
        print_json([_row(r) for r in rows])
        return
    if not rows:
        print(f"no songs yet in {store.root}; write one with: lyrics-tui write MODEL --save NAME, or in the app")
        return
    from rich.cells import cell_len

    width = max(4, *(cell_len(r.name) for r in rows))  # Chinese names are two columns a character

    def pad(text: str, cols: int) -> str:
        return text + " " * max(0, cols - cell_len(text))

    print(f"songs in {store.root}")
    print(f"{pad('name', width)}  {pad('model', 16)} {'lines':>5}  updated")
    for r in rows:
        if r.error:
            print(f"{pad(r.name, width)}  broken: {r.error}")
        else:
            print(f"{pad(r.name, width)}  {pad(r.model, 16)} {r.lines:>5}  {r.updated.replace('T', ' ')[:16]}")


def _show(song: Song) -> None:
    template = song.draft.template
    shape = f" · template: {len(template.slots)} lines" if template is not None else ""
    print(f"{song.name} · model {song.model} · {song.draft.lyric_count} lines{shape} · updated {song.updated}")
    for i, line in enumerate(song.draft.lines):
        if line.is_break:
            print()
            continue
        marks = " ".join(m for m in (line.part or "", "locked" if line.locked else "", line.author) if m)
        label = song.draft.label(i)
        print(f"{line.text}  ({marks}{' · ' + label if label else ''})")
