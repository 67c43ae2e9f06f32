"""Turn an article body into styled blocks for the reader.

Pure core (Rich objects only, no Textual). Text from the file is never parsed as console markup:
every string becomes a `rich.text.Text` built from plain strings and styles chosen here. HTML is
shown as text (the parser has html disabled), single newlines in Chinese paragraphs join without
a stray space, and plain-text articles keep one paragraph per line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.style import Style
from rich.text import Text

from tuireader.articles import Article

BlockKind = Literal["heading", "paragraph", "code", "rule", "table", "meta"]

HEADING_STYLES = {
    1: Style(bold=True, underline=True),
    2: Style(bold=True),
    3: Style(bold=True, italic=True),
}
CODE_STYLE = Style(color="bright_cyan")
LINK_STYLE = Style(underline=True, color="bright_blue")
QUOTE_STYLE = Style(italic=True, dim=True)
NOTE_STYLE = Style(color="yellow", bold=True)
MAX_DISPLAY_CHARS = 500_000
"""Characters of a body that the reader lays out: past this an article shows a note and stops
there (laying out is ~3 s per million characters). The whole body stays searchable."""
_BARE_URL = re.compile(r"(?:https?|ftp|mailto):[^\s<>\"'）」』】，。、；]+")
_TRAILING_PUNCT = ".,;:!?)]}'\""
_WIDE_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]")


@dataclass(slots=True)
class Block:
    """One block of the rendered article: wrapped as a unit, addressed by its source line."""

    kind: BlockKind
    text: Text
    source_line: int = 0
    level: int = 0
    first_prefix: Text = field(default_factory=Text)
    prefix: Text = field(default_factory=Text)
    rows: list[list[Text]] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """The article as blocks, plus what the reader needs to navigate it."""

    blocks: list[Block]
    links: list[str]

    @property
    def headings(self) -> list[tuple[int, Block]]:
        """(block index, block) of each heading, for the table of contents."""
        return [(i, b) for i, b in enumerate(self.blocks) if b.kind == "heading"]


def link_style(url: str) -> Style:
    """Style for a link; a click on it reads the URL back from the style's meta."""
    return LINK_STYLE + Style.from_meta({"url": url})


def build_document(article: Article) -> Document:
    """The blocks of an article's body (Markdown or plain text)."""
    if len(article.body) > MAX_DISPLAY_CHARS or any("truncated" in p for p in article.problems):
        return _truncated_document(article)
    if article.kind == "text":
        return _plain_text_document(article.body)
    document = _MarkdownConverter().convert(article.body)
    blocks = document.blocks
    # The header already shows the title; a first heading that repeats it is noise.
    if blocks and blocks[0].kind == "heading" and blocks[0].text.plain.strip() == article.title:
        del blocks[0]
    return document


def _truncated_document(article: Article) -> Document:
    """The first `MAX_DISPLAY_CHARS` of a long body, with a note before and after saying so."""
    body = article.body
    notes = [f"⚠ {p}." for p in article.problems if "truncated" in p]
    if len(body) > MAX_DISPLAY_CHARS:
        cut = body.rfind("\n", MAX_DISPLAY_CHARS // 2, MAX_DISPLAY_CHARS)
        cut = cut if cut > 0 else MAX_DISPLAY_CHARS
        notes.append(
            f"⚠ Long article: showing the first {cut:,} of {len(body):,} characters. "
            "Search still finds text in the rest."
        )
        body = body[:cut]
    document = build_document(dataclasses.replace(article, body=body, problems=()))
    for note in reversed(notes):
        document.blocks.insert(0, Block("meta", Text(note, style=NOTE_STYLE)))
    if len(body) < len(article.body):
        end = f"⚠ End of what is shown: {len(article.body) - len(body):,} more characters."
        document.blocks.append(Block("meta", Text(end, style=NOTE_STYLE)))
    return document


def _plain_text_document(body: str) -> Document:
    links: list[str] = []
    blocks = []
    for number, line in enumerate(body.split("\n"), start=1):
        if line.strip():
            paragraph = line.strip().replace("\t", " ")
            blocks.append(Block("paragraph", _linkify_plain(paragraph, links), number))
    return Document(blocks, links)


def _linkify_plain(line: str, links: list[str]) -> Text:
    text = Text(line)
    for match in _BARE_URL.finditer(line):
        url = match.group().rstrip(_TRAILING_PUNCT)
        links.append(url)
        text.stylize(link_style(url), match.start(), match.start() + len(url))
    return text


_MAX_NESTING = 60  # lists and quotes; markdown-it recurses a few frames per level


def _parser() -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False, "maxNesting": _MAX_NESTING},
    )
    parser.enable(["table", "strikethrough"])
    return parser


_PARSER = _parser()


@dataclass(slots=True)
class _Container:
    kind: Literal["bullet", "ordered", "quote", "item"]
    number: int = 0
    marker: str = ""
    fresh: bool = True


