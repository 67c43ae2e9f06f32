"""Finding the links of an article, and reducing inline Markdown to plain text.

A full Markdown parse costs far more than the loader can spend per file (it runs on folders of
100k files), so links are found by one regular expression that also matches the places links
must not be taken from (code fences, code spans, reference definitions) and skips them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tuireader.model.text import sanitize_line

# Code, where nothing is a link: fenced blocks (an unclosed fence runs to the end of the
# document, as in CommonMark) and code spans on one line.
_FENCE_LINE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*", re.MULTILINE)
_CODE_SPAN = re.compile(r"`(?P<more>`*)(?!`)[^\n]+?(?<!`)`(?P=more)(?!`)")
_DEFINITIONS = re.compile(
    r"^[ \t]{0,3}\[(?P<id>[^\]\n]+)\]:[ \t]*(?:\n[ \t]*)?<?(?P<url>[^\s>]+)>?[^\n]*",
    re.MULTILINE,
)
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
# Every branch starts with a literal character, so the regex engine skips ahead to the next
# `!`, `[`, `<`, `h` or `w` instead of trying each branch at every position: this is what makes
# link extraction cost microseconds per file.
_MARKDOWN = re.compile(
    r"!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\](?:\([^)\n]*\)|\[[^\]\n]*\])?"  # image: not a link
    r"|\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"  # link text, one level of nested brackets
    r"(?:\(\s*(?P<inline><[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)|\[(?P<ref>[^\]\n]*)\])?"
    r"|<(?:(?P<auto>(?:https?|ftp|mailto):[^>\s]+)>"
    r"|(?:img|source|video|audio|iframe|script|link|meta|IMG)\s[^>]*>"  # media: not links
    r"|[aA]\s[^>]*?href\s*=\s*[\"'](?P<href>[^\"'>]+)[\"'][^>]*>(?P<atext>[\s\S]*?)</[aA]\s*>)"
    r"|https?://" + _URL_CHARS + r"|www\." + _URL_CHARS,
)
_PLAIN = re.compile(
    r"<(?P<auto>(?:https?|ftp|mailto):[^>\s]+)>|https?://" + _URL_CHARS + r"|www\." + _URL_CHARS
)
# What every match of each pattern starts with (an image starts with "!": finding "![" in Han
# text costs three times as much as finding "!").
_MARKDOWN_STARTS = ("[", "http", "!", "<", "www.")  # the most frequent first
_PLAIN_STARTS = ("http", "<", "www.")
_TRAILING = ".,;:!?'\"*_~"


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in an article, in document order."""

    text: str
    url: str


def extract_links(text: str, kind: str = "markdown") -> tuple[Link, ...]:
    """The links of a document in order of appearance, each URL once (first text wins).

    Markdown: inline `[text](url)`, reference `[text][id]`/`[text][]`/`[id]` with their
    definitions, autolinks `<https://...>`, HTML `<a href>` and bare URLs; nothing inside code.
    Plain text: bare URLs and autolinks. Images are not links.
    """
    found: dict[str, str] = {}
    if kind != "markdown":
        for match in _matches(_PLAIN, text, _PLAIN_STARTS):
            _add(found, "", match["auto"] or _trim_bare(match.group()))
        return tuple(Link(text or url, url) for url, text in found.items())
    # Looking for one character is several times cheaper than for two or three.
    if "`" in text or ("~" in text and "~~~" in text):
        text = _without_code(text)
    definitions: dict[str, str] = {}
    if "[" in text and "]:" in text:
        for match in _DEFINITIONS.finditer(text):
            definitions.setdefault(_label(match["id"]), match["url"])
        text = _DEFINITIONS.sub("", text)
    for match in _matches(_MARKDOWN, text, _MARKDOWN_STARTS):
        first = match.group()[0]
        if first == "[":
            label = match["text"]
            if match["inline"] is not None:
                url = match["inline"].strip("<>")
            elif match["ref"] is not None:
                url = definitions.get(_label(match["ref"] or label), "")
            else:
                url = definitions.get(_label(label), "")
                if not url:
                    # `[x]` with no definition is just text in brackets; links inside still count
                    _inner_links(found, label)
                    continue
            _add(found, "", url, markup=label)
        elif first == "<":
            if match["auto"] is not None:
                _add(found, "", match["auto"])
            elif match["href"] is not None:
                _add(found, "", html.unescape(match["href"]), markup=match["atext"])
        elif first != "!":
            _add(found, "", _trim_bare(match.group()))
    return tuple(Link(text or url, url) for url, text in found.items())


