"""The spec examples, what their reference HTML shows, and a verdict on a rendering of them.

A rendering is the list of styled lines a renderer draws for an example's Markdown. It passes
when three things hold:

1. **Text.** Its visible text equals the reference HTML's visible text, both
   whitespace-normalized (every run of whitespace is one space, none at the ends).
   - The reference's visible text is the HTML's text content (`html.parser`, character
     references decoded) with block boundaries and `<br>` as whitespace, an `<img>` as its
     `alt`, a task-list `<input type=checkbox>` as ☐ or ☑, and `<script>`/`<style>` content,
     comments and declarations left out (a browser shows none of them).
   - The rendering's visible text is its lines with the structure each renderer draws
     taken off (`decoration` below): box-drawing and block characters (quote bars, code
     boxes, table grids, rules, heading frames), a line that is a rule (ten or more
     dashes), the list markers left of the content, and image labels (`[image: alt]`,
     `🌆 alt`, `🖼 alt` show as `alt`), and tuireader's link numbers (the dim `[3]` after a
     link, styled with the `link` meta: its place in the article's link list) and the
     language label on a code box's top edge (styled with the `code_label` meta). Lines join
     with a space, except after a line that fills the width, where a long word was folded.
2. **No leaked syntax.** None of `LEAKS` appears in the visible text unless the reference
   text has it too (`**`, backtick fences, `[^`, `](`, raw `<tag>`s, ...).
3. **Structure shown.** For what the reference has, the rendering draws it: a list marker
   for every `<li>`; a marker further right for a list inside a list; as many quote bars on
   a line as the deepest `<blockquote>` that holds text; the code of a `<pre>` boxed or in a
   colour of its own; the text of an `<a>` as a link (a hyperlink, a click action or
   underlined); a grid line for a `<table>`; a rule line for an `<hr>`.

A list marker (•, ▪, ‣, ◦, "1.", "1)", "1") counts as one only left of a line's content, and only
when styled apart from that content: a paragraph or code line that starts with "1." keeps it.
A task box (☐, ☑) left of the content is an item's marker and also text (the reference shows
the checkbox as ☐ or ☑).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

FIXTURES = Path(__file__).parent / "fixtures"
SUITES = {"commonmark": "commonmark-0.31.2.json", "gfm": "gfm-0.29-extensions.json"}

BOX = "\u2500-\u257f"  # box drawing: grids, code boxes, rules, heading frames
BLOCK = "\u2580-\u259f"  # block elements: quote bars
BARS = "▌▍▎▏▊▋█▐│┃╎╏▕"
BULLETS = "•▪‣⭑◦●○■□◆"
TASK_BOXES = "☐☑"
_DECORATION = re.compile(rf"[{BOX}{BLOCK}]")
# Rich numbers items without a dot: a bare number counts when it is styled as a marker.
_MARKER = rf"(?:[{re.escape(BULLETS + TASK_BOXES)}]|\d{{1,9}}[.)]?)(?=\s|$)"
# The structure drawn left of a line's content: bars, list markers, the spaces between.
_PREFIX = re.compile(rf"(?:[\s{BARS}]+|{_MARKER})*")
_MARKER_TOKEN = re.compile(_MARKER)
_IMAGE = "[image"  # tuireader's label: "[image: alt]", or "[image]" with no alt
_IMAGE_ICONS = ("🌆 ", "🖼 ")  # Rich's and Textual's
# A table's grid has a line of box drawing (or of dashes, ASCII style) under its header.
_GRID_LINE = re.compile(rf"[\s{BOX}|+:-]*(?:[{BOX}]|-{{3}})[\s{BOX}|+:-]*")
# A rule is a line of ten or more dashes (Rich draws `<hr>` as ASCII dashes).
_RULE = re.compile(r"[-─━═]{10,}")
_SPACE = re.compile(r"\s+")
LEAKS = ("**", "__", "```", "~~~", "~~", "[^", "](", "![", "<")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "legend", "li", "main",
    "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "title", "tr", "ul",
}  # fmt: skip
_HIDDEN_TAGS = {"script", "style"}
STYLE_CONSOLE = Console(width=200, color_system="truecolor", file=io.StringIO())


@dataclass(frozen=True, slots=True)
class Example:
    """One spec example: its Markdown and the HTML the spec says it is."""

    suite: str
    section: str
    number: int
    markdown: str
    html: str

    @property
    def id(self) -> str:
        return f"{self.suite}-{self.section.replace(' ', '_')}-{self.number}"


@cache
def examples() -> tuple[Example, ...]:
    """Every vendored example: CommonMark first, then the GFM extensions."""
    result = []
    for suite, name in SUITES.items():
        for item in json.loads((FIXTURES / name).read_text(encoding="utf-8")):
            section = item["section"]
            if suite == "gfm":
                section = "GFM " + section.removesuffix(" (extension)").lower()
            result.append(Example(suite, section, item["example"], item["markdown"], item["html"]))
    return tuple(result)


@dataclass
class Reference:
    """What the reference HTML shows: its visible text and the structure to look for."""

    text: str = ""
    list_items: int = 0
    list_depth: int = 0
    has_ordered: bool = False
    quote_depth: int = 0
    code_lines: list[str] = field(default_factory=list)  # the first line of each <pre>
    link_texts: list[str] = field(default_factory=list)  # the text of each <a>
    tables: int = 0
    rules: int = 0


class _ReferenceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.found = Reference()
        self.lists = 0
        self.quotes = 0
        self.hidden = 0
        self.pre: list[str] | None = None
        self.link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        found = self.found
        if tag in _BLOCK_TAGS:
            self.pieces.append(" ")
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in ("ul", "ol"):
            self.lists += 1
            found.list_depth = max(found.list_depth, self.lists)
            found.has_ordered |= tag == "ol"
        elif tag == "li":
            found.list_items += 1
        elif tag == "blockquote":
            self.quotes += 1
        elif tag == "a":
            self.link = []
        elif tag == "pre":
            self.pre = []
        elif tag == "table":
            found.tables += 1
        elif tag == "hr":
            found.rules += 1
        elif tag == "img":
            self._text(values.get("alt") or "")
        elif tag == "input" and values.get("type") == "checkbox":
            self._text("☑ " if "checked" in values else "☐ ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.pieces.append(" ")
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in ("ul", "ol"):
            self.lists -= 1
        elif tag == "blockquote":
            self.quotes -= 1
        elif tag == "a" and self.link is not None:
            if "".join(self.link).strip():
                self.found.link_texts.append(normalize("".join(self.link)))
            self.link = None
        elif tag == "pre" and self.pre is not None:
            first = next((line for line in "".join(self.pre).split("\n") if line.strip()), "")
            if first:
                self.found.code_lines.append(first.strip())
            self.pre = None

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self.hidden:
            return
        self.pieces.append(data)
        if self.pre is not None:
            self.pre.append(data)
        if self.link is not None:
            self.link.append(data)
        if data.strip():
            # A quote with nothing in it shows nothing: only one with text needs its bar.
            self.found.quote_depth = max(self.found.quote_depth, self.quotes)


def reference(html: str) -> Reference:
    """Parse an example's reference HTML."""
    parser = _ReferenceParser()
    parser.feed(html)
    parser.close()
    parser.found.text = normalize("".join(parser.pieces))
    return parser.found


