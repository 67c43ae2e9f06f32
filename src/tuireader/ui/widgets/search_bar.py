"""The search bar: searches as you type, in a thread, and posts what it found.

Before the index is ready a query is answered by a plain scan of what is loaded (and again by
the index once it is); with the index, the first screenful of hits comes at once and the rest
of the list once typing pauses, since its snippets cost more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from tuireader.search.hits import SearchResults
from tuireader.search.plain_scan import PlainScan
from tuireader.session.reader import ReaderSession

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex  # numpy: imported when the index is built

SEARCH_PLACEHOLDER = '/ search — 模型 发布  "a phrase"  -exclude  title:  tag:  after:2025-09-01'
SEARCH_DEBOUNCE = 0.005
"""Keys that come closer together than this (a burst: tmux send-keys, a terminal without
bracketed paste) are searched once, after the last; a key typed on its own is searched at once
(waiting cost every key its length)."""
SIDEBAR_HITS = 200  # hits listed in the sidebar; the total is shown separately
FIRST_HITS = 40  # hits shown first, while the rest of the list is made
MORE_HITS_DELAY = 0.12
"""The rest of the list is made once typing pauses this long: made after every key, it took
the GIL from the next key's search (bench/README.md)."""


class SearchBar(Input):
    """Where a query is typed; `Found` carries each answer, `Emptied` says it was cleared."""

    @dataclass
    class Found(Message):
        """Hits for `query`; `whole_list`: the rest of a list whose first screenful is shown
        (keep the cursor where it is); `source`: what a plain scan covered, "" for the index."""

        query: str
        results: SearchResults
        whole_list: bool = False
        source: str = ""

    class Emptied(Message):
        """The query was erased."""

    def __init__(self, session: ReaderSession, *, id: str | None = None) -> None:
        super().__init__(placeholder=SEARCH_PLACEHOLDER, id=id, select_on_focus=False)
        self.session = session
        self._timer: Timer | None = None
        self._last_change = 0.0  # time.monotonic() of the last change

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.stop_pending()
        if not event.value.strip():
            self.post_message(self.Emptied())
            return
        now = time.monotonic()
        burst = now - self._last_change < SEARCH_DEBOUNCE
        self._last_change = now
        if burst:
            self._timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self.search(event.value))
        else:
            self.search(event.value)

    def stop_pending(self) -> None:
        """Drop a search (or the rest of a list) waiting for typing to pause."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def search(self, query: str | None = None) -> None:
        """Search for `query` (what the bar holds if None) with the index, or a plain scan
        of what is loaded while there is no index."""
        query = self.value if query is None else query
        if not self.app.is_running or not query.strip():
            return
        session = self.session
        if session.index is not None:
            self._search(session.index, query)
        elif session.plain_scan is not None:
            self._scan(session.plain_scan, query)  # the index runs it again once it is ready

    def search_now(self, query: str) -> SearchResults | None:
        """Every listed hit for `query`, on the event loop (enter right after typing); None
        without an index."""
        self.stop_pending()
        if not query.strip() or self.session.index is None:
            return None
        return self.session.index.search(query, limit=SIDEBAR_HITS)

    @work(thread=True, exclusive=True, group="search", description="scanning")
    def _scan(self, scan: PlainScan, query: str) -> None:
        found = scan.search(query, limit=SIDEBAR_HITS)
        source = f"scan of {found.scanned:,}/{found.available:,} loaded"
        if not get_current_worker().is_cancelled:
            self._deliver(self.Found(query, found.results, source=source))

    @work(thread=True, exclusive=True, group="search", description="searching")
    def _search(self, index: SearchIndex, query: str, limit: int = FIRST_HITS) -> None:
        results = index.search(query, limit=limit)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._searched, index, query, results, limit)

    def _searched(self, index: SearchIndex, query: str, results: SearchResults, limit: int) -> None:
        if not self.is_attached:
            return
        self.post_message(self.Found(query, results, whole_list=limit != FIRST_HITS))
        more = limit == FIRST_HITS and len(results.hits) == FIRST_HITS
        if more and results.total > FIRST_HITS and query == self.value:
            # A timer, so that the next key stops it (`_changed`).
            self._timer = self.set_timer(
                MORE_HITS_DELAY, lambda: self._search(index, query, SIDEBAR_HITS)
            )

    def _deliver(self, message: Message) -> None:
        """From a worker thread: post `message`, unless the app is ending."""

        def post() -> None:
            if self.app.is_running and self.is_attached:
                self.post_message(message)

        self.app.call_from_thread(post)
