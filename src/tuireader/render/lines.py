"""Blocks drawn as styled lines at a width: what the reading pane shows, without Textual.

The reading pane measures every block (how many lines, where each search match lands) and
draws only the blocks on screen; both go through here so that they always agree. Drawing
dispatches on `block.kind`: each kind has its own function that returns the block's lines
before its list and quote prefixes are added.

Everything here builds `Text` from the document's own `Text` objects and fixed strings: no
markup is parsed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tuireader.model.articles import Article
from tuireader.model.text import sanitize_line
from tuireader.render.blocks import Block
from tuireader.render.code import code_height, code_inner_width, code_lines
from tuireader.render.styles import MATCH_STYLE as MATCH_STYLE
from tuireader.render.styles import link_style
from tuireader.render.table import TableShape, locate, row_height, row_lines, table_shape
from tuireader.render.wrap import line_count, wrap_text
from tuireader.search.normalize import find_spans

RULE_STYLE = Style(dim=True)
MIN_TEXT_WIDTH = 4  # a deeply nested item still gets a few cells for its words


@dataclass(frozen=True, slots=True)
class MatchCells:
    """Where a search match lands in a block: its line within the block and cell columns."""

    row: int
    start_cell: int
    end_cell: int


def block_indent(block: Block) -> int:
    """Cells taken by a block's list and quote prefixes (the same on every line)."""
    return max(block.first_prefix.cell_len, block.prefix.cell_len)


def block_table_shape(block: Block, width: int) -> TableShape:
    """How a table block (or a chunk of one) is drawn at `width`."""
    natural = block.column_widths or [1] * len(block.rows[0])
    return table_shape(natural, block.aligns, block.header, width - block_indent(block))


def row_kind(shape: TableShape, block: Block, number: int) -> dict[str, bool]:
    """Whether a row of a table chunk is the header, or the first row under it."""
    # Records carry the header as labels and skip the header row, unless it is all there is.
    header = block.has_header and number == 0 and (len(block.rows) > 1 or not shape.records)
    return {"is_header": header, "first": block.has_header and number == 1}


def block_lines(
    block: Block,
    width: int,
    terms: Sequence[str] = (),
    shift: int = 0,
    wrap_code: bool = False,
    dark: bool = True,
) -> list[Text]:
    """The lines of a block at `width` cells, with its prefixes and `terms` highlighted.

    `shift`: cells the lines of code blocks are moved left (they are clipped, never wrapped,
    unless `wrap_code`); `dark`: whether they are highlighted for a dark background.
    """
    if block.kind == "code" and not (block.wrap or wrap_code):
        spans = find_spans(block.text.plain, terms) if terms else []
        edges = (block.box_top, block.box_bottom)
        body = code_lines(
            block.text, block.language, _text_width(block, width), shift, spans, edges, dark
        )
    elif block.kind == "rule":
        # Inside a list item or a quote the rule keeps the marker or bar: "- ***" is an item.
        body = [Text("─" * (width - block_indent(block)), style=RULE_STYLE)]
    elif block.kind == "table" and block.rows:
        body = _table_lines(block, width, terms)
    else:
        body = _text_lines(block, width, terms)
    return _prefixed(block, body)


QUOTE_BAR = "▌"


def gap_line(before: Block, after: Block) -> Text:
    """The blank line between two blocks, with the quote bars they share.

    Inside a quote the bar runs on through the gap ("> a\n>\n> b" is one quote with two
    paragraphs), as a browser draws the quote's border down its whole height.
    """
    above, below = before.prefix.plain, after.first_prefix.plain
    common = 0
    while common < min(len(above), len(below)) and above[common] == below[common]:
        common += 1
    end = below.rfind(QUOTE_BAR, 0, common)
    return after.first_prefix[: end + 1] if end >= 0 else Text()


def measure_block(
    block: Block, width: int, terms: Sequence[str] = (), wrap_code: bool = False
) -> tuple[int, list[MatchCells]]:
    """How many lines `block_lines` gives, and where each match of `terms` lands in them.

    Counting is much cheaper than drawing: the reader measures every block of a long article
    but draws only those on screen.
    """
    if block.kind == "rule":
        return 1, []
    if block.kind == "code" and not (block.wrap or wrap_code):
        return _measure_code(block, terms)
    if block.kind == "table" and block.rows:
        return _measure_table(block, width, terms)
    return _measure_text(block, width, terms)


