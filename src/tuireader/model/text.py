"""Cleaning text that comes from untrusted files before anything displays or indexes it."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls (0x80-0x9f: a lone 0x9b is a CSI on some
# terminals), bidi embeddings/overrides/isolates (they reorder what the user sees), and lone
# surrogates (left by undecodable file names; they cannot be encoded for the terminal).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\t\u2028\u2029\x85\x0b\x0c]")


def clean_text(text: str) -> str:
    """Remove every character that could drive the terminal or disguise text; keep \\n and \\t.

    Carriage returns are turned into newlines first, so CRLF and old Mac files keep their lines.
    Lone surrogates become U+FFFD so that the text can always be encoded.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub(_replacement, text)


def sanitize_line(text: str) -> str:
    """Clean text for a one-line display: controls removed, any line break or tab is a space."""
    # Every character either pattern touches is a control, format, surrogate or separator
    # character, for which `isprintable` is false: most lines are returned as they are.
    if text.isprintable():
        return text
    return clean_text(_LINE_BREAKS.sub(" ", text))


def _replacement(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""
