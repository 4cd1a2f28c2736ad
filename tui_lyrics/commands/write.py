"""``lyrics-tui write``: a whole song to a template, or K candidates for the next line of a draft.

With ``--template`` the model fills every line of the reference song's shape (length, verse
breaks, rhyme class), after the lines of the draft (a file, stdin or ``--first-line``), which it
keeps as typed. Without one it prints ``--candidates`` K next lines for the draft, each with the
model's score per character, its length, rhyme class and a flag when it quotes the corpus.
Lyrics go to stdout (one per line, pipeable); notes go to stderr; ``--json`` prints one object.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_lyrics.commands.output import note, print_json
from tui_lyrics.errors import LyricsError
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, QUOTE_LIMIT_ALPHABETIC, RECOMMENDED_CONTROLS, default_quote_limit
from tui_lyrics.songs.draft import Draft
from tui_lyrics.store import ModelStore

if TYPE_CHECKING:
    from tui_lyrics.core.candidates import Candidate
    from tui_lyrics.core.sample import LoadedModel
    from tui_lyrics.memorise import CorpusIndex
    from tui_lyrics.songs.template import Template

MAX_DRAFT_BYTES = 1024 * 1024


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("write", help="write a song to a template, or print candidates for a draft's next line")
    p.add_argument("name", metavar="MODEL", help="model name (see `lyrics-tui models`)")
    p.add_argument("draft", nargs="?", help="the draft so far: a text file, or - for stdin (default: stdin if piped)")
    p.add_argument(
        "--template", metavar="FILE", help="a reference song (.txt or .lrc): write a whole song to its shape"
    )
    p.add_argument("--song", metavar="N|TITLE", help="with --template: which song of a file of several (1-based)")
    p.add_argument("--first-line", metavar="TEXT", help="the song's first line (added after the draft, if any)")
    p.add_argument(
        "--candidates", type=int, default=5, metavar="K",
        help="next-line candidates to print (default 5); with --template, lines sampled per line to pick from",
    )  # fmt: skip
    p.add_argument("--seed", type=int, help="seed for reproducible lines (default: random, printed)")
    p.add_argument("--temperature", type=float, default=0.8, help="0 greedy, 1 the model's own (default 0.8)")
    p.add_argument("--top-k", type=int, default=5, help="sample among the k most likely (0: all; default 5)")
    from tui_lyrics.commands.options import parse_quote_limit  # `generate`'s flag: a number or off

    p.add_argument(
        "--quote-limit", type=parse_quote_limit, metavar="N",
        help=f"never copy more than N characters in a row from the model's corpus; the draft's own text is exempt "
        f"(default, as `generate`: {QUOTE_LIMIT} for Chinese, Japanese or Korean models, {QUOTE_LIMIT_ALPHABETIC} "
        f"for alphabetic ones; 0 or off: no limit)",
    )  # fmt: skip
    p.add_argument("--save", metavar="SONG", help="keep the song (draft + written lines) in the library as SONG")
    p.add_argument("--weights", choices=["best", "last"], default="best", help="which checkpoint (default best)")


def run_write(args: argparse.Namespace, home: Path) -> int:
    if not 1 <= args.candidates <= 50:
        raise LyricsError(f"--candidates must be 1–50, not {args.candidates}")
    template = _template(args)
    draft = _draft(args, needed=template is None).with_template(template)
    store = ModelStore.open(home)
    store.path(args.name)  # a missing model is one clear line before torch loads (~3 s)
    if args.save is not None:
        _check_new_song(home, args.save)
    # torch only now: every input error above is reported at once.
    from tui_lyrics.core.candidates import stream_candidates
    from tui_lyrics.core.sample import load_model, resolve_seed
    from tui_lyrics.memorise import corpus_index

    seed = resolve_seed(args.seed)
    config = SampleConfig(temperature=args.temperature, top_k=args.top_k, seed=seed, alternatives=0,
                          quote_limit=args.quote_limit or 0, **RECOMMENDED_CONTROLS)  # fmt: skip
    lm = load_model(store, args.name, which=args.weights)
    if args.quote_limit is None:  # the default depends on the script: a Chinese character is about a word
        config = config.replace(quote_limit=default_quote_limit(lm.vocab.chars))
    unknown = lm.vocab.unknown(draft.text)
    if unknown:
        note(f"not in {args.name!r}'s vocabulary, read as <unk>: {' '.join(unknown)}")
    index = corpus_index(store.path(args.name))
    stop = threading.Event()
    if template is not None:
        return _write_song(args, home, lm, draft, config, index=index, stop=stop)
    found = []
    for n, cand in enumerate(
        stream_candidates(lm, draft.text, k=args.candidates, config=config, seed=seed, index=index, stop=stop), 1
    ):
        found.append(cand)
        if not args.json:
            print(f"{n}  {cand.text}\t{_describe(cand)}", flush=True)
    if args.json:
        print_json({"name": args.name, "seed": seed, "draft": draft.text, "settings": config.to_dict(),
                    "candidates": [_candidate_dict(c) for c in found]})  # fmt: skip
    else:
        note(f"seed {seed} (replay with --seed {seed})")
    return 0


def _write_song(
    args: argparse.Namespace,
    home: Path,
    lm: LoadedModel,
    draft: Draft,
    config: SampleConfig,
    *,
    index: CorpusIndex | None,
    stop: threading.Event,
) -> int:
    from tui_lyrics.core.candidates import write_song
    from tui_lyrics.songs.template import zi_count

    template, seed = draft.template, int(config.seed or 0)
    assert template is not None
    rows: list[dict[str, Any]] = []
    song = draft
    typed = draft.lyric_count
    for written in write_song(lm, template, draft=draft, config=config, seed=seed, per_line=args.candidates,
                              index=index, stop=stop):  # fmt: skip
        if written.number >= typed:
            if written.slot.verse_break:
                song = song.append("")
            cand = written.candidate
            song = song.append(written.text, author="model", seed=None if cand is None else cand.seed)
        row = {**({} if written.candidate is None else _candidate_dict(written.candidate)),
               "text": written.text, "chars": zi_count(written.text), "target_chars": written.slot.chars,
               "rhyme": _rhyme(written.text), "target_rhyme": written.slot.rhyme,
               "author": "user" if written.candidate is None else "model"}  # fmt: skip
        rows.append(row)
        if not args.json:
            if written.slot.verse_break and written.number > 0:
                print()
            print(written.text, flush=True)
    summary = _adherence(rows)
    saved = _save(args, home, song, config) if args.save else None
    if args.json:
        print_json({"name": args.name, "seed": seed, "template": template.source, "settings": config.to_dict(),
                    "lines": rows, "adherence": summary, "saved": saved})  # fmt: skip
    else:
        note(f"{summary['exact_length']}/{summary['lines']} written lines at the template's length, "
             f"{summary['rhyme_match']}/{summary['rhymed']} in its rhyme class")  # fmt: skip
        if saved:
            note(f"saved as the song {saved!r}")
        note(f"seed {seed} (replay with --seed {seed})")
    return 0


def _adherence(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How the model's lines (not the typed ones) keep to the template."""
    rows = [r for r in rows if r["author"] == "model"]
    rhymed = [r for r in rows if r["target_rhyme"] is not None]
    return {
        "lines": len(rows),
        "exact_length": sum(1 for r in rows if r["chars"] == r["target_chars"]),
        "rhymed": len(rhymed),
        "rhyme_match": sum(1 for r in rhymed if r["rhyme"] == r["target_rhyme"]),
    }


