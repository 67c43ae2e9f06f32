"""The sidebar: one row per article, or two per search hit (title and snippet).

A line-API widget: it renders only the rows on screen, so 100k articles cost nothing to show
and moving the cursor is O(1). Every string from a file is drawn as `rich.text.Text`, never as
markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tuireader.model.articles import Article
from tuireader.model.text import sanitize_line
from tuireader.ui.widgets.scrolling import OwnSizeScrollView

MATCH_STYLE = Style(bold=True, color="black", bgcolor="yellow")
DATE_CELLS = 10  # "2025-10-02": undated rows keep the column free, so titles line up
SHARED_PREFIX_MIN = 10
"""Characters a title must share with a neighbouring row before its start is dropped: a shared
"OpenAI " is a subject worth keeping, a shared "科技爱好者周刊（第 40" is not."""
_SEPARATORS = frozenset("（(【[「《<：:，,、—–-_/|·#")
SEPARATOR_REACH = 8  # how far back in the shared prefix a bracket or colon is looked for


@dataclass(frozen=True, slots=True)
class Row:
    """An article in the list, with what search found in it (if the list shows hits)."""

    article: Article
    snippet: str = ""
    snippet_spans: tuple[tuple[int, int], ...] = ()
    title_spans: tuple[tuple[int, int], ...] = ()


class ArticleList(OwnSizeScrollView, can_focus=True):
    """Virtual list of articles with a cursor."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "select", "Open", id="list.open"),
    ]
    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--meta",
        "article-list--snippet",
        "article-list--unread",
    }
    DEFAULT_CSS = """
    ArticleList {
        overflow-x: hidden;
        scrollbar-gutter: stable;
        & > .article-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .article-list--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground;
        }
        & > .article-list--meta { color: $text-muted; }
        & > .article-list--snippet { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto an article."""

        article_id: str

    @dataclass
    class Selected(Message):
        """The user chose an article (enter or click)."""

        article_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Row] = []
        self._any_dated = False
        self._row_height = 1
        self._cache: LRUCache[tuple[int, int, int, bool], Strip] = LRUCache(1024)
        self._frame: _Frame | None = None
        self.empty_message = "No articles."
        # Set by the app: (unread, bookmarked) for an article, drawn as ● and ★.
        self.marks: Callable[[Article], tuple[bool, bool]] | None = None

    @property
    def rows(self) -> Sequence[Row]:
        return self._rows

    @property
    def current(self) -> Article | None:
        """The article under the cursor."""
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor].article
        return None

    def set_rows(
        self,
        rows: list[Row],
        *,
        cursor_id: str | None = None,
        hits: bool = False,
        announce: bool = True,
    ) -> None:
        """Replace the rows; keep the cursor on `cursor_id` when it is among them.

        The row under the cursor is announced (`Highlighted`, which opens it) unless `announce`
        is false.
        """
        self._rows = rows
        # Undated rows keep the date column free only where other rows show a date there.
        self._any_dated = any(row.article.date is not None for row in rows)
        self._row_height = 2 if hits else 1
        self._cache.clear()
        position = 0
        if cursor_id is not None:
            position = next((i for i, r in enumerate(rows) if r.article.id == cursor_id), 0)
        self.virtual_size = Size(self.size.width, len(rows) * self._row_height)
        if announce:
            self.cursor = position
        else:
            self.set_reactive(ArticleList.cursor, position)
        top = max(0, position * self._row_height - self.size.height // 2)
        if top != self.scroll_y:  # a scroll redraws the scroll bar too
            self.scroll_to(y=top, animate=False, force=True)
        self.refresh()

    def refresh_rows(self) -> None:
        """Redraw every row (read marks or bookmarks changed)."""
        self._cache.clear()
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._rows:
            return
        clamped = min(max(new, 0), len(self._rows) - 1)
        if clamped != new:
            self.cursor = clamped
            return
        self._cache.clear()
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self._rows[new].article.id))

    def _scroll_cursor_into_view(self) -> None:
        top = self.cursor * self._row_height
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, force=True)
        elif top + self._row_height > self.scroll_y + height:
            self.scroll_to(y=top + self._row_height - height, animate=False, force=True)

    def action_cursor_down(self) -> None:
        if self.cursor < len(self._rows) - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, len(self._rows) - 1)

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // self._row_height - 1)

    def action_page_down(self) -> None:
        self.cursor = min(len(self._rows) - 1, self.cursor + self._page_rows())

    def action_page_up(self) -> None:
        self.cursor = max(0, self.cursor - self._page_rows())

    def action_select(self) -> None:
        if article := self.current:
            self.post_message(self.Selected(article.id))

    async def _on_click(self, event: events.Click) -> None:
        row = (event.y + int(self.scroll_y)) // self._row_height
        if 0 <= row < len(self._rows):
            self.cursor = row
            if event.chain >= 2:
                self.action_select()

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line needs, once a frame: `rich_style` walks up the DOM each time it is
        # read, twice a line: it was most of the sidebar's cost at each key typed.
        self._frame = self._make_frame()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _make_frame(self) -> _Frame:
        return _Frame(
            self.scrollable_content_region.width,
            self.rich_style,
            self.get_component_rich_style("article-list--cursor"),
            self.get_component_rich_style("article-list--meta", partial=True),
            self.get_component_rich_style("article-list--snippet", partial=True),
        )

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._make_frame()
        width = frame.width
        absolute = y + int(self.scroll_y)
        if not self._rows:
            if y == 0:
                return Strip(Text(self.empty_message, style="italic").render(self.app.console))
            return Strip.blank(width, frame.base)
        row, part = divmod(absolute, self._row_height)
        if row >= len(self._rows):
            return Strip.blank(width, frame.base)
        key = (row, part, width, row == self.cursor)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._render_row_line(row, part, frame)
            self._cache[key] = cached
        return cached.apply_offsets(0, absolute)

    def _render_row_line(self, row: int, part: int, frame: _Frame) -> Strip:
        item, width = self._rows[row], frame.width
        base = frame.base + frame.cursor if row == self.cursor else frame.base
        if part == 0:
            text = self._title_line(row, item, width, frame.meta)
        else:
            text = self._snippet_line(item, width, frame.snippet)
        length = text.cell_len
        if length > width:
            text.truncate(width, overflow="ellipsis", pad=True)
        elif length < width:  # truncate() would pad too, after splitting into graphemes: 40 µs
            text.pad_right(width - length)
        segments = list(text.render(self.app.console))
        return Strip(Segment.apply_style(segments, base), width)

    def _title_line(self, row: int, item: Row, width: int, meta_style: Style) -> Text:
        article = item.article
        unread, bookmarked = self.marks(article) if self.marks else (False, False)
        mark = ("●" if unread else " ") + ("★" if bookmarked else " ")
        date = article.date.strftime("%Y-%m-%d") if article.date else ""
        author = sanitize_line(article.authors[0]) if article.authors else ""
        full_title = sanitize_line(article.title)
        title = Text(_cut(full_title, width))
        # The title matters most: the author is shown only where the title still fits whole.
        with_author = "  ".join(part for part in (author, date) if part)
        fits = cell_len(mark) + title.cell_len + 2 + cell_len(with_author) <= width
        right = with_author if fits else date or " " * (DATE_CELLS if self._any_dated else 0)
        room = max(width - cell_len(mark) - cell_len(right) - 2, 1)
        dropped = 0
        if title.cell_len > room:
            # Rows that all begin "科技爱好者周刊（第 40…" read the same: show what differs.
            dropped = distinguishing_start(full_title, self._neighbour_titles(row))
            if dropped:
                title = Text("…" + _cut(full_title[dropped:], width))
        for start, end in item.title_spans:
            if end > dropped:
                offset = 1 - dropped if dropped else 0
                title.stylize(MATCH_STYLE, max(start + offset, 1 if dropped else 0), end + offset)
        if title.cell_len > room:
            title.truncate(room, overflow="ellipsis")
        line = Text(mark, style="bold")
        line.append_text(title)
        line.pad_right(max(0, width - line.cell_len - cell_len(right)))
        line.append(right, meta_style)
        return line

    def _neighbour_titles(self, row: int) -> list[str]:
        rows = self._rows
        return [
            sanitize_line(rows[index].article.title)
            for index in (row - 1, row + 1)
            if 0 <= index < len(rows)
        ]

    def _snippet_line(self, item: Row, width: int, snippet_style: Style) -> Text:
        snippet, dropped = _match_in_view(sanitize_line(item.snippet), item.snippet_spans, width)
        text = Text(_cut("  " + snippet, width), style=snippet_style)
        for start, end in item.snippet_spans:
            text.stylize(MATCH_STYLE, start + 2 - dropped, end + 2 - dropped)
        return text


