"""The state of one reading session, and the text the interface shows for it.

`ReaderSession` is plain data and pure methods: the main screen owns one, fills it from the load
driver and the watcher, and reads the sidebar's articles, the status line and the hit count from
it. Nothing here touches a widget.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from tuireader.corpus.parse import LoadResult, gc_paused
from tuireader.model.articles import Article, Problem
from tuireader.model.library import Library, make_filter
from tuireader.model.links import Link
from tuireader.model.local_links import local_target
from tuireader.model.text import sanitize_line
from tuireader.render.blocks import Document
from tuireader.search.hits import Hit, SearchResults
from tuireader.search.plain_scan import PlainScan
from tuireader.session.history import History
from tuireader.session.loading import SingleSource
from tuireader.store.config import Config
from tuireader.store.state import FolderState

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex  # numpy: imported when the index is built

DOCUMENTS_KEPT = 64
"""Built documents kept for articles opened again (each holds its styled text)."""

FileChange = tuple[str, list[Article], list[Problem]]
"""A file's path (as articles show it) and what it holds now (nothing: it was deleted)."""


@dataclass
class SearchState:
    """The search the sidebar shows, if any."""

    query: str
    results: SearchResults
    terms: tuple[str, ...]
    source: str = ""  # "" for the index; how far a plain scan got before the index is ready


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a link leads inside the folder: an article, and the heading its `#anchor` names."""

    article: Article
    anchor: str


class ReaderSession:
    """One folder being read: what is loaded, what is remembered, what is searched."""

    def __init__(
        self,
        corpus_root: Path,
        config: Config,
        *,
        open_path: str | None = None,
        single: SingleSource | None = None,
    ) -> None:
        """`open_path`: the file to open first (`tuireader FILE`), as articles show paths.
        `single`: read only this source, not the folder (`tuireader -`)."""
        self.corpus_root = corpus_root
        self.config = config
        self.open_path = open_path
        self.single = single
        self.library = Library()
        self.state: FolderState | None = None
        self.problems: list[Problem] = []
        self.index: SearchIndex | None = None
        self.load_result: LoadResult | None = None
        self.search_state: SearchState | None = None
        self.plain_scan: PlainScan | None = None
        """Answers searches until the index is ready."""
        self.loading = "loading…"
        """What the status line says of loading; empty once the index is ready."""
        self.loaded_once = False
        self.remembered_id: str | None = None
        """The article open when the folder was last left, read before loading opens any."""
        self.watching = threading.Event()
        """Set once the folder watcher runs: changes made after that are seen."""
        self.stop_watching = threading.Event()
        self.history = History()
        """The articles opened (not previewed), for back and forward."""
        self._documents: dict[str, Document] = {}

    # -- articles ------------------------------------------------------------------------------

    @property
    def articles(self) -> dict[str, Article]:
        """Every loaded article by id."""
        return self.library.articles

    def keep(self) -> Callable[[Article], bool]:
        """The sidebar's filter (read state, bookmarks, tag) as a predicate."""
        state = self.state
        if state is None:
            return lambda article: True
        return make_filter(state.filter, state.tag, state.is_read, state.is_bookmarked)

    def ordered(self, library: Library | None = None) -> list[Article]:
        """The articles the sidebar lists when not searching: filtered and in order."""
        keep = self.keep()
        order = self.state.order if self.state else "date"
        return [a for a in (library or self.library).ordered(order) if keep(a)]

    def listing_key(self) -> tuple[object, ...]:
        """What `ordered` depends on besides the articles: a listing made with another key is
        stale."""
        state = self.state
        return (state.order, state.filter, state.tag) if state else ()

    def visible_hits(self, results: SearchResults) -> list[tuple[Article, Hit]]:
        """The hits the sidebar lists: loaded articles that pass the filter."""
        keep = self.keep()
        articles = self.articles
        return [
            (articles[hit.id], hit)
            for hit in results.hits
            if hit.id in articles and keep(articles[hit.id])
        ]

    def marks(self, article: Article) -> tuple[bool, bool]:
        """(unread, bookmarked) for the sidebar's row of `article`."""
        if self.state is None:
            return False, False
        return not self.state.is_read(article.id), self.state.is_bookmarked(article.id)

    def first_choice(self, library: Library) -> str | None:
        """The article to select when the folder is first listed: the first entry of the file
        named on the command line, else the one open when the folder was last left."""
        if self.open_path is not None:
            entries = [a for a in library.articles.values() if a.path == self.open_path]
            if entries:
                return min(entries, key=lambda a: a.line).id
        return self.remembered_id

    @property
    def display_name(self) -> str:
        """What the status line calls what is read: the folder, or the single file or stdin."""
        if self.single is not None:
            return sanitize_line(self.single.name)
        return sanitize_line(self.corpus_root.resolve().name)

    def empty_message(self) -> str:
        return "No articles match the filter." if self.library.articles else "No articles."

    # -- links inside the folder ---------------------------------------------------------------

    def destination(self, url: str, origin: Article) -> Destination | None:
        """Where a link of `origin` leads in this folder: a heading of `origin` (`#install`), or
        another article (`../guide/setup.md#install`); None for the web, or nowhere listed."""
        if url.startswith("#"):
            return Destination(origin, unquote(url[1:])) if len(url) > 1 else None
        if self.single is not None:
            return None  # one file read alone: no folder to follow links in
        library = self.library
        target = local_target(url, origin.path, library.has_file)
        entry = library.first_entry(target.path) if target is not None else None
        return Destination(entry, target.fragment) if entry and target else None

    def destinations(
        self, origin: Article, links: Iterable[Link], document: Document | None
    ) -> dict[str, str]:
        """What the link list shows after each link that stays in the folder, by URL: the title
        of the article it opens, or the heading of `origin` (laid out as `document`) it names."""
        found: dict[str, str] = {}
        for link in links:
            destination = self.destination(link.url, origin)
            if destination is None:
                continue
            if destination.article.id != origin.id:
                found[link.url] = destination.article.title
            elif (
                document is not None
                and (heading := document.heading_block(destination.anchor)) is not None
            ):
                found[link.url] = document.blocks[heading].text.plain
        return found

    # -- documents -----------------------------------------------------------------------------

    def document(self, article_id: str) -> Document | None:
        return self._documents.get(article_id)

    @staticmethod
    def build_document(article: Article, stopped: Callable[[], bool] | None = None) -> Document:
        """`article`'s blocks, made without the cyclic garbage collector's pauses; raises
        `BuildStopped` once `stopped()` says the build is no longer wanted.

        A 1 MB article makes ~500k objects, none in a cycle: while they were made, full
        collections walked them again and again, each holding the GIL (up to 0.2-0.3 s, a
        stall of the event loop). They are made with the collector paused, then frozen, so
        later collections skip them too; a dropped document is still freed, by reference
        counting. What freezing costs: any cyclic garbage that exists at that moment is
        never collected (small and rare: the loader's freeze has the same trade).
        """
        # Imported here: markdown-it and its plugins are not needed for the first frame.
        from tuireader.render.document import build_document

        with gc_paused():
            document = build_document(article, stopped)
            gc.freeze()  # before the collector runs again: it would walk them all once more
        return document

    def keep_document(self, article_id: str, document: Document) -> None:
        if len(self._documents) > DOCUMENTS_KEPT:
            self._documents.clear()
        self._documents[article_id] = document

    def forget_documents(self) -> None:
        self._documents.clear()

    # -- loading and following the folder ------------------------------------------------------

    def start_loading(self, loaded_so_far: list[Article]) -> None:
        """A (re)load begins; until its index is ready, searches scan what it has loaded."""
        self.load_result = None
        self.loading = "loading…"
        self.plain_scan = PlainScan(loaded_so_far)

    def progress(self, done: int, total: int) -> None:
        self.loading = f"loading {done:,}/{total:,} files"

    def loaded(self, result: LoadResult, library: Library) -> None:
        """Every article is loaded (the index is being built)."""
        self.load_result = result
        self.loading = "indexing…"
        self.problems = list(result.problems)
        self.library = library
        if self.state is not None:
            self.state.prune(library.articles.keys())

    def indexed(self, index: SearchIndex) -> None:
        self.index = index
        self.plain_scan = None  # its folded texts go too
        self.loading = ""

    def apply_changes(self, changes: Iterable[FileChange]) -> set[str]:
        """Files changed, added or deleted: into the library, the index and the problems.

        Returns the paths of the changed files.
        """
        changes = list(changes)
        changed_paths = {path for path, _, _ in changes}
        self.problems = [p for p in self.problems if p.path not in changed_paths]
        for path, articles, problems in changes:
            removed, _ = self.library.replace_file(path, articles)
            self.problems.extend(problems)
            for article_id in removed:
                self._documents.pop(article_id, None)
            self.history.forget(set(removed) - {a.id for a in articles})
            if self.index is not None:
                for article_id in removed:
                    self.index.remove(article_id)
                for article in articles:
                    self.index.add(article)
        return changed_paths

    # -- what the status line and the search bar say -------------------------------------------

    def status_line(self) -> str:
        """The top line: folder, counts, filter, order, loading."""
        parts = [f"tuireader · {self.display_name}"]
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
        if self.loading:
            parts.append(self.loading)
        return " · ".join(parts)

    def search_summary(self) -> str:
        """How many hits, for the search bar's border (the status line is full while loading)."""
        if self.search_state is None:
            return ""
        results = self.search_state.results
        about = "≈" if results.estimated else ""
        shown = len(results.hits)
        count = f"{about}{results.total:,} {'hit' if results.total == 1 else 'hits'}"
        if shown < results.total:
            count += f" (showing {shown})"
        if self.search_state.source:
            count += f" · {self.search_state.source}, no index yet"
        return count
