"""Turn an article body into styled blocks for the reader.

Pure core (Rich objects only, no Textual). Text from the file is never parsed as console markup:
every string becomes a `rich.text.Text` built from plain strings and styles chosen here. HTML is
read by a real HTML parser into text and blocks (`render/html.py`), never shown as tags; single
newlines in Chinese paragraphs join without a stray space, and plain-text articles keep one
paragraph per line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tuireader.model.articles import Article
from tuireader.model.links import Link, listable_url
from tuireader.render.autolinks import AUTOLINK_MARKUP, enable_autolinks, split_at_full_width_stop
from tuireader.render.blocks import Block, BuildStopped, Document
from tuireader.render.code import warm_up
from tuireader.render.docsite import desugar
from tuireader.render.html import InlineHtml, html_blocks
from tuireader.render.styles import (
    CODE_STYLE,
    QUOTE_STYLE,
    link_number_text,
    link_style,
)
from tuireader.render.table import Align

HEADING_STYLES = {
    1: Style(bold=True, underline=True),
    2: Style(bold=True),
    3: Style(bold=True, italic=True),
}
NOTE_STYLE = Style(color="yellow", bold=True)
FOOTNOTE_STYLE = Style(color="bright_magenta", bold=True)
TERM_STYLE = Style(bold=True)
TASK_MARKERS = {False: "☐ ", True: "☑ "}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_DISPLAY_CHARS = 1_500_000
"""Characters of a body that the reader lays out: past this an article shows a note and stops
there. The reader lays out in slices between events, so a large article never freezes the UI,
but laying out takes ~0.5 s per million characters and its lines take memory. The whole body
(up to the loader's read limit) stays searchable."""
# A heading's trailing attribute list: `{#id}`, `{#id .class}`, `{.class key=value}`. Its
# parts are apart from each other by spaces, so a line that is not one fails at once (parts
# that could split several ways made this regex take seconds on a hostile heading).
_ATTRIBUTE = r"(?:\.[\w:-]+|[\w-]+=[^\s}]+)"
_HEADING_ATTRIBUTES = re.compile(
    rf"\s+\{{\s*(?:#([\w:.-]+)|{_ATTRIBUTE})(?:\s+(?:#[\w:.-]+|{_ATTRIBUTE}))*\s*\}}\s*$"
)
_BARE_URL = re.compile(r"(?:https?|ftp|mailto):[^\s<>\"'）」』】，。、；]+")
_TRAILING_PUNCT = ".,;:!?)]}'\""
_WIDE_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]")


STOP_CHECK_TOKENS = 512  # tokens converted between two checks of `stopped`: ~1 ms


def build_document(article: Article, stopped: Callable[[], bool] | None = None) -> Document:
    """The blocks of an article's body (Markdown or plain text).

    `stopped` is asked now and then: when it says True the build ends with `BuildStopped`
    (a thread cannot be killed, and a 1 MB article's build takes a second of the GIL that the
    next article's needs).
    """
    if len(article.body) > MAX_DISPLAY_CHARS or any("truncated" in p for p in article.problems):
        return _truncated_document(article)
    if article.kind == "text":
        return _plain_text_document(article.body)
    document = _MarkdownConverter(stopped).convert(desugar(article.body))
    blocks = document.blocks
    # The header already shows the title; a first heading that repeats it is noise.
    if blocks and blocks[0].kind == "heading" and blocks[0].text.plain.strip() == article.title:
        del blocks[0]
    document.blocks = _split_large_blocks(blocks)
    warm_up([block.language for block in document.blocks if block.language])
    return document


PIECE_CHARS = 1000  # a block is laid out in one go: keep each one quick to wrap
# The reader measures a block in one go and draws a visible block whole: keep chunks of long
# tables small, in rows and in characters (a row of long cells counts for many).
TABLE_ROWS_PER_BLOCK = 16
TABLE_CHARS_PER_BLOCK = 2 * PIECE_CHARS
MAX_COLUMN_WIDTH = 40
_SENTENCE_END = re.compile(r"[。！？!?.;；]\s*")


def _split_large_blocks(blocks: list[Block]) -> list[Block]:
    """Split giant paragraphs at sentence ends and long tables into row chunks.

    The reader lays out one block at a time between events, so no single block may take long;
    nothing is dropped, the pieces follow each other with no gap.
    """
    result: list[Block] = []
    for block in blocks:
        if block.kind == "table" and block.rows:
            result.extend(_split_table(block))
        elif block.kind in ("paragraph", "code") and len(block.text.plain) > 2 * PIECE_CHARS:
            result.extend(_split_paragraph(block))
        else:
            result.append(block)
    return result


