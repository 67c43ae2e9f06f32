"""Splitting a scraped blog listing page into its posts.

Listing pages (a blog's home or archive page saved as text) repeat one block per post: a title
line, a summary, and a byline such as `August 18, 2025 · 1 min · fisherdaddy`. The detector looks
for that shape in general, not for one site: bylines made of a date plus optional reading time
and author, at least three of them (two if they are full bylines), each preceded by a one-line
title, and nothing else of substance on the page. An ordinary article never has that shape.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import datetime

from tuireader.corpus.metadata import parse_date
from tuireader.model.links import plain_inline
from tuireader.model.text import sanitize_line

_MAX_TITLE_CHARS = 200
_MAX_BYLINE_CHARS = 120
_MAX_TRAILER_LINES = 5  # pagination ("Next page »") after the last post

_SEPARATORS = re.compile(r"\s+[·•|｜]\s+|\s*[·•｜]\s*")
_MINUTES = re.compile(
    r"^(?:(?:reading time|read time|阅读时间|閱讀時間|阅读|閱讀)[:：]?\s*)?"
    r"(?:约|約|~)?\s*(?P<n>\d{1,4})\s*(?:min(?:ute)?s?|分钟|分鐘|mins? read)(?:\s*read)?$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"^\d[\d,.]*\s*(?:words?|字)$", re.IGNORECASE)
_AUTHOR = re.compile(
    r"^(?:by\s+|作者[:：]?\s*)?(?P<name>[^\s.,;:!?。，；！？][^.;!?。；！？]{0,60})$", re.IGNORECASE
)
# Starts with a literal newline so the engine can skip from line to line; the first line of the
# body is checked by prefixing one.
_DATE_START = re.compile(
    r"\n[ \t]*(?:\d{4}\s*[-/.年]\s*\d{1,2}|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4})"
)
_LINK_TITLE = re.compile(r"\]\((?P<url>https?://[^)\s]+)\)")


@dataclass(frozen=True, slots=True)
class ListingPost:
    """One post of a listing page; `line` is the 1-based line of its title in `body`'s text."""

    line: int
    title: str
    summary: str
    date: datetime | None
    reading_minutes: int | None
    authors: tuple[str, ...]
    url: str | None


@dataclass(frozen=True, slots=True)
class _Byline:
    date: datetime
    minutes: int | None
    authors: tuple[str, ...]
    full: bool


def split_listing(body: str) -> list[ListingPost] | None:
    """The posts of a listing page, or None when `body` does not have the listing shape."""
    # One regex pass finds lines that start like a date; only those are parsed, so an ordinary
    # article costs a single scan.
    candidates = len(_DATE_START.findall(body)) + bool(_DATE_START.match("\n" + body[:100]))
    if candidates < 2:
        return None
    lines = body.split("\n")
    bylines: list[tuple[int, _Byline]] = []
    for index, line in enumerate(lines):
        if line and len(line) <= _MAX_BYLINE_CHARS and _DATE_START.match("\n" + line):
            byline = _parse_byline(line)
            if byline is not None:
                bylines.append((index, byline))
    full = sum(1 for _, b in bylines if b.full)
    if len(bylines) < 3 and not (len(bylines) == 2 and full == 2):
        return None
    trailer = [line for line in lines[bylines[-1][0] + 1 :] if line.strip()]
    if len(trailer) > _MAX_TRAILER_LINES or any(len(line) > 80 for line in trailer):
        return None
    blocks: list[list[tuple[int, list[str]]]] = []
    start = 0
    for index, _ in bylines:
        blocks.append(_paragraphs(lines, start, index))
        start = index + 1
    # The first block may carry the page's own header; the others show how many paragraphs a
    # post has, and the header is what comes before that.
    later = [len(b) for b in blocks[1:]] or [2]
    typical = max(1, round(statistics.median(later)))
    if len(blocks[0]) > typical:
        blocks[0] = blocks[0][len(blocks[0]) - typical :]
    posts: list[ListingPost] = []
    for block, (_, byline) in zip(blocks, bylines, strict=True):
        if not block or (not byline.full and len(block) < 2):
            return None
        title_line, title_lines = block[0]
        if len(title_lines) != 1 or len(title_lines[0]) > _MAX_TITLE_CHARS:
            return None
        raw_title = title_lines[0].strip().lstrip("#").strip()
        url_match = _LINK_TITLE.search(raw_title)
        title = plain_inline(raw_title)
        if not title:
            return None
        summary = "\n".join(" ".join(p) for _, p in block[1:])
        posts.append(
            ListingPost(
                line=title_line + 1,
                title=title[:_MAX_TITLE_CHARS],
                summary=summary,
                date=byline.date,
                reading_minutes=byline.minutes,
                authors=byline.authors,
                url=url_match["url"] if url_match else None,
            )
        )
    return posts


def _paragraphs(lines: list[str], start: int, stop: int) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs of `lines[start:stop]`, each with its first line index."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = start
    for index in range(start, stop):
        text = lines[index].strip()
        if text:
            if not current:
                first = index
            current.append(text)
        elif current:
            paragraphs.append((first, current))
            current = []
    if current:
        paragraphs.append((first, current))
    return paragraphs


def _parse_byline(line: str) -> _Byline | None:
    parts = [p.strip() for p in _SEPARATORS.split(line.strip()) if p.strip()]
    if not parts or len(parts) > 5:
        return None
    date = parse_date(parts[0])
    if date is None:
        return None
    minutes: int | None = None
    authors: list[str] = []
    for part in parts[1:]:
        match = _MINUTES.match(part)
        if match:
            minutes = int(match["n"])
            continue
        if _WORDS.match(part):
            continue
        author = _AUTHOR.match(part)
        if author is None or parse_date(part) is not None:
            return None
        authors.extend(
            name
            for name in (
                sanitize_line(n).strip() for n in re.split(r",|&| and |、", author["name"])
            )
            if name
        )
    return _Byline(date, minutes, tuple(authors), full=len(parts) >= 2)