def header_lines(article: Article, link_count: int | None = None) -> list[Text]:
    """The metadata shown above an article's body: title, facts, location, tags, source.

    `link_count`: the links of the drawn document (what `l` lists), when known; else the
    links the loader found.
    """
    title = Text(sanitize_line(article.title), style=Style(bold=True, color="bright_white"))
    facts = []
    if article.date:
        facts.append(article.date.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00"))
    if article.authors:
        facts.append(", ".join(sanitize_line(a) for a in article.authors))
    if article.reading_minutes:
        facts.append(f"{article.reading_minutes} min read")
    links = len(article.links) if link_count is None else link_count
    if links:
        facts.append(f"{links} link" + ("s" if links > 1 else ""))
    location = article.path if article.line == 1 else f"{article.path}:{article.line}"
    lines = [title]
    if facts:
        lines.append(Text(" · ".join(facts), style="dim"))
    lines.append(Text(sanitize_line(location), style="dim italic"))
    if article.tags:
        lines.append(Text("  ".join("#" + sanitize_line(t) for t in article.tags), style="cyan"))
    if article.source_url:
        source = Text("source: ", style="dim")
        source.append(sanitize_line(article.source_url), link_style(article.source_url))
        lines.append(source)
    return lines


def highlighted(text: Text, terms: Sequence[str]) -> Text:
    """`text` with every match of `terms` styled (a copy; `text` itself is left alone)."""
    if not terms:
        return text
    spans = find_spans(text.plain, terms)
    if not spans:
        return text
    text = text.copy()
    for start, end in spans:
        text.stylize(MATCH_STYLE, start, end)
    return text


def code_columns(block: Block, width: int) -> tuple[int, int]:
    """The cells where a code block's clipped lines are drawn at `width`: (first, end)."""
    first = block_indent(block) + 2  # after "│ "
    return first, first + code_inner_width(_text_width(block, width))


def _text_width(block: Block, width: int) -> int:
    return max(MIN_TEXT_WIDTH, width - block_indent(block))


def _text_lines(block: Block, width: int, terms: Sequence[str]) -> list[Text]:
    text = highlighted(block.text, terms)
    return [line for _, line in wrap_text(text, _text_width(block, width))]


def _table_lines(block: Block, width: int, terms: Sequence[str]) -> list[Text]:
    shape = block_table_shape(block, width)
    lines: list[Text] = []
    for number, row in enumerate(block.rows):
        cells = [highlighted(cell, terms) for cell in row] if terms else row
        lines.extend(row_lines(shape, cells, **row_kind(shape, block, number)))
    return lines


def _prefixed(block: Block, body: list[Text]) -> list[Text]:
    """Each line after the block's list and quote prefix, padded to the same indent."""
    indent = block_indent(block)
    lines = []
    for row, line in enumerate(body):
        prefix = (block.first_prefix if row == 0 else block.prefix).copy()
        prefix.pad_right(indent - prefix.cell_len)
        lines.append(prefix + line)
    return lines


def _measure_code(block: Block, terms: Sequence[str]) -> tuple[int, list[MatchCells]]:
    code = block.text.plain
    height = code_height(code, block.box_top, block.box_bottom)
    if not terms:
        return height, []
    starts = [0]
    starts.extend(index + 1 for index, char in enumerate(code) if char == "\n")
    indent = block_indent(block) + 2  # "│ " before each line
    matches = []
    for start, end in find_spans(code, terms):
        row = bisect_right(starts, start) - 1
        column = indent + cell_len(code[starts[row] : start])
        matches.append(MatchCells(row + block.box_top, column, column + cell_len(code[start:end])))
    return height, matches


def _measure_text(block: Block, width: int, terms: Sequence[str]) -> tuple[int, list[MatchCells]]:
    spans = find_spans(block.text.plain, terms) if terms else []
    inner = _text_width(block, width)
    if not spans:
        return line_count(block.text.plain, inner), []
    indent = block_indent(block)
    text = block.text
    wrapped = wrap_text(text, inner)
    starts = [start for start, _ in wrapped]
    matches = []
    for start, end in spans:
        row = max(0, bisect_right(starts, start) - 1)
        line_start, line_text = wrapped[row]
        column = indent + cell_len(line_text.plain[: start - line_start])
        length = cell_len(text.plain[start:end])
        matches.append(MatchCells(row, column, column + length))
    return len(wrapped), matches


def _measure_table(block: Block, width: int, terms: Sequence[str]) -> tuple[int, list[MatchCells]]:
    shape = block_table_shape(block, width)
    indent = block_indent(block)
    height = 0
    matches = []
    for number, row in enumerate(block.rows):
        kind = row_kind(shape, block, number)
        for column, cell in enumerate(row):
            if not terms or (shape.widths and column >= len(shape.widths)):
                continue
            for start, end in find_spans(cell.plain, terms):
                line, offset = locate(shape, row, column, start, first=kind["first"])
                offset += indent
                length = cell_len(cell.plain[start:end])
                matches.append(MatchCells(height + line, offset, offset + length))
        height += row_height(shape, row, **kind)
    return height, matches