def _split_paragraph(block: Block) -> list[Block]:
    plain = block.text.plain
    offsets = []
    start = 0
    while len(plain) - start > PIECE_CHARS * 3 // 2:
        window = plain[start + PIECE_CHARS // 2 : start + PIECE_CHARS]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        cut = start + PIECE_CHARS // 2 + ends[-1] if ends else start + PIECE_CHARS
        if block.kind == "code":  # code splits at line ends only, else anywhere
            newline = plain.rfind("\n", start + PIECE_CHARS // 2, start + PIECE_CHARS)
            cut = newline + 1 if newline > 0 else start + PIECE_CHARS
        offsets.append(cut)
        start = cut
    pieces = block.text.divide(offsets)
    blocks = []
    for number, piece in enumerate(pieces):
        if block.kind == "code" and piece.plain.endswith("\n"):
            piece = piece[:-1]  # the newline the cut was made after
        blocks.append(
            Block(
                block.kind,
                piece,
                block.source_line,
                level=block.level,
                first_prefix=block.first_prefix if number == 0 else block.prefix,
                prefix=block.prefix,
                joined=number > 0 or block.joined,
                note=block.note if number == 0 else 0,
                language=block.language,
                code=block.code,
                box_top=number == 0,
                box_bottom=number == len(pieces) - 1,
            )
        )
    return blocks


def _split_table(block: Block) -> list[Block]:
    """Chunks of at most TABLE_ROWS_PER_BLOCK rows and about TABLE_CHARS_PER_BLOCK characters.

    The first chunk holds the header row; every chunk shares the column widths of the whole
    table, so that the chunks line up as one table.
    """
    widths = _column_widths(block.rows)
    header = block.rows[0]
    lines = block.row_lines or [block.source_line] * len(block.rows)
    blocks: list[Block] = []
    start = 0  # the header goes with the first chunk
    while start < len(block.rows):
        end, chars = start, 0
        while end < len(block.rows) and end - start < TABLE_ROWS_PER_BLOCK + (start == 0):
            chars += sum(len(cell.plain) for cell in block.rows[end])
            end += 1
            if chars >= TABLE_CHARS_PER_BLOCK:
                break
        rows = block.rows[start:end]
        first = start == 0
        blocks.append(
            Block(
                "table",
                _table_text(rows),
                block.source_line if first else lines[start],
                first_prefix=block.first_prefix if first else block.prefix,
                prefix=block.prefix,
                rows=rows,
                joined=not first,
                has_header=first,
                column_widths=widths,
                header=header,
                aligns=block.aligns,
                row_lines=lines[start:end],
            )
        )
        start = end
    return blocks


def _table_text(rows: list[list[Text]]) -> Text:
    """The cells as plain text, a row per line: the cells themselves are what gets drawn."""
    return Text("\n".join("  ".join(cell.plain for cell in row) for row in rows))


def _column_widths(rows: list[list[Text]]) -> list[int]:
    """Natural width of each column over the whole table (capped), so chunks line up."""
    columns = max((len(row) for row in rows), default=0)
    widths = [1] * columns
    for row in rows:
        for index, cell in enumerate(row):
            plain = cell.plain
            # Measuring is per character: a cell with as many characters as the cap is wider.
            width = MAX_COLUMN_WIDTH if len(plain) >= MAX_COLUMN_WIDTH else cell_len(plain)
            widths[index] = max(widths[index], width)
    return widths


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
    document = build_document(article.replaced(body=body, problems=()))
    for note in reversed(notes):
        document.blocks.insert(0, Block("meta", Text(note, style=NOTE_STYLE)))
    if len(body) < len(article.body):
        end = f"⚠ End of what is shown: {len(article.body) - len(body):,} more characters."
        document.blocks.append(Block("meta", Text(end, style=NOTE_STYLE)))
    return document


class _Links:
    """The links of a document in order, each URL once, and the number shown after each."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.links: list[Link] = []

    def number(self, url: str, text: str) -> int:
        """The number of `url` in the list (adding it with `text`), or 0 if it is not listed."""
        listed = listable_url(url)
        if listed is None:
            return 0
        number = self.numbers.get(listed)
        if number is None:
            number = self.numbers[listed] = len(self.links) + 1
            self.links.append(Link(" ".join(text.split())[:300] or listed, listed))
        return number


def _plain_text_document(body: str) -> Document:
    links = _Links()
    blocks = []
    for number, line in enumerate(body.split("\n"), start=1):
        if line.strip():
            paragraph = line.strip().replace("\t", " ")
            blocks.append(Block("paragraph", _linkify_plain(paragraph, links), number))
    return Document(blocks, links.links)


def _linkify_plain(line: str, links: _Links) -> Text:
    matches = list(_BARE_URL.finditer(line))
    if not matches:
        return Text(line)
    text = Text()
    position = 0
    for match in matches:
        url = match.group().rstrip(_TRAILING_PUNCT)
        text.append(line[position : match.start()])
        text.append(url, link_style(url))
        number = links.number(url, url)
        if number:
            text.append_text(link_number_text(number))
        position = match.start() + len(url)
    text.append(line[position:])
    return text


_MAX_NESTING = 60  # lists and quotes; markdown-it recurses a few frames per level


def _parser() -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": False, "typographer": False, "maxNesting": _MAX_NESTING},
    )
    parser.enable(["table", "strikethrough"])
    parser.options["strikethrough_single_tilde"] = True  # GFM strikes ~one~ and ~~two~~
    enable_autolinks(parser)
    parser.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin)
    return parser


_PARSER = _parser()


@dataclass(slots=True, eq=False)
class _Container:
    """An open list, item, quote or definition: what its blocks are prefixed with."""

    kind: Literal["bullet", "ordered", "quote", "item", "terms", "definition"]
    number: int = 0
    marker: str = ""
    fresh: bool = True
    # A list whose items are single paragraphs (markdown-it hides their <p>): no gaps.
    tight: bool = False


_LISTS = ("bullet", "ordered", "terms")
DEFINITION_INDENT = "    "


class _MarkdownConverter:
    """Walks markdown-it's token stream and emits blocks with list and quote prefixes."""

    def __init__(self, stopped: Callable[[], bool] | None = None) -> None:
        self.stopped = stopped
        self.blocks: list[Block] = []
        self.links = _Links()
        self.stack: list[_Container] = []
        # The containers the last block was drawn in: a tight list's next block joins it.
        self.last_stack: list[_Container] = []
        self.note = 0  # the footnote whose text comes next, until its first block
        self.table_rows: list[list[Text]] | None = None
        self.table_lines: list[int] = []
        self.table_aligns: list[Align] = []

    def convert(self, source: str) -> Document:
        tokens = _PARSER.parse(source)
        if any(token.level >= _MAX_NESTING - 1 for token in tokens):
            # Past its nesting limit markdown-it silently drops the rest of the block (a
            # 200-level list lost everything below level 9): show the source as text instead.
            document = _plain_text_document(source)
            note = "⚠ Nested too deeply to lay out as Markdown: shown as plain text."
            document.blocks.insert(0, Block("meta", Text(note, style=NOTE_STYLE)))
            return document
        stopped = self.stopped
        for index, token in enumerate(tokens):
            if stopped is not None and index % STOP_CHECK_TOKENS == 0 and stopped():
                raise BuildStopped
            self._token(token, tokens, index)
        return Document(self.blocks, self.links.links)

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
            checked = _task_state(token, tokens, index)
            if checked is not None:
                marker = (
                    TASK_MARKERS[checked]
                    if parent.kind == "bullet"
                    else marker + "☐☑"[checked] + " "
                )
            self.stack.append(_Container("item", marker=marker))
        elif kind == "list_item_close":
            if self.stack[-1].fresh:  # an empty item still shows its marker
                self._emit(Block("paragraph", Text(), line, joined=self._tight_join(hidden=True)))
            self.stack.pop()
        elif kind == "dl_open":
            self.stack.append(_Container("terms"))
        elif kind == "dd_open":
            self.stack.append(_Container("definition"))
        elif kind in ("dl_close", "dd_close", "footnote_close"):
            self.stack.pop()
        elif kind == "footnote_block_open":
            self._emit(Block("rule", Text(), line))
        elif kind == "footnote_open":
            self.note = int(token.meta["id"]) + 1
            self.stack.append(_Container("item", marker=f"{self.note}. "))
        elif kind == "footnote_anchor" and self.blocks:
            # The way back from the note to its reference (the second reference gets ↩2).
            sub = int(token.meta["subId"])
            number = int(token.meta["id"]) + 1
            meta = Style.from_meta({"footnote_back": number, "footnote_sub": sub})
            self.blocks[-1].text.append(" ↩" + (str(sub + 1) if sub else ""), FOOTNOTE_STYLE + meta)
        elif kind == "blockquote_open":
            self.stack.append(_Container("quote"))
        elif kind == "heading_open":
            level = int(token.tag[1])
            text = self._inline(tokens[index + 1])
            anchor = ""
            # `## Title {#id}` (kramdown, Zola, Pandoc): the id is the heading's anchor, not text.
            if (attributes := _HEADING_ATTRIBUTES.search(text.plain)) is not None:
                anchor = attributes.group(1) or ""
                text.right_crop(len(attributes.group(0)))
            text.stylize(HEADING_STYLES.get(level, Style(bold=True)))
            self._emit(Block("heading", text, line, level=level, anchor=anchor))
        elif kind == "paragraph_open":
            joined = self._tight_join(hidden=token.hidden)
            self._emit(Block("paragraph", self._inline(tokens[index + 1]), line, joined=joined))
        elif kind == "dt_open":
            term = self._inline(tokens[index + 1])
            term.stylize(TERM_STYLE)
            self._emit(Block("paragraph", term, line))
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n").expandtabs(4)
            block = Block("code", Text(code, style=CODE_STYLE), line)
            block.language = _fence_language(token.info) if kind == "fence" else ""
            block.code = token.content
            self._emit(block)
        elif kind == "hr":
            self._emit(Block("rule", Text(), line))
        elif kind == "html_block":
            self._html_block(token.content, line)
        elif kind == "table_open":
            self.table_rows = []
            self.table_lines = []
            self.table_aligns = []
            self._table_line = line
        elif kind == "tr_open" and self.table_rows is not None:
            self.table_rows.append([])
            self.table_lines.append(line or self._table_line)
        elif kind == "th_open" and self.table_rows is not None:
            style = str(token.attrGet("style") or "")
            align: Align = "left"
            if "right" in style:
                align = "right"
            elif "center" in style:
                align = "center"
            self.table_aligns.append(align)
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
            table = Block("table", Text(), self._table_line, rows=self.table_rows)
            table.aligns = self.table_aligns
            table.row_lines = self.table_lines
            self._emit(table)
            self.table_rows = None

    def _tight_join(self, *, hidden: bool) -> bool:
        """Whether the next block of a tight list follows the last one with no gap.

        A run of tight lists nested in each other counts as one: "- a\n  - b" has no gap,
        while a tight list inside a loose item keeps the gap after the item's paragraph.
        """
        lists = [c for c in self.stack if c.kind in _LISTS]
        if not hidden or not lists:
            return False
        lists[-1].tight = True
        anchor = lists[-1]
        for container in reversed(lists[:-1]):
            if not container.tight:
                break
            anchor = container
        return any(container is anchor for container in self.last_stack)

    def _html_block(self, source: str, line: int) -> None:
        """HTML's blocks, inside the lists and quotes around them (see `render/html.py`)."""
        for piece in html_blocks(source, self.links):
            if piece.kind == "heading":
                piece.text.stylize(HEADING_STYLES.get(piece.level, Style(bold=True)))
            block = Block(piece.kind, piece.text, line + piece.line, level=piece.level)
            block.rows, block.aligns = piece.rows, piece.aligns
            block.row_lines = [block.source_line] * len(piece.rows)
            self._emit(block)
            block.first_prefix.append_text(piece.first_prefix)
            block.prefix.append_text(piece.prefix)

    def _emit(self, block: Block) -> None:
        first = Text()
        rest = Text()
        for container in self.stack:
            if container.kind == "quote":
                first.append("▌ ", QUOTE_STYLE)
                rest.append("▌ ", QUOTE_STYLE)
            elif container.kind == "definition":
                first.append(DEFINITION_INDENT)
                rest.append(DEFINITION_INDENT)
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
        if self.note:
            block.note, self.note = self.note, 0
        self.last_stack = list(self.stack)
        self.blocks.append(block)

    def _inline(self, token: Token) -> Text:
        text = Text()
        styles: list[Style] = []
        children = token.children or []
        last = ""  # the last character appended: `text.plain` would re-join the whole text
        autolink_rest = ""  # the part of an autolink's text shown after it, unlinked
        # The open links (a link inside a link's text is text in CommonMark, but an image in a
        # link is not): each one's URL and the pieces of its text so far.
        open_links: list[tuple[str, list[str]]] = []
        after_checkbox = False
        html = InlineHtml(self.links)  # the HTML tags open here, and their styles

        def append(piece: str, style: Style | None = None) -> None:
            nonlocal last
            if piece:
                text.append(piece, style)
                last = piece[-1]
                for _, pieces in open_links:
                    pieces.append(piece)
                for _, pieces in html.anchors:
                    pieces.append(piece)

        def close_link() -> None:
            """The link's number after its text, once the link and its style are closed."""
            href, pieces = open_links.pop()
            number = self.links.number(href, "".join(pieces))
            if number:
                append_number(number)

        def append_number(number: int) -> None:
            nonlocal last
            text.append_text(link_number_text(number))
            last = "]"

        for position, child in enumerate(children):
            kind = child.type
            current = Style.combine([*styles, *html.styles]) if styles or html.styles else None
            if html.hidden and kind != "html_inline":
                continue  # inside <script> or <style>
            if kind == "text":
                content = child.content[: len(child.content) - len(autolink_rest)]
                if after_checkbox or last == "\n":  # no space at the start of a line
                    content, after_checkbox = content.lstrip(" "), False
                append(content.replace("\t", " "), current)
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
                if child.markup == AUTOLINK_MARKUP:
                    href, autolink_rest = self._autolink(child, children, position)
                open_links.append((href, []))
                styles.append(link_style(href))
            elif kind == "link_close" and autolink_rest and styles:
                styles.pop()  # the rest of a URL run into a Chinese sentence is not linked
                if open_links:
                    close_link()
                append(autolink_rest, Style.combine(styles) if styles else None)
                autolink_rest = ""
            elif kind == "link_close" and styles:
                styles.pop()
                if open_links:
                    close_link()
            elif kind in ("strong_close", "em_close", "s_close") and styles:
                styles.pop()
            elif kind == "image":
                src = str(child.attrGet("src") or "")
                alt = _alt_text(child.children or [])
                label = f"[image: {alt}]" if alt else "[image]"
                append(label, link_style(src))
                number = self.links.number(src, f"image: {alt}" if alt else "image")
                if number:
                    append_number(number)
            elif kind == "footnote_ref":
                number = int(child.meta["id"]) + 1
                style = FOOTNOTE_STYLE + Style.from_meta({"footnote": number})
                append(str(number).translate(_SUPERSCRIPT), style)
            elif kind == "html_inline" and position == 0 and _is_task_checkbox(child):
                after_checkbox = True  # the item's marker shows it (☐ / ☑): no space
            elif kind == "html_inline":
                piece, tag_style, number = html.tag(child.content, last, current)
                append(piece, tag_style)
                if number:
                    append_number(number)
        for number in html.unclosed():
            append_number(number)
        return text

    def _autolink(self, child: Token, children: Sequence[Token], position: int) -> tuple[str, str]:
        """An autolink's target, and the part of its text to show after it, unlinked."""
        href = str(child.attrGet("href") or "")
        following = children[position + 1] if position + 1 < len(children) else None
        if following is None or following.type != "text":
            return href, ""
        shown, rest = split_at_full_width_stop(following.content)
        if rest:
            # The target the plugin would have given the shorter text.
            scheme = "http://" if shown.lower().startswith("www.") else ""
            if "@" in shown and ":" not in shown:
                scheme = "mailto:"
            href = _PARSER.normalizeLink(scheme + shown)
        return href, rest


_LANGUAGE = re.compile(r"[\w+#.-]{1,40}")


def _fence_language(info: str) -> str:
    """The language named after a fence (```` ```python title="x" ````), or ""."""
    words = info.replace("{", " ").replace("}", " ").split()
    first = words[0].lstrip(".") if words else ""
    return first.lower() if _LANGUAGE.fullmatch(first) else ""


def _task_state(item: Token, tokens: Sequence[Token], index: int) -> bool | None:
    """For a task list item, whether it is checked; None for any other item."""
    if "task-list-item" not in str(item.attrGet("class") or ""):
        return None
    for token in tokens[index + 1 : index + 3]:
        if token.type == "inline" and token.children and _is_task_checkbox(token.children[0]):
            return 'checked="checked"' in token.children[0].content
    return None


def _is_task_checkbox(token: Token) -> bool:
    # What mdit-py-plugins' tasklists puts first in an item: not text from the file.
    return token.type == "html_inline" and "task-list-item-checkbox" in token.content


def _alt_text(children: Sequence[Token]) -> str:
    """An image's description as plain text: its words without their Markdown (`*bar*`)."""
    pieces = []
    for child in children:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content.replace("\t", " "))
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
        elif child.type == "image":
            pieces.append(_alt_text(child.children or []))
    return "".join(pieces)


def _next_text(children: Sequence[Token], position: int) -> str:
    for index in range(position + 1, len(children)):
        if children[index].content:
            return children[index].content
    return ""


def _soft_break(before: str, after: str) -> str:
    """Markdown joins wrapped source lines with a space; Chinese lines join with nothing."""
    if before == "\n":
        return ""  # after a `<br>` the line has already broken
    if before and after and _WIDE_CHAR.match(before[-1]) and _WIDE_CHAR.match(after[0]):
        return ""
    return " "
