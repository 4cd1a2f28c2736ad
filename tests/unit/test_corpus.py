"""Unit tests for tui_lyrics.corpus (with corpus_files and lyrics_text): decoding, cleaning, loading, limits, splits."""

from __future__ import annotations

import hashlib
import os
import random
import socket
import subprocess
import sys
import threading
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import pytest

from tui_lyrics.corpus import (
    DEFAULT_MAX_BYTES,
    MIN_CHARS,
    CorpusSummary,
    canonical_split,
    load_corpus,
    preview_lines,
    split_text,
)
from tui_lyrics.corpus_files import TEXT_SUFFIXES
from tui_lyrics.errors import CorpusError
from tui_lyrics.lyrics_text import decode_bytes, normalise

JAYCHOU_ZIP = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "jaychou_lyrics.txt.zip"

# Made-up lyrics, simplified and traditional Chinese (340 characters each).
SIMPLIFIED = (
    "夜色慢慢落在城市的街角，我一个人走过那条熟悉的小路。\n"
    "风吹乱了你的头发，也吹散了我们说过的承诺。\n"
    "我还记得那年夏天，你在操场边对我微笑，\n"
    "阳光洒在你的脸上，像一首没有写完的歌。\n"
    "如果时间可以倒流，我想再牵一次你的手，\n"
    "告诉你我有多么舍不得，告诉你我一直都在等。\n"
    "雨下得很大，窗外的灯光一盏一盏熄灭，\n"
    "我在旧照片里寻找你的影子，却只看见自己的眼泪。\n"
    "我们曾经说好要一起去看海，一起去远方旅行，\n"
    "可是后来你走了，留下我和这座空空的城。\n"
    "每一个晚上我都对着月亮说话，问它你过得好不好，\n"
    "它总是安静地听着，不回答也不离开。\n"
    "也许有一天我会忘记你的名字，忘记你的声音，\n"
    "但我不会忘记那个夏天，那首我们一起唱过的歌。\n"
    "天亮以后，我会收拾好心情，继续往前走，\n"
    "把你的笑容藏在心里最柔软的地方。\n"
)
TRADITIONAL = (
    "夜色慢慢落在城市的街角，我一個人走過那條熟悉的小路。\n"
    "風吹亂了你的頭髮，也吹散了我們說過的承諾。\n"
    "我還記得那年夏天，你在操場邊對我微笑，\n"
    "陽光灑在你的臉上，像一首沒有寫完的歌。\n"
    "如果時間可以倒流，我想再牽一次你的手，\n"
    "告訴你我有多麼捨不得，告訴你我一直都在等。\n"
    "雨下得很大，窗外的燈光一盞一盞熄滅，\n"
    "我在舊照片裡尋找你的影子，卻只看見自己的眼淚。\n"
    "我們曾經說好要一起去看海，一起去遠方旅行，\n"
    "可是後來你走了，留下我和這座空空的城。\n"
    "每一個晚上我都對著月亮說話，問它你過得好不好，\n"
    "它總是安靜地聽著，不回答也不離開。\n"
    "也許有一天我會忘記你的名字，忘記你的聲音，\n"
    "但我不會忘記那個夏天，那首我們一起唱過的歌。\n"
    "天亮以後，我會收拾好心情，繼續往前走，\n"
    "把你的笑容藏在心裡最柔軟的地方。\n"
)
ENGLISH = "Hello darkness, my old friend.\nI've come to talk with you again!\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def make_zip(path: Path, members: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# --- decoding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8"),
        (b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8-sig"),
        (b"\xff\xfe" + TRADITIONAL.encode("utf-16-le"), TRADITIONAL, "utf-16"),
        (b"\xfe\xff" + ENGLISH.encode("utf-16-be"), ENGLISH, "utf-16"),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED, "gb18030"),
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
    ],
    ids=["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gbk", "gb18030", "big5"],
)
def test_decode_round_trips_and_reports_encoding(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data, name="x.txt") == (text, encoding)


def test_decode_detection_is_deterministic() -> None:
    data = TRADITIONAL.encode("big5")
    assert {decode_bytes(data, name="x")[1] for _ in range(5)} == {"big5"}


@pytest.mark.parametrize(
    "data",
    [
        b"lyrics\x00with a NUL byte\n" * 20,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(2000),
        b"ab\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12" * 20,
    ],
    ids=["nul", "png", "control-chars"],
)
def test_decode_refuses_binary(data: bytes) -> None:
    with pytest.raises(CorpusError, match=r"blob\.bin is not a text file \(looks binary"):
        decode_bytes(data, name="blob.bin")


