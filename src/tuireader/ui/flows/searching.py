"""The search bar: search as you type (the index, or a plain scan until it is ready), matches."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.widgets import Input, OptionList
from textual.worker import get_current_worker

from tuireader.search.hits import SearchResults
from tuireader.search.plain_scan import PlainScan
from tuireader.search.query import parse_query
from tuireader.ui.flows.base import ReaderBase, SearchState, _while_running
from tuireader.ui.widgets.article_list import ArticleList, Row
from tuireader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex

SEARCH_DEBOUNCE = 0.005
"""Keys that come closer together than this (a burst: tmux send-keys, a terminal without
bracketed paste) are searched once, after the last; a key typed on its own is searched at once
(waiting cost every key 5-7 ms)."""
SIDEBAR_HITS = 200  # hits listed in the sidebar; the total is shown separately
FIRST_HITS = 40  # hits shown first, while the rest of the list is made
MORE_HITS_DELAY = 0.12
"""The rest of the list is made once typing pauses this long: made after every key, it took
the GIL from the next key's search (at 100k articles, a 200-hit search costs 12-24 ms)."""


class SearchFlow(ReaderBase):
    """Runs the search bar and the reader's matches."""

    def action_focus_search(self) -> None:
        if self.screen is not self.default_screen:
            return  # a dialog is open
        search = self.query_one("#search", Input)
        if self.focused is search:
            search.insert_text_at_cursor("/")  # the binding has priority: "/" types itself here
            return
        search.screen.set_focus(search)  # now, not on the next tick as `focus()` does
        search.select_all()  # typing replaces the previous query

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        if not event.value.strip():
            self._clear_search(keep_focus=True)
            return
        now = time.monotonic()
        burst = now - self._last_query_change < SEARCH_DEBOUNCE
        self._last_query_change = now
        if burst:
            self._search_timer = self.set_timer(
                SEARCH_DEBOUNCE, lambda: self._run_search(event.value)
            )
        else:
            self._run_search(event.value)

    @_while_running
    def _run_search(self, query: str) -> None:
        if self.index is not None:
            self._search(self.index, query)
        elif self._plain_scan is not None:
            self._scan(self._plain_scan, query)  # the index runs it again once it is ready

    @work(thread=True, exclusive=True, group="search", description="scanning")
    def _scan(self, scan: PlainScan, query: str) -> None:
        found = scan.search(query, limit=SIDEBAR_HITS)
        source = f"scan of {found.scanned:,}/{found.available:,} loaded"
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_results, query, found.results, None, source)

    @work(thread=True, exclusive=True, group="search", description="searching")
    def _search(self, index: SearchIndex, query: str, limit: int = FIRST_HITS) -> None:
        # The first screenful at once, then the rest of the list: 500 hits with their snippets
        # took 50-70 ms at 10k articles, the first 40 about 3 ms.
        results = index.search(query, limit=limit)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._searched, index, query, results, limit)

    @_while_running
    def _searched(self, index: SearchIndex, query: str, results: SearchResults, limit: int) -> None:
        if limit != FIRST_HITS:
            self._show_more_results(query, results)
            return
        self._show_results(query, results)
        more = len(results.hits) == FIRST_HITS and results.total > FIRST_HITS
        if more and query == self.query_one("#search", Input).value:
            # A timer, so that the next key stops it (`_query_changed`).
            self._search_timer = self.set_timer(
                MORE_HITS_DELAY, lambda: self._search(index, query, SIDEBAR_HITS)
            )

    @_while_running
    def _show_more_results(self, query: str, results: SearchResults) -> None:
        """The whole hit list after its first screenful, where the cursor already is."""
        current = self.query_one(ArticleList).current
        self._show_results(query, results, current.id if current else None)

    @_while_running
    def _show_results(
        self, query: str, results: SearchResults, keep_id: str | None = None, source: str = ""
    ) -> None:
        # A slower, older search must never overwrite the results of what is typed now.
        if query != self.query_one("#search", Input).value:
            return
        terms = parse_query(query).highlight_terms
        self.search_state = SearchState(query, results, terms, source)
        keep = self._filter()
        rows = [
            Row(self.articles[hit.id], hit.snippet, hit.snippet_spans, hit.title_spans)
            for hit in results.hits
            if hit.id in self.articles and keep(self.articles[hit.id])
        ]
        sidebar = self.query_one(ArticleList)
        sidebar.empty_message = "No matches."
        sidebar.set_rows(rows, hits=True, cursor_id=keep_id)
        if not rows:
            self.query_one(ArticleView).set_terms(terms)
        # The hit count (the search bar's border) and the status line span the screen: drawn
        # in the same frame as the sidebar, Textual would redraw every line the two enclose,
        # the reader's too (a frame of 20 ms instead of 5 at each key typed).
        self.call_after_refresh(self._update_status)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        sidebar = self.query_one(ArticleList)
        if self.search_state is None or self.search_state.query != event.value:
            if self._search_timer is not None:
                self._search_timer.stop()
            if event.value.strip() and self.index is not None:
                # Enter right after typing: search now, synchronously, then open the top hit.
                self._show_results(event.value, self.index.search(event.value, limit=SIDEBAR_HITS))
        if article := sidebar.current:
            self._open(article.id, to_first_match=True)
            self.query_one(ArticleView).focus()

    def _clear_search(self, *, keep_focus: bool = False) -> None:
        if self.search_state is None:
            return
        self.search_state = None
        sidebar = self.query_one(ArticleList)
        self._refresh_rows(self._browse_cursor_id)
        self.query_one(ArticleView).set_terms(())
        if not keep_focus:
            sidebar.focus()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        toc = self.query_one("#toc", OptionList)
        if toc.display and self.focused is toc:
            self.action_toggle_toc()
        elif search.value or self.search_state is not None:
            search.value = ""
            self._clear_search()
        elif self.focused is not self.query_one(ArticleList):
            self.query_one(ArticleList).focus()

    def action_next_match(self) -> None:
        self.query_one(ArticleView).next_match(1)

    def action_previous_match(self) -> None:
        self.query_one(ArticleView).next_match(-1)

    @on(ArticleView.MatchChanged)
    def _match_changed(self, event: ArticleView.MatchChanged) -> None:
        self._match_status = ""
        if event.total:
            position = f"{event.index + 1}/{event.total}" if event.index >= 0 else f"{event.total}"
            self._match_status = f"match {position} · n next · N previous"
        self._update_reader_status()
