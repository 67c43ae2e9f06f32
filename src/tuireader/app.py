"""The Textual app: the screen is the coordinator.

Widgets post what the user wants (an article highlighted, a link clicked); the app calls the pure
core (loading, search, document building, clipboard) and pushes results back down. Slow work
(loading, indexing, searching, building a document, the native clipboard, the browser) runs in
thread workers so the event loop never waits on it.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tuireader.articles import Article
from tuireader.browser import open_in_browser
from tuireader.clipboard import article_link, copy_native, markdown_link
from tuireader.config import Config, unknown_key_bindings
from tuireader.corpus import LoadResult, Problem, display_path, load_file
from tuireader.document import Document, build_document
from tuireader.library import FILTERS, Library, make_filter
from tuireader.loader import CorpusLoader
from tuireader.query import parse_query
from tuireader.scan import PlainScan
from tuireader.screens.help import HelpScreen
from tuireader.screens.links import LinkAction, LinkListScreen
from tuireader.screens.problems import ProblemsScreen
from tuireader.screens.tags import ALL_TAGS, TagScreen
from tuireader.search import SearchIndex, SearchResults
from tuireader.state import FolderState, StateStore
from tuireader.text import sanitize_line
from tuireader.watch import ChangeBatch, watch_changes
from tuireader.widgets.article_list import ArticleList, Row
from tuireader.widgets.article_view import ArticleView

SELECT_DEBOUNCE = 0.08  # holding j must not queue a render per row
SEARCH_DEBOUNCE = 0.005  # a burst of keys (a paste) searches once; a search takes ms
LOAD_REFRESH = 0.25  # seconds between progress bar updates while a big folder loads
SEARCH_PLACEHOLDER = '/ search — 模型 发布  "a phrase"  -exclude  title:  tag:  after:2025-09-01'
SIDEBAR_HITS = 200  # hits listed in the sidebar; the total is shown separately
FIRST_HITS = 40  # hits shown first, while the rest of the list is made


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


class TuiReaderApp(App[None]):
    """Sidebar of articles, reading pane, search bar."""

    CSS_PATH = "tuireader.tcss"
    TITLE = "tuireader"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: resolved by the app before the next key is passed on, so every key typed
        # in the same burst as "/" (a fast typist, a paste, tmux send-keys) goes to the search.
        Binding("slash", "focus_search", "Search", id="search", priority=True),
        Binding("n", "next_match", "Next match", id="next_match"),
        Binding("N", "previous_match", "Prev match", show=False, id="previous_match"),
        Binding("l", "links", "Links", id="links"),
        Binding("y", "copy_link", "Copy link", id="copy_link"),
        Binding("Y", "copy_markdown", "Copy [title](url)", show=False, id="copy_markdown"),
        Binding("o", "open_link", "Open", id="open_link"),
        Binding("t", "toggle_toc", "Contents", id="toc"),
        Binding("s", "toggle_sidebar", "Sidebar", show=False, id="toggle_sidebar"),
        Binding("u", "toggle_read", "Read/unread", show=False, id="toggle_read"),
        Binding("U", "next_unread", "Next unread", show=False, id="next_unread"),
        Binding("m", "toggle_bookmark", "Bookmark", id="toggle_bookmark"),
        Binding("f", "cycle_filter", "Filter", id="cycle_filter"),
        Binding("T", "choose_tag", "Tag filter", show=False, id="choose_tag"),
        Binding("S", "toggle_order", "Sort by date/title", show=False, id="toggle_order"),
        Binding("r", "reload", "Reload", show=False, id="reload"),
        Binding("P", "problems", "Problems", show=False, id="problems"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("escape", "escape", "Back", show=False, id="escape"),
    ]

    def __init__(
        self,
        corpus_root: Path,
        *,
        config: Config | None = None,
        config_notices: Iterable[str] = (),
        watch: bool = True,
        use_cache: bool = True,
    ) -> None:
        super().__init__()
        self.corpus_root = corpus_root
        self.config = config or Config()
        self._config_notices = list(config_notices)
        self._watch_folder = watch
        self.library = Library()
        self.state: FolderState | None = None
        self.problems: list[Problem] = []
        self.index: SearchIndex | None = None
        self.load_result: LoadResult | None = None
        self.search_state: SearchState | None = None
        self._documents: dict[str, Document] = {}
        self._open_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._wanted_id: str | None = None
        self._browse_cursor_id: str | None = None
        self._clicked_link: str | None = None
        self._read_timer: Timer | None = None
        self._stop_watching = threading.Event()
        self._loaded_once = False
        self._loading = "loading…"
        self._use_cache = use_cache
        # What the loading thread has so far, for searching by plain scan until the index is
        # ready (it only appends; a scan reads the length first, then up to it).
        self._loaded_so_far: list[Article] = []
        self._plain_scan: PlainScan | None = None
        self._match_status = ""

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(Content(f"tuireader · loading {self.corpus_root.name}…"), id="status")
            yield ProgressBar(id="progress", show_eta=False)
        yield Input(
            placeholder=SEARCH_PLACEHOLDER,
            id="search",
            select_on_focus=False,
        )
        with Horizontal(id="main"):
            yield ArticleList(id="sidebar")
            with Vertical(id="reader-pane"):
                yield ArticleView(id="reader")
                yield Static(Content(""), id="reader-status")
            yield OptionList(id="toc")
        yield Footer()

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

    def on_mount(self) -> None:
        self.state, notices = StateStore().open(self.corpus_root)
        for notice in [*self._config_notices, *notices]:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        binding_ids = [b.id for b in self._all_bindings() if b.id]
        for notice in unknown_key_bindings(self.config, binding_ids):
            self.notify(notice, severity="warning", markup=False, timeout=10)
        if self.config.keys:
            self.set_keymap(dict(self.config.keys))
        self._apply_theme(self.state.theme or self.config.theme)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        sidebar = self.query_one(ArticleList)
        sidebar.marks = self._marks
        sidebar.empty_message = "Loading…"
        sidebar.focus()
        self.query_one(ArticleView).clear("Loading the folder…")
        self.set_interval(1.0, self._save_state)
        self._load()

    def _all_bindings(self) -> list[Binding]:
        groups = (
            self.BINDINGS,
            ArticleList.BINDINGS,
            ArticleView.BINDINGS,
            LinkListScreen.BINDINGS,
        )
        return [b for group in groups for b in group if isinstance(b, Binding)]

    def _apply_theme(self, name: str | None) -> None:
        if name is None:
            return
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(f"Unknown theme {name!r}; using the default", markup=False)

    def _theme_changed(self, theme: object) -> None:
        if self.state is not None:
            self.state.theme = self.theme

    def _save_state(self) -> None:
        self._remember_position()
        if self.state is not None and self.state.dirty:
            self._write_state(self.state)

    @work(thread=True, exclusive=True, group="state")
    def _write_state(self, state: FolderState) -> None:
        for notice in state.save():
            self.call_from_thread(self.notify, notice, severity="warning", markup=False)

    def _remember_position(self) -> None:
        if not self.screen_stack or not self.query(ArticleView):
            return
        reader = self.query_one(ArticleView)
        if self.state is not None and reader.article is not None:
            self.state.set_position(reader.article.id, reader.first_visible_source_line())

    async def action_quit(self) -> None:
        self._remember_position()
        self.exit()

    def on_unmount(self) -> None:
        # However the app ends (q, ctrl+c, a test harness), stop the watcher and keep the state.
        # The widgets are gone by now: positions were recorded on each tick and on quit.
        self._stop_watching.set()
        if self.state is not None:
            self.state.save()

    # ---------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        """Load in batches (cache first, then both cores), index, then save the cache.

        Titles show after the first batch, and the sidebar follows every LOAD_REFRESH seconds;
        sorting happens here, in the loading thread, never in the event loop.
        """
        worker = get_current_worker()
        loader = CorpusLoader(self.corpus_root, use_cache=self._use_cache)
        loaded: list[Article] = []
        self._loaded_so_far = loaded
        self._plain_scan = PlainScan(loaded)
        shown_at = 0.0
        titles_shown = False
        # The cyclic GC would walk every article loaded so far on each full pass (13 s over a
        # cold 100k load); the records hold no cycles, so it waits until loading is done.
        gc.disable()
        try:
            for batch in loader:
                if worker.is_cancelled:
                    return
                loaded.extend(batch.articles)
                if batch.done == batch.total:
                    continue  # the full list follows at once, built a single time
                if not titles_shown and loaded:
                    # Titles for the first frame; later batches only move the progress bar
                    # (re-listing everything loaded so far each time would be quadratic).
                    titles_shown = True
                    partial = Library(loaded)
                    partial.ordered("date")  # sorted here, off the event loop
                    self.call_from_thread(self._progress, partial, batch.done, batch.total)
                elif time.monotonic() - shown_at > LOAD_REFRESH:
                    shown_at = time.monotonic()
                    self.call_from_thread(self._progress, None, batch.done, batch.total)
            result = loader.result()
            library = Library(result.articles)
            # The rows too: building 100k of them on the event loop stalled it for 0.3 s.
            listing = self._listing(library)
            self.call_from_thread(self._loaded, result, library, listing)
            index = loader.cached_index() or SearchIndex.build(result.articles)
            if worker.is_cancelled:
                return
            self.call_from_thread(self._indexed, index)
            # Articles and postings live as long as the app: keep the cyclic GC from walking
            # them again on every full collection (seconds at 100k articles).
            gc.freeze()
            loader.save_cache(index)
            index.keep_texts_decoded(lambda: worker.is_cancelled)
        finally:
            gc.enable()
            loader.close()

    @_while_running
    def _progress(self, partial: Library | None, done: int, total: int) -> None:
        """Move the progress bar; with `partial`, also list the titles loaded so far."""
        if self.load_result is not None:
            return  # a late batch after a finished (re)load
        progress = self.query_one("#progress", ProgressBar)
        progress.display = True
        progress.update(total=max(total, 1), progress=done)
        self._loading = f"loading {done:,}/{total:,} files"
        if partial is not None and not self._loaded_once:
            self.library = partial
            self._refresh_rows(self.state.selected_id if self.state else None)
        self._update_status()

    def _listing(self, library: Library) -> tuple[tuple[object, ...], list[Row]]:
        """The sidebar's rows for `library`, and the filter and order they were made with."""
        state = self.state
        order = state.order if state else "date"
        keep = self._filter()
        rows = [Row(a) for a in library.ordered(order) if keep(a)]
        return self._listing_key(), rows

    def _listing_key(self) -> tuple[object, ...]:
        state = self.state
        return (state.order, state.filter, state.tag) if state else ()

    @_while_running
    def _loaded(
        self,
        result: LoadResult,
        library: Library,
        listing: tuple[tuple[object, ...], list[Row]] | None = None,
    ) -> None:
        self.load_result = result
        self._loading = "indexing…"
        self.problems = list(result.problems)
        self.library = library
        if self.state is not None:
            self.state.prune(self.library.articles.keys())
        sidebar = self.query_one(ArticleList)
        keep_id = sidebar.current.id if sidebar.current else None
        if not self._loaded_once and self.state is not None:
            keep_id = self.state.selected_id
        self._loaded_once = True
        if self.search_state is not None and self.search_state.source:
            self._run_search(self.search_state.query)  # the scan covers every title now
        if listing is not None and listing[0] == self._listing_key() and self.search_state is None:
            sidebar.empty_message = (
                "No articles match the filter." if len(library) else "No articles."
            )
            sidebar.set_rows(listing[1], cursor_id=keep_id)
        else:
            self._refresh_rows(keep_id)
        reader = self.query_one(ArticleView)
        if not self.library.articles:
            reader.clear("No articles in this folder.")
        elif reader.article is not None and self.library.get(reader.article.id) not in (
            None,
            reader.article,
        ):
            # A full reload changed the open article: show its fresh text where the reader was.
            self._open(reader.article.id, to_first_match=False)
        self._update_status()
        if self._watch_folder and not self.workers_in_group("watch"):
            self._watch(set(result_paths(result)))
        if result.problems:
            self.notify(
                f"{len(result.problems)} file(s) skipped or degraded: press P to see them",
                severity="warning",
                markup=False,
            )

    @_while_running
    def _indexed(self, index: SearchIndex) -> None:
        self.index = index
        self._plain_scan = None  # its folded texts go too
        self._loading = ""
        self.query_one("#progress", ProgressBar).display = False
        query = self.query_one("#search", Input).value
        if query.strip():
            self._run_search(query)
        self._update_status()

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

    def _refresh_rows(self, keep_id: str | None = None) -> None:
        """Rebuild the sidebar (browse list or hits) after a filter, order or data change."""
        sidebar = self.query_one(ArticleList)
        if keep_id is None and sidebar.current is not None:
            keep_id = sidebar.current.id
        if self.search_state is not None:
            state = self.search_state
            self._show_results(state.query, state.results, keep_id, state.source)
            return
        empty = "No articles match the filter." if self.library.articles else "No articles."
        sidebar.empty_message = empty
        sidebar.set_rows([Row(a) for a in self.ordered], cursor_id=keep_id)
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
        self.query_one("#search", Input).border_subtitle = self._search_summary()
        self.query_one("#status", Static).update(Content(" · ".join(parts)))

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

    # ---------------------------------------------------------- opening articles

    @on(ArticleList.Highlighted)
    def _highlighted(self, event: ArticleList.Highlighted) -> None:
        self._wanted_id = event.article_id
        if self.search_state is None:
            self._browse_cursor_id = event.article_id
        if self.state is not None:
            self.state.selected_id = event.article_id
        if self._open_timer is not None:
            self._open_timer.stop()
        self._open_timer = self.set_timer(
            SELECT_DEBOUNCE, lambda: self._open(event.article_id, to_first_match=True)
        )

    @on(ArticleList.Selected)
    def _selected(self, event: ArticleList.Selected) -> None:
        reader = self.query_one(ArticleView)
        if reader.article is None or reader.article.id != event.article_id:
            self._open(event.article_id, to_first_match=True)
        reader.focus()

    @_while_running
    def _open(self, article_id: str, *, to_first_match: bool) -> None:
        article = self.articles.get(article_id)
        if article is None:
            return
        self._wanted_id = article_id
        self._clicked_link = None
        reader = self.query_one(ArticleView)
        if reader.article is not None and reader.article.id != article_id:
            self._remember_position()
        document = self._documents.get(article_id)
        if document is not None:
            self._show(article, document, to_first_match)
        else:
            self._build_document(article, to_first_match)

    @work(thread=True, exclusive=True, group="document")
    def _build_document(self, article: Article, to_first_match: bool) -> None:
        document = build_document(article)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._built, article, document, to_first_match)

    @_while_running
    def _built(self, article: Article, document: Document, to_first_match: bool) -> None:
        if len(self._documents) > 64:
            self._documents.clear()
        self._documents[article.id] = document
        if article.id == self._wanted_id:
            self._show(article, document, to_first_match)

    def _show(self, article: Article, document: Document, to_first_match: bool) -> None:
        terms = self.search_state.terms if self.search_state else ()
        reader = self.query_one(ArticleView)
        same = reader.article is not None and reader.article.id == article.id
        line = reader.first_visible_source_line() if same else 0
        if not same and self.state is not None:
            line = self.state.position(article.id).line
        reader.show(
            article,
            document,
            terms,
            to_first_match=to_first_match and bool(terms),
            source_line=line,
        )
        self._fill_toc(document)
        self._start_read_timer(article.id)

    def _start_read_timer(self, article_id: str) -> None:
        # Read after a short dwell, so that moving past articles with j marks nothing.
        if self._read_timer is not None:
            self._read_timer.stop()
        if self.state is None or not self.config.mark_read_on_open:
            return
        if self.state.is_read(article_id):
            return

        def mark() -> None:
            if not self.is_running:
                return  # the app is shutting down: its widgets are gone
            reader = self.query_one(ArticleView)
            if self.state and reader and reader.article and reader.article.id == article_id:
                self.state.mark_read(article_id)
                self.query_one(ArticleList).refresh_rows()
                self._update_status()

        self._read_timer = self.set_timer(self.config.mark_read_after_seconds, mark)

    # ----------------------------------------------------------------- search

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
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self._run_search(event.value))

    @_while_running
    def _run_search(self, query: str) -> None:
        if self.index is not None:
            self._search(self.index, query)
        elif self._plain_scan is not None:
            self._scan(self._plain_scan, query)  # the index runs it again once it is ready

    @work(thread=True, exclusive=True, group="search")
    def _scan(self, scan: PlainScan, query: str) -> None:
        found = scan.search(query, limit=SIDEBAR_HITS)
        source = f"scan of {found.scanned:,}/{found.available:,} loaded"
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_results, query, found.results, None, source)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, index: SearchIndex, query: str) -> None:
        # The first screenful at once, then the rest of the list: 500 hits with their snippets
        # took 50-70 ms at 10k articles, the first 40 about 3 ms.
        worker = get_current_worker()
        first = index.search(query, limit=FIRST_HITS)
        if worker.is_cancelled:
            return
        self.call_from_thread(self._show_results, query, first)
        if len(first.hits) == FIRST_HITS and first.total > FIRST_HITS:
            results = index.search(query, limit=SIDEBAR_HITS)
            if not worker.is_cancelled:
                self.call_from_thread(self._show_more_results, query, results)

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
        self._update_status()

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

    def _update_reader_status(self) -> None:
        parts = [self._match_status] if self._match_status else []
        article = self.query_one(ArticleView).article
        if article is not None and self.load_result is not None and article.id not in self.library:
            parts.append("This article was deleted from the folder (r reloads).")
        self.query_one("#reader-status", Static).update(Content(" · ".join(parts)))

    # ------------------------------------------------------- links and clipboard

    def _current_article(self) -> Article | None:
        # The selection, not what the reader shows: after `G` then `y` (faster than the
        # debounce) the user means the article under the cursor.
        if self._wanted_id is not None and self._wanted_id in self.articles:
            return self.articles[self._wanted_id]
        return self.query_one(ArticleView).article or self.query_one(ArticleList).current

    def action_copy_link(self) -> None:
        if article := self._current_article():
            target = article_link(article, self.corpus_root)
            self.copy_text(target.url, f"link ({target.origin})")

    def action_copy_markdown(self) -> None:
        if article := self._current_article():
            url = article_link(article, self.corpus_root).url
            self.copy_text(markdown_link(article.title, url), "Markdown link")

    def copy_text(self, text: str, what: str) -> None:
        """Copy through OSC 52 now, and through the native clipboard in a worker."""
        settings = self.config.clipboard
        if settings.osc52:
            self.copy_to_clipboard(text)
        self._copy_native(text, what, settings.native, settings.native_timeout)

    @work(thread=True, group="clipboard")
    def _copy_native(self, text: str, what: str, enabled: bool, timeout: float) -> None:
        error = copy_native(text, timeout) if enabled else "native clipboard turned off"
        self.call_from_thread(self._report_copy, text, what, error)

    @_while_running
    def _report_copy(self, text: str, what: str, native_error: str | None) -> None:
        osc52 = self.config.clipboard.osc52
        if not osc52 and native_error is not None:
            self.notify(
                f"{native_error}. Copy it by hand:\n{sanitize_line(text)}",
                title=f"Could not copy the {what}",
                severity="warning",
                markup=False,
                timeout=15,
            )
            return
        ways = ["terminal (OSC 52)"] if osc52 else []
        if native_error is None:
            ways.append("system clipboard")
        message = f"{sanitize_line(text)}\nvia {' and '.join(ways)}"
        if native_error is not None:
            message += f"\n{native_error}; if your terminal ignores OSC 52, copy the text above"
        self.notify(message, title=f"Copied {what}", markup=False)

    def action_open_link(self) -> None:
        article = self._current_article()
        if self._clicked_link:
            self._open_url(self._clicked_link)
        elif article is not None:
            self._open_url(article_link(article, self.corpus_root).url)

    @work(thread=True, group="browser")
    def _open_url(self, url: str) -> None:
        error = open_in_browser(url)
        if error is None:
            self.call_from_thread(
                self.notify, sanitize_line(url), title="Opened in browser", markup=False
            )
        else:
            self.call_from_thread(
                self.notify,
                f"{sanitize_line(url)}\n{error}",
                title="Not opened",
                severity="warning",
                markup=False,
            )

    @on(ArticleView.LinkClicked)
    def _link_clicked(self, event: ArticleView.LinkClicked) -> None:
        self._clicked_link = event.url
        self.copy_text(event.url, "link (clicked; o opens it)")

    def action_links(self) -> None:
        article = self._current_article()
        if article is None:
            return
        if not article.links:
            self.notify("This article has no links.", markup=False)
            return

        def chosen(action: LinkAction | None) -> None:
            if action is None:
                return
            if action.action == "copy":
                self.copy_text(action.link.url, "link")
            else:
                self._open_url(action.link.url)

        self.push_screen(LinkListScreen(article.title, article.links), chosen)

    # ------------------------------------------------ read state, filters, order

    def action_toggle_read(self) -> None:
        article = self._current_article()
        if article is None or self.state is None:
            return
        if self._read_timer is not None:
            self._read_timer.stop()  # the user decides now; the dwell must not undo it
        read = self.state.toggle_read(article.id)
        self.notify(f"Marked {'read' if read else 'unread'}", markup=False, timeout=2)
        self._after_state_change()

    def action_next_unread(self) -> None:
        if self.state is None:
            return
        sidebar = self.query_one(ArticleList)
        rows = sidebar.rows
        for step in range(1, len(rows) + 1):
            position = (sidebar.cursor + step) % len(rows)
            if not self.state.is_read(rows[position].article.id):
                sidebar.cursor = position
                return
        self.notify("No unread articles here.", markup=False, timeout=3)

    def action_toggle_bookmark(self) -> None:
        article = self._current_article()
        if article is None or self.state is None:
            return
        marked = self.state.toggle_bookmark(article.id)
        self.notify("Bookmarked ★" if marked else "Bookmark removed", markup=False, timeout=2)
        self._after_state_change()

    def _after_state_change(self) -> None:
        # Filtered views follow at once (an article read under "unread" leaves the list).
        if self.state is not None and self.state.filter != "all":
            self._refresh_rows()
        else:
            self.query_one(ArticleList).refresh_rows()
        self._update_status()

    def action_cycle_filter(self) -> None:
        if self.state is None:
            return
        self.state.filter = FILTERS[(FILTERS.index(self.state.filter) + 1) % len(FILTERS)]
        self.notify(f"Showing {self.state.filter} articles", markup=False, timeout=2)
        self._refresh_rows()

    def action_choose_tag(self) -> None:
        tags = self.library.tags()
        if not tags:
            self.notify("No article in this folder has tags.", markup=False)
            return

        def chosen(tag: str | None) -> None:
            if tag is None or self.state is None:
                return
            self.state.tag = None if tag == ALL_TAGS else tag
            self._refresh_rows()

        self.push_screen(TagScreen(tags, self.state.tag if self.state else None), chosen)

    def action_toggle_order(self) -> None:
        if self.state is None:
            return
        self.state.order = "title" if self.state.order == "date" else "date"
        self.notify(f"Sorted by {self.state.order}", markup=False, timeout=2)
        self._refresh_rows()

    # ------------------------------------------------------------ live reload

    def action_reload(self) -> None:
        self.notify("Reloading the folder…", markup=False, timeout=2)
        self._documents.clear()
        self.load_result = None
        self._load()

    @work(thread=True, exclusive=True, group="watch")
    def _watch(self, known: set[str]) -> None:
        try:
            stop = _StopWhenClosed(self, self._stop_watching)
            for batch in watch_changes(self.corpus_root, stop, known=known):
                self._reload_batch(batch)
        except (OSError, RuntimeError) as error:
            self.call_from_thread(
                self.notify,
                f"Stopped watching the folder: {error}",
                severity="warning",
                markup=False,
            )

    def _reload_batch(self, batch: ChangeBatch) -> None:
        """In the watch thread: parse what changed, then hand it to the UI thread in one go."""
        changes: list[tuple[str, list[Article], list[Problem]]] = []
        for raw in sorted(batch.added | batch.modified):
            articles, problems = load_file(self.corpus_root, raw)
            changes.append((display_path(raw), articles, problems))
        for raw in sorted(batch.deleted):
            changes.append((display_path(raw), [], []))
        if changes:
            self.call_from_thread(self._apply_changes, changes)

    @_while_running
    def _apply_changes(self, changes: list[tuple[str, list[Article], list[Problem]]]) -> None:
        reader = self.query_one(ArticleView)
        open_id = reader.article.id if reader.article else None
        changed_paths = {path for path, _, _ in changes}
        self.problems = [p for p in self.problems if p.path not in changed_paths]
        for path, articles, problems in changes:
            removed, _ = self.library.replace_file(path, articles)
            self.problems.extend(problems)
            for article_id in removed:
                self._documents.pop(article_id, None)
            if self.index is not None:
                for article_id in removed:
                    self.index.remove(article_id)
                for article in articles:
                    self.index.add(article)
        if self.search_state is not None and self.index is not None:
            self._search(self.index, self.search_state.query)
        self._refresh_rows()
        if open_id is not None:
            if open_id in self.library:
                if reader.article is not None and reader.article.path in changed_paths:
                    self._open(open_id, to_first_match=False)
            else:
                self._update_reader_status()
        self._update_status()

    # ---------------------------------------------------- table of contents etc.

    def _fill_toc(self, document: Document) -> None:
        toc = self.query_one("#toc", OptionList)
        toc.clear_options()
        for block_index, block in document.headings:
            label = "  " * (block.level - 1) + sanitize_line(block.text.plain)
            toc.add_option(Option(Content(label), id=str(block_index)))

    def action_toggle_toc(self) -> None:
        toc = self.query_one("#toc", OptionList)
        if toc.display:
            toc.display = False
            self.query_one(ArticleView).focus()
            return
        if toc.option_count == 0:
            self.notify("This article has no headings.", markup=False)
            return
        toc.display = True
        toc.focus()

    @on(OptionList.OptionHighlighted, "#toc")
    @on(OptionList.OptionSelected, "#toc")
    def _toc_chosen(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.query_one(ArticleView).scroll_to_block(int(event.option.id))
        if isinstance(event, OptionList.OptionSelected):
            self.query_one(ArticleView).focus()

    def action_problems(self) -> None:
        self.push_screen(ProblemsScreen(self.problems))

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(ArticleList)
        sidebar.display = not sidebar.display
        if not sidebar.display and self.focused is sidebar:
            self.query_one(ArticleView).focus()

    def action_help(self) -> None:
        groups: list[tuple[str, list[Binding]]] = [
            ("Anywhere", [b for b in self.BINDINGS if isinstance(b, Binding)]),
            ("Tags (T)", [b for b in TagScreen.BINDINGS if isinstance(b, Binding)]),
            ("Sidebar", [b for b in ArticleList.BINDINGS if isinstance(b, Binding)]),
            ("Reader", [b for b in ArticleView.BINDINGS if isinstance(b, Binding)]),
            ("Link list (l)", [b for b in LinkListScreen.BINDINGS if isinstance(b, Binding)]),
            (
                "Focus",
                [
                    Binding("tab", "", "Next area (sidebar, reader, search)"),
                    Binding("shift+tab", "", "Previous area"),
                    Binding("ctrl+p", "", "Command palette"),
                ],
            ),
        ]
        self.push_screen(HelpScreen(groups))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Copy link", "Copy the article's link (y)", self.action_copy_link)
        yield SystemCommand(
            "Copy Markdown link", "Copy [title](url) (Y)", self.action_copy_markdown
        )
        yield SystemCommand(
            "Open link", "Open the article's link in a browser (o)", self.action_open_link
        )
        yield SystemCommand("Link list", "List the article's links (l)", self.action_links)
        yield SystemCommand(
            "Toggle sidebar", "Show or hide the article list (s)", self.action_toggle_sidebar
        )
        yield SystemCommand(
            "Table of contents", "Headings of the article (t)", self.action_toggle_toc
        )
        yield SystemCommand("Search", "Focus the search bar (/)", self.action_focus_search)
        yield SystemCommand("Help", "Every key (?)", self.action_help)
        yield SystemCommand(
            "Problems", "Files skipped or degraded, and why (P)", self.action_problems
        )


def result_paths(result: LoadResult) -> Iterable[str]:
    """Relative paths of the files a load read, as the watcher knows them."""
    return {article.path for article in result.articles}


class _StopWhenClosed:
    """Stops the watcher once the app begins to shut down (before it waits for its workers).

    The watcher starts only after the folder has loaded, when the app is already running.
    """

    def __init__(self, app: App[None], event: threading.Event) -> None:
        self._app = app
        self._event = event

    def is_set(self) -> bool:
        return self._event.is_set() or not self._app.is_running
