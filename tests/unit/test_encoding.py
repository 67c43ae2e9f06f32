"""Decoding bytes of any encoding a folder of Chinese articles may hold; refusing binary files."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.corpus.encoding import BinaryFileError, decode_bytes, decode_euc_tw

SIMPLIFIED = (
    "人工智能正在改变我们的生活。研究人员发现，大型语言模型可以完成许多复杂的任务，"
    "包括编写代码、翻译文章和回答问题。这些进步引发了广泛的讨论。\n"
)
TRADITIONAL = (
    "人工智慧正在改變我們的生活。研究人員發現，大型語言模型可以完成許多複雜的任務，"
    "包括編寫程式、翻譯文章和回答問題。這些進步引發了廣泛的討論。\n"
)
# "維基大典（Wikipedia）者，網路為礎" in EUC-TW (CNS 11643 plane 1), from chardet's test files.
EUC_TW = bytes.fromhex("eac4d9d7c4cbcca8a1be57696b697065646961a1bfcfafa1a2eabde6fbd2b3f6f0")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (SIMPLIFIED, "utf-8"),
        (SIMPLIFIED, "gb2312"),
        (SIMPLIFIED, "gbk"),
        (SIMPLIFIED, "gb18030"),
        (TRADITIONAL, "big5"),
        (TRADITIONAL, "cp950"),
        (TRADITIONAL, "utf-8"),
    ],
)
def test_chinese_encodings_decode_to_the_original_text(text: str, codec: str) -> None:
    data = (text * 3).encode(codec)
    assert decode_bytes(data).text == text * 3


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_boms_are_honoured_and_removed(codec: str) -> None:
    data = SIMPLIFIED.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = codecs.BOM_UTF16_LE + data if codec.endswith("le") else codecs.BOM_UTF16_BE + data
    decoded = decode_bytes(data)
    assert decoded.text == SIMPLIFIED
    assert decoded.problem is None


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_found_by_its_nul_pattern(codec: str) -> None:
    text = "Date,Title\r\n2025-10-02,AI news 人工智能\r\n" * 5
    decoded = decode_bytes(text.encode(codec))
    assert decoded.text == text
    assert decoded.encoding == codec


def test_utf16_without_bom_and_without_ascii_is_found_by_its_hanzi() -> None:
    decoded = decode_bytes((SIMPLIFIED.strip() * 4).encode("utf-16-le"))
    assert decoded.text == SIMPLIFIED.strip() * 4


def test_euc_tw_is_decoded_from_the_cns_table() -> None:
    assert decode_euc_tw(EUC_TW) == "維基大典（Wikipedia）者，網路為礎"
    decoded = decode_bytes(EUC_TW * 4)
    assert decoded.encoding == "euc-tw"
    assert decoded.text.startswith("維基大典（Wikipedia）者")


def test_euc_tw_plane_2_and_invalid_sequences() -> None:
    assert decode_euc_tw(b"\x8e\xa2\xa1\xa1") == "乂"  # plane 2, first cell
    assert decode_euc_tw(b"\x8e\xa1\xc4\xa1") == "一"  # plane 1 written with its 4-byte prefix
    with pytest.raises(UnicodeDecodeError):
        decode_euc_tw(b"\xa1")
    assert decode_euc_tw(b"a\xffb", errors="replace") == "a\ufffdb"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"PK\x03\x04" + bytes(range(256)), "ZIP archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"\x7fELF\x02\x01\x01" + bytes(50), "ELF executable"),
    ],
)
def test_known_binary_signatures_are_named(data: bytes, kind: str) -> None:
    with pytest.raises(BinaryFileError, match=kind):
        decode_bytes(data)


def test_nul_heavy_data_is_binary() -> None:
    with pytest.raises(BinaryFileError):
        decode_bytes(bytes(range(256)) * 8)


def test_invalid_bytes_are_replaced_and_reported_never_raised() -> None:
    decoded = decode_bytes(b"\xef\xbb\xbfhello \xff\xfe world")
    assert "hello" in decoded.text
    assert decoded.problem is not None


def test_utf8_fast_path_is_exact() -> None:
    text = "plain ASCII and 中文 and emoji 🙂\n"
    decoded = decode_bytes(text.encode())
    assert (decoded.text, decoded.encoding, decoded.problem) == (text, "utf-8", None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_decode_or_are_called_binary(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except BinaryFileError as error:
        assert str(error)
    else:
        assert isinstance(decoded.text, str)


def test_utf8_cut_inside_its_last_character_stays_utf8() -> None:
    # A long Chinese line cut by the read limit at a byte count, not at a character.
    data = ("中文内容，没有换行。" * 5000).encode("utf-8")[:-1]
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text == ("中文内容，没有换行。" * 5000)[:-1]
    assert decoded.problem == "file ends inside a UTF-8 character (cut off)"


def test_utf8_with_a_few_bad_bytes_stays_utf8_with_replacement_characters() -> None:
    # #19.2: a whole-file code page guess read these two bytes as Urdu letters (cp1006).
    decoded = decode_bytes(b"---\ntitle: bad \xff\xfe utf8\n---\nbody text here\n")
    assert decoded.encoding == "utf-8"
    assert decoded.text == "---\ntitle: bad \ufffd\ufffd utf8\n---\nbody text here\n"
    assert decoded.problem == "invalid utf-8 bytes shown as \ufffd"


@pytest.mark.parametrize(
    ("before", "after"),
    [("---\ntitle: 中文 bad ", " utf8\n---\n正文内容\n"), (SIMPLIFIED, TRADITIONAL)],
)
def test_chinese_utf8_with_stray_bytes_keeps_every_valid_character(before: str, after: str) -> None:
    # The short one was read as cp775 (`õĖŁµ¢ć bad`) before #19.2.
    decoded = decode_bytes(before.encode() + b"\xff\xfe\x80" + after.encode() + b"\xc3")
    assert decoded.encoding == "utf-8"
    assert decoded.text == before + "\ufffd\ufffd\ufffd" + after + "\ufffd"
    assert decoded.problem is not None


@pytest.mark.parametrize(
    ("title", "codec", "name"), [("人工智能", "gbk", "gb18030"), ("人工智慧", "big5", "big5hkscs")]
)
def test_a_short_legacy_title_in_an_ascii_file_is_still_detected(
    title: str, codec: str, name: str
) -> None:
    text = f"---\ntitle: {title}\n---\nSome English body text.\n"
    decoded = decode_bytes(text.encode(codec))
    assert (decoded.text, decoded.encoding, decoded.problem) == (text, name, None)


def test_legacy_text_with_a_few_bytes_that_look_like_utf8_is_not_read_as_utf8() -> None:
    # Some GB2312 pairs are valid UTF-8 by accident ("涓" is e6 b6 93 in UTF-8); they are
    # outnumbered by the invalid ones, so the file is still GB18030.
    data = (SIMPLIFIED * 3).encode("gb2312")
    text = data.decode("utf-8", errors="replace")
    assert any(ord(c) >= 0x80 and c != "\ufffd" for c in text)
    assert decode_bytes(data).encoding == "gb18030"
