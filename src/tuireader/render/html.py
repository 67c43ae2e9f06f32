"""HTML inside Markdown, turned into text the reader draws: never rendered, never markup.

Two entry points, both pure (Rich objects only):

- `html_blocks` converts an HTML block (CommonMark's `html_block`: a `<div>`, `<table>`,
  `<details>`, a comment, ...) with the standard library's `HTMLParser` into paragraphs,
  headings, code, lists, quotes and tables.
- `InlineHtml` follows the tags of one paragraph (`html_inline`: one tag each) and gives the
  style they put on the text between them (`<b>`, `<a href>`, `<code>`, ...).

Everything a browser does not show is dropped (comments, `<script>`/`<style>` contents,
processing instructions, declarations, CDATA); unknown tags are dropped and their text kept.
Text is decoded once (character references) and cleaned of control characters before it
becomes a `Text`, so no escape sequence can come through, whatever the entities spell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Literal

from markdown_it.common.normalize_url import normalizeLink, validateLink
from rich.style import Style
from rich.text import Text

from tuireader.model.text import clean_text
from tuireader.render.docsite import LABEL_TAG
from tuireader.render.styles import (
    CODE_STYLE,
    LABEL_STYLE,
    QUOTE_STYLE,
    LinkNumbers,
    link_number_text,
    link_style,
)
from tuireader.render.table import Align

HtmlKind = Literal["heading", "paragraph", "code", "rule", "table"]

SUMMARY_MARK = "▸ "
SUMMARY_STYLE = Style(bold=True)
_INLINE_STYLES = {
    "b": Style(bold=True),
    "strong": Style(bold=True),
    "i": Style(italic=True),
    "em": Style(italic=True),
    "cite": Style(italic=True),
    "var": Style(italic=True),
    "dfn": Style(italic=True),
    "u": Style(underline=True),
    "ins": Style(underline=True),
    "del": Style(strike=True),
    "s": Style(strike=True),
    "strike": Style(strike=True),
    "code": CODE_STYLE,
    "kbd": CODE_STYLE,
    "samp": CODE_STYLE,
    "tt": CODE_STYLE,
    "mark": Style(reverse=True),
    LABEL_TAG: LABEL_STYLE,  # a doc-site shortcode's label (see `render/docsite.py`)
}
# Attributes that name a doc-site component's panel (`<div label="AWS KMS">`, `<TabItem
# value="py">`): shown as a dim label above the panel's content.
_LABEL_ATTRIBUTES = ("label", "title", "value")
_COMPONENT_MARK = "▸ "
_BLOCK_TAGS = {
    "address", "article", "aside", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "main", "nav", "p",
    "section",
}  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_HIDDEN = frozenset({"template"})  # what a browser never shows
# GFM's tag filter: these tags are shown as text, so a `<script>` in an article reads as the
# words it is (and can never run or hide what follows).
_FILTERED = frozenset(
    {"title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script", "plaintext"}
)
# Every HTML element: an unknown tag glued to a word (`List<T>`, `Vec<String>`) is kept as
# text, because an article that writes it means the type, not a tag.
_ELEMENTS = {
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
    "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite", "code", "col",
    "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "div", "dl", "dt",
    "em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input",
    "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark", "menu", "meta", "meter",
    "nav", "noscript", "object", "ol", "optgroup", "option", "output", "p", "param", "picture",
    "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "script", "section", "select",
    "slot", "small", "source", "span", "strike", "strong", "style", "sub", "summary", "sup",
    "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title", "tr",
    "track", "tt", "u", "ul", "var", "video", "wbr", LABEL_TAG,
}  # fmt: skip
_HTML_SPACE = re.compile(r"([ \t\n\r\f]+)")  # HTML's whitespace: U+3000 is text, and stays
_WIDE_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>", re.S)
_ATTRIBUTE = re.compile(
    r"([A-Za-z_:][A-Za-z0-9_.:-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)


@dataclass(slots=True)
class HtmlBlock:
    """A block of an HTML fragment; `line` counts from the fragment's first line (0)."""

    kind: HtmlKind
    text: Text
    line: int = 0
    level: int = 0
    first_prefix: Text = field(default_factory=Text)
    prefix: Text = field(default_factory=Text)
    rows: list[list[Text]] = field(default_factory=list)
    aligns: list[Align] = field(default_factory=list)