def normalize(text: str) -> str:
    """Whitespace-normalized text: runs of whitespace become one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Decoration:
    """Where a drawn line's content starts, and the list markers and bars left of it."""

    content: int  # offset of the first character of content
    markers: list[tuple[int, int]]  # (start, end) of each list marker
    bars: int


def decoration(line: Text) -> Decoration:
    """The structure drawn left of a line's content.

    A marker is only a marker when it is styled apart from the content after it (every
    renderer here does so): a paragraph or code line that starts with "1." keeps it.
    """
    plain = line.plain
    prefix = _PREFIX.match(plain)
    end = prefix.end() if prefix else 0
    content_style = _style_at(line, end) if end < len(plain) else None
    markers = []
    for match in _MARKER_TOKEN.finditer(plain, 0, end):
        numbered = plain[match.start()].isdigit()  # a bullet glyph is never content here
        if (
            numbered
            and content_style is not None
            and _style_at(line, match.start()) == content_style
        ):
            end = match.start()  # content from here on: no marker
            break
        markers.append(match.span())
    end = len(plain[:end].rstrip()) + (1 if plain[:end].rstrip() != plain[:end] else 0)
    bars = sum(plain[:end].count(bar) for bar in BARS)
    return Decoration(end if markers or bars else 0, markers, bars)


def _style_at(line: Text, offset: int) -> Style:
    return line.get_style_at_offset(STYLE_CONSOLE, offset)


def undecorated(line: Text, *, ordered: bool) -> str:
    """A drawn line without the structure its renderer drew around the content."""
    line = _without_link_numbers(line)
    found = decoration(line)
    plain = line.plain
    if _is_rule(plain):
        return ""
    kept = plain[: found.content]
    for start, end in found.markers:
        if not ordered and plain[start].isdigit():
            continue  # no ordered list here: a number is content
        if plain[start] in TASK_BOXES:
            continue  # the reference shows the checkbox too
        kept = kept[:start] + " " * (end - start) + kept[end:]
    text = _without_image_labels(kept + plain[found.content :])
    for icon in _IMAGE_ICONS:
        text = text.replace(icon, "")
    return _DECORATION.sub(" ", text)


