"""The Textual app: the screen is the coordinator.

Widgets post what the user wants (an article highlighted, a link clicked); the app calls the pure
core (loading, search, document building, clipboard) and pushes results back down. Slow work
(loading, indexing, searching, building a document, the native clipboard, the browser) runs in
thread workers so the event loop never waits on it.

This module holds the layout, the start-up and loading, and the panels; each flow of the main
screen (reading, searching, links, marks, live reload) is a mixin in `tuireader.ui.flows`.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from tuireader.corpus.loader import CorpusLoader, HeadStart
from tuireader.corpus.parse import LoadResult
from tuireader.model.articles import Article, Problem
from tuireader.model.library import Library
from tuireader.model.text import sanitize_line
from tuireader.render.document import Document
from tuireader.search.normalize import load_dictionaries
from tuireader.search.plain_scan import PlainScan
from tuireader.store.config import Config, unknown_key_bindings
from tuireader.store.state import FolderState, StateStore
from tuireader.ui.flows.base import SearchState
from tuireader.ui.flows.links import LinkFlow
from tuireader.ui.flows.live import LiveReloadFlow
from tuireader.ui.flows.marks import MarkFlow
from tuireader.ui.flows.reading import ReadingFlow
from tuireader.ui.flows.searching import SearchFlow
from tuireader.ui.screens.help import HelpScreen
from tuireader.ui.screens.links import LinkListScreen
from tuireader.ui.screens.problems import ProblemsScreen
from tuireader.ui.screens.tags import TagScreen
from tuireader.ui.widgets.article_list import ArticleList, Row
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.key_hints import KeyHints

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex

LOAD_REFRESH = 0.25  # seconds between progress bar updates while a big folder loads
IDLE_AFTER_KEY = 0.5
"""Seconds after a key press during which background decoding waits (`_after_typing`)."""
FIRST_FRAME_WAIT = 0.3
"""At most this long (seconds), loading pauses after the first titles so that they are drawn:
the folder walk and this screen share the GIL, and the walk would take half of it."""
SEARCH_PLACEHOLDER = '/ search — 模型 发布  "a phrase"  -exclude  title:  tag:  after:2025-09-01'


@dataclass
class LoadProgress(Message):
    """From the loading thread: how far it is; with `partial`, the first titles to list."""

    partial: Library | None
    done: int
    total: int
    drawn: threading.Event | None = None
    """With `partial`: set once those titles are on screen."""


@dataclass
class LoadDone(Message):
    """From the loading thread: every article, ordered, with the sidebar's rows made."""

    result: LoadResult
    library: Library
    listing: tuple[tuple[object, ...], list[Row]]


@dataclass
class IndexReady(Message):
    """From the loading thread: the search index."""

    index: SearchIndex