def safe_url(url: str) -> str | None:
    """The URL to link to, or None for one Markdown would not link (`javascript:`, ...)."""
    url = clean_text(url).strip()
    return normalizeLink(url) if url and validateLink(url) else None


def image_label(attrs: dict[str, str | None], links: LinkNumbers) -> tuple[str, Style | None, int]:
    """`<img>` as the reader shows images: `[image: alt]`, a link to its source, its number."""
    alt = " ".join(clean_text(attrs.get("alt") or "").split())
    src = safe_url(attrs.get("src") or "")
    number = links.number(src, f"image: {alt}" if alt else "image") if src else 0
    return (f"[image: {alt}]" if alt else "[image]"), link_style(src) if src else None, number


def html_blocks(source: str, links: LinkNumbers) -> list[HtmlBlock]:
    """The blocks an HTML fragment shows; its links are numbered by `links`."""
    parser = _BlockParser(links)
    try:
        parser.feed(source)
        parser.close()
    except Exception:  # HTMLParser is lenient, but an article must never stop the reader
        return [HtmlBlock("paragraph", Text(clean_text(source).strip()))]
    parser.finish()
    return parser.blocks


class InlineHtml:
    """The open inline tags of one paragraph, one `html_inline` token at a time."""

    __slots__ = ("_open", "anchors", "hidden", "links", "styles")

    def __init__(self, links: LinkNumbers) -> None:
        self.links = links
        self._open: list[tuple[str, Style | None]] = []
        self.styles: list[Style] = []  # the styles the open tags put on text, outermost first
        self.hidden = 0  # inside <script> or <style>: their text is not shown
        # The open `<a href>`s: each one's URL and the pieces of its text so far (the caller
        # adds every piece it shows), numbered when the link closes.
        self.anchors: list[tuple[str, list[str]]] = []

    def tag(self, source: str, before: str, current: Style | None) -> tuple[str, Style | None, int]:
        """What one inline tag shows (often nothing), in what style, and the number of a link
        to show after it (0: none).

        `before` is the character shown just before it, `current` the style of text there.
        """
        match = _TAG.fullmatch(source)
        if match is None:
            return "", None, 0  # a comment, processing instruction, declaration or CDATA
        closing, name, rest, self_closing = match.groups()
        if before.isascii() and before.isalnum() and (name[0].isupper() or name not in _ELEMENTS):
            return clean_text(source), current, 0  # `List<T>`, `Vec<String>`: a type, not a tag
        name = name.lower()
        if name in _FILTERED:
            return clean_text(source), current, 0
        if closing:
            return "", None, self._close(name)
        if name == "br":
            return "\n", None, 0
        attrs = _attributes(rest)
        if name == "img":
            label, style, number = image_label(attrs, self.links)
            return label, Style.combine([s for s in (current, style) if s is not None]), number
        if name == "input" and (attrs.get("type") or "").lower() == "checkbox":
            return ("☑ " if "checked" in attrs else "☐ "), current, 0
        if self_closing:
            return "", None, 0
        if name in _HIDDEN:
            self.hidden += 1
            self._open.append((name, None))
        elif name == "a":
            url = safe_url(attrs.get("href") or "")
            if url:
                self.anchors.append((url, []))
            self._push("a" if url else "a-", link_style(url) if url else None)
        elif name in _INLINE_STYLES:
            self._push(name, _INLINE_STYLES[name])
        return "", None, 0

    def unclosed(self) -> list[int]:
        """The numbers of the links left open at the paragraph's end (shown after it)."""
        numbers = [self.links.number(url, "".join(pieces)) for url, pieces in self.anchors]
        self.anchors.clear()
        return [number for number in numbers if number]

    def _push(self, name: str, style: Style | None) -> None:
        self._open.append((name, style))
        if style is not None:
            self.styles.append(style)

    def _close(self, name: str) -> int:
        # An end tag closes its element and whatever was left open inside it; a stray one
        # closes nothing. Returns the number of the link it closed (0: none).
        names = {name, "a-"} if name == "a" else {name}
        if all(open_name not in names for open_name, _ in self._open):
            return 0
        number = 0
        while self._open:
            open_name, style = self._open.pop()
            if style is not None:
                self.styles.pop()
            if open_name in _HIDDEN:
                self.hidden -= 1
            if open_name == "a" and self.anchors:
                url, pieces = self.anchors.pop()
                number = self.links.number(url, "".join(pieces)) or number
            if open_name in names:
                return number
        return number


