"""The reading pane: an article's metadata header and its body, laid out line by line.

A line-API widget. Laying out measures every block at the current width (how many lines it
takes, and where each search match lands, so that `n`/`N` can jump to it) in short slices
between events; the lines themselves are drawn only for the blocks on screen, and a few
recent blocks are kept. Keeping a Textual `Strip` for every line of a 1 MB article made the
cyclic GC walk ~8 objects per line on each full collection (stalls of up to 160 ms), and
rendering them all took seconds.
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tuireader.model.articles import Article
from tuireader.render.blocks import Block, Document
from tuireader.render.lines import (
    block_lines,
    block_table_shape,
    code_columns,
    gap_line,
    header_lines,
    measure_block,
    row_kind,
)
from tuireader.render.table import row_height
from tuireader.render.wrap import wrap_text
from tuireader.ui.widgets.scrolling import OwnSizeScrollView

CURRENT_MATCH_STYLE = Style(color="black", bgcolor="bright_red", bold=True)
LAYOUT_SLICE = 0.012  # seconds of measuring per event-loop turn: keys stay responsive
SIZE_EVERY = 0.1  # seconds between scrollbar updates while the layout runs off screen
DRAWN_BLOCKS = 64  # blocks whose lines are kept: a few screens' worth
MAX_WIDTH = 100  # long lines are hard to read; glow and frogmouth cap the measure too


@dataclass(frozen=True, slots=True)
class MatchPosition:
    """Where a search match landed on screen: its line and cell columns."""

    line: int
    start_cell: int
    end_cell: int


class ArticleView(OwnSizeScrollView, can_focus=True):
    """Shows one article."""

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False, id="reader.down"),
        Binding("up,k", "scroll_up", "Up", show=False, id="reader.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("home,g", "scroll_home", "Top", show=False, id="reader.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="reader.bottom"),
        Binding("ctrl+d", "half_page(1)", "Half page down", show=False, id="reader.half_down"),
        Binding("ctrl+u", "half_page(-1)", "Half page up", show=False, id="reader.half_up"),
        Binding("right", "shift_code(1)", "Code: scroll right", show=False, id="reader.code_right"),
        Binding("left", "shift_code(-1)", "Code: scroll left", show=False, id="reader.code_left"),
        Binding("w", "toggle_code_wrap", "Wrap code", show=False, id="reader.code_wrap"),
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

    class Moved(Message):
        """The view scrolled, or the layout grew: the position indicator is out of date."""

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
        self._shown = _Layout(-1)  # what is drawn
        self._measuring = self._shown  # what the slices measure: a new one until it can show
        self._drawn: OrderedDict[int, list[Strip]] = OrderedDict()
        self._restore_line: int | None = None
        self._target_line: int | None = None
        # Where the reader was when the width or the terms changed: a block and how far into
        # it, since a table's rows or a long paragraph's pieces can share one source line.
        self._anchor: tuple[int, float] | None = None
        self._to_end = False  # `G` before the layout reached the end: follow it there
        self._first_match_pending = False
        self._footnote_return: int | None = None  # the block `F` jumped to a note from
        # Code blocks are clipped, never wrapped: left/right shift the one nearest the top of
        # the view sideways (cells, by the index of its first piece); `w` wraps them all.
        self.code_shifts: dict[int, int] = {}
        self.wrap_code = False
        self._generation = 0
        self._sized_at = 0.0
        self._drawn_dark = True  # what the drawn code was highlighted for
        self.placeholder = "Select an article."

    def on_mount(self) -> None:
        self._drawn_dark = self.app.current_theme.dark
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: object) -> None:
        # Code is highlighted for a dark or a light background: redraw it on a switch.
        if self.app.current_theme.dark != self._drawn_dark:
            self._drawn_dark = self.app.current_theme.dark
            self._drawn.clear()
            self.refresh()

    @property
    def _matches(self) -> list[MatchPosition]:
        return self._shown.matches

    @property
    def _block_lines(self) -> list[int]:
        return self._shown.block_lines

    @property
    def _laid_out_width(self) -> int:
        return self._measuring.width

    @property
    def document(self) -> Document | None:
        """The document shown (its blocks and numbered links), if any."""
        return self._document

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
        self._anchor = None
        self._to_end = False
        self._footnote_return = None
        self.code_shifts = {}
        self._layout(keep_shown=False)

    def clear(self, message: str) -> None:
        """Show a message instead of an article."""
        self.article = None
        self._document = None
        self.placeholder = message
        self._generation += 1  # stops a layout in progress
        self._shown = self._measuring = _Layout(-1)
        self._drawn.clear()
        self.virtual_size = Size(0, 0)
        self.refresh()

    def set_terms(self, terms: Sequence[str]) -> None:
        """Change which terms are highlighted, keeping the scroll position."""
        if self.article is None or self._document is None or tuple(terms) == self._terms:
            return
        if self._target_line is None:
            self._anchor = self._position()
        self._terms = tuple(terms)
        self.match_index = -1
        self._layout(keep_shown=True)

    def first_match(self) -> None:
        """Go to the first match, now or as soon as the layout has found one."""
        if self._matches:
            self.match_index = 0
        else:
            self._first_match_pending = bool(self._terms)

    def next_match(self, step: int = 1) -> None:
        """Move to the next (or, with -1, previous) match, wrapping around."""
        if not self._matches:
            return
        if self.match_index < 0:
            self.match_index = 0 if step > 0 else len(self._matches) - 1
        else:
            self.match_index = (self.match_index + step) % len(self._matches)

    def position_text(self) -> str:
        """Where the view is, as `less -M` says it: "lines 91–120/300 · 40%", the lines on
        screen and the bottom line's share of the total, with "≥" before the total while the
        layout is still measuring. (The top line alone next to the bottom's percentage read as
        a contradiction: "line 1/71 · 42%".)"""
        total = self._shown.line_count
        if self._document is None or total <= 0:
            return ""
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        bottom = min(total, top + height)
        percent = 100 if top >= self.max_scroll_y and self.laid_out else 100 * bottom // total
        more = "" if self.laid_out else "≥"
        return f"lines {top + 1}–{bottom}/{more}{total} · {percent}%"

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if int(old_value) != int(new_value):  # the top line `position_text` shows
            self.post_message(self.Moved())

    def action_half_page(self, direction: int) -> None:
        self._user_moved()
        step = max(1, self.scrollable_content_region.height // 2)
        self.scroll_to(y=self.scroll_y + direction * step, animate=False, force=True)

    def watch_match_index(self, index: int) -> None:
        if 0 <= index < len(self._matches):
            self._to_end = False
            self._anchor = None
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
        block = self._document.blocks[self.first_visible_block()]
        if block.kind == "table" and block.row_lines:
            # A table chunk spans many source lines: the row at the top is more precise.
            top = int(self.scroll_y) - self._block_lines[self.first_visible_block()]
            shape = block_table_shape(block, self._shown.width)
            for number, (row, line) in enumerate(zip(block.rows, block.row_lines, strict=False)):
                top -= row_height(shape, row, **row_kind(shape, block, number))
                if top < 0:
                    return line
        return block.source_line

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

    def rendered_lines(self) -> Iterator[Strip]:
        """Every line laid out so far, drawn (for tests and diagnostics: draws every block)."""
        for y in range(self._shown.line_count):
            yield self._line(y)

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        # The end is still moving while the layout runs: keep going there until it is done.
        self._to_end = not self.laid_out
        self._anchor = None

    def on_resize(self, event: events.Resize) -> None:
        if self._document is not None and self._text_width() != self._laid_out_width:
            if self._restore_line is not None:
                self._target_line = self._restore_line
            elif self._target_line is None and not self._to_end and self._anchor is None:
                self._anchor = self._position()
            self._layout(keep_shown=True)

    def on_key(self, event: events.Key) -> None:
        self._user_moved(event.key in ("end", "G"))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._user_moved()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._user_moved()

    def _user_moved(self, to_end: bool = False) -> None:
        """The user took over the scrolling: drop the places the layout was going back to."""
        self._restore_line = None
        self._anchor = None
        if not to_end:
            self._to_end = False

    def _text_width(self) -> int:
        return max(10, min(self.scrollable_content_region.width, MAX_WIDTH))

    def _position(self) -> tuple[int, float] | None:
        """The block at the top of the view and how far into it (a fraction of its height)."""
        shown = self._shown
        if not shown.block_lines or self.scroll_y < shown.block_lines[0]:
            return None
        index = self.first_visible_block()
        top = shown.block_lines[index]
        return index, (self.scroll_y - top) / max(1, shown.block_end(index, self._document) - top)

    def _layout(self, *, keep_shown: bool) -> None:
        """Start laying out the document at the current width; the rest follows in slices.

        Each slice measures blocks for at most LAYOUT_SLICE seconds, then yields to the event
        loop, so a 1 MB article never freezes the reader: its top shows at once and keys keep
        working while the rest is measured. With `keep_shown` (a resize, new terms) the old
        layout stays on screen until the new one has reached the place the reader was at.
        """
        if self.article is None or self._document is None:
            return
        self._generation += 1
        width = self._text_width()
        console = self.app.console
        layout = _Layout(width)
        links = len(self._document.links) if self._document is not None else None
        for text in header_lines(self.article, links):
            for _, line in wrap_text(text, width):
                layout.header.append(_strip(line, console))
        layout.line_count = len(layout.header)
        self._measuring = layout
        if not keep_shown or self._shown.width < 0:
            self._swap()
            self._layout_slice(self._generation)  # the top of a new article shows at once
        else:
            # A resize redraws the whole screen in this turn of the event loop: measuring
            # starts in the next one, and the old layout stays on screen until then.
            self.set_timer(0.001, functools.partial(self._layout_slice, self._generation))

    def _swap(self) -> None:
        """Show what has been measured so far of the new layout."""
        self._shown = self._measuring
        self._drawn.clear()

    @property
    def laid_out(self) -> bool:
        """True once every block of the document has been measured and the layout is shown."""
        if self._document is None:
            return True
        return self._shown is self._measuring and self._shown.next_block >= len(
            self._document.blocks
        )

    def _layout_slice(self, generation: int) -> None:
        if generation != self._generation or self._document is None:
            return  # a newer article or width took over
        started = time.perf_counter()
        layout = self._measuring
        blocks = self._document.blocks
        first_line = layout.line_count
        first_block = layout.next_block
        # The first slice runs in the same turn as whatever opened the article and before its
        # first paint: it stops once the screen is full.
        screen_end = None
        if first_line == len(layout.header) and self._anchor is None and not self._to_end:
            screen_end = int(self.scroll_y) + self.scrollable_content_region.height
        while layout.next_block < len(blocks):
            block = blocks[layout.next_block]
            if not block.joined:
                layout.line_count += 1  # a blank line between blocks
            layout.block_lines.append(layout.line_count)
            layout.line_count += self._measure_block(block, layout)
            layout.next_block += 1
            if time.perf_counter() - started > LAYOUT_SLICE:
                break
            if screen_end is not None and layout.line_count > screen_end:
                break
        done = layout.next_block >= len(blocks)
        swapped = self._shown is not layout and (done or self._anchor_reached(layout, first_block))
        if swapped:
            self._swap()
        # Resizing the virtual area makes Textual lay out and repaint the screen: do it when it
        # shows (the new lines are on screen, a scroll waits for them, the end) and otherwise
        # a few times a second for the scrollbar, not after every slice.
        on_screen = first_line < self.scroll_y + self.scrollable_content_region.height
        pending = (
            self._first_match_pending
            or self._anchor is not None
            or self._to_end
            or self._target_line is not None
        )
        now = time.monotonic()
        if self._shown is layout and (
            swapped or done or on_screen or pending or now - self._sized_at > SIZE_EVERY
        ):
            self._sized_at = now
            self.virtual_size = Size(layout.width, layout.line_count)
            self._settle_scroll()
            if swapped or on_screen:
                self.refresh()
        if not done:
            # A timer, not call_later: queued calls run back to back without yielding, and
            # keys and repaints must get their turn between slices.
            self.set_timer(0.001, functools.partial(self._layout_slice, generation))
        else:
            self.post_message(self.MatchChanged(self.match_index, len(self._matches)))
            self.post_message(self.Moved())

    def _anchor_reached(self, layout: _Layout, first_block: int) -> bool:
        if self._anchor is not None:
            return self._anchor[0] < len(layout.block_lines)
        if self._target_line is not None and self._document is not None:
            # Only the blocks measured in this slice can have reached it.
            recent = self._document.blocks[first_block : len(layout.block_lines)]
            return any(block.source_line >= self._target_line for block in recent)
        return True

    def _settle_scroll(self) -> None:
        """Apply a pending scroll (first match, restored line) once its place is laid out."""
        shown = self._shown
        if self._first_match_pending and shown.matches:
            self._first_match_pending = False
            self.match_index = 0
        elif self._anchor is not None:
            index, fraction = self._anchor
            if index < len(shown.block_lines):
                self._anchor = None
                top = shown.block_lines[index]
                height = shown.block_end(index, self._document) - top
                self.scroll_to(y=top + round(fraction * height), animate=False, force=True)
        elif self._to_end:
            self.scroll_to(y=shown.line_count, animate=False, force=True)
            self._to_end = not self.laid_out
        elif self._target_line is not None and self._document is not None:
            target = self._target_line
            for index in range(len(shown.block_lines)):
                if self._document.blocks[index].source_line >= target:
                    self._target_line = None
                    self.scroll_to_block(index)
                    return
            if self.laid_out:
                self._target_line = None

    # -- measuring: how many lines each block takes, and where the matches are --------------

    def _measure_block(self, block: Block, layout: _Layout) -> int:
        height, matches = measure_block(block, layout.width, self._terms, self.wrap_code)
        for match in matches:
            line = layout.line_count + match.row
            layout.matches.append(MatchPosition(line, match.start_cell, match.end_cell))
        return height

    # -- drawing: only the blocks on screen ------------------------------------------------

    def _block_strips(self, index: int) -> list[Strip]:
        strips = self._drawn.get(index)
        if strips is None:
            assert self._document is not None
            block = self._document.blocks[index]
            console = self.app.console
            lines = block_lines(
                block,
                self._shown.width,
                self._terms,
                self._code_shift(index),
                self.wrap_code,
                self._drawn_dark,
            )
            strips = [_strip(line, console) for line in lines]
            self._drawn[index] = strips
            if len(self._drawn) > DRAWN_BLOCKS:
                self._drawn.popitem(last=False)
        else:
            self._drawn.move_to_end(index)
        return strips

    def _line(self, absolute: int) -> Strip:
        """One line of the shown layout, unstyled by the widget, or a blank strip."""
        shown = self._shown
        if absolute < len(shown.header):
            return shown.header[absolute]
        index = bisect_right(shown.block_lines, absolute) - 1
        if index >= 0 and absolute < shown.line_count:
            strips = self._block_strips(index)
            row = absolute - shown.block_lines[index]
            if row < len(strips):
                return strips[row]
            blocks = self._document.blocks if self._document is not None else []
            if row == len(strips) and index + 1 < len(blocks):
                gap = gap_line(blocks[index], blocks[index + 1])
                if gap:  # a gap inside a quote keeps its bars
                    return _strip(gap, self.app.console)
        return _BLANK

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        absolute = y + int(self.scroll_y)
        style = self.rich_style  # walks the ancestors for the background: once per line
        if self._document is None:
            if y == 0:
                return Strip(Text(self.placeholder, style="italic dim").render(self.app.console))
            return Strip.blank(width, style)
        strip = self._line(absolute)
        if 0 <= self.match_index < len(self._matches):
            current = self._matches[self.match_index]
            if current.line == absolute:
                strip = self._restyle_match(strip, current)
        return strip.crop_extend(0, width, style).apply_style(style)

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta if event.style else {}
        url = meta.get("url")
        if isinstance(url, str) and url:
            event.stop()
            self.post_message(self.LinkClicked(url))
        elif isinstance(note := meta.get("footnote"), int):
            event.stop()
            self._to_note(note, self.first_visible_block())
        elif isinstance(back := meta.get("footnote_back"), int):
            event.stop()
            self._back_from_note(back, int(meta.get("footnote_sub", 0)))

    def _restyle_match(self, strip: Strip, match: MatchPosition) -> Strip:
        """`strip` with the current match marked; in a code block moved sideways, where the
        match now is, or not at all when it is out of sight."""
        start, end = match.start_cell, match.end_cell
        index = bisect_right(self._block_lines, match.line) - 1
        document = self._document
        if document is None or index < 0 or document.blocks[index].kind != "code":
            return _restyle(strip, start, end)
        shift = self._code_shift(index)
        if shift:
            left, right = code_columns(document.blocks[index], self._shown.width)
            start, end = max(left, start - shift), min(right, end - shift)
            if start >= end:
                return strip
        return _restyle(strip, start, end)

    def _code_shift(self, index: int) -> int:
        """Cells the code block that block `index` is a piece of is moved sideways."""
        return self.code_shifts.get(self._code_piece_range(index)[0], 0) if self.code_shifts else 0

    def _code_piece_range(self, index: int) -> tuple[int, int]:
        """The first and last block index of the code block `index` is a piece of (a long
        block is cut into pieces that draw one box between them)."""
        document = self._document
        if document is None or document.blocks[index].kind != "code":
            return index, index
        blocks = document.blocks
        first = last = index
        while not blocks[first].box_top and first > 0 and blocks[first - 1].kind == "code":
            first -= 1
        while not blocks[last].box_bottom and last + 1 < len(blocks):
            last += 1
        return first, last

    def action_shift_code(self, direction: int) -> None:
        """Move the first clipped code block on screen sideways (code is not wrapped)."""
        document = self._document
        if document is None or self.wrap_code:
            return
        for first, last, inner in self._clipped_code_on_screen(document):
            pieces = document.blocks[first : last + 1]
            limit = max(0, max(_widest_line(piece) for piece in pieces) - inner + 1)
            old = self.code_shifts.get(first, 0)
            shift = min(limit, max(0, old + direction * CODE_SHIFT_STEP))
            if shift != old:
                self.code_shifts[first] = shift
                for piece in range(first, last + 1):
                    self._drawn.pop(piece, None)
                self.refresh()
            return

    def _clipped_code_on_screen(self, document: Document) -> Iterator[tuple[int, int, int]]:
        """Code blocks on screen with lines wider than their box, top first: the first and
        last index of their pieces, and the cells inside the box."""
        seen = -1
        for index in self._code_blocks_on_screen(document):
            first, last = self._code_piece_range(index)
            if first <= seen:
                continue
            seen = last
            left, right = code_columns(document.blocks[first], self._shown.width)
            pieces = document.blocks[first : last + 1]
            if max(_widest_line(piece) for piece in pieces) > right - left:
                yield first, last, right - left

    def action_toggle_code_wrap(self) -> None:
        """Wrap code blocks like text (`w` again: back to clipped lines in a box)."""
        if self._document is None:
            return
        self.wrap_code = not self.wrap_code
        self.code_shifts = {}
        self._layout(keep_shown=True)
        self.notify(
            "Code wraps like text." if self.wrap_code else "Code is clipped: ←/→ scroll it.",
            timeout=3,
            markup=False,
        )

    def code_near_top(self) -> str | None:
        """The code of the code block nearest the top of the view, as the file has it; None
        when no code block is on screen."""
        document = self._document
        if document is None:
            return None
        for index in self._code_blocks_on_screen(document):
            block = document.blocks[index]
            return block.code or block.text.plain
        return None

    def _code_blocks_on_screen(self, document: Document) -> Iterator[int]:
        """The indexes of the code blocks (pieces) on screen, top first."""
        if not self._block_lines:
            return
        top, last = self._blocks_on_screen()
        for index in range(top, min(last + 1, len(document.blocks))):
            if document.blocks[index].kind == "code":
                yield index

    def _blocks_on_screen(self) -> tuple[int, int]:
        """The first and last block with a line on screen."""
        top = self.first_visible_block()
        bottom = int(self.scroll_y) + self.scrollable_content_region.height
        return top, max(top, bisect_right(self._block_lines, bottom - 1) - 1)

    def footnote_jump(self) -> bool:
        """`F`: to the note of the first footnote reference on screen; from a note, back.

        False when there is nowhere to go (no reference on screen, not in the notes).
        """
        document = self._document
        if document is None or not self._block_lines:
            return False
        top, last = self._blocks_on_screen()
        notes = document.note_block(1)
        # After a jump the notes may be at the bottom of the view rather than at its top
        # (the article ends there): they are on screen, so `F` goes back.
        if notes is not None and (
            top >= notes or (notes <= last and self._footnote_return is not None)
        ):
            # Back to where the reader came from, or to the reference of the note on top.
            shown = max(top, notes)
            note = next((b.note for b in reversed(document.blocks[: shown + 1]) if b.note), 1)
            self._back_from_note(note, 0)
            return True
        for index, number in document.footnote_references(top):
            if index > last:
                break
            return self._to_note(number, index)
        return False

    def _to_note(self, number: int, from_block: int) -> bool:
        document = self._document
        target = document.note_block(number) if document is not None else None
        if document is None or target is None:
            return False
        self._footnote_return = from_block
        self._user_moved()
        if target < len(self._block_lines):
            self.scroll_to_block(target)
        else:  # not laid out yet: the layout goes there when it gets that far
            self.scroll_to_source_line(document.blocks[target].source_line)
        return True

    def _back_from_note(self, number: int, sub: int) -> None:
        """Back to the reference the reader came from, or else to reference `sub` of `number`."""
        document = self._document
        if document is None:
            return
        if self._footnote_return is None:
            found = [index for index, ref in document.footnote_references() if ref == number]
            if not found:
                return
            self._footnote_return = found[min(sub, len(found) - 1)]
        self._user_moved()
        self.scroll_to_block(self._footnote_return)
        self._footnote_return = None


_BLANK = Strip([])


@dataclass(eq=False)
class _Layout:
    """The document measured at one width: where each block starts, and the matches."""

    width: int
    header: list[Strip] = field(default_factory=list)
    block_lines: list[int] = field(default_factory=list)  # first line of each measured block
    line_count: int = 0
    matches: list[MatchPosition] = field(default_factory=list)
    next_block: int = 0

    def block_end(self, index: int, document: Document | None) -> int:
        """The line after a measured block's last line."""
        if index + 1 < len(self.block_lines):
            joined = document is not None and document.blocks[index + 1].joined
            return self.block_lines[index + 1] - (0 if joined else 1)
        return self.line_count


CODE_SHIFT_STEP = 8  # cells per left/right press


def _widest_line(block: Block) -> int:
    return max((cell_len(line) for line in block.text.plain.split("\n")), default=0)


def _strip(text: Text, console: Console) -> Strip:
    segments = list(text.render(console))
    return Strip(segments, text.cell_len)


def _restyle(strip: Strip, start: int, end: int) -> Strip:
    left = strip.crop(0, start)
    middle = strip.crop(start, end)
    right = strip.crop(end, strip.cell_length)
    styled = Strip(Segment.apply_style(list(middle), post_style=CURRENT_MATCH_STYLE), end - start)
    return Strip.join([left, styled, right])