def _check_new_song(home: Path, name: str) -> None:
    from tui_lyrics.songs.store import SongStore

    songs = SongStore(home)
    if songs.exists(name):
        raise LyricsError(f"a song named {name!r} already exists in {songs.root}; pick another --save name")


def _save(args: argparse.Namespace, home: Path, draft: Draft, config: SampleConfig) -> str:
    from tui_lyrics.songs.store import Song, SongStore

    songs = SongStore(home)
    seeds = tuple(line.seed for line in draft.lines if line.seed is not None)
    saved = songs.save(Song(name=args.save, model=args.name, draft=draft, settings=config, seeds=seeds))
    return saved.name


def _template(args: argparse.Namespace) -> Template | None:
    from tui_lyrics.songs.template import read_template

    if args.template is None:
        if args.song is not None:
            raise LyricsError("--song picks a song of --template FILE: give the template too")
        return None
    return read_template(args.template, song=args.song)


def _draft(args: argparse.Namespace, *, needed: bool) -> Draft:
    """The draft from a file, stdin (``-``, or piped with no other source), then ``--first-line``."""
    text = ""
    source = args.draft
    if source is None and args.first_line is None and needed and not sys.stdin.isatty():
        source = "-"
    if source == "-":
        text = sys.stdin.read(MAX_DRAFT_BYTES)
    elif source is not None:
        path = Path(source).expanduser()
        try:
            text = path.read_bytes()[:MAX_DRAFT_BYTES].decode("utf-8")
        except UnicodeDecodeError as error:
            raise LyricsError(f"{path} is not UTF-8 text") from error
        except OSError as error:
            raise LyricsError(f"cannot read {path}: {error.strerror or error}") from error
    draft = Draft.from_text(text, author="user")
    if args.first_line is not None:
        if "\n" in args.first_line.strip():
            raise LyricsError("--first-line is one line: put a longer draft in a file or on stdin")
        draft = draft.append(args.first_line.strip(), author="user")
    if needed and draft.lyric_count == 0:
        raise LyricsError("no draft to continue: give a file, pipe one on stdin, or use --first-line TEXT")
    return draft


def _rhyme(text: str) -> str | None:
    from tui_lyrics.rhyme import line_class

    return line_class(text)


def _candidate_dict(c: Candidate) -> dict[str, Any]:
    return {"text": c.text, "chars": c.chars, "rhyme": c.rhyme, "mean_logprob": c.mean_logprob,
            "end_prob": c.end_prob, "score": c.score, "memorised": c.memorised, "longest_quote": c.longest_quote,
            "verse_break": c.verse_break, "seed": c.seed}  # fmt: skip


def _describe(c: Candidate) -> str:
    parts = [f"{c.chars} 字", c.rhyme or "–", f"{c.mean_logprob:.2f}/字"]
    if c.end_prob is not None:
        parts.append(f"end {c.end_prob:.2f}")
    if c.verse_break:
        parts.append("new verse")
    if c.memorised:
        parts.append(f"quotes the corpus ({c.longest_quote} 字)")
    return " · ".join(parts)