@pytest.mark.parametrize("seed", range(20))
def test_png_header_then_random_bytes_is_refused(seed: int) -> None:
    noise = bytes(b for b in random.Random(seed).randbytes(6000) if b)  # no NUL to give it away
    with pytest.raises(CorpusError, match=r"^cover\.txt is not a text file \(looks binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n" + noise, name="cover.txt")


def test_decoding_to_many_replacement_characters_is_refused_with_the_share() -> None:
    text = (SIMPLIFIED[:20] + "\ufffd" * 3) * 30  # what a text once decoded with errors="replace" looks like
    with pytest.raises(CorpusError) as err:
        decode_bytes(text.encode("utf-8"), name="mangled.txt")
    assert str(err.value) == (
        "mangled.txt is not a text file (looks binary: 13% of it decodes (utf-8) to control, "
        "replacement or private-use characters)"
    )


def test_private_use_characters_count_as_garbage() -> None:
    with pytest.raises(CorpusError, match=r"looks binary: 50% of it"):
        decode_bytes(("字\ue000" * 200).encode("utf-8"), name="pua.txt")


def test_a_few_replacement_characters_are_kept() -> None:
    text = SIMPLIFIED + "\ufffd" * 5  # 1.5%: a damaged song, not a binary file
    assert decode_bytes(text.encode("utf-8"), name="x.txt") == (text, "utf-8")


@pytest.mark.parametrize(
    ("codec", "text", "reported"),
    [
        ("utf-8", SIMPLIFIED, "utf-8"),
        ("utf-8-sig", SIMPLIFIED, "utf-8-sig"),
        ("utf-16", TRADITIONAL, "utf-16"),
        ("gbk", SIMPLIFIED, "gb18030"),
        ("big5", TRADITIONAL, "big5"),
    ],
)
def test_load_file_in_each_encoding(tmp_path: Path, codec: str, text: str, reported: str) -> None:
    path = write(tmp_path / "song.txt", text.encode(codec))
    corpus = load_corpus(path, min_chars=100)
    assert corpus.text == text
    assert corpus.summary.encoding == reported
    assert corpus.summary.name == "song.txt"
    assert corpus.summary.path == str(path.resolve())


# --- normalisation ------------------------------------------------------------


def test_normalise_newlines() -> None:
    assert normalise("a\r\nb\rc\nd") == "a\nb\nc\nd\n"


def test_exact_load_only_deletes_carriage_returns(tmp_path: Path) -> None:
    raw = "  one  \r\ntwo\t\n\n\n\nCafe\u0301\n"
    path = write(tmp_path / "song.txt", raw + "x" * 10)
    assert load_corpus(path, min_chars=1, exact=True).text == raw.replace("\r", "") + "x" * 10
    assert load_corpus(path, min_chars=1).text == "  one\ntwo\n\nCafe\u0301\nxxxxxxxxxx\n".replace("e\u0301", "\u00e9")


def test_normalise_nfc() -> None:
    decomposed = "Cafe\u0301 au lait"
    assert unicodedata.normalize("NFC", decomposed) != decomposed
    assert normalise(decomposed) == "Caf\u00e9 au lait\n"


def test_normalise_strips_trailing_whitespace_only() -> None:
    assert normalise("  one  \ntwo\t\t\nthree\u3000\n") == "  one\ntwo\nthree\n"


def test_normalise_collapses_blank_runs_and_keeps_line_breaks() -> None:
    text = "\n\n \nverse one\nline two\n\n\n\n\nchorus\n\nend\n\n\n"
    assert normalise(text) == "verse one\nline two\n\nchorus\n\nend\n"


def test_normalise_keeps_case_and_punctuation_and_removes_bom() -> None:
    text = "\ufeffHey, JUDE!\n\ufeff“Don't” — 你好，世界。"
    assert normalise(text) == "Hey, JUDE!\n“Don't” — 你好，世界。\n"


def test_normalise_empty() -> None:
    assert normalise("") == ""
    assert normalise("\n \n\t\n") == ""


def test_normalise_lrc_strips_tags_and_headers() -> None:
    lrc = (
        "[ar:Some Artist]\n[ti:Song]\n[al:Album]\n[by:me]\n[offset:+500]\n"
        "[length:03:15]\n[re:tool]\n[ve:1.0]\n[au:Writer]\n"
        "[00:12.34]First line\n"
        "[01:02]Second line\n"
        "[00:12:34][00:40.345] Chorus line\n"
        "Mid [00:50.00]tag\n"
        "[01:00.00]\n"
        "[02:00.00]Last line [with brackets]\n"
    )
    assert normalise(lrc, lrc=True) == ("First line\nSecond line\nChorus line\nMid tag\n\nLast line [with brackets]\n")


