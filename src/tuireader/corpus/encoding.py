"""Turning the bytes of a file into text: BOMs, UTF-16 without BOM, Chinese legacy encodings.

Most files are UTF-8, so that is tried first and costs one strict decode. A file that is UTF-8
but for a few bad bytes stays UTF-8, with U+FFFD for them. Other files go through a cheap scorer
for the Chinese encodings (GB18030, Big5, EUC-TW, BOM-less UTF-16), which judges a candidate by
how many of its characters are common Hanzi, and only then through charset-normalizer. Python
has no EUC-TW codec, so it is decoded here from a CNS 11643 table.
"""

from __future__ import annotations

import codecs
import functools
from dataclasses import dataclass

# How much of a file the detectors look at: enough to judge, bounded so a huge file stays cheap.
_SAMPLE_BYTES = 64 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xca\xfe\xba\xbe", "Java class or Mach-O file"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)

# Most files start with none of these bytes, and need not be compared with every signature.
_BOM_FIRST_BYTES = frozenset(bom[:1] for bom, _ in _BOMS)
_MAGIC_FIRST_BYTES = frozenset([*(magic[:1] for magic, _ in _MAGIC), b"R"])  # R: RIFF

# Which encoding charset-normalizer names are decoded with their superset, so that the few
# characters outside the base table do not become replacement characters.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ascii": "utf-8",
}


class BinaryFileError(ValueError):
    """The bytes are not text; the message says why, in a few words (e.g. "PNG image")."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from a file, the encoding used, and a note if the decoding was lossy."""

    text: str
    encoding: str
    problem: str | None = None


