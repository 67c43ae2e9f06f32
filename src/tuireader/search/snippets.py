"""One-line snippets for search hits that read like the rendered article, not its Markdown.

A snippet is cut from the article's source text around a match, with the markup a reader would
not see removed: images, link targets (the link text stays), HTML tags, heading, quote and list
markers at the start of a line, emphasis and code markers, and runs of whitespace. Removal goes
through an offset map, so the match spans still cover exactly the matched characters; markup
that overlaps a match is kept as written rather than cut through.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from operator import itemgetter

SNIPPET_CHARS = 100
_CONTEXT_BEFORE = 30
# How much source around the anchor is rendered; markup makes the source longer than the text.
_SOURCE_BEFORE = 45
_SOURCE_AFTER = 110
_LINE_REACH = 40  # how far the source window reaches to start and end on a line boundary
_ELLIPSIS = "…"

_LINK_TARGET = r"(?:\([^)\n]*\)|\[[^\]\n]*\])"
_LIST_OR_HEADING = r"(?:#{1,6}(?:[ \t]+|$)|[-*+][ \t]+|\d{1,9}[.)][ \t]+)"
# Every alternative starts with one of the _TRIGGER characters; searching for those first and
# matching only there is ten times faster than letting the alternation scan the text. Markup
# that only counts at the start of a line is matched there.
_TRIGGER = re.compile(r"[!\[<*`~_]")
_INLINE = re.compile(
    rf"(?P<image>!\[[^\]\n]*\]{_LINK_TARGET})"
    rf"|(?P<link>\[(?P<text>[^\]\n]*)\]{_LINK_TARGET})"
    r"|(?P<tag></?[A-Za-z][^>\n]*>)"
    r"|(?P<emphasis>\*+|`+|~~)"
    r"|(?P<underscore>_+)"
)
_LINE_START = re.compile(
    rf"[ \t]*(?:[-*_][ \t]*){{3,}}$|[ \t]*(?:>[ \t]?)+{_LIST_OR_HEADING}?|[ \t]*{_LIST_OR_HEADING}",
    re.MULTILINE,
)
# Whitespace that changes when collapsed: a character other than a space, or a run.
_COLLAPSE = re.compile(r"[^\S ]\s*| \s+")
_TEXT = re.compile(r"\S")  # what str.isspace() is not, found without slicing the body
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]*")
_URL_REACH = 300

Span = tuple[int, int]


def make_snippet(
    body: str, spans: Sequence[Span], anchor: int | None
) -> tuple[str, tuple[Span, ...]]:
    """About SNIPPET_CHARS characters of rendered text around offset `anchor` of `body`.

    `spans` are sorted, disjoint match spans in `body`. Returns the snippet, on one line, and
    the spans inside it. "…" marks where text was cut.
    """

    def spans_in(low: int, high: int) -> list[Span]:
        first = bisect_right(spans, low, key=itemgetter(1))
        local: list[Span] = []
        for s, e in itertools.islice(spans, first, None):
            if s >= high:
                break
            local.append((max(s, low), min(e, high)))
        return local

    return snippet_around(body, anchor, spans_in)


def snippet_around(
    body: str, anchor: int | None, spans_in: Callable[[int, int], list[Span]]
) -> tuple[str, tuple[Span, ...]]:
    """`make_snippet`, asking for match spans only in the source the snippet is cut from.

    `spans_in(low, high)` returns the sorted, disjoint match spans that overlap body[low:high],
    clipped to it. A search hit needs no more than that: finding every match in a long body
    cost more than the rest of the snippet.
    """
    anchor = 0 if anchor is None else anchor
    reach = 1
    while True:
        low, high = _source_window(body, anchor, reach)
        local = spans_in(low, high)
        shown = next(((s, e) for s, e in local if s <= anchor < e), None)
        text, sources = _render(body, low, high, local, shown)
        at = bisect_left(sources, anchor)
        # Markup can leave less text than the snippet needs: render more source then.
        short = (at < _CONTEXT_BEFORE and low > 0) or (
            len(text) - at < SNIPPET_CHARS - _CONTEXT_BEFORE and high < len(body)
        )
        if not short or reach >= 4:
            break
        reach *= 4
    start = max(0, at - _CONTEXT_BEFORE)
    end = min(len(text), start + SNIPPET_CHARS)
    start = max(0, min(start, end - SNIPPET_CHARS))
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    before = (start > 0 and not text[:start].isspace()) or _has_text(body, 0, low)
    after = end < len(text.rstrip()) or _has_text(body, high, len(body))
    prefix = _ELLIPSIS if before else ""
    suffix = _ELLIPSIS if after else ""
    shift = len(prefix) - start
    inside: list[Span] = []
    for s, e in local:
        out_start = bisect_left(sources, s)
        out_end = out_start + (e - s)
        # A match inside a dropped link target or image is not shown, so not marked.
        whole = out_end <= len(sources) and sources[out_start] == s
        if whole and sources[out_end - 1] == e - 1 and out_start < end and out_end > start:
            inside.append((max(out_start, start) + shift, min(out_end, end) + shift))
    return prefix + text[start:end] + suffix, tuple(inside)


def inside_url(body: str, position: int) -> bool:
    """Whether `position` of `body` is in a URL: a link or image target, or a bare address."""
    # Only _URL_REACH characters back are looked at, so the cost does not grow with the URL.
    low = max(0, position - _URL_REACH)
    rfind = body.rfind
    cut = max(
        rfind(" ", low, position),
        rfind("\n", low, position),
        rfind("\t", low, position),
        rfind("(", low, position),
        rfind("<", low, position),
    )
    if cut >= 1 and body[cut] == "(" and body[cut - 1] == "]":
        return ")" not in body[cut:position]  # the target of [text](url) or ![alt](url)
    start = max(cut + 1, low)
    scheme = body.rfind("://", start, position)
    if scheme < 0:
        scheme = body.find("www.", start, position)
    if scheme < 0 and cut < 0 and low > 0:
        scheme = low  # a token longer than the reach: a URL if it is all URL characters
    return scheme >= 0 and _URL_CHARS.fullmatch(body, scheme, position + 1) is not None


def _source_window(body: str, anchor: int, reach: int) -> tuple[int, int]:
    low = max(0, anchor - _SOURCE_BEFORE * reach)
    high = min(len(body), anchor + _SOURCE_AFTER * reach)
    # Start and end on line boundaries when they are near, and never inside a link or an
    # image, so that markup is seen whole.
    line_start = body.rfind("\n", max(0, low - _LINE_REACH), low) + 1
    near = line_start > 0 or low <= _LINE_REACH
    low = line_start if near else _link_start(body, low)
    line_end = body.find("\n", high, high + _LINE_REACH)
    if line_end >= 0:
        high = line_end
    elif len(body) - high <= _LINE_REACH:
        high = len(body)
    else:
        high = _link_end(body, low, high)
    return low, high


def _link_start(body: str, low: int) -> int:
    """Where the link or image that `low` falls inside starts (`low` if none)."""
    reach = max(0, low - _URL_REACH)
    target = body.rfind("](", reach, low)
    if target >= 0 and body.find(")", target, low) < 0:
        bracket = body.rfind("[", reach, target)
    else:
        bracket = body.rfind("[", reach, low)
        if bracket >= 0 and body.find("]", bracket, low) >= 0:
            bracket = -1
    if bracket < 0:
        return low
    return bracket - 1 if bracket > 0 and body[bracket - 1] == "!" else bracket


def _link_end(body: str, low: int, high: int) -> int:
    """Where the link or image that `high` falls inside ends (`high` if none)."""
    bracket = body.rfind("[", low, high)
    if bracket >= 0 and body.find("]", bracket, high) < 0:
        closing = body.find("]", high, high + _URL_REACH)
        if closing < 0:
            return high
        high = closing + 1
    target = body.rfind("](", low, high)
    if target >= 0 and body.find(")", target, high) < 0:
        closing = body.find(")", high, high + _URL_REACH)
        if closing >= 0:
            high = closing + 1
    return high


def _render(
    body: str, low: int, high: int, spans: list[Span], shown: Span | None
) -> tuple[str, Sequence[int]]:
    """The text of body[low:high] without markup, and the body offset of each character."""
    removed = _markup(body, low, high, spans, shown)
    kept: str
    sources: Sequence[int]
    if not removed:
        kept, sources = body[low:high], range(low, high)
    else:
        pieces: list[str] = []
        offsets: list[int] = []
        position = low
        for s, e in [*removed, (high, high)]:
            if s > position:
                pieces.append(body[position:s])
                offsets.extend(range(position, s))
            position = max(position, e)
        kept, sources = "".join(pieces), offsets
    if not _has_break(kept):
        return kept, sources
    # Collapse whitespace (a line break becomes a space) except inside a match.
    text_parts: list[str] = []
    text_sources: list[int] = []
    previous = 0
    for found in _COLLAPSE.finditer(kept):
        s, e = found.span()
        text_parts.append(kept[previous:s])
        text_sources.extend(sources[previous:s])
        if _overlaps(sources[s], sources[e - 1] + 1, spans):
            text_parts.append(" " * (e - s))
            text_sources.extend(sources[s:e])
        else:
            text_parts.append(" ")
            text_sources.append(sources[s])
        previous = e
    text_parts.append(kept[previous:])
    text_sources.extend(sources[previous:])
    return "".join(text_parts), text_sources


def _markup(body: str, low: int, high: int, spans: list[Span], shown: Span | None) -> list[Span]:
    """Source ranges of markup to leave out of body[low:high], sorted and disjoint."""
    markers: list[Span] = []
    line_starts = [low] if low == 0 or body[low - 1] == "\n" else []
    newline = body.find("\n", low, high)
    while newline >= 0:
        line_starts.append(newline + 1)
        newline = body.find("\n", newline + 1, high)
    for line in line_starts:
        found = _LINE_START.match(body, line, high)
        if found and found.end() > line and not _overlaps(line, found.end(), spans):
            markers.append(found.span())
    removed: list[Span] = []
    next_marker = 0
    position = low
    while True:
        trigger = _TRIGGER.search(body, position, high)
        if trigger is None:
            break
        found = _INLINE.match(body, trigger.start(), high)
        if found is None:
            position = trigger.end()
            continue
        start, end = found.span()
        position = end
        # Markup never spans lines, and a line's marker comes before anything else on it.
        while next_marker < len(markers) and markers[next_marker][1] <= start:
            removed.append(markers[next_marker])
            next_marker += 1
        if next_marker < len(markers) and markers[next_marker][0] < end:
            continue
        kind = found.lastgroup
        if kind in ("link", "image"):
            parts = [(start, end)]
            if kind == "link":
                parts = [(start, found.start("text")), (found.end("text"), end)]
            # Link targets and images are dropped even with a match inside, unless it is the
            # match the snippet is about: that one is shown as written.
            if shown is None or not any(_overlaps(s, e, [shown]) for s, e in parts):
                removed += parts
                if kind == "link":
                    position = found.start("text")  # emphasis inside the link text goes too
            continue
        if kind == "underscore" and _inside_word(body, start, end):
            continue  # snake_case stays as written
        if not _overlaps(start, end, spans):
            removed.append((start, end))
    removed += markers[next_marker:]
    removed.sort()
    return removed


def _has_break(text: str) -> bool:
    """Whether `text` holds a run of spaces or a line or tab character (what is collapsed).

    One `in` per string, unrolled: a regex or a generator over a tuple of them took three
    times as long, and this runs for every hit.
    """
    return (
        "\n" in text
        or "  " in text
        or "\r" in text
        or "\t" in text
        or "\v" in text
        or "\f" in text
        or "\x85" in text
        or "\u2028" in text
        or "\u2029" in text
    )


def _inside_word(body: str, start: int, end: int) -> bool:
    return start > 0 and end < len(body) and body[start - 1].isalnum() and body[end].isalnum()


def _overlaps(start: int, end: int, spans: list[Span]) -> bool:
    return any(s < end and e > start for s, e in spans)


def _has_text(body: str, start: int, end: int) -> bool:
    return start < end and _TEXT.search(body, start, end) is not None