def _attributes(source: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for match in _ATTRIBUTE.finditer(source):
        name, double, single, bare = match.groups()
        value = next((v for v in (double, single, bare) if v is not None), None)
        found.setdefault(name.lower(), unescape(value) if value is not None else None)
    return found


@dataclass(slots=True)
class _Level:
    kind: Literal["bullet", "ordered", "quote", "item"]
    number: int = 0
    marker: str = ""
    fresh: bool = True


@dataclass(slots=True)
class _Table:
    rows: list[list[Text]] = field(default_factory=list)
    aligns: list[Align] = field(default_factory=list)
    line: int = 0
    cell: Text | None = None
    header_cell: bool = False


class _BlockParser(HTMLParser):
    """Collects text into the block being built and emits it at each block boundary."""

    def __init__(self, links: LinkNumbers) -> None:
        super().__init__(convert_charrefs=True)
        self.links = links
        self.anchors: list[tuple[str, list[str]]] = []  # open `<a href>`s and their text
        self.blocks: list[HtmlBlock] = []
        self.levels: list[_Level] = []
        self.open: list[tuple[str, Style | None]] = []  # inline tags, in nesting order
        self.text = Text()  # the paragraph, heading or summary being built
        self.kind: Literal["paragraph", "heading", "summary"] = "paragraph"
        self.level = 0
        self.line = 0  # where the text being built started
        self.last = ""  # the last character of the text being built
        self.space = ""  # whitespace seen since then: "", " " or "\n" (one with a line break)
        self.space_style: Style | None = None
        self.hidden = 0
        self.pre: list[str] | None = None
        self.pre_line = 0
        self.cell_pre = 0  # <pre> inside a table cell: code style, on the cell's one line
        self.table: _Table | None = None
        self.nested_tables = 0  # tables inside a cell: their cells read as text of the cell

    # The parser's callbacks.

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FILTERED and not self.hidden:
            self._literal(self.get_starttag_text() or f"<{tag}>")
        elif tag in _HIDDEN:
            self.hidden += 1
        elif self.hidden:
            return
        elif self.pre is not None:
            if tag == "br":
                self.pre.append("\n")
        elif self.table is not None and self._table_start(tag, dict(attrs)):
            return
        elif tag in _INLINE_STYLES or tag == "a":
            url = safe_url(dict(attrs).get("href") or "") if tag == "a" else None
            if url:
                self.anchors.append((url, []))
            name = "a-" if tag == "a" and not url else tag  # an anchor with no link to number
            self.open.append((name, link_style(url) if url else _INLINE_STYLES.get(tag)))
        elif tag == "br":
            self._break()
        elif tag == "img":
            label, style, number = image_label(dict(attrs), self.links)
            self._data(label, style)
            self._number(number)
        elif tag == "input" and (dict(attrs).get("type") or "").lower() == "checkbox":
            self._data("☑ " if "checked" in dict(attrs) else "☐ ")
        elif self.table is None and (tag == "div" or tag not in _ELEMENTS) and _label(attrs):
            self._flush()
            panel = Text().append(_COMPONENT_MARK + _label(attrs), LABEL_STYLE)
            self._emit(HtmlBlock("paragraph", panel, self._line()))
        elif self.table is not None and self.table.cell is not None:
            if tag in _BLOCK_TAGS or tag in _HEADINGS or tag in ("li", "pre", "hr"):
                self._space()  # a cell holds one line: its blocks read as words
            self.cell_pre += tag == "pre"
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag in _HEADINGS:
            self._flush()
            self.kind, self.level = "heading", _HEADINGS[tag]
        elif tag == "summary":
            self._flush()
            self.kind = "summary"
        elif tag == "hr":
            self._flush()
            self._emit(HtmlBlock("rule", Text(), self._line()))
        elif tag == "pre":
            self._flush()
            self.pre, self.pre_line = [], self._line()
        elif tag == "blockquote":
            self._flush()
            self.levels.append(_Level("quote"))
        elif tag in ("ul", "ol", "menu"):
            self._flush()
            start = (dict(attrs).get("start") or "1").strip()
            number = int(start) - 1 if start.isdigit() and len(start) < 10 else 0
            self.levels.append(_Level("ordered" if tag == "ol" else "bullet", number))
        elif tag == "li":
            self._flush()
            self._item()
        elif tag == "table":
            self._flush()
            self.table = _Table(line=self._line())

    def handle_endtag(self, tag: str) -> None:
        if tag in _FILTERED and not self.hidden:
            self._literal(f"</{tag}>")
        elif tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif self.hidden:
            return
        elif self.pre is not None:
            if tag == "pre":
                self._flush_pre()
        elif self.table is not None and self._table_end(tag):
            return
        elif tag in _INLINE_STYLES or tag == "a":
            names = {"a", "a-"} if tag == "a" else {tag}
            if any(name in names for name, _ in self.open):
                while self.open:
                    name = self.open.pop()[0]
                    if name == "a" and self.anchors:
                        url, pieces = self.anchors.pop()
                        self._number(self.links.number(url, "".join(pieces)))
                    if name in names:
                        break
        elif self.table is not None and self.table.cell is not None:
            if tag in _BLOCK_TAGS or tag in _HEADINGS or tag in ("li", "pre"):
                self._space()
            if tag == "pre":
                self.cell_pre = max(0, self.cell_pre - 1)
        elif tag in _BLOCK_TAGS or tag in _HEADINGS or tag == "summary":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self._pop_level(("quote",))
        elif tag in ("ul", "ol", "menu"):
            self._flush()
            self._pop_level(("bullet", "ordered"))
        elif tag == "li":
            self._flush()
            self._pop_level(("item",))

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        data = clean_text(data)
        if self.pre is not None:
            if not self.pre and data.startswith("\n"):
                data = data[1:]  # HTML drops the line break right after <pre>
            self.pre.append(data)
            return
        for number, piece in enumerate(_HTML_SPACE.split(data)):
            if number % 2:
                self._space("\n" if "\n" in piece else " ")
            elif piece:
                self._data(piece)

    # Building text.

    def _style(self) -> Style | None:
        styles = [style for _, style in self.open if style is not None]
        if self.cell_pre:
            styles.append(CODE_STYLE)  # a <pre> inside a table cell
        return Style.combine(styles) if styles else None

    def _target(self) -> Text:
        table = self.table
        return table.cell if table is not None and table.cell is not None else self.text

    def _data(self, piece: str, style: Style | None = None) -> None:
        target = self._target()
        if self.space and self.last and self.last != "\n":
            wide = _WIDE_CHAR.match(self.last) and _WIDE_CHAR.match(piece[0])
            if not (wide and self.space == "\n"):  # Chinese lines join without a space
                target.append(" ", self.space_style)
        if not target:
            self.line = self._line()
        target.append(piece, style or self._style())
        for _, pieces in self.anchors:
            pieces.append(piece)
        self.last = piece[-1]
        self.space = ""

    def _literal(self, source: str) -> None:
        """A tag GFM filters, shown as the text it is."""
        if self.pre is not None:
            self.pre.append(clean_text(source))
        else:
            self.handle_data(source)

    def _number(self, number: int) -> None:
        """A link's `[n]` after its text."""
        if number:
            self._target().append_text(link_number_text(number))
            self.last, self.space = "]", ""

    def _space(self, kind: str = " ") -> None:
        if not self.space:
            self.space_style = self._style()  # a link's underline starts at its first word
        if self.space != "\n":
            self.space = kind

    def _break(self) -> None:
        if self.table is not None and self.table.cell is not None:
            self._space()
            return
        self._target().append("\n")
        self.last, self.space = "\n", ""

    def _line(self) -> int:
        return self.getpos()[0] - 1

    # Emitting blocks.

    def _flush(self) -> None:
        text, kind = self.text, self.kind
        self.text, self.kind, self.last, self.space = Text(), "paragraph", "", ""
        plain = text.plain
        if not plain.strip():
            return
        text.rstrip()
        text = text[len(plain) - len(plain.lstrip()) :]  # a <br> before any text
        if kind == "summary":
            text = Text.assemble(SUMMARY_MARK, text)
            text.stylize(SUMMARY_STYLE)
        if kind == "heading":
            self._emit(HtmlBlock("heading", text, self.line, level=self.level))
        else:
            self._emit(HtmlBlock("paragraph", text, self.line))

    def _flush_pre(self) -> None:
        code = "".join(self.pre or []).rstrip("\n").expandtabs(4)
        self.pre = None
        if code.strip():
            self._emit(HtmlBlock("code", Text(code, style=CODE_STYLE), self.pre_line))

    def _emit(self, block: HtmlBlock) -> None:
        first, rest = Text(), Text()
        for level in self.levels:
            if level.kind == "quote":
                first.append("▌ ", QUOTE_STYLE)
                rest.append("▌ ", QUOTE_STYLE)
            elif level.kind == "item":
                first.append(level.marker if level.fresh else " " * len(level.marker), "bold")
                rest.append(" " * len(level.marker))
                level.fresh = False
        if any(level.kind == "quote" for level in self.levels):
            block.text.stylize(QUOTE_STYLE)
        block.first_prefix, block.prefix = first, rest
        self.blocks.append(block)

    def _item(self) -> None:
        if self.levels and self.levels[-1].kind == "item":
            self.levels.pop()  # <li> closes the item before it
        parent = next((lv for lv in reversed(self.levels) if lv.kind != "item"), None)
        if parent is None or parent.kind == "quote":
            parent = _Level("bullet")
            self.levels.append(parent)
        parent.number += 1
        marker = f"{parent.number}. " if parent.kind == "ordered" else "• "
        self.levels.append(_Level("item", marker=marker))

    def _pop_level(self, kinds: tuple[str, ...]) -> None:
        if any(level.kind in kinds for level in self.levels):
            while self.levels and self.levels.pop().kind not in kinds:
                pass

    # Tables.

    def _table_start(self, tag: str, attrs: dict[str, str | None]) -> bool:
        table = self.table
        assert table is not None
        if tag == "table":
            self.nested_tables += 1
            self._space()
        elif self.nested_tables:
            if tag in ("td", "th", "tr"):
                self._space()
            else:
                return False
        elif tag == "tr":
            self._end_cell()
            table.rows.append([])
        elif tag in ("td", "th"):
            self._end_cell()
            if not table.rows:
                table.rows.append([])
            if len(table.rows) == 1:
                table.aligns.append(_align(attrs))
            table.cell, table.header_cell = Text(), tag == "th"
            self.last, self.space = "", ""
        else:
            return False
        return True

    def _table_end(self, tag: str) -> bool:
        if tag == "table" and self.nested_tables:
            self.nested_tables -= 1
            self._space()
        elif self.nested_tables:
            return tag in ("td", "th", "tr")
        elif tag in ("td", "th", "tr"):
            self._end_cell()
        elif tag == "table":
            self._end_table()
        else:
            return False
        return True

    def _end_cell(self) -> None:
        table = self.table
        if table is None or table.cell is None:
            return
        cell, table.cell, self.cell_pre = table.cell, None, 0
        cell.rstrip()
        if table.header_cell:
            cell.stylize("bold")
        table.rows[-1].append(cell)
        self.last, self.space = "", ""

    def _end_table(self) -> None:
        self._end_cell()
        table, self.table, self.nested_tables = self.table, None, 0
        if table is None:
            return
        rows = [row for row in table.rows if row]
        columns = max((len(row) for row in rows), default=0)
        if not any(cell.plain.strip() for row in rows for cell in row):
            return
        for row in rows:  # the reader draws a grid: every row needs every column
            row.extend(Text() for _ in range(columns - len(row)))
        aligns: list[Align] = (table.aligns + ["left"] * columns)[:columns]
        self._emit(HtmlBlock("table", Text(), table.line, rows=rows, aligns=aligns))

    def finish(self) -> None:
        """Emit what the fragment left open: an HTML block often ends inside an element."""
        if self.pre is not None:
            self._flush_pre()
        if self.table is not None:
            self._end_table()
        while self.anchors:  # a link opened here and closed in a later block
            url, pieces = self.anchors.pop()
            self._number(self.links.number(url, "".join(pieces)))
        self._flush()


def _label(attrs: list[tuple[str, str | None]]) -> str:
    """A component's panel name, cleaned to one line ("" for none)."""
    for name, value in attrs:
        if name in _LABEL_ATTRIBUTES and value and value.strip():
            return " ".join(clean_text(value).split())[:200]
    return ""


def _align(attrs: dict[str, str | None]) -> Align:
    where = f"{attrs.get('align') or ''} {attrs.get('style') or ''}".lower()
    if "right" in where:
        return "right"
    if "center" in where:
        return "center"
    return "left"
