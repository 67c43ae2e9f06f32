"""Finding a title in the body of a document that has no title in its metadata."""

from __future__ import annotations

import html
import re

from tuireader.model.links import plain_inline
from tuireader.model.text import sanitize_line

MAX_TITLE_CHARS = 200
_PLAIN_TITLE_CHARS = 120  # a longer first line is a paragraph, not a title
_SCAN_LINES = 30

_ATX = re.compile(r"^[ \t]{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_DASH_LINE = re.compile(r"\n[ \t]{0,3}-")  # an underline comes after the line it underlines
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HTML_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_NO_WORDS = re.compile(r"^[\W\d_]*$")  # rules, numbers, timestamps: no letter at all
_TAG = re.compile(r"<[^>]*>")


def markdown_heading(body: str) -> str | None:
    """The text of the first level-1 heading (`# Title` or setext `Title\\n===`), outside code.

    A level-2 heading is used when it comes before any paragraph and there is no level-1 one.
    """
    # Every heading has a "#", a "=" underline or a "-" underline starting a line: without
    # them, there is no need to walk the lines.
    if "#" not in body and "=" not in body and _DASH_LINE.search(body) is None:
        return None
    return _first_heading(body)


def _first_heading(body: str) -> str | None:
    fence: str | None = None
    previous = ""
    early_h2: str | None = None
    seen_text = False
    for line in body.split("\n"):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if opener:
            fence = opener.group(1)
            previous = ""
            continue
        atx = _ATX.match(line) if "#" in line[:4] else None
        if atx:
            text = plain_inline(atx.group(2) or "")
            if text and len(atx.group(1)) == 1:
                return text[:MAX_TITLE_CHARS]
            if text and len(atx.group(1)) == 2 and not seen_text and early_h2 is None:
                early_h2 = text[:MAX_TITLE_CHARS]
            previous = ""
            continue
        setext = _SETEXT.match(line) if previous else None
        if setext and previous.strip() and not previous.startswith((" ", "\t", ">", "-", "*")):
            text = plain_inline(previous)
            if text and setext.group(1)[0] == "=":
                return text[:MAX_TITLE_CHARS]
            if text and not seen_text and early_h2 is None:
                early_h2 = text[:MAX_TITLE_CHARS]
        elif previous.strip() and not previous.lstrip().startswith(("<", "[", "!", "{")):
            seen_text = True
        previous = line
    return early_h2


def html_title(body: str) -> str | None:
    """The `<title>` (else first `<h1>`) of an HTML or XML page saved as text, if any."""
    head = body[:8192]
    if "<" not in head:
        return None
    for pattern in (_HTML_TITLE, _HTML_H1):
        match = pattern.search(head)
        if match:
            text = _TAG.sub("", match.group(1))
            text = " ".join(sanitize_line(html.unescape(text)).split())
            if text:
                return text[:MAX_TITLE_CHARS]
    if head.lstrip().startswith("<"):
        # A page without a title: the first text between its tags (tags may span lines).
        return plain_title(html.unescape(_TAG.sub("\n", head)))
    return None


def plain_title(body: str) -> str | None:
    """The first short line that reads like a title: not a URL, markup, rule or symbol line."""
    for index, line in enumerate(body.split("\n", _SCAN_LINES)):
        if index >= _SCAN_LINES:
            break
        text = line.strip()
        if not text or len(text) > _PLAIN_TITLE_CHARS or _NO_WORDS.match(text):
            continue
        if text.startswith(("<", "{%", "{{", "[", "!", "|", ">")) or _URL.search(text):
            continue
        text = plain_inline(text.lstrip("#").strip())
        if text:
            return text[:MAX_TITLE_CHARS]
    return None


def title_from_filename(relative_path: str) -> str:
    """A title made from a file name: its stem with separators as spaces (`index` → folder)."""
    parts = relative_path.rsplit("/", 2)
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    if stem.lower() in ("index", "_index", "readme") and len(parts) > 1:
        stem = parts[-2]
    text = " ".join(re.sub(r"[_]+|(?<=\w)-(?=\w)", " ", stem).split())
    return sanitize_line(text)[:MAX_TITLE_CHARS] or sanitize_line(relative_path)