def test_normalise_without_lrc_keeps_tags() -> None:
    assert normalise("[ar:x]\n[00:12.34]a\n") == "[ar:x]\n[00:12.34]a\n"


def test_load_lrc_file(tmp_path: Path) -> None:
    path = write(tmp_path / "song.lrc", "[ti:Song]\r\n[00:01.00]你好\r\n[00:02.50]世界\r\n")
    assert load_corpus(path, min_chars=4).text == "你好\n世界\n"


# --- zips, folders and single files -----------------------------------------------


def test_zip_members_in_name_order_and_non_text_ignored(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "songs.zip",
        {
            "b.txt": "second\n",
            "a/z.md": "first\n",
            "c.lrc": "[ar:x]\n[00:01.00]third\n",
            "cover.png": b"\x89PNG\r\n\x1a\n\x00\x00",
            "__MACOSX/._b.txt": "mac junk\n",
            ".hidden.txt": "hidden\n",
            "notes.json": "{}\n",
            "d.TXT": SIMPLIFIED.encode("gbk"),
        },
    )
    corpus = load_corpus(path, min_chars=10)
    assert corpus.text == "first\n\nsecond\n\nthird\n\n" + SIMPLIFIED
    assert corpus.summary.files == 4
    assert corpus.summary.encoding == "utf-8+gb18030"
    assert corpus.summary.name == "songs.zip"


@pytest.mark.skipif(not JAYCHOU_ZIP.exists(), reason="shared jaychou corpus absent")
def test_real_jaychou_zip() -> None:
    corpus = load_corpus(JAYCHOU_ZIP)
    s = corpus.summary
    assert (s.name, s.encoding, s.files) == ("jaychou_lyrics.txt.zip", "utf-8", 1)
    assert s.chars > 60_000 and s.lines > 5_000 and s.distinct > 2_400
    assert corpus.text.startswith("想要有直升机\n想要和你飞到宇宙去\n")
    # The benchmark split on the raw member text matches shared/corpora/README.md.
    raw = zipfile.ZipFile(JAYCHOU_ZIP).read("jaychou_lyrics.txt").decode("utf-8")
    train, held = canonical_split(raw.replace("\r", ""))
    assert (len(train), len(held)) == (56_953, 6_329)
    assert held.startswith("被蜜蜂给叮到怕了\n谁在偷笑呢")


def test_folder_joined_sorted_with_blank_line(tmp_path: Path) -> None:
    root = tmp_path / "lyrics"
    write(root / "b.txt", "bee\n\n\n")
    write(root / "a" / "2.md", "two")
    write(root / "a" / "1.lrc", "[00:01.00]one\n")
    write(root / "a" / "cover.jpg", b"\xff\xd8\xff\x00")
    write(root / ".git" / "HEAD.txt", "hidden\n")
    write(root / "c.txt", TRADITIONAL.encode("big5"))
    corpus = load_corpus(root, min_chars=10)
    assert corpus.text == "one\n\ntwo\n\nbee\n\n" + TRADITIONAL
    assert corpus.summary.files == 4
    assert corpus.summary.encoding == "utf-8+big5"
    assert corpus.summary.name == "lyrics"


def test_explicit_file_with_other_suffix_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "lyrics.data", ENGLISH * 20)
    assert load_corpus(path).text == ENGLISH * 20


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_no_text_files_names_accepted_suffixes(tmp_path: Path, kind: str) -> None:
    if kind == "folder":
        path = tmp_path / "empty"
        write(path / "cover.png", b"\x89PNG")
    else:
        path = make_zip(tmp_path / "x.zip", {"cover.png": b"\x89PNG", "dir/": ""})
    with pytest.raises(CorpusError, match="has no text files") as err:
        load_corpus(path)
    assert all(suffix in str(err.value) for suffix in TEXT_SUFFIXES)
    assert str(path) in str(err.value)


# --- errors ---------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"nope\.txt does not exist"):
        load_corpus(tmp_path / "nope.txt")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"empty\.txt has 0 characters"):
        load_corpus(write(tmp_path / "empty.txt", b""))


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4000) + b"\x00" * 10,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(3).randbytes(4000),
    ],
    ids=["random", "png"],
)
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(CorpusError, match=r"pic\.txt is not a text file \(looks binary"):
        load_corpus(write(tmp_path / "pic.txt", data))