def decode_bytes(data: bytes) -> Decoded:
    """Decode the bytes of a text file, whatever its encoding; raise `BinaryFileError` if binary.

    The result may still contain control characters: the caller cleans it with `clean_text`.
    """
    if data[:1] in _BOM_FIRST_BYTES:
        for bom, name in _BOMS:
            if data.startswith(bom):
                text = data[len(bom) :].decode(name, errors="replace")
                return _lossy(text, name, "\ufffd" in text)
    kind = binary_kind(data)
    if kind is not None:
        raise BinaryFileError(kind)
    sample = data[:_SAMPLE_BYTES]
    if b"\x00" in sample:
        # ASCII in UTF-16 is valid UTF-8 with NULs in it, so the NUL pattern is checked first.
        utf16 = _utf16_by_nul_pattern(sample)
        if utf16 is not None:
            text = data[: len(data) // 2 * 2].decode(utf16, errors="replace")
            return _lossy(text, utf16, "\ufffd" in text or len(data) % 2 == 1)
        if sample.count(0) * 100 > len(sample):
            raise BinaryFileError("binary data (NUL bytes)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(data) - 3:
            # Cut inside its last character (by the read limit, or while being written): still
            # UTF-8, which the Chinese detectors would otherwise misread the whole file as.
            text = data[: error.start].decode("utf-8")
            return Decoded(text, "utf-8", "file ends inside a UTF-8 character (cut off)")
    valid, invalid = _utf8_evidence(sample)
    if valid >= invalid:
        # UTF-8 with a few bad bytes: a legacy codec would turn every valid character into
        # mojibake to explain them. Files in legacy encodings have 4+ times more invalid
        # sequences than accidentally valid ones (measured on chardet's samples).
        return _lossy(data.decode("utf-8", errors="replace"), "utf-8", True)
    chinese = _best_chinese(sample)
    if chinese is not None:
        return _decode_whole(data, chinese)
    if invalid < _MIN_INVALID_FOR_A_GUESS:
        return _lossy(data.decode("utf-8", errors="replace"), "utf-8", True)
    # Imported here: few files get this far, and its import slows each loader worker's start.
    from charset_normalizer import from_bytes

    guess = from_bytes(sample).best()
    if guess is not None and guess.encoding:
        name = _SUPERSETS.get(guess.encoding, guess.encoding)
        if _decodes_cleanly(sample, name):
            return _decode_whole(data, name)
    if _control_ratio(sample) > 0.1:
        raise BinaryFileError("binary data")
    text = data.decode("utf-8", errors="replace")
    return Decoded(text, "utf-8", "undetected encoding: invalid bytes shown as \ufffd")


def binary_kind(data: bytes) -> str | None:
    """Name the kind of binary file the bytes start with (a known signature), else None."""
    head = data[:16]
    if head[:1] not in _MAGIC_FIRST_BYTES:
        return None
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "RIFF media file"
    return None


def decode_euc_tw(data: bytes, errors: str = "strict") -> str:
    """Decode EUC-TW (CNS 11643 planes 1 and 2; other planes become U+FFFD).

    With `errors="strict"` an invalid sequence raises `UnicodeDecodeError`; otherwise it becomes
    U+FFFD and decoding resumes at the next byte.
    """
    # The tables are large and EUC-TW is rare: they are imported only when one is decoded.
    from tuireader.corpus._cns11643 import PLANE1, PLANE2

    out: list[str] = []
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            # Runs of ASCII are copied in one slice: most of a mixed file is markup or Latin.
            j = i + 1
            while j < n and data[j] < 0x80:
                j += 1
            out.append(data[i:j].decode("ascii"))
            i = j
            continue
        char: str | None = None
        width = 2
        if 0xA1 <= b <= 0xFE and i + 1 < n and 0xA1 <= data[i + 1] <= 0xFE:
            char = PLANE1[(b - 0xA1) * 94 + data[i + 1] - 0xA1]
        elif b == 0x8E and i + 3 < n and 0xA1 <= data[i + 1] <= 0xB0:
            width = 4
            row, cell = data[i + 2], data[i + 3]
            if 0xA1 <= row <= 0xFE and 0xA1 <= cell <= 0xFE:
                index = (row - 0xA1) * 94 + cell - 0xA1
                plane = data[i + 1] - 0xA0
                char = PLANE1[index] if plane == 1 else PLANE2[index] if plane == 2 else "\ufffd"
        if char is None or (char == "\ufffd" and errors == "strict"):
            if errors == "strict":
                raise UnicodeDecodeError("euc-tw", data, i, i + 1, "invalid EUC-TW sequence")
            out.append("\ufffd")
            i += 1
            continue
        out.append(char)
        i += width
    return "".join(out)


# A statistical guess from fewer invalid UTF-8 sequences than this reads a file in whatever code
# page makes two stray bytes look like letters (`\xff\xfe` as Urdu in cp1006); U+FFFD for them
# is more honest.
_MIN_INVALID_FOR_A_GUESS = 8
_ASCII = bytes(range(0x80))


def _utf8_evidence(sample: bytes) -> tuple[int, int]:
    """(valid non-ASCII characters, invalid sequences) when `sample` is read as UTF-8."""
    text = sample.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    ascii_count = len(sample) - len(sample.translate(None, _ASCII))
    return len(text) - ascii_count - invalid, invalid


def _decodes_cleanly(sample: bytes, name: str) -> bool:
    """Whether `sample` decodes in `name` without error (but for a character cut at its end)."""
    try:
        decode_euc_tw(sample) if name == "euc-tw" else sample.decode(name)
    except UnicodeDecodeError as error:
        return error.start >= len(sample) - 4
    except LookupError:
        return False
    return True


def _decode_whole(data: bytes, name: str) -> Decoded:
    if name == "euc-tw":
        text = decode_euc_tw(data, errors="replace")
    else:
        try:
            text = data.decode(name, errors="replace")
        except LookupError:
            name = "utf-8"
            text = data.decode(name, errors="replace")
    return _lossy(text, name, "\ufffd" in text)


def _lossy(text: str, name: str, lossy: bool) -> Decoded:
    problem = f"invalid {name} bytes shown as \ufffd" if lossy else None
    return Decoded(text, name, problem)


def _utf16_by_nul_pattern(sample: bytes) -> str | None:
    """BOM-less UTF-16 has a NUL in every ASCII character, all on the same side of the pair."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if max(even, odd) < max(2, pairs // 20) or min(even, odd) > max(even, odd) // 10:
        return None
    name = "utf-16-be" if even > odd else "utf-16-le"
    try:
        sample[: pairs * 2].decode(name)
    except UnicodeDecodeError:
        # The sample may end inside a surrogate pair; one pair less must then decode.
        try:
            sample[: pairs * 2 - 2].decode(name)
        except UnicodeDecodeError:
            return None
    return name


_CHINESE_CANDIDATES = ("gb18030", "big5hkscs", "euc-tw", "utf-16-le", "utf-16-be")


def _best_chinese(sample: bytes) -> str | None:
    """The Chinese encoding in which the sample reads as common Hanzi, if one clearly does.

    Every candidate decodes most byte soup without error, so the judge is the share of decoded
    characters that are among the ~6,000 most common Hanzi (GB2312 level 1 plus Big5 level 1):
    about 95% in the right encoding, far lower in a wrong one.
    """
    common = _common_hanzi()
    best_name, best_score = None, 0.0
    for name in _CHINESE_CANDIDATES:
        if name.startswith("utf-16") and len(sample) % 2:
            continue
        try:
            text = decode_euc_tw(sample) if name == "euc-tw" else sample.decode(name)
        except UnicodeDecodeError as error:
            # A sample cut inside a multi-byte character fails only at its very end.
            if error.start < len(sample) - 4:
                continue
            cut = sample[: error.start]
            text = decode_euc_tw(cut) if name == "euc-tw" else cut.decode(name, "replace")
        wide = [c for c in text if ord(c) >= 0x80]
        if len(wide) < 4:
            continue
        score = sum(1 for c in wide if c in common) / len(wide)
        if score > best_score:
            best_name, best_score = name, score
    return best_name if best_score >= 0.75 else None


@functools.cache
def _common_hanzi() -> frozenset[str]:
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1: the 3,755 most common simplified Hanzi
        chars.update(bytes([lead, t]).decode("gb2312", "ignore") for t in range(0xA1, 0xFF))
    for lead in range(0xA4, 0xC7):  # Big5 level 1: the 5,401 common traditional Hanzi
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.add(bytes([lead, trail]).decode("big5", "ignore"))
    # CJK and full-width punctuation are as much a sign of the right encoding as Hanzi.
    chars.update(chr(c) for c in range(0x3000, 0x3040))
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))
    chars.update("\u2014\u2026\u2018\u2019\u201c\u201d\u00b7")
    chars.discard("")
    return frozenset(chars)


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13))
    return controls / len(sample)
