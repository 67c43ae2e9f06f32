"""Regenerate src/tuireader/corpus/_cns11643.py, the CNS 11643 table EUC-TW is decoded with.

Python has no EUC-TW codec. glibc's iconv has one, and its tables are the source: every Unicode
code point is encoded to EUC-TW through libc's `iconv(3)` (called with ctypes, so nothing else
is needed), and the encodings are inverted into the 94x94 cells of planes 1 and 2. Where two code
points encode to the same cell, the lower one is kept. glibc ships with every Debian or Ubuntu
system, so this runs offline; the table was generated with Debian's glibc 2.36.

    uv run python tools/make_cns11643.py            # rewrite the module
    uv run python tools/make_cns11643.py --check    # exit 1 if the module differs
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import sys
from pathlib import Path

MODULE = Path(__file__).resolve().parents[1] / "src" / "tuireader" / "corpus" / "_cns11643.py"
CELLS = 94 * 94
HEADER = (
    '"""CNS 11643 planes 1 and 2 as Unicode, for decoding EUC-TW (Python has no EUC-TW codec).\n'
)
HEADER += '''
Generated from glibc iconv's EUC-TW converter (Unicode -> EUC-TW for every code point, inverted).
Each plane is 94 rows of 94 cells, row-major from 0xA1A1; U+FFFD marks an unassigned cell.
"""

# fmt: off
'''


class _Iconv:
    """One libc iconv conversion descriptor from UTF-32LE to EUC-TW."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._open = libc.iconv_open
        self._open.restype = ctypes.c_void_p
        self._open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        self._iconv = libc.iconv
        self._iconv.restype = ctypes.c_size_t
        self._iconv.argtypes = [ctypes.c_void_p] + [ctypes.c_void_p] * 4
        self._descriptor = self._open(b"EUC-TW", b"UTF-32LE")
        if self._descriptor in (None, ctypes.c_void_p(-1).value):
            raise SystemExit("this libc's iconv has no EUC-TW converter (glibc is needed)")
        self._in = ctypes.create_string_buffer(4)
        self._out = ctypes.create_string_buffer(16)

    def encode(self, code_point: int) -> bytes | None:
        """The EUC-TW bytes of one code point, or None if it has none."""
        self._in.raw = code_point.to_bytes(4, "little")
        in_pointer = ctypes.c_char_p(ctypes.addressof(self._in))
        out_pointer = ctypes.c_char_p(ctypes.addressof(self._out))
        in_left, out_left = ctypes.c_size_t(4), ctypes.c_size_t(16)
        result = self._iconv(
            self._descriptor,
            ctypes.byref(in_pointer),
            ctypes.byref(in_left),
            ctypes.byref(out_pointer),
            ctypes.byref(out_left),
        )
        # Reset the shift state (EUC-TW has none, but a failed call may leave it undefined).
        self._iconv(self._descriptor, None, None, None, None)
        if result == ctypes.c_size_t(-1).value:
            return None
        return self._out.raw[: 16 - out_left.value]


def build_planes() -> tuple[list[str], list[str]]:
    """Planes 1 and 2, each a list of 94x94 cells (U+FFFD where no code point encodes there)."""
    planes = {1: ["\ufffd"] * CELLS, 2: ["\ufffd"] * CELLS}
    iconv = _Iconv()
    for code_point in range(0x80, 0x110000):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        encoded = iconv.encode(code_point)
        if encoded is None:
            continue
        if len(encoded) == 2:
            plane, row, cell = 1, encoded[0], encoded[1]
        elif len(encoded) == 4 and encoded[0] == 0x8E:
            plane, row, cell = encoded[1] - 0xA0, encoded[2], encoded[3]
        else:
            continue
        if plane in planes and 0xA1 <= row <= 0xFE and 0xA1 <= cell <= 0xFE:
            index = (row - 0xA1) * 94 + cell - 0xA1
            if planes[plane][index] == "\ufffd":
                planes[plane][index] = chr(code_point)
    return planes[1], planes[2]


def _literal_char(char: str) -> str:
    if char == "\ufffd" or char.isspace() or not char.isprintable() or char in '"\\':
        return f"\\u{ord(char):04x}"
    return char


def render(plane1: list[str], plane2: list[str]) -> str:
    """The module's source text."""
    parts = [HEADER]
    for name, plane in (("PLANE1", plane1), ("PLANE2", plane2)):
        parts.append(f"{name} = (\n")
        for row in range(94):
            cells = plane[row * 94 : (row + 1) * 94]
            parts.append('    "' + "".join(_literal_char(c) for c in cells) + '"\n')
        parts.append(")\n")
    parts.append("# fmt: on\n")
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    source = render(*build_planes())
    if args.check:
        same = MODULE.read_text(encoding="utf-8") == source
        print(f"{MODULE.name} is {'up to date' if same else 'DIFFERENT from what glibc gives'}")
        return 0 if same else 1
    MODULE.write_text(source, encoding="utf-8")
    print(f"wrote {MODULE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
