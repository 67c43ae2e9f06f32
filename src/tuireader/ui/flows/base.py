"""What every flow of the main screen shares: the app's state and the sidebar and status line.

The app is split by flow (`reading`, `searching`, `links`, `marks`, `live`), each a mixin of
`ReaderBase`; `tuireader.ui.app` puts them together with the layout and the loading.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from tuireader.corpus.parse import LoadResult
from tuireader.model.articles import Article, Problem
from tuireader.model.library import Library, make_filter
from tuireader.model.text import sanitize_line
from tuireader.render.document import Document
from tuireader.search.hits import SearchResults
from tuireader.search.plain_scan import PlainScan
from tuireader.store.config import Config
from tuireader.store.state import FolderState
from tuireader.ui.widgets.article_list import ArticleList, Row
from tuireader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex  # numpy: imported when the index is built


def _while_running(method: Callable[..., None]) -> Callable[..., None]:
    """For callbacks from workers and timers: do nothing once the app is shutting down.

    Textual clears `is_running` first when it shuts down, then removes the widgets; a worker's
    result or a debounce timer arriving in between would otherwise find no widgets.
    """

    @functools.wraps(method)
    def guarded(self: App[None], *args: object, **kwargs: object) -> None:
        if self.is_running:
            method(self, *args, **kwargs)

    return guarded


@dataclass
class SearchState:
    """The search the sidebar shows, if any."""

    query: str
    results: SearchResults
    terms: tuple[str, ...]
    source: str = ""  # "" for the index; how far a plain scan got before the index is ready


class ReaderBase(App[None]):
    """The state the flows share, set up by `TuiReaderApp.__init__`."""

    corpus_root: Path
    config: Config
    library: Library
    state: FolderState | None
    problems: list[Problem]
    index: SearchIndex | None
    load_result: LoadResult | None
    search_state: SearchState | None
    _documents: dict[str, Document]
    _open_timer: Timer | None
    _search_timer: Timer | None
    _last_query_change: float
    _read_timer: Timer | None
    _wanted_id: str | None
    _browse_cursor_id: str | None
    _clicked_link: str | None
    _stop_watching: threading.Event
    watching: threading.Event
    _loading: str
    _plain_scan: PlainScan | None
    _match_status: str

    if TYPE_CHECKING:  # defined by the flows and the app; declared here for the others

        def _open(self, article_id: str, *, to_first_match: bool) -> None: ...
        def _run_search(self, query: str) -> None: ...
        def _search(self, *args: Any, **kwargs: Any) -> Any: ...  # a worker
        def _show_results(
            self,
            query: str,
            results: SearchResults,
            keep_id: str | None = None,
            source: str = "",
        ) -> None: ...
        def _remember_position(self) -> None: ...
        def _fill_toc(self, document: Document) -> None: ...
        def action_toggle_toc(self) -> None: ...
        def _load(self, *args: Any, **kwargs: Any) -> Any: ...  # a worker
        def _watch(self, *args: Any, **kwargs: Any) -> Any: ...  # a worker

    @property
    def articles(self) -> dict[str, Article]:
        """Every loaded article by id."""
        return self.library.articles

    @property
    def ordered(self) -> list[Article]:
        """The articles the sidebar lists when not searching: filtered and in order."""
        keep = self._filter()
        order = self.state.order if self.state else "date"
        return [a for a in self.library.ordered(order) if keep(a)]

    def workers_in_group(self, group: str) -> list[object]:
        return [w for w in self.workers if w.group == group and not w.is_finished]

    def _filter(self) -> Callable[[Article], bool]:
        state = self.state
        if state is None:
            return lambda article: True
        return make_filter(state.filter, state.tag, state.is_read, state.is_bookmarked)

    def _marks(self, article: Article) -> tuple[bool, bool]:
        if self.state is None:
            return False, False
        return not self.state.is_read(article.id), self.state.is_bookmarked(article.id)

    def _refresh_rows(self, keep_id: str | None = None, *, announce: bool = True) -> None:
        """Rebuild the sidebar (browse list or hits) after a filter, order or data change.

        Without `announce`, a browse list's new cursor row is not opened.
        """
        sidebar = self.query_one(ArticleList)
        if keep_id is None and sidebar.current is not None:
            keep_id = sidebar.current.id
        if self.search_state is not None:
            state = self.search_state
            self._show_results(state.query, state.results, keep_id, state.source)
            return
        empty = "No articles match the filter." if self.library.articles else "No articles."
        sidebar.empty_message = empty
        sidebar.set_rows([Row(a) for a in self.ordered], cursor_id=keep_id, announce=announce)
        self._update_status()

    def _update_status(self) -> None:
        parts = [f"tuireader · {sanitize_line(self.corpus_root.resolve().name)}"]
        if self.load_result is not None:
            parts.append(f"{len(self.library):,} articles")
            if self.state is not None:
                unread = self.state.unread_count(self.library.articles.keys())
                parts.append(f"{unread:,} unread")
                if self.state.filter != "all":
                    parts.append(f"showing {self.state.filter}")
                if self.state.tag is not None:
                    parts.append(f"tag: {sanitize_line(self.state.tag)}")
                if self.state.order != "date":
                    parts.append(f"by {self.state.order}")
        if self._loading:
            parts.append(self._loading)
        search_bar = self.query_one("#search", Input)
        summary = self._search_summary()
        if search_bar.border_subtitle != summary:  # setting it lays out the whole screen again
            search_bar.border_subtitle = summary
        # One line of fixed size: a layout pass would redraw every widget on screen (each
        # progress tick of a load cost a full repaint).
        self.query_one("#status", Static).update(Content(" · ".join(parts)), layout=False)

    def _search_summary(self) -> Content:
        """How many hits, on the search bar's border (the status line is full while loading)."""
        if self.search_state is None:
            return Content("")
        results = self.search_state.results
        about = "≈" if results.estimated else ""
        shown = len(results.hits)
        count = f"{about}{results.total:,} {'hit' if results.total == 1 else 'hits'}"
        if shown < results.total:
            count += f" (showing {shown})"
        if self.search_state.source:
            count += f" · {self.search_state.source}, no index yet"
        return Content(count)

    def _current_article(self) -> Article | None:
        # The selection, not what the reader shows: after `G` then `y` (faster than the
        # debounce) the user means the article under the cursor.
        if self._wanted_id is not None and self._wanted_id in self.articles:
            return self.articles[self._wanted_id]
        return self.query_one(ArticleView).article or self.query_one(ArticleList).current

    def _update_reader_status(self) -> None:
        if not self.is_running or not self.query("#reader-status"):
            return  # a match count arriving while the app is being torn down
        parts = [self._match_status] if self._match_status else []
        article = self.query_one(ArticleView).article
        if article is not None and self.load_result is not None and article.id not in self.library:
            parts.append("This article was deleted from the folder (r reloads).")
        self.query_one("#reader-status", Static).update(Content(" · ".join(parts)), layout=False)