class _Frame(NamedTuple):
    """The line width and styles of one frame of the sidebar."""

    width: int
    base: Style
    cursor: Style
    meta: Style
    snippet: Style


def distinguishing_start(title: str, neighbours: Sequence[str]) -> int:
    """Where the part of `title` that tells it apart from its neighbours' titles begins, or 0
    when the prefix it shares with them is short.

    It begins after a bracket, colon or dash near the end of the shared prefix ("（第 401 期"
    keeps its 第), else after the shared prefix's last space ("Rust 401").
    """
    shared = 0
    for other in neighbours:
        length = 0
        for mine, theirs in zip(title, other, strict=False):
            if mine != theirs:
                break
            length += 1
        shared = max(shared, length)
    if shared < SHARED_PREFIX_MIN or shared >= len(title):
        return 0
    near = max(0, shared - SEPARATOR_REACH)
    for start in range(shared, near, -1):
        if title[start - 1] in _SEPARATORS:
            return start
    return title.rfind(" ", 0, shared) + 1


def _cut(text: str, width: int) -> str:
    """`text` cut to what a line of `width` cells can show, and a cell more (so that truncating
    it still ends it with "…"). Rich measures every character it truncates, and long snippets
    made that the cost of a line, at every keystroke."""
    if len(text) <= width + 1:
        return text
    cut = text[: width + 1]
    # With zero-width characters (combining accents) the cut may not fill the line: not cut.
    return cut if cell_len(cut) > width else text


def _match_in_view(snippet: str, spans: Sequence[tuple[int, int]], width: int) -> tuple[str, int]:
    """The snippet, its start dropped (for "…") so that the first match begins within the first
    third of a line of `width` cells; and how many characters it is shorter at the start.

    A snippet gives the match ~30 characters of context before it: in Chinese, 60 cells, more
    than the sidebar shows, and the match was cut off the line.
    """
    if not spans or cell_len(snippet[: spans[0][0]]) <= width // 3:
        return snippet, 0
    keep = spans[0][0]
    room = width // 3 - 1  # one cell for "…"
    while keep > 0 and cell_len(snippet[keep - 1]) <= room:
        keep -= 1
        room -= cell_len(snippet[keep])
    while keep < spans[0][0] and cell_len(snippet[keep]) == 0:
        keep += 1  # not from the middle of a character and its accents
    return "…" + snippet[keep:], keep - 1