class _MarkdownConverter:
    """Walks markdown-it's token stream and emits blocks with list and quote prefixes."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self.stack: list[_Container] = []
        self.table_rows: list[list[Text]] | None = None

    def convert(self, source: str) -> Document:
        tokens = _PARSER.parse(source)
        if any(token.level >= _MAX_NESTING - 1 for token in tokens):
            # Past its nesting limit markdown-it silently drops the rest of the block (a
            # 200-level list lost everything below level 9): show the source as text instead.
            document = _plain_text_document(source)
            note = "⚠ Nested too deeply to lay out as Markdown: shown as plain text."
            document.blocks.insert(0, Block("meta", Text(note, style=NOTE_STYLE)))
            return document
        for index, token in enumerate(tokens):
            self._token(token, tokens, index)
        return Document(self.blocks, self.links)

    def _token(self, token: Token, tokens: Sequence[Token], index: int) -> None:
        kind = token.type
        line = token.map[0] + 1 if token.map else 0
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            self.stack.append(_Container("bullet" if kind[0] == "b" else "ordered", start - 1))
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            self.stack.pop()
        elif kind == "list_item_open":
            parent = self.stack[-1]
            parent.number += 1
            marker = "• " if parent.kind == "bullet" else f"{parent.number}. "
            self.stack.append(_Container("item", marker=marker))
        elif kind == "list_item_close":
            item = self.stack.pop()
            if item.fresh:  # an empty item still shows its marker
                self._emit(Block("paragraph", Text(), line))
        elif kind == "blockquote_open":
            self.stack.append(_Container("quote"))
        elif kind == "heading_open":
            level = int(token.tag[1])
            text = self._inline(tokens[index + 1])
            text.stylize(HEADING_STYLES.get(level, Style(bold=True)))
            self._emit(Block("heading", text, line, level=level))
        elif kind == "paragraph_open":
            self._emit(Block("paragraph", self._inline(tokens[index + 1]), line))
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n").expandtabs(4)
            self._emit(Block("code", Text(code, style=CODE_STYLE), line))
        elif kind == "hr":
            self._emit(Block("rule", Text(), line))
        elif kind == "table_open":
            self.table_rows = []
            self._table_line = line
        elif kind == "tr_open" and self.table_rows is not None:
            self.table_rows.append([])
        elif (
            kind == "inline"
            and self.table_rows is not None
            and tokens[index - 1].type
            in (
                "th_open",
                "td_open",
            )
        ):
            cell = self._inline(token)
            if tokens[index - 1].type == "th_open":
                cell.stylize("bold")
            self.table_rows[-1].append(cell)
        elif kind == "table_close" and self.table_rows is not None:
            plain = Text("\n").join(Text("  ").join(row) for row in self.table_rows)
            self._emit(Block("table", plain, self._table_line, rows=self.table_rows))
            self.table_rows = None

    def _emit(self, block: Block) -> None:
        first = Text()
        rest = Text()
        for container in self.stack:
            if container.kind == "quote":
                first.append("▌ ", QUOTE_STYLE)
                rest.append("▌ ", QUOTE_STYLE)
            elif container.kind == "item":
                pad = " " * len(container.marker)
                if container.fresh:
                    first.append(container.marker, "bold")
                    container.fresh = False
                else:
                    first.append(pad)
                rest.append(pad)
        if any(c.kind == "quote" for c in self.stack):
            block.text.stylize(QUOTE_STYLE)
        block.first_prefix = first
        block.prefix = rest
        self.blocks.append(block)

    def _inline(self, token: Token) -> Text:
        text = Text()
        styles: list[Style] = []
        children = token.children or []
        last = ""  # the last character appended: `text.plain` would re-join the whole text

        def append(piece: str, style: Style | None = None) -> None:
            nonlocal last
            if piece:
                text.append(piece, style)
                last = piece[-1]

        for position, child in enumerate(children):
            kind = child.type
            current = Style.combine(styles) if styles else None
            if kind == "text":
                append(child.content.replace("\t", " "), current)
            elif kind == "code_inline":
                append(child.content, (current or Style()) + CODE_STYLE)
            elif kind == "softbreak":
                # A paragraph of 200k source lines has 200k soft breaks: looking back with
                # `text.plain` or ahead with `children.index` would make it quadratic.
                append(_soft_break(last, _next_text(children, position)))
            elif kind == "hardbreak":
                append("\n")
            elif kind == "strong_open":
                styles.append(Style(bold=True))
            elif kind == "em_open":
                styles.append(Style(italic=True))
            elif kind == "s_open":
                styles.append(Style(strike=True))
            elif kind == "link_open":
                href = str(child.attrGet("href") or "")
                self.links.append(href)
                styles.append(link_style(href))
            elif kind in ("strong_close", "em_close", "s_close", "link_close") and styles:
                styles.pop()
            elif kind == "image":
                src = str(child.attrGet("src") or "")
                self.links.append(src)
                label = f"[image: {child.content}]" if child.content else "[image]"
                append(label, link_style(src))
            elif kind in ("html_inline", "html_block"):
                append(child.content, current)
        return text


def _next_text(children: Sequence[Token], position: int) -> str:
    for index in range(position + 1, len(children)):
        if children[index].content:
            return children[index].content
    return ""


def _soft_break(before: str, after: str) -> str:
    """Markdown joins wrapped source lines with a space; Chinese lines join with nothing."""
    if before and after and _WIDE_CHAR.match(before[-1]) and _WIDE_CHAR.match(after[0]):
        return ""
    return " "