class TuiReaderApp(ReadingFlow, SearchFlow, LinkFlow, MarkFlow, LiveReloadFlow):
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
        head_start: HeadStart | None = None,
    ) -> None:
        """`head_start`: processes already started for loading this folder (`loader.head_start`)."""
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
        self._last_query_change = 0.0  # time.monotonic() of the search bar's last change
        self._wanted_id: str | None = None
        self._browse_cursor_id: str | None = None
        self._clicked_link: str | None = None
        self._read_timer: Timer | None = None
        self._stop_watching = threading.Event()
        self.watching = threading.Event()
        """Set once the folder watcher runs: changes made after that are seen."""
        self._loaded_once = False
        # The article open when the folder was last left, read before loading opens any.
        self._remembered_id: str | None = None
        self._loading = "loading…"
        self._use_cache = use_cache
        self._head_start = head_start
        # What the loading thread has so far, for searching by plain scan until the index is
        # ready (it only appends; a scan reads the length first, then up to it).
        self._loaded_so_far: list[Article] = []
        self._plain_scan: PlainScan | None = None
        self._match_status = ""
        self._last_key = 0.0  # time.monotonic() of the last key pressed

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
        yield KeyHints()

    def on_mount(self) -> None:
        self.state, notices = StateStore().open(self.corpus_root)
        self._remembered_id = self.state.selected_id
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

    @work(thread=True, exclusive=True, group="state", description="saving the state")
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
        if self._head_start is not None:  # the app ended before it loaded
            self._head_start.close()
        if self.state is not None:
            self.state.save()

    # ---------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="load", description="loading")
    def _load(self) -> None:
        """Load in batches (cache first, then both cores), index, then save the cache.

        Titles show after the first batch, and the sidebar follows every LOAD_REFRESH seconds;
        sorting happens here, in the loading thread, never in the event loop.
        """
        worker = get_current_worker()
        # On a thread of its own: OpenCC's dictionaries take ~0.2 s to load, on the other core
        # (its C API leaves the GIL free; see `opencc_native`), and the first search needs them.
        threading.Thread(target=load_dictionaries, name="opencc", daemon=True).start()
        head_start, self._head_start = self._head_start, None  # for the first load only
        loader = CorpusLoader(self.corpus_root, use_cache=self._use_cache, head_start=head_start)
        loaded: list[Article] = []
        self._loaded_so_far = loaded
        self._plain_scan = PlainScan(loaded)
        shown_at = 0.0
        titles_shown = False
        drawn: threading.Event | None = None
        # The cyclic GC would walk every article loaded so far on each full pass (13 s over a
        # cold 100k load); the records hold no cycles, so it waits until loading is done.
        gc.disable()
        try:
            for batch in loader:
                if worker.is_cancelled:
                    return
                if drawn is not None:  # the first titles are being drawn: let them be
                    drawn.wait(FIRST_FRAME_WAIT)
                    drawn = None
                    if not batch.from_cache:
                        # The index will be built: its modules (numpy's ~70 ms among them) are
                        # imported now, while this thread mostly waits for the workers, rather
                        # than after the loading, when nothing else runs beside that import.
                        threading.Thread(
                            target=importlib.import_module,
                            args=("tuireader.search.index",),
                            name="import-search",
                            daemon=True,
                        ).start()
                loaded.extend(batch.articles)
                if batch.done == batch.total:
                    continue  # the full list follows at once, built a single time
                if not titles_shown and loaded:
                    # Titles for the first frame; later batches only move the progress bar
                    # (re-listing everything loaded so far each time would be quadratic).
                    titles_shown = True
                    partial = Library(loaded)
                    partial.ordered("date")  # sorted here, off the event loop
                    drawn = threading.Event()
                    self.post_message(LoadProgress(partial, batch.done, batch.total, drawn))
                elif time.monotonic() - shown_at > LOAD_REFRESH:
                    shown_at = time.monotonic()
                    self.post_message(LoadProgress(None, batch.done, batch.total))
            result = loader.result()
            library = Library(result.articles)
            if (order := loader.cached_date_order()) is not None:
                library.use_date_order(order)
            # The rows too: building 100k of them on the event loop stalled it for 0.3 s.
            listing = self._listing(library)
            self.post_message(LoadDone(result, library, listing))
            from tuireader.search.index import SearchIndex  # numpy: not needed for the first frame

            index = loader.cached_index() or SearchIndex.build(result.articles, finish_later=True)
            if worker.is_cancelled:
                return
            self.post_message(IndexReady(index))
            index.finish()
            # Articles and postings live as long as the app: keep the cyclic GC from walking
            # them again on every full collection (seconds at 100k articles).
            gc.freeze()
            loader.save_cache(index)
            index.keep_texts_decoded(lambda: self._after_typing(worker))
        finally:
            gc.enable()
            loader.close()

    def _after_typing(self, worker: Worker[None]) -> bool:
        """For background work that takes the GIL in steps: wait until no key has been pressed
        for IDLE_AFTER_KEY seconds, then say whether `worker` was cancelled.

        Decoding a cached index's texts (~1 s at 100k articles) beside the first searches typed
        made those keys' results come late (84 and 114 ms for the first two).
        """
        while not worker.is_cancelled:
            quiet = time.monotonic() - self._last_key
            if quiet >= IDLE_AFTER_KEY:
                return False
            time.sleep(IDLE_AFTER_KEY - quiet)
        return True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key = time.monotonic()
        await super().on_event(event)

    @on(LoadProgress)
    def _progress(self, message: LoadProgress) -> None:
        """Move the progress bar; with `partial`, also list the titles loaded so far."""
        partial, done, total = message.partial, message.done, message.total
        if message.drawn is not None:
            self.call_after_refresh(message.drawn.set)
        if self.load_result is not None:
            return  # a late batch after a finished (re)load
        progress = self.query_one("#progress", ProgressBar)
        progress.display = True
        progress.update(total=max(total, 1), progress=done)
        self._loading = f"loading {done:,}/{total:,} files"
        if partial is not None and not self._loaded_once:
            self.library = partial
            self._refresh_rows(self._remembered_id)
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

    @on(LoadDone)
    def _loaded(self, message: LoadDone) -> None:
        result, library, listing = message.result, message.library, message.listing
        self.load_result = result
        self._loading = "indexing…"
        self.problems = list(result.problems)
        self.library = library
        if self.state is not None:
            self.state.prune(self.library.articles.keys())
        sidebar = self.query_one(ArticleList)
        keep_id = sidebar.current.id if sidebar.current else None
        if not self._loaded_once:
            # The first titles' top was opened for the reader, not chosen: unless they moved
            # down that list, the full one opens on the article remembered from last time, or
            # on its own top (the newest), not on the newest of the first files found.
            moved = sidebar.cursor > 0 and keep_id != self._remembered_id
            keep_id = keep_id if moved else self._remembered_id
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
        if result.problems:
            self.notify(
                f"{len(result.problems)} file(s) skipped or degraded: press P to see them",
                severity="warning",
                markup=False,
            )

    @on(IndexReady)
    def _indexed(self, message: IndexReady) -> None:
        self.index = message.index
        self._plain_scan = None  # its folded texts go too
        self._loading = ""
        self.query_one("#progress", ProgressBar).display = False
        query = self.query_one("#search", Input).value
        if query.strip():
            self._run_search(query)
        self._update_status()
        if (
            self._watch_folder
            and self.load_result is not None
            and not self.workers_in_group("watch")
        ):
            # Started once the index is ready: its process would take CPU from the build.
            self._watch(self.load_result)

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
