"""Read a zip member with its output capped while it decompresses, whatever its method.

Python's ``zipfile`` limits a read's output only for deflate: a bzip2 or LZMA member hands
over everything its next compressed block expands to, so a few kilobytes can become
gigabytes before anyone counts them. Here every method (stored, deflate, bzip2, LZMA) is
decompressed by hand, each call given a ``max_length``, and reading stops as soon as the
output passes the limit. Torch-free and light: the CLI and the app import it at start-up.
"""

from __future__ import annotations

import bz2
import itertools
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

STORED, DEFLATED, BZIP2, LZMA = 0, 8, 12, 14
_NAMES = {1: "shrink", 6: "implode", 9: "deflate64", 93: "zstandard", 95: "xz", 98: "ppmd", 99: "AES encryption"}
_RAW_CHUNK = 64 * 1024  # compressed bytes read from the file at a time
_OUT_CHUNK = 1024 * 1024  # most bytes one decompress call may return
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature .. file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"


class OverLimit(Exception):
    """The member decompressed to more than the limit; reading stopped there."""


def read_member(fh: BinaryIO, info: zipfile.ZipInfo, *, limit: int) -> bytes:
    """The member's bytes from the open zip ``fh``; OverLimit once more than ``limit`` come out.

    Memory stays within ``limit`` plus one output chunk (1 MB) whatever the headers claim.
    A corrupt member raises ``zipfile.BadZipFile``; an encrypted one or an unsupported method
    ``NotImplementedError``, each with a message that names the member.
    """
    if info.flag_bits & 0x1:
        raise NotImplementedError(f"{info.filename} is encrypted")
    out = bytearray()
    crc = 0
    for piece in _pieces(info, _raw_chunks(fh, info), limit=limit):
        out += piece
        if len(out) > limit:
            raise OverLimit(info.filename)
        crc = zlib.crc32(piece, crc)
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"{info.filename} is corrupt: its checksum does not match")
    return bytes(out)


def _raw_chunks(fh: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's compressed bytes, in chunks, after its local header."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"{info.filename} has a bad local header")
    *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    fh.seek(name_length + extra_length, 1)
    left = info.compress_size
    while left > 0:
        chunk = fh.read(min(_RAW_CHUNK, left))
        if not chunk:
            raise zipfile.BadZipFile(f"{info.filename} is truncated")
        left -= len(chunk)
        yield chunk


def _pieces(info: zipfile.ZipInfo, raw: Iterator[bytes], *, limit: int) -> Iterator[bytes]:
    """Decompressed output in pieces of at most ``_OUT_CHUNK`` bytes."""
    method = info.compress_type
    try:
        if method == STORED:
            yield from raw
        elif method == DEFLATED:
            yield from _inflate(raw, info.filename)
        elif method == BZIP2:
            yield from _buffered(bz2.BZ2Decompressor(), raw, info.filename)
        elif method == LZMA:
            yield from _unlzma(raw, info.filename, limit=limit)
        else:
            name = _NAMES.get(method, f"method {method}")
            raise NotImplementedError(f"{info.filename} uses {name} compression; re-zip it with deflate")
    except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError) as error:
        raise zipfile.BadZipFile(f"{info.filename} is corrupt: {error}") from None


def _inflate(raw: Iterator[bytes], name: str) -> Iterator[bytes]:
    d = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
    for chunk in raw:
        data = chunk
        while data and not d.eof:
            piece = d.decompress(data, _OUT_CHUNK)
            data = d.unconsumed_tail
            if piece:
                yield piece
    while not d.eof:  # output still pending inside the stream, drained a capped piece at a time
        piece = d.decompress(b"", _OUT_CHUNK)
        if not piece:
            raise zipfile.BadZipFile(f"{name} is truncated")
        yield piece


def _buffered(d: bz2.BZ2Decompressor | lzma.LZMADecompressor, raw: Iterator[bytes], name: str) -> Iterator[bytes]:
    """bzip2 and LZMA keep what did not fit in ``max_length`` and give it on the next call."""
    for chunk in raw:
        data = chunk
        while not d.eof:
            piece = d.decompress(data, _OUT_CHUNK)
            data = b""
            if piece:
                yield piece
            if d.needs_input:
                break
    if isinstance(d, bz2.BZ2Decompressor) and not d.eof:
        raise zipfile.BadZipFile(f"{name} is truncated")


def _unlzma(raw: Iterator[bytes], name: str, *, limit: int) -> Iterator[bytes]:
    """Zip's LZMA: a 4-byte header (version, properties size), 5 properties bytes, a raw LZMA1 stream.

    The decoder allocates the dictionary size the header declares (up to 4 GB); no match can
    reach further back than the output so far, which stops at ``limit``, so that bounds it.
    """
    head = b""
    for chunk in raw:
        head += chunk
        if len(head) >= 4 and len(head) >= 4 + struct.unpack("<H", head[2:4])[0]:
            break
    if len(head) < 4:
        raise zipfile.BadZipFile(f"{name} is truncated")
    size = struct.unpack("<H", head[2:4])[0]
    props = head[4 : 4 + size]
    if size != 5 or len(props) != 5:
        raise zipfile.BadZipFile(f"{name} has bad LZMA properties")
    lc_lp_pb = props[0]
    dict_size = max(4096, min(int.from_bytes(props[1:5], "little"), limit + _OUT_CHUNK))
    lc, lp, pb = lc_lp_pb % 9, lc_lp_pb // 9 % 5, lc_lp_pb // 45
    filters = [{"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}]
    d = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters)
    yield from _buffered(d, itertools.chain([head[4 + size :]], raw), name)
