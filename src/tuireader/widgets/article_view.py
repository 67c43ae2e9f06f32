"""The reading pane: an article's metadata header and its body, laid out line by line.

A line-API widget: the document is wrapped once per width into strips and only the visible
strips are drawn, so long articles scroll smoothly. Search matches are styled in the blocks
before wrapping, and each match's line is kept so `n`/`N` can jump to it.
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.articles import Article
from tuireader.document import Block, Document, link_style
from tuireader.text import sanitize_line
from tuireader.wrap import wrap_text

MATCH_STYLE = Style(color="black", bgcolor="yellow")
CURRENT_MATCH_STYLE = Style(color="black", bgcolor="bright_red", bold=True)
LAYOUT_SLICE = 0.012  # seconds of wrapping per event-loop turn: keys stay responsive
MAX_WIDTH = 100  # long lines are hard to read; glow and frogmouth cap the measure too


@dataclass(frozen=True, slots=True)
class MatchPosition:
    """Where a search match landed on screen: its line and cell columns."""

    line: int
    start_cell: int
    end_cell: int


class ArticleView(ScrollView, can_focus=True):
    """Shows one article."""

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False, id="reader.down"),
        Binding("up,k", "scroll_up", "Up", show=False, id="reader.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("home,g", "scroll_home", "Top", show=False, id="reader.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="reader.bottom"),
    ]
    DEFAULT_CSS = """
    ArticleView {
        padding: 0 2;
        overflow-x: hidden;
        /* Lines are wrapped to the content width: a scrollbar appearing later (it sends no
           Resize) must not take columns from them, or the last characters get cut off. */
        scrollbar-gutter: stable;
    }
    """

    match_index: reactive[int] = reactive(-1)

    @dataclass
    class LinkClicked(Message):
        """A link in the article was clicked."""

        url: str

    @dataclass
    class MatchChanged(Message):
        """The current search match changed (index is -1 when there is none)."""

        index: int
        total: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self._document: Document | None = None
        self._terms: tuple[str, ...] = ()
        self._lines: list[Strip] = []
        self._block_lines: list[int] = []
        self._matches: list[MatchPosition] = []
        self._laid_out_width = -1
        self._restore_line: int | None = None
        self._target_line: int | None = None
        self._first_match_pending = False
        self._generation = 0
        self._next_block = 0
        self.placeholder = "Select an article."

    @property
    def match_count(self) -> int:
        return len(self._matches)

    def show(
        self,
        article: Article,
        document: Document,
        terms: Sequence[str] = (),
        *,
        to_first_match: bool = False,
        source_line: int = 0,
    ) -> None:
        """Display an article; highlight `terms`, then scroll to the first match or a body line."""
        self.article = article
        self._document = document
        self._terms = tuple(terms)
        self.match_index = -1
        self._first_match_pending = to_first_match and bool(self._terms)
        self.scroll_to(y=0, animate=False, force=True)
        # The first layout may add a scrollbar, resize and re-wrap: until the user scrolls,
        # a resize goes back to the line asked for rather than wherever the re-wrap left it.
        self._restore_line = source_line if source_line > 0 and not to_first_match else None
        self._target_line = self._restore_line
        self._layout()

    def clear(self, message: str) -> None:
        """Show a message instead of an article."""
        self.article = None
        self._document = None
        self.placeholder = message
        self._lines = []
        self._matches = []
        self.virtual_size = Size(0, 0)
        self.refresh()

    def set_terms(self, terms: Sequence[str]) -> None:
        """Change which terms are highlighted, keeping the scroll position."""
        if self.article is None or self._document is None or tuple(terms) == self._terms:
            return
        self._target_line = self.first_visible_source_line()
        self._terms = tuple(terms)
        self.match_index = -1
        self._layout()

    def next_match(self, step: int = 1) -> None:
        """Move to the next (or, with -1, previous) match, wrapping around."""
        if not self._matches:
            return
        if self.match_index < 0:
            self.match_index = 0 if step > 0 else len(self._matches) - 1
        else:
            self.match_index = (self.match_index + step) % len(self._matches)

    def watch_match_index(self, index: int) -> None:
        if 0 <= index < len(self._matches):
            line = self._matches[index].line
            height = self.scrollable_content_region.height
            if not self.scroll_y <= line < self.scroll_y + height - 1:
                self.scroll_to(y=max(0, line - height // 3), animate=False, force=True)
            self.post_message(self.MatchChanged(index, len(self._matches)))
        self.refresh()

    def scroll_to_block(self, block_index: int) -> None:
        """Scroll so that a block (a heading from the table of contents) is at the top."""
        if 0 <= block_index < len(self._block_lines):
            self.scroll_to(y=self._block_lines[block_index], animate=False, force=True)

    def first_visible_source_line(self) -> int:
        """The body line of the block at the top of the view: a position that survives resizes.

        While the layout is still on its way to a position (restored, or kept over a resize),
        that position: the view's top is not where the reader is yet.
        """
        if self._target_line is not None:
            return self._target_line
        if self._document is None or not self._document.blocks or not self._block_lines:
            return 0
        if self.scroll_y < self._block_lines[0]:
            return 0
        return self._document.blocks[self.first_visible_block()].source_line

    def scroll_to_source_line(self, line: int) -> None:
        """Scroll to the first block that starts at or after a body line (once laid out)."""
        if self._document is None or line <= 0:
            return
        for index, block in enumerate(self._document.blocks):
            if block.source_line >= line:
                if index < len(self._block_lines):
                    self.scroll_to_block(index)
                else:
                    self._target_line = line  # reached when the layout gets there
                return

    def first_visible_block(self) -> int:
        """Index of the block at the top of the view, to remember where the reader was."""
        return max(0, bisect_right(self._block_lines, int(self.scroll_y)) - 1)

    def on_resize(self, event: events.Resize) -> None:
        if self._document is not None and self._text_width() != self._laid_out_width:
            anchor = self._restore_line
            if anchor is None:
                anchor = self.first_visible_source_line()
            self._target_line = anchor
            self._layout()

    def on_key(self, event: events.Key) -> None:
        self._restore_line = None

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._restore_line = None

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._restore_line = None

    def _text_width(self) -> int:
        return max(10, min(self.scrollable_content_region.width, MAX_WIDTH))

    def _layout(self) -> None:
        """Start laying out the document at the current width; the rest follows in slices.

        Each slice wraps blocks for at most LAYOUT_SLICE seconds, then yields to the event loop,
        so a 1 MB article never freezes the reader: its top shows at once and keys keep
        working while the rest is laid out.
        """
        if self.article is None or self._document is None:
            return
        self._generation += 1
        width = self._text_width()
        console = self.app.console
        lines: list[Strip] = []
        for text in _header_lines(self.article):
            for _, line in wrap_text(text, width):
                lines.append(_strip(line, console))
        self._lines = lines
        self._matches = []
        self._block_lines = []
        self._next_block = 0
        self._laid_out_width = width
        self._layout_slice(self._generation)

    @property
    def laid_out(self) -> bool:
        """True once every block of the document has been laid out."""
        return self._document is None or self._next_block >= len(self._document.blocks)

    def _layout_slice(self, generation: int) -> None:
        if generation != self._generation or self._document is None:
            return  # a newer article or width took over
        from tuireader.normalize import find_spans

        started = time.perf_counter()
        width = self._laid_out_width
        console = self.app.console
        lines = self._lines
        blocks = self._document.blocks
        while self._next_block < len(blocks):
            block = blocks[self._next_block]
            if not block.joined:
                lines.append(Strip.blank(width))
            self._block_lines.append(len(lines))
            spans = find_spans(block.text.plain, self._terms) if self._terms else []
            lines.extend(self._layout_block(block, spans, width, console, len(lines)))
            self._next_block += 1
            if time.perf_counter() - started > LAYOUT_SLICE:
                break
        self.virtual_size = Size(width, len(lines))
        self._settle_scroll()
        self.refresh()
        if self._next_block < len(blocks):
            # A timer, not call_later: queued calls run back to back without yielding, and
            # keys and repaints must get their turn between slices.
            self.set_timer(0.001, functools.partial(self._layout_slice, generation))
        else:
            self.post_message(self.MatchChanged(self.match_index, len(self._matches)))

    def _settle_scroll(self) -> None:
        """Apply a pending scroll (first match, restored line) once its place is laid out."""
        if self._first_match_pending and self._matches:
            self._first_match_pending = False
            self.match_index = 0
        elif self._target_line is not None and self._document is not None:
            target = self._target_line
            for index in range(len(self._block_lines)):
                if self._document.blocks[index].source_line >= target:
                    self._target_line = None
                    self.scroll_to_block(index)
                    return
            if self.laid_out:
                self._target_line = None

    def _layout_block(
        self,
        block: Block,
        spans: list[tuple[int, int]],
        width: int,
        console: Console,
        first_line: int,
    ) -> list[Strip]:
        if block.kind == "rule":
            return [_strip(Text("─" * width, style="dim"), console)]
        if block.kind == "table" and block.rows:
            return self._layout_table(block, width, console, first_line)
        text = block.text.copy()
        for start, end in spans:
            text.stylize(MATCH_STYLE, start, end)
        indent = max(block.first_prefix.cell_len, block.prefix.cell_len)
        inner = max(4, width - indent)
        wrapped = wrap_text(text, inner)
        starts = [start for start, _ in wrapped]
        for start, end in spans:
            row = max(0, bisect_right(starts, start) - 1)
            line_start, line_text = wrapped[row]
            column = indent + cell_len(line_text.plain[: start - line_start])
            length = cell_len(text.plain[start:end])
            self._matches.append(MatchPosition(first_line + row, column, column + length))
        strips = []
        for row, (_, line) in enumerate(wrapped):
            prefix = (block.first_prefix if row == 0 else block.prefix).copy()
            prefix.pad_right(indent - prefix.cell_len)
            strips.append(_strip(prefix + line, console))
        return strips

    def _layout_table(
        self, block: Block, width: int, console: Console, first_line: int
    ) -> list[Strip]:
        from tuireader.normalize import find_spans

        table = Table(
            box=box.SIMPLE_HEAD, show_header=block.has_header, pad_edge=False, expand=False
        )
        header, *body = block.rows if block.has_header else [[], *block.rows]
        widths = _fit_widths(block.column_widths or [1] * len(block.rows[0]), width)
        for index, column_width in enumerate(widths):
            label = header[index].copy() if index < len(header) else Text()
            table.add_column(label, overflow="fold", width=column_width)
        first_match = len(self._matches)
        for row in body:
            cells = []
            for cell in row:
                styled = cell.copy()
                for start, end in find_spans(cell.plain, self._terms) if self._terms else []:
                    marker = Style.from_meta({"match": len(self._matches)})
                    styled.stylize(MATCH_STYLE + marker, start, end)
                    self._matches.append(MatchPosition(first_line, 0, 0))
                cells.append(styled)
            table.add_row(*cells)
        rendered = console.render_lines(table, console.options.update_width(width), pad=False)
        strips = [Strip(line) for line in rendered]
        # The table decides where each cell lands: read each match's place back from the meta.
        for row_number, strip in enumerate(strips):
            column = 0
            for segment in strip:
                match = segment.style.meta.get("match") if segment.style else None
                if isinstance(match, int) and match >= first_match:
                    old = self._matches[match]
                    if old.end_cell == 0:
                        length = segment.cell_length
                        self._matches[match] = MatchPosition(
                            first_line + row_number, column, column + length
                        )
                column += segment.cell_length
        return strips

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        absolute = y + int(self.scroll_y)
        if not self._lines:
            if y == 0:
                return Strip(Text(self.placeholder, style="italic dim").render(self.app.console))
            return Strip.blank(width, self.rich_style)
        if absolute >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._lines[absolute]
        if 0 <= self.match_index < len(self._matches):
            current = self._matches[self.match_index]
            if current.line == absolute:
                strip = _restyle(strip, current.start_cell, current.end_cell)
        return strip.crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    async def _on_click(self, event: events.Click) -> None:
        url = event.style.meta.get("url") if event.style else None
        if isinstance(url, str) and url:
            event.stop()
            self.post_message(self.LinkClicked(url))


def _strip(text: Text, console: Console) -> Strip:
    segments = list(text.render(console))
    return Strip(segments, text.cell_len)


def _restyle(strip: Strip, start: int, end: int) -> Strip:
    left = strip.crop(0, start)
    middle = strip.crop(start, end)
    right = strip.crop(end, strip.cell_length)
    styled = Strip(Segment.apply_style(list(middle), post_style=CURRENT_MATCH_STYLE), end - start)
    return Strip.join([left, styled, right])


def _header_lines(article: Article) -> list[Text]:
    title = Text(sanitize_line(article.title), style=Style(bold=True, color="bright_white"))
    facts = []
    if article.date:
        facts.append(article.date.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00"))
    if article.authors:
        facts.append(", ".join(sanitize_line(a) for a in article.authors))
    if article.reading_minutes:
        facts.append(f"{article.reading_minutes} min read")
    if article.links:
        facts.append(f"{len(article.links)} links")
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


def _fit_widths(widths: list[int], width: int) -> list[int]:
    """Shrink natural column widths to fit the line (two cells of padding per column)."""
    room = max(len(widths), width - 3 * len(widths))
    total = sum(widths)
    if total <= room:
        return widths
    return [max(3, w * room // total) for w in widths]