def test_tiny_corpus_message_has_count(tmp_path: Path) -> None:
    path = write(tmp_path / "tiny.txt", "x" * 122 + "\n")
    with pytest.raises(CorpusError) as err:
        load_corpus(path)
    assert str(err.value) == (f"{path} has 123 characters; at least {MIN_CHARS:,} are needed")


def test_bad_zip(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.zip", b"PK\x03\x04 this is not really a zip")
    with pytest.raises(CorpusError, match=r"broken\.zip is not a valid zip"):
        load_corpus(path)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "locked.txt", ENGLISH * 20)
    real_open = os.open

    def deny(target: object, *args: object, **kwargs: object) -> int:
        if Path(target) == path:
            raise PermissionError(13, "Permission denied", str(target))
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)  # the tests run as root, for whom chmod 000 denies nothing
    with pytest.raises(CorpusError, match=r"cannot read .*locked\.txt: permission denied"):
        load_corpus(path)


def test_oversize_file(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "a" * (3 * 1024 * 1024))
    with pytest.raises(CorpusError) as err:
        load_corpus(path, max_bytes=1024 * 1024)
    assert str(err.value) == (f"{path} is 3.0 MB; the limit is 1.0 MB (raise it with --max-mb)")


def test_oversize_folder_counts_the_total(tmp_path: Path) -> None:
    for i in range(3):
        write(tmp_path / "songs" / f"{i}.txt", "a" * 600_000)
    with pytest.raises(CorpusError, match=r"holds 1\.7 MB of text files; the limit"):
        load_corpus(tmp_path / "songs", max_bytes=1024 * 1024)


def test_zip_total_across_members_counts(tmp_path: Path) -> None:
    members = {f"{i}.txt": "a" * 600_000 for i in range(2)}
    path = make_zip(tmp_path / "two.zip", members)
    with pytest.raises(CorpusError, match=r"two\.zip unzips to more than the 1\.0 MB limit"):
        load_corpus(path, max_bytes=1024 * 1024)


METHODS = {"stored": zipfile.ZIP_STORED, "deflate": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2,
           "lzma": zipfile.ZIP_LZMA}  # fmt: skip


@pytest.mark.parametrize("method", METHODS.values(), ids=METHODS.keys())
def test_zip_bomb_stops_while_decompressing(tmp_path: Path, method: int) -> None:
    # 16 MB of one letter: bzip2 makes it 153 bytes, which zipfile would expand in one call.
    path = make_zip(tmp_path / "bomb.zip", {"bomb.txt": b"a" * (16 * 1024 * 1024)}, method)
    tracemalloc.start()
    try:
        with pytest.raises(CorpusError) as err:
            load_corpus(path, max_bytes=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value) == (f"{path} unzips to more than the 1.0 MB limit (raise it with --max-mb)")
    # zipfile's own reader peaks at 45 MB (bzip2) and 53 MB (LZMA) for its first 1 MB read of this member.
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize("method", METHODS.values(), ids=METHODS.keys())
def test_every_zip_method_reads_back(tmp_path: Path, method: int) -> None:
    members = {"a.txt": SIMPLIFIED * 50, "b.txt": TRADITIONAL.encode("big5"), "empty.txt": ""}
    corpus = load_corpus(make_zip(tmp_path / "songs.zip", members, method), min_chars=10)
    assert corpus.text == SIMPLIFIED * 50 + "\n" + TRADITIONAL
    assert corpus.summary.encoding == "utf-8+big5"


def test_zip_member_with_a_bad_checksum_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bad.zip", {"a.txt": ENGLISH * 40}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    data[data.index(b"Hello") + 1] ^= 0x20  # one letter's case
    path.write_bytes(bytes(data))
    with pytest.raises(CorpusError, match=r"bad\.zip is not a valid zip file \(a\.txt is corrupt: its checksum"):
        load_corpus(path)


def test_lzma_dictionary_size_is_bounded_by_the_limit(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "dict.zip", {"a.txt": ENGLISH * 40}, zipfile.ZIP_LZMA)
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x03\x04") + 30 + len("a.txt") + 4 + 1  # the 4-byte dictionary size
    data[at : at + 4] = (0xFFFF_FFFF).to_bytes(4, "little")  # "4 GB", which liblzma would allocate
    path.write_bytes(bytes(data))
    tracemalloc.start()
    try:
        corpus = load_corpus(path, min_chars=10, max_bytes=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert corpus.text == ENGLISH * 40 and peak < 8 * 1024 * 1024


def test_encrypted_zip_member_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "secret.zip", {"a.txt": ENGLISH * 40}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        at = data.index(signature) + flag_at
        data[at] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(CorpusError, match=r"cannot unzip .*secret\.zip: a\.txt is encrypted"):
        load_corpus(path)


# --- files that are not files -------------------------------------------------------


def load_in_thread(path: Path) -> BaseException | None:
    """load_corpus's error, asserting it came back at once: a FIFO must never block."""
    result: list[BaseException | None] = []

    def target() -> None:
        try:
            load_corpus(path)
            result.append(None)
        except BaseException as error:
            result.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), f"load_corpus({path}) blocked"
    return result[0]


