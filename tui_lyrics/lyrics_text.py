"""From one file's bytes to clean lyrics text: decode it, refuse binary, normalise it.

Bytes are decoded as UTF-8, UTF-16 with a BOM, or GB18030/Big5 and others found by
charset-normalizer; ``normalise`` then cleans the text (newlines, NFC, LRC tags, blank lines).
Torch-free: ``corpus`` and the song templates use it at start-up.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from tui_lyrics.errors import CorpusError

_MAX_GARBAGE_SHARE = 0.05
# What decoding garbage turns into: control characters (Unicode category Cc) other than
# \t \n \f \r, the replacement character U+FFFD and the private-use area (where cp950 and
# Big5-HKSCS put byte pairs no real text uses).
_GARBAGE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")
_TIME_TAG = re.compile(r"\[\d+:\d{2}(?:[.:]\d{1,3})?\][ \t]*")
_HEADER_TAG = re.compile(r"\[(?:ar|ti|al|by|offset|length|re|ve|au|tool):[^\]]*\]", re.IGNORECASE)
# charset-normalizer names -> (codecs to try in order, name reported to the user).
# GB18030 is a superset of GBK/GB2312; Big5-HKSCS and cp950 extend Big5.
_GB18030, _BIG5 = (("gb18030",), "gb18030"), (("big5hkscs", "cp950"), "big5")
_CHINESE = dict.fromkeys(("gb2312", "gbk", "gb18030"), _GB18030) | dict.fromkeys(("big5", "big5hkscs", "cp950"), _BIG5)


def decode_bytes(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode ``data`` to ``(text, encoding)``; binary data raises CorpusError."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _strict(data, ("utf-8-sig",), name), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _strict(data, ("utf-16",), name), "utf-16"
    elif b"\x00" in data:
        raise _binary(name)
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _detect(data, name)
    garbage = sum(1 for _ in _GARBAGE.finditer(text))
    if garbage > _MAX_GARBAGE_SHARE * len(text):
        share = f"{garbage / len(text):.0%} of it decodes ({encoding}) to control, replacement or private-use"
        raise _binary(name, share + " characters")
    return text, encoding


def normalise(text: str, *, lrc: bool = False) -> str:
    """Clean text: one newline style, NFC, no trailing spaces, at most one blank line.

    With ``lrc`` the LRC time tags (``[00:12.34]``) and header lines (``[ar:...]``) go.
    Case and punctuation are never touched.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    lines = text.split("\n")
    if lrc:
        lines = [_TIME_TAG.sub("", ln) for ln in lines if not _HEADER_TAG.fullmatch(ln.strip())]
    text = "\n".join(ln.rstrip(" \t\u3000") for ln in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text + "\n" if text else ""


def _detect(data: bytes, name: str) -> tuple[str, str]:
    """Guess a legacy encoding with charset-normalizer, preferring Chinese ones."""
    # Imported here: it costs ~25 ms and only non-UTF-8 files need it.
    import charset_normalizer

    # Explicit settings pin the library's sampling: the same bytes, the same answer.
    matches = charset_normalizer.from_bytes(data, steps=5, chunk_size=512, threshold=0.2, explain=False)
    chinese = [m for m in matches if m.encoding in _CHINESE]
    best = chinese[0] if chinese else matches.best()
    if best is None:
        raise _binary(name)
    codecs_to_try, reported = _CHINESE.get(best.encoding, ((best.encoding,), best.encoding))
    return _strict(data, codecs_to_try, name), reported


def _strict(data: bytes, encodings: tuple[str, ...], name: str) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{name} is not valid {encodings[0]} text")


def _binary(name: str, why: str = "") -> CorpusError:
    return CorpusError(f"{name} is not a text file (looks binary{': ' + why if why else ''})")