def _without_link_numbers(line: Text) -> Text:
    """The line without tuireader's link numbers and code labels: the spans whose style has
    `link` or `code_label` meta."""
    cuts = [
        (span.start, span.end)
        for span in line.spans
        if isinstance(span.style, Style)
        and (isinstance(span.style.meta.get("link"), int) or span.style.meta.get("code_label"))
    ]
    if not cuts:
        return line
    kept = Text()
    position = 0
    for start, end in sorted(cuts):
        kept.append_text(line[position:start])
        position = max(position, end)
    kept.append_text(line[position:])
    return kept


def _without_image_labels(text: str) -> str:
    """ "[image: alt]" as "alt", the brackets of the alt itself balanced."""
    while (start := text.find(_IMAGE)) >= 0:
        depth = 0
        for end in range(start, len(text)):
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            if depth == 0:
                break
        else:
            return text
        label = text[start + len(_IMAGE) : end].removeprefix(": ")
        text = text[:start] + label + text[end + 1 :]
    return text


def visible_text(lines: Sequence[Text], width: int, *, ordered: bool) -> str:
    """The visible text of drawn lines, whitespace-normalized."""
    joined: list[str] = []
    for number, line in enumerate(lines):
        if number:
            folded = cell_len(lines[number - 1].plain.rstrip()) >= width
            joined.append("" if folded else " ")
        joined.append(undecorated(line, ordered=ordered))
    return normalize("".join(joined))


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a rendering passed, and why not."""

    example: Example
    problems: tuple[str, ...]
    shown: str
    expected: str

    @property
    def passed(self) -> bool:
        return not self.problems


def judge(
    example: Example, lines: Sequence[Text], width: int, base_style: Style | None = None
) -> Verdict:
    """Check a rendering of an example: text, leaked syntax, structure (see the module doc).

    `base_style` is the style of text the renderer does not mark (a Textual screen colours
    everything): code counts as marked when its colour or background differs from it.
    """
    expected = reference(example.html)
    shown = visible_text(lines, width, ordered=expected.has_ordered)
    problems = []
    if shown != expected.text:
        problems.append("text differs")
    leaks = [leak for leak in LEAKS if leak in shown and leak not in expected.text]
    if "<" in leaks and not _TAG.search(shown):
        leaks.remove("<")
    problems.extend(f"leaks {leak}" for leak in leaks)
    problems.extend(_missing_structure(expected, lines, base_style or Style()))
    return Verdict(example, tuple(problems), shown, expected.text)


def _missing_structure(expected: Reference, lines: Sequence[Text], base: Style) -> list[str]:
    problems = []
    decorations = [decoration(line) for line in lines]
    markers = [start for found in decorations for start, _ in found.markers]
    if expected.list_items and len(markers) < expected.list_items:
        problems.append(f"{len(markers)} list markers for {expected.list_items} items")
    if expected.list_depth >= 2 and len(set(markers)) < 2:
        problems.append("nested list not indented")
    if expected.quote_depth:
        deepest = max((found.bars for found in decorations), default=0)
        if deepest < expected.quote_depth:
            problems.append(f"{deepest} quote bars for {expected.quote_depth} nested quotes")
    if any(not _code_marked(code, lines, base) for code in expected.code_lines):
        problems.append("code not boxed or marked")
    if any(not _link_marked(text, lines) for text in expected.link_texts):
        problems.append("link not marked")
    plains = [line.plain for line in lines]
    if expected.tables and not any(_GRID_LINE.fullmatch(line) for line in plains):
        problems.append("table without a grid")
    if expected.rules and not any(_is_rule(line) for line in plains):
        problems.append("no rule line for <hr>")
    return problems


def _is_rule(line: str) -> bool:
    return bool(_RULE.fullmatch(_PREFIX.sub("", line, count=1).strip()))


def _found(word: str, lines: Sequence[Text]) -> list[tuple[Text, int]]:
    """Every place a word is drawn."""
    places = []
    for line in lines:
        at = line.plain.find(word)
        while at >= 0:
            places.append((line, at))
            at = line.plain.find(word, at + 1)
    return places


def _code_marked(code: str, lines: Sequence[Text], base: Style) -> bool:
    """The code's first word is drawn in a colour or background of its own, or in a box."""
    for line, at in _found(code.split()[0], lines):
        if re.search(rf"[{BOX}{BLOCK}]", line.plain):
            return True
        style = _style_at(line, at)
        own = (style.color, style.bgcolor) != (base.color, base.bgcolor)
        if own and (style.color is not None or style.bgcolor is not None):
            return True
    return False


def _link_marked(text: str, lines: Sequence[Text]) -> bool:
    """A link's first word is drawn as a link: a hyperlink, a click action, or underlined."""
    for line, at in _found(text.split()[0], lines):
        style = _style_at(line, at)
        meta = style.meta or {}
        if style.link or "url" in meta or "@click" in meta or style.underline:
            return True
    return False
