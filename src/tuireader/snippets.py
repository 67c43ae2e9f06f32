"""Match spans and one-line snippets for search hits."""

from __future__ import annotations

from collections.abc import Sequence

SNIPPET_CHARS = 100
_CONTEXT_BEFORE = 30
_ELLIPSIS = "…"
# Characters that break a line on a terminal; a snippet is one line, so they become spaces
# (one for one, so offsets stay valid).
_ONE_LINE = str.maketrans(dict.fromkeys("\n\r\t\v\f\x85\u2028\u2029", " "))


def make_snippet(
    body: str, spans: Sequence[tuple[int, int]], anchor: int | None
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About SNIPPET_CHARS characters of `body` around offset `anchor`, on one line.

    Returns the snippet and the match spans inside it. "…" marks where the body was cut.
    """
    start = 0 if anchor is None else max(0, anchor - _CONTEXT_BEFORE)
    end = min(len(body), start + SNIPPET_CHARS)
    start = max(0, min(start, end - SNIPPET_CHARS))
    window = body[start:end].translate(_ONE_LINE)
    # Trim spaces at the edges, keeping track of how far the window moved.
    stripped = window.lstrip()
    start += len(window) - len(stripped)
    window = stripped.rstrip()
    end = start + len(window)
    prefix = _ELLIPSIS if start > 0 else ""
    suffix = _ELLIPSIS if end < len(body.rstrip()) else ""
    shift = len(prefix) - start
    inside = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start
    )
    return prefix + window + suffix, inside
