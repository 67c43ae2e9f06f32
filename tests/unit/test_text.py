"""Cleaning untrusted text for display."""

from __future__ import annotations

import sys

from tuireader.model.text import _LINE_BREAKS, clean_text, sanitize_line


def test_sanitize_line_makes_one_safe_line() -> None:
    assert sanitize_line("a\r\nb\tc\u2028d\x85e") == "a b c d e"  # CRLF is one break
    assert sanitize_line("x\x1b[2J\u202egnp\x9b31m\ud800") == "x[2Jgnp31m\ufffd"
    assert sanitize_line("标题 title") == "标题 title"


def test_printable_text_is_already_clean() -> None:
    # `sanitize_line` returns printable text unchanged without running its patterns: this holds
    # only if neither pattern touches a printable character, checked here for all of Unicode.
    printable = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isprintable())
    assert _LINE_BREAKS.search(printable) is None
    assert clean_text(printable) == printable