def _matches(
    pattern: re.Pattern[str], text: str, starts: tuple[str, ...]
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, for a pattern whose every match begins with one of `starts`.

    The regex engine looks for a possible first character one character at a time, ~5 ns each
    (10 µs for an article); `str.find` skips to the places a match can begin far faster, but
    each place then costs Python work. Where they are dense (more than one per 512 characters,
    as in a link digest), the regex engine's own scan is the cheaper.
    """
    budget = len(text) // 512
    positions: list[int] = []
    for start in starts:
        at = text.find(start)
        while at != -1:
            if len(positions) == budget:
                return pattern.finditer(text)
            positions.append(at)
            at = text.find(start, at + 1)
    positions.sort()
    return _matches_at(pattern, text, positions)


def _matches_at(
    pattern: re.Pattern[str], text: str, positions: list[int]
) -> Iterator[re.Match[str]]:
    end = 0
    for at in positions:
        if at >= end:
            match = pattern.match(text, at)
            if match is not None:
                yield match
                end = match.end()


def _without_code(text: str) -> str:
    """The text with fenced code blocks and code spans blanked out."""
    if "```" in text or "~~~" in text:
        kept: list[str] = []
        fence: str | None = None
        position = 0
        for match in _FENCE_LINE.finditer(text):
            marker = match.group(1)
            if fence is None:
                kept.append(text[position : match.start()])
                fence = marker
            elif (
                marker[0] == fence[0]
                and len(marker) >= len(fence)
                and match.group().strip() == marker
            ):
                fence = None
                position = match.end()
        if fence is None:
            kept.append(text[position:])
        text = "\n".join(kept)
    return _CODE_SPAN.sub(" ", text) if "`" in text else text


def _inner_links(found: dict[str, str], label: str) -> None:
    for match in _matches(_PLAIN, label, _PLAIN_STARTS):
        _add(found, "", match["auto"] or _trim_bare(match.group()))


def listable_url(url: str) -> str | None:
    """`url` as the link list holds it, or None for what is not worth listing.

    `javascript:` and `data:` URLs and a bare `#` are not listed; `www.` gets its scheme.
    In-page anchors (`#install`) are: from the keyboard, the link list is the way to a docs
    page's table of contents. The loader's links and the reading pane's numbered links both go
    through here, so the two agree on what counts as a link.
    """
    url = _one_line(url).strip()
    lowered = url.lower()
    if not url or url == "#" or lowered.startswith(("javascript:", "data:")):
        return None
    return "https://" + url if lowered.startswith("www.") else url


def _add(found: dict[str, str], text: str, url: str, markup: str | None = None) -> None:
    """Add `url` with its text, or with `markup` reduced to text (only when the URL is new)."""
    listed = listable_url(url)
    if listed is None:
        return
    url = listed
    if url not in found:
        if markup is not None:
            text = plain_inline(markup)
        found[url] = _one_line(text).strip()[:300]


def _one_line(text: str) -> str:
    # Most URLs and link texts are already clean; `isprintable` is false for every control,
    # format (bidi) and line-break character, so it is a safe fast path.
    return text if text.isprintable() else sanitize_line(text)


def _trim_bare(url: str) -> str:
    # Sentence punctuation after a URL is not part of it; a closing bracket is only when the
    # URL opened one (Wikipedia-style `..._(film)`).
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


_INLINE_MARKUP = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\([^)]*\)"  # image: its alt text
    # A link: its text. A bracket with no destination after it is not reduced: a title like
    # `[AI] 新闻` or `标题[/]尾` means its brackets.
    r"|\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\](?:\([^)]*\)|\[[^\]]*\])"
    r"|<[^>\n]{1,200}>"  # HTML tag
    r"|(?P<code>`+)(?P<codetext>.+?)(?P=code)"  # code span: its text
    r"|\*\*|__|~~|(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])"  # emphasis markers
)


_MARKUP_CHARS = re.compile(r"[\[\]<>*_`~!&]")


def plain_inline(text: str) -> str:
    """Reduce inline Markdown (links, images, emphasis, code, tags) to its text, on one line."""
    if not _MARKUP_CHARS.search(text):
        return _one_line(text).strip()
    for _ in range(3):  # a link text may itself hold emphasis or another bracket level
        reduced = _INLINE_MARKUP.sub(_inline_text, text)
        if reduced == text:
            break
        text = reduced
    return " ".join(sanitize_line(html.unescape(text)).split())


def _inline_text(match: re.Match[str]) -> str:
    for name in ("alt", "text", "codetext"):
        value = match[name]
        if value is not None:
            return value
    return ""
