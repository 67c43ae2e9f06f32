"""Line breaking for mixed Chinese and Latin text.

Rich breaks lines only at whitespace, so a run of Chinese (which has no spaces) is one "word"
and gets pushed whole onto the next line, leaving ragged gaps. Here every wide character is a
break opportunity, Latin words stay whole, and the common kinsoku rules hold: closing
punctuation never starts a line and opening punctuation never ends one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.cells import cell_len, chop_cells
from rich.text import Text

_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
)
_OPEN = "([{<\u2018\u201c\u3008\u300a\u300c\u300e\u3010\u3014\u3016\uff08\uff3b\uff5b"
_CLOSE = (
    ")\\]}>,.;:!?%\u2019\u201d\u2026\u2014\u00b7\u3001\u3002\u3009\u300b\u300d\u300f\u3011"
    "\u3015\u3017\uff01\uff09\uff0c\uff0e\uff1a\uff1b\uff1f\uff3d\uff5d\uff5e\u30fc"
)
# One unbreakable unit: opening marks, then a wide character or a Latin word, then closing
# marks and trailing spaces. `.` catches anything else so that units always tile the text.
# The opening marks are bounded: with `*`, a run of 50,000 "[" made every position scan the
# whole run and fail (quadratic: tens of seconds to wrap one line).
_UNIT = re.compile(
    rf"[{_OPEN}]{{0,8}}(?:[{_WIDE}]|[^\s{_WIDE}{_OPEN}]+)[{_CLOSE}]*\s*|\s+|.", re.DOTALL
)


@lru_cache(maxsize=4096)
def _unit_width(unit: str) -> int:
    return cell_len(unit)


def break_offsets(plain: str, width: int) -> list[int]:
    """Character offsets at which `plain` (one paragraph, no newlines) should be broken."""
    width = max(width, 1)
    offsets: list[int] = []
    column = 0
    for match in _UNIT.finditer(plain):
        unit = match.group()
        start = match.start()
        visible = _unit_width(unit.rstrip())
        if column + visible <= width:
            column += _unit_width(unit)
            continue
        if visible <= width:
            if start:
                offsets.append(start)
            column = _unit_width(unit)
            continue
        # Longer than a whole line (a URL, a long token): fold it across lines.
        if column and start:
            offsets.append(start)
        # A wide character in a 1-cell line yields empty pieces: skip them.
        pieces = [piece for piece in chop_cells(unit, width) if piece]
        for piece in pieces[:-1]:
            start += len(piece)
            if start < len(plain):
                offsets.append(start)
        column = _unit_width(pieces[-1]) if pieces else 0
    return offsets


def wrap_text(text: Text, width: int) -> list[tuple[int, Text]]:
    """Wrap styled text to `width` cells; explicit newlines always break.

    Returns each line with the offset in `text.plain` where it starts, so that a character
    position (a search match) can be found on screen.
    """
    lines: list[tuple[int, Text]] = []
    base = 0
    for paragraph in text.split("\n", allow_blank=True):
        offsets = break_offsets(paragraph.plain, width)
        starts = [0, *offsets]
        for start, line in zip(starts, paragraph.divide(offsets), strict=True):
            line.rstrip()
            lines.append((base + start, line))
        base += len(paragraph.plain) + 1
    return lines


def line_count(plain: str, width: int) -> int:
    """How many lines `wrap_text` gives for this text, without building them.

    The reader measures every block to know where each one starts, but draws only what is on
    screen: counting breaks is a fraction of the cost of dividing and rendering the lines.
    """
    return sum(len(break_offsets(paragraph, width)) + 1 for paragraph in plain.split("\n"))