@pytest.mark.parametrize("name", ["pipe.txt", "pipe.zip"])
def test_fifo_is_refused_without_blocking(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / name)
    error = load_in_thread(tmp_path / name)
    assert isinstance(error, CorpusError)
    assert (
        str(error)
        == f"{tmp_path / name} is a named pipe (FIFO), not a file; give a text file, a .zip of them or a folder"
    )


def test_fifo_swapped_in_after_the_check_is_refused_when_opened(tmp_path: Path) -> None:
    from tui_lyrics.corpus_files import _open_regular

    os.mkfifo(tmp_path / "late.txt")
    with pytest.raises(CorpusError, match=r"late\.txt is a named pipe \(FIFO\), not a file"):
        _open_regular(tmp_path / "late.txt", str(tmp_path / "late.txt"))


def test_fifo_in_a_folder_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "songs" / "a.txt", ENGLISH * 20)
    os.mkfifo(tmp_path / "songs" / "b.txt")
    error = load_in_thread(tmp_path / "songs")
    assert error is None


def test_device_is_refused() -> None:
    with pytest.raises(CorpusError, match=r"^/dev/zero is a device, not a file"):
        load_corpus("/dev/zero")


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(CorpusError, match=r"s\.txt is a socket, not a file"):
            load_corpus(path)


def test_default_limit() -> None:
    assert DEFAULT_MAX_BYTES == 200 * 1024 * 1024


# --- splits, summary, preview -------------------------------------------------------


@pytest.mark.parametrize("n", [10, 999, 63_282, 1_115_394])
def test_split_text_is_the_canonical_split_at_one_tenth(n: int) -> None:
    text = "".join(chr(0x4E00 + i % 500) for i in range(n))
    assert split_text(text, held_out=0.1) == canonical_split(text)


def test_split_text_cuts_mid_line_by_the_fraction() -> None:
    assert split_text("short\n" + "x" * 94, held_out=0.1) == ("short\n" + "x" * 84, "x" * 10)
    assert split_text("y" * 100, held_out=0.2) == ("y" * 80, "y" * 20)


def test_split_text_both_parts_non_empty() -> None:
    train, held = split_text("ab", held_out=0.01)
    assert (train, held) == ("a", "b")


@pytest.mark.parametrize("fraction", [0, 0.5, 0.7, -0.1])
def test_split_text_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="held_out"):
        split_text("abc\ndef\n", held_out=fraction)


def test_canonical_split_sizes() -> None:
    text = "abc\n" * 15_820 + "xy"
    assert len(text) == 63_282
    train, held = canonical_split(text)
    assert (len(train), len(held)) == (56_953, 6_329)
    assert held.startswith("bc\n")  # no move to a line boundary
    assert train + held == text


def test_summary_fields(tmp_path: Path) -> None:
    text = "aab\nccd\n" * 200 + "end"
    corpus = load_corpus(write(tmp_path / "s.txt", text), min_chars=10)
    s = corpus.summary
    assert corpus.text == text + "\n"
    assert s.sha256 == hashlib.sha256(corpus.text.encode("utf-8")).hexdigest()
    assert (s.chars, s.lines, s.distinct, s.files) == (len(text) + 1, 401, 7, 1)


def test_summary_dict_round_trip_rejects_unknown_keys() -> None:
    s = CorpusSummary("n", "/p", "utf-8", 1, 10, 2, 5, "ab" * 32)
    assert CorpusSummary.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="surprise"):
        CorpusSummary.from_dict({**s.to_dict(), "surprise": 1})
    with pytest.raises(ValueError, match="sha256"):
        CorpusSummary.from_dict({k: v for k, v in s.to_dict().items() if k != "sha256"})


def test_preview_lines() -> None:
    text = "\n  \nfirst\n\n" + "w" * 80 + "\n" + "".join(f"l{i}\n" for i in range(20))
    lines = preview_lines(text, n=4)
    assert lines == ["first", "w" * 60, "l0", "l1"]
    assert len(preview_lines(text)) == 8


def test_module_imports_no_heavy_packages() -> None:
    code = (
        "import sys, tui_lyrics.corpus\n"
        "bad = {'torch', 'textual', 'rich'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
