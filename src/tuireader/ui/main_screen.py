"""The main screen, the coordinator: sidebar, reader, search bar, and the flows between them.

Widgets post what the user wants (an article highlighted, a link clicked); the screen calls the
core through its `ReaderSession` (loading, search, documents, marks) and pushes results back
down. Slow work (loading, indexing, searching, building a document, the native clipboard, the
browser, the watcher) runs in thread workers, so the event loop never waits on it; a worker's
result comes back through `deliver`, which drops it once the app is shutting down.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from tuireader.corpus.encoding import decode_bytes
from tuireader.corpus.parse import load_file
from tuireader.corpus.walk import Stamp, display_path
from tuireader.corpus.watch import ChangeBatch, watch_changes
from tuireader.model.articles import Article
from tuireader.model.library import FILTERS, SORT_ORDERS, Library
from tuireader.model.links import Link
from tuireader.model.text import sanitize_line
from tuireader.render.blocks import BuildStopped, Document
from tuireader.render.source import source_document
from tuireader.search.hits import SearchResults
from tuireader.search.query import parse_query
from tuireader.session.loading import (
    IndexReady,
    LoadDone,
    LoadDriver,
    LoadProgress,
    SingleDriver,
)
from tuireader.session.reader import FileChange, ReaderSession, SearchState
from tuireader.store.state import StateStore
from tuireader.system.clipboard import (
    LinkTarget,
    article_link,
    markdown_link,
)
from tuireader.system.editor import editor_command
from tuireader.ui.handover import run_in_terminal
from tuireader.ui.screens.confirm import ConfirmScreen
from tuireader.ui.screens.help import HelpScreen, describe_keys
from tuireader.ui.screens.links import LinkAction, LinkListScreen
from tuireader.ui.screens.problems import ProblemsScreen
from tuireader.ui.screens.tags import ALL_TAGS, TagScreen
from tuireader.ui.sharing import InPlaceNotifier, Sharing
from tuireader.ui.widgets.article_list import ArticleList, Row
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.key_hints import KeyHints
from tuireader.ui.widgets.search_bar import SearchBar

IDLE_AFTER_KEY = 0.5
"""Seconds after a key press during which background decoding waits (`_after_typing`)."""
FIND_PLACEHOLDER = "find in this article — enter to go there, n/N next/previous, esc to close"
SELECT_DEBOUNCE = 0.08  # holding j must not queue a render per row
TYPING_DEBOUNCE = 0.15
"""While a query is typed, its top hit opens once typing pauses this long: opened after every
key, the reader's layout made the next key wait (bench/README.md)."""
SIDEBAR_MIN = 16  # cells: the narrowest sidebar `<` makes
READER_MIN = 24  # cells the reader keeps when `>` widens the sidebar

Listing = tuple[tuple[object, ...], list[Row]]
"""The sidebar's rows, and the filter and order they were made with (`listing_key`)."""


FIRST_TITLES_WAIT = 0.1
"""At most this long (seconds) the screen, as it mounts, waits for a cached folder's first
titles read early (`LoadDriver.start_early`): they are there well before on a warm start."""


@dataclass
class Progressed(Message):
    """From the loading thread: `LoadProgress`."""

    event: LoadProgress


@dataclass
class Loaded(Message):
    """From the loading thread: `LoadDone`, with the sidebar's rows made off the event loop."""

    event: LoadDone
    listing: Listing


@dataclass
class Indexed(Message):
    """From the loading thread: `IndexReady`."""

    event: IndexReady


@runtime_checkable
class ReaderApp(InPlaceNotifier, Protocol):
    """The app the screen runs in (`TuiReaderApp`), as far as the screen needs it."""

    def apply_theme(self, name: str | None) -> None: ...


class MainScreen(Screen[None]):
    """Sidebar of articles, reading pane, search bar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: resolved before the next key is passed on, so every key typed in the same
        # burst as "/" (a fast typist, a paste, tmux send-keys) goes to the search.
        Binding("slash", "focus_search", "Search", id="search", priority=True),
        Binding("ctrl+f", "find", "Find in article", show=False, id="find", priority=True),
        Binding("n", "next_match", "Next match", id="next_match"),
        Binding("N", "previous_match", "Prev match", show=False, id="previous_match"),
        Binding("l", "links", "Links", id="links"),
        Binding("F", "footnote", "Footnote / back", show=False, id="footnote"),
        Binding("c", "copy_code", "Copy code block", show=False, id="copy_code"),
        Binding("y", "copy_link", "Copy link", id="copy_link"),
        Binding("Y", "copy_markdown", "Copy [title](url)", show=False, id="copy_markdown"),
        Binding("o", "open_link", "Open", id="open_link"),
        Binding("t", "toggle_toc", "Contents", id="toc"),
        Binding("s", "toggle_sidebar", "Sidebar", show=False, id="toggle_sidebar"),
        Binding(
            "less_than_sign", "sidebar_width(-4)", "Narrower sidebar", show=False, id="narrower"
        ),
        Binding("greater_than_sign", "sidebar_width(4)", "Wider sidebar", show=False, id="wider"),
        Binding("u", "toggle_read", "Read/unread", show=False, id="toggle_read"),
        Binding("U", "next_unread", "Next unread", show=False, id="next_unread"),
        Binding("A", "mark_all_read", "Mark all listed read", show=False, id="mark_all_read"),
        Binding("m", "toggle_bookmark", "Bookmark", id="toggle_bookmark"),
        Binding("f", "cycle_filter", "Filter", id="cycle_filter"),
        Binding("T", "choose_tag", "Tag filter", show=False, id="choose_tag"),
        Binding("S", "toggle_order", "Sort by date/title/folder", show=False, id="toggle_order"),
        Binding("r", "reload", "Reload", show=False, id="reload"),
        Binding("P", "problems", "Problems", show=False, id="problems"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("escape", "escape", "Back", show=False, id="escape"),
        Binding("J", "next_article(1)", "Next article", show=False, id="next_article"),
        Binding("K", "next_article(-1)", "Previous article", show=False, id="previous_article"),
        Binding("H", "history_back", "Back (history)", show=False, id="history_back"),
        Binding("L", "history_forward", "Forward (history)", show=False, id="history_forward"),
        Binding("v", "view_source", "Raw source", show=False, id="view_source"),
        Binding("e", "edit", "Edit in $EDITOR", show=False, id="edit"),
    ]

    def __init__(
        self,
        session: ReaderSession,
        *,
        watch: bool = True,
        use_cache: bool = True,
        first_load: LoadDriver | None = None,
    ) -> None:
        """`first_load`: the first load of this folder, already started by the command (with
        its processes, and for a cached folder its first titles: `cli.open_app`)."""
        super().__init__()
        self.session = session
        self._watch_folder = watch
        self._use_cache = use_cache
        self.first_load = first_load
        """The driver of the first load, until the load worker takes it over."""
        self._open_timer: Timer | None = None
        self._read_timer: Timer | None = None
        self._last_key = 0.0  # time.monotonic() of the last key pressed
        self._wanted_id: str | None = None
        self._browse_cursor_id: str | None = None
        self._clicked_link: str | None = None
        self._match_status = ""
        self._search_origin: Widget | None = None  # where `/` was pressed: `escape` goes back
        self._source_of: str | None = None  # the article whose raw file the reader shows
        self._anchor: tuple[str, str] | None = None  # a followed link's article and `#anchor`
        self._loaded_stamps: dict[str, Stamp | None] = {}  # the last load's (`LoadDone`)
        self.sharing = Sharing(self, session.config.clipboard, self.deliver)

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        name = self.session.display_name
        with Horizontal(id="top"):
            yield Static(Content(f"tuireader · loading {name}…"), id="status")
            yield ProgressBar(id="progress", show_eta=False)
        yield SearchBar(self.session, id="search")
        with Horizontal(id="main"):
            yield ArticleList(id="sidebar")
            with Vertical(id="reader-pane"):
                yield ArticleView(id="reader")
                yield Input(placeholder=FIND_PLACEHOLDER, id="find", select_on_focus=False)
                yield Static(Content(""), id="reader-status")
            yield OptionList(id="toc")
        yield KeyHints()

    def on_mount(self) -> None:
        session = self.session
        notices: list[str] = []
        if session.single is not None and session.single.is_stdin:
            # Nothing from stdin is remembered: it has no file for the state to be about.
            session.state = StateStore().in_memory(session.corpus_root)
        else:
            session.state, notices = StateStore().open(session.corpus_root)
        session.remembered_id = session.state.selected_id
        for notice in notices:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        app = self.app
        if isinstance(app, ReaderApp):
            app.apply_theme(session.state.theme or session.config.theme)
        sidebar = self.query_one(ArticleList)
        sidebar.marks = self.session.marks
        sidebar.empty_message = "Loading…"
        if session.state.sidebar_width is not None:
            self._set_sidebar_width(session.state.sidebar_width)
        reader = self.query_one(ArticleView)
        # A file named on the command line is what the user came to read: its keys (scroll,
        # ←/→ on code, c) work at once; Tab still reaches the sidebar.
        named = session.open_path is not None or session.single is not None
        (reader if named else sidebar).focus()
        reader.clear("Loading the folder…")
        self._start_load()

    def on_unmount(self) -> None:
        self.close()

    def close(self) -> None:
        """Stop the watcher, and the processes started for a load that never began."""
        self.session.stop_watching.set()
        if self.first_load is not None:  # the app ended before it loaded
            self.first_load.close()
            self.first_load = None

    def deliver(self, callback: Callable[[], None]) -> None:
        """From a worker thread: run `callback` on the event loop, unless the app is ending.

        Textual clears `is_running` first when it shuts down, then removes the widgets; a
        worker's result arriving in between would otherwise find no widgets.
        """

        def guarded() -> None:
            if self.app.is_running and self.is_attached:
                callback()

        self.app.call_from_thread(guarded)

    def note_key(self) -> None:
        """A key was pressed (the app calls this for every key)."""
        self._last_key = time.monotonic()

    def remember_position(self) -> None:
        """Keep where the reader is in the open article."""
        if not self.is_attached or not self.query(ArticleView):
            return
        reader = self.query_one(ArticleView)
        state = self.session.state
        if state is not None and reader.article is not None:
            state.set_position(reader.article.id, reader.first_visible_source_line())

    # ---------------------------------------------------------------- loading

    def _start_load(self) -> None:
        """Begin a (re)load: the first one with the driver the command started, if any."""
        first_load, self.first_load = self.first_load, None
        single = self.session.single
        driver: LoadDriver | SingleDriver = (
            SingleDriver(single)
            if single is not None
            else first_load or LoadDriver(self.session.corpus_root, use_cache=self._use_cache)
        )
        self.session.start_loading(driver.loaded)
        # A cached folder's first titles, read while the app was set up: listed now, so that
        # the first frame has them (the load worker's message came 0.05-0.15 s later).
        first = driver.first_titles(FIRST_TITLES_WAIT) if isinstance(driver, LoadDriver) else None
        self._load(driver)
        if isinstance(first, LoadProgress):
            self._progress(Progressed(first))
        elif isinstance(first, LoadDone):
            self._loaded(Loaded(first, self._listing(first.library)))

    @work(thread=True, exclusive=True, group="load", description="loading")
    def _load(self, driver: LoadDriver | SingleDriver) -> None:
        """Consume the load driver's events: titles after the first batch, the sidebar's full
        list made here (off the event loop), then the index."""
        worker = get_current_worker()
        stopped = lambda: worker.is_cancelled  # noqa: E731
        for event in driver.events(stopped, pause=lambda: self._after_typing(worker)):
            if isinstance(event, LoadProgress):
                self.post_message(Progressed(event))
            elif isinstance(event, LoadDone):
                # Building 100k rows on the event loop would stall it.
                self.post_message(Loaded(event, self._listing(event.library)))
            else:
                self.post_message(Indexed(event))

    def _after_typing(self, worker: Worker[None]) -> bool:
        """For background work that takes the GIL in steps: wait until no key has been pressed
        for IDLE_AFTER_KEY seconds, then say whether `worker` was cancelled.

        Decoding a cached index's texts beside the first searches typed made their results late.
        """
        while not worker.is_cancelled:
            quiet = time.monotonic() - self._last_key
            if quiet >= IDLE_AFTER_KEY:
                return False
            time.sleep(IDLE_AFTER_KEY - quiet)
        return True

    def _listing(self, library: Library) -> Listing:
        rows = [Row(a) for a in self.session.ordered(library)]
        return self.session.listing_key(), rows

    @on(Progressed)
    def _progress(self, message: Progressed) -> None:
        """Move the progress bar; with `partial`, also list the titles loaded so far."""
        event = message.event
        if event.drawn is not None:
            self.call_after_refresh(event.drawn.set)
        session = self.session
        if session.load_result is not None:
            return  # a late batch after a finished (re)load
        progress = self.query_one("#progress", ProgressBar)
        progress.display = True
        progress.update(total=max(event.total, 1), progress=event.done)
        session.progress(event.done, event.total)
        if event.partial is not None and not session.loaded_once:
            session.library = event.partial
            self._refresh_rows(session.first_choice(event.partial))
        self._update_status()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        event, listing = message.event, message.listing
        session = self.session
        session.loaded(event.result, event.library)
        sidebar = self.query_one(ArticleList)
        keep_id = sidebar.current.id if sidebar.current else None
        if not session.loaded_once:
            # The first titles' top was opened for the reader, not chosen: unless they moved
            # down that list, the full one opens on the article remembered from last time, or
            # on its own top (the newest), not on the newest of the first files found.
            wanted = session.first_choice(event.library)
            moved = sidebar.cursor > 0 and keep_id != wanted
            keep_id = keep_id if moved else wanted
            if session.open_path is not None and wanted not in event.library.articles:
                shown = sanitize_line(session.open_path)
                self.notify(f"{shown} is not among this folder's articles", severity="warning")
        session.loaded_once = True
        self._loaded_stamps = event.stamps
        if session.search_state is not None and session.search_state.source:
            self.query_one(SearchBar).search(session.search_state.query)  # all titles now
        if listing[0] == session.listing_key() and session.search_state is None:
            sidebar.empty_message = session.empty_message()
            sidebar.set_rows(listing[1], cursor_id=keep_id)
        else:
            self._refresh_rows(keep_id)
        reader = self.query_one(ArticleView)
        if not session.articles and session.single is not None:
            reasons = "; ".join(sanitize_line(p.reason) for p in session.problems)
            reader.clear(f"Nothing to read in {session.display_name}: {reasons or 'no text'}")
        elif not session.articles:
            reader.clear("No articles in this folder.")
        elif reader.article is not None and session.library.get(reader.article.id) not in (
            None,
            reader.article,
        ):
            # A full reload changed the open article: show its fresh text where the reader was.
            self._open(reader.article.id, to_first_match=False)
        self._update_status()
        if event.result.problems:
            self.notify(
                f"{len(event.result.problems)} file(s) skipped or degraded: press P to see them",
                severity="warning",
                markup=False,
            )

    @on(Indexed)
    def _indexed(self, message: Indexed) -> None:
        session = self.session
        session.indexed(message.event.index)
        self.query_one("#progress", ProgressBar).display = False
        self.query_one(SearchBar).search()
        self._update_status()
        if (
            self._watch_folder
            and session.single is None
            and session.load_result is not None
            and not self._workers_in_group("watch")
        ):
            # Started once the index is ready: its process would take CPU from the build.
            self._watch({a.path for a in session.load_result.articles}, self._loaded_stamps)

    def _workers_in_group(self, group: str) -> list[Worker[object]]:
        return [w for w in self.workers if w.group == group and not w.is_finished]

    # --------------------------------------------------- the sidebar and status

    def _refresh_rows(self, keep_id: str | None = None, *, announce: bool = True) -> None:
        """Rebuild the sidebar (browse list or hits) after a filter, order or data change.

        Without `announce`, a browse list's new cursor row is not opened.
        """
        sidebar = self.query_one(ArticleList)
        if keep_id is None and sidebar.current is not None:
            keep_id = sidebar.current.id
        if (search := self.session.search_state) is not None:
            self._show_results(search.query, search.results, keep_id, search.source)
            return
        sidebar.empty_message = self.session.empty_message()
        rows = [Row(a) for a in self.session.ordered()]
        sidebar.set_rows(rows, cursor_id=keep_id, announce=announce)
        self._update_status()

    def _update_status(self) -> None:
        search_bar = self.query_one(SearchBar)
        summary = Content(self.session.search_summary())
        if search_bar.border_subtitle != summary:  # setting it lays out the whole screen again
            search_bar.border_subtitle = summary
        # One line of fixed size: a layout pass would redraw every widget on screen (each
        # progress tick of a load was a full repaint).
        status = Content(self.session.status_line())
        self.query_one("#status", Static).update(status, layout=False)

    def _current_article(self) -> Article | None:
        # The selection, not what the reader shows: after `G` then `y` (faster than the
        # debounce) the user means the article under the cursor.
        articles = self.session.articles
        if self._wanted_id is not None and self._wanted_id in articles:
            return articles[self._wanted_id]
        return self.query_one(ArticleView).article or self.query_one(ArticleList).current

    def _update_reader_status(self) -> None:
        if not self.is_attached or not self.query("#reader-status"):
            return  # a match count arriving while the app is being torn down
        parts = [self._match_status] if self._match_status else []
        reader = self.query_one(ArticleView)
        article = reader.article
        session = self.session
        if article is not None and article.id == self._source_of:
            parts.append(f"raw source · {self.key_of('view_source')} back to the article")
        deleted = article is not None and article.id not in session.library
        if deleted and session.load_result is not None:
            parts.append("This article was deleted from the folder (r reloads).")
        if position := reader.position_text():
            parts.append(position)
        self.query_one("#reader-status", Static).update(Content(" · ".join(parts)), layout=False)

    @on(ArticleView.Moved)
    def _reader_moved(self) -> None:
        self._update_reader_status()

    # ---------------------------------------------------------------- reading

    @on(ArticleList.Highlighted)
    def _highlighted(self, event: ArticleList.Highlighted) -> None:
        self._wanted_id = event.article_id
        session = self.session
        if session.search_state is None:
            self._browse_cursor_id = event.article_id
        if session.state is not None:
            session.state.selected_id = event.article_id
        if self._open_timer is not None:
            self._open_timer.stop()
        # While a query is typed the reader previews its top hit: a preview is not a read.
        typing = self.focused is self.query_one(SearchBar)
        self._open_timer = self.set_timer(
            TYPING_DEBOUNCE if typing else SELECT_DEBOUNCE,
            lambda: self._open(event.article_id, to_first_match=True, preview=typing),
        )

    @on(ArticleList.Selected)
    def _selected(self, event: ArticleList.Selected) -> None:
        reader = self.query_one(ArticleView)
        if reader.article is None or reader.article.id != event.article_id:
            self._open(event.article_id, to_first_match=True)
        reader.focus()

    def _open(self, article_id: str, *, to_first_match: bool, preview: bool = False) -> None:
        """Show an article; unless it is only a `preview`, a dwell on it marks it read."""
        if not self.app.is_running:
            return  # a timer that fired as the app shut down
        article = self.session.articles.get(article_id)
        if article is None:
            return
        self._wanted_id = article_id
        self._clicked_link = None
        reader = self.query_one(ArticleView)
        if reader.article is not None and reader.article.id != article_id:
            self.remember_position()
        document = self.session.document(article_id)
        if document is not None:
            self._show(article, document, to_first_match, preview)
        else:
            self._build_document(article, to_first_match, preview)

    @work(thread=True, exclusive=True, group="document", description="building a document")
    def _build_document(self, article: Article, to_first_match: bool, preview: bool) -> None:
        worker = get_current_worker()
        try:
            document = self.session.build_document(article, lambda: worker.is_cancelled)
        except BuildStopped:
            return  # another article was asked for meanwhile
        if not worker.is_cancelled:
            self.deliver(lambda: self._built(article, document, to_first_match, preview))

    def _built(
        self, article: Article, document: Document, to_first_match: bool, preview: bool
    ) -> None:
        self.session.keep_document(article.id, document)
        if article.id == self._wanted_id:
            self._show(article, document, to_first_match, preview)

    def _show(
        self, article: Article, document: Document, to_first_match: bool, preview: bool
    ) -> None:
        session = self.session
        terms = self._highlighted_terms()
        reader = self.query_one(ArticleView)
        same = reader.article is not None and reader.article.id == article.id
        line = reader.first_visible_source_line() if same else 0
        if not same and session.state is not None:
            line = session.state.position(article.id).line
        if self._anchor is not None and self._anchor[0] == article.id:
            heading = document.heading_block(self._anchor[1])
            self._anchor = None
            if heading is not None:
                line = document.blocks[heading].source_line
        reader.show(
            article,
            document,
            terms,
            to_first_match=to_first_match and bool(terms),
            source_line=line,
        )
        self._source_of = None
        self._fill_toc(document)
        if preview:
            if self._read_timer is not None:
                self._read_timer.stop()
        else:
            session.history.visit(article.id)
            self._start_read_timer(article.id)

    def _start_read_timer(self, article_id: str) -> None:
        # Read after a short dwell, so that moving past articles with j marks nothing.
        if self._read_timer is not None:
            self._read_timer.stop()
        state, config = self.session.state, self.session.config
        if state is None or not config.mark_read_on_open or state.is_read(article_id):
            return

        def mark() -> None:
            if not self.app.is_running:
                return  # the app is shutting down: its widgets are gone
            reader = self.query_one(ArticleView)
            if reader.article is not None and reader.article.id == article_id:
                state.mark_read(article_id)
                self.query_one(ArticleList).refresh_rows()
                self._update_status()

        self._read_timer = self.set_timer(config.mark_read_after_seconds, mark)

    # ------------------------------------------------------ table of contents

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
        self.app.push_screen(ProblemsScreen(self.session.problems))

    def action_help(self) -> None:
        keymap = self.session.config.keys
        groups: list[tuple[str, list[Binding]]] = [
            (title, [with_current_keys(b, keymap) for b in bindings_of(group)])
            for title, group in (
                ("Anywhere", self.BINDINGS),
                ("Tags (T)", TagScreen.BINDINGS),
                ("Sidebar", ArticleList.BINDINGS),
                ("Reader", ArticleView.BINDINGS),
                ("Link list (l)", LinkListScreen.BINDINGS),
            )
        ]
        groups.append(
            (
                "Focus",
                [
                    Binding("tab", "", "Next area (sidebar, reader, search)"),
                    Binding("shift+tab", "", "Previous area"),
                    Binding("ctrl+p", "", "Command palette"),
                ],
            )
        )
        self.app.push_screen(HelpScreen(groups))

    def key_of(self, binding_id: str) -> str:
        """The keys bound to `binding_id` now (the user may have remapped them), as shown."""
        for binding in self.all_bindings():
            if binding.id == binding_id:
                return describe_keys(with_current_keys(binding, self.session.config.keys).key)
        raise KeyError(binding_id)

    def all_bindings(self) -> list[Binding]:
        """Every binding the user can remap by id."""
        groups = (
            self.BINDINGS,
            ArticleList.BINDINGS,
            ArticleView.BINDINGS,
            LinkListScreen.BINDINGS,
        )
        return [b for group in groups for b in bindings_of(group)]

    def action_sidebar_width(self, step: int) -> None:
        sidebar = self.query_one(ArticleList)
        width = self._set_sidebar_width(sidebar.outer_size.width + step)
        if self.session.state is not None:
            self.session.state.sidebar_width = width

    def _set_sidebar_width(self, width: int) -> int:
        """Give the sidebar `width` cells, within what leaves the reader room; return it."""
        width = max(SIDEBAR_MIN, min(width, max(SIDEBAR_MIN, self.app.size.width - READER_MIN)))
        sidebar = self.query_one(ArticleList)
        sidebar.styles.min_width = SIDEBAR_MIN
        sidebar.styles.max_width = None
        sidebar.styles.width = width
        return width

    def action_next_article(self, step: int) -> None:
        """The next (or previous) article of the sidebar, without leaving the reader."""
        sidebar = self.query_one(ArticleList)
        position = sidebar.cursor + step
        if 0 <= position < len(sidebar.rows):
            sidebar.cursor = position
        else:
            self.notify("No more articles this way.", markup=False, timeout=2)

    def action_history_back(self) -> None:
        self._go_to(self.session.history.back(), "No earlier article in the history.")

    def action_history_forward(self) -> None:
        self._go_to(self.session.history.forward(), "No later article in the history.")

    def _go_to(self, article_id: str | None, nothing: str) -> None:
        if article_id is None or article_id not in self.session.articles:
            self.notify(nothing, markup=False, timeout=2)
            return
        sidebar = self.query_one(ArticleList)
        row = next((i for i, r in enumerate(sidebar.rows) if r.article.id == article_id), None)
        if row is not None:
            sidebar.cursor = row  # which opens it
        else:
            self._open(article_id, to_first_match=False)  # not in this filter or search

    def action_view_source(self) -> None:
        reader = self.query_one(ArticleView)
        article = reader.article
        if article is None:
            return
        if article.id == self._source_of:
            self._open(article.id, to_first_match=False)  # back to the rendered article
        else:
            self._read_source(article)

    @work(thread=True, exclusive=True, group="document", description="reading the source")
    def _read_source(self, article: Article) -> None:
        try:
            text = decode_bytes((self.session.corpus_root / article.path).read_bytes()).text
        except OSError as error:
            reason = f"Could not read {sanitize_line(article.path)}: {error.strerror or error}"
            self.deliver(lambda: self.notify(reason, severity="warning", markup=False))
            return
        document = source_document(text)
        if not get_current_worker().is_cancelled:
            self.deliver(lambda: self._show_source(article, document))

    def _show_source(self, article: Article, document: Document) -> None:
        reader = self.query_one(ArticleView)
        if reader.article is None or reader.article.id != article.id:
            return  # the reader moved on meanwhile
        reader.show(article, document, source_line=article.line)
        self._source_of = article.id
        self._fill_toc(document)
        self._update_reader_status()

    def action_edit(self) -> None:
        article = self._current_article()
        if article is None:
            return
        command = editor_command(self.session.corpus_root / article.path)
        if command is None:
            self.notify("Set $EDITOR (or $VISUAL) to edit articles.", markup=False)
            return
        # The folder watcher shows what the editor saved; the file is never written here.
        error = run_in_terminal(self.app, command)
        if error is not None:
            self.notify(error, severity="warning", markup=False)

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(ArticleList)
        sidebar.display = not sidebar.display
        if not sidebar.display and self.focused is sidebar:
            self.query_one(ArticleView).focus()

    # -------------------------------------------------------------- searching

    def action_focus_search(self) -> None:
        if self.app.screen is not self:
            return  # a dialog is open
        search = self.query_one(SearchBar)
        if self.focused is search:
            search.insert_text_at_cursor("/")  # the binding has priority: "/" types itself here
            return
        if self.focused is not None:
            self._search_origin = self.focused
        self.set_focus(search)  # now, not on the next tick as `focus()` does
        search.select_all()  # typing replaces the previous query

    @on(SearchBar.Found)
    def _found(self, event: SearchBar.Found) -> None:
        current = self.query_one(ArticleList).current
        keep_id = current.id if event.whole_list and current is not None else None
        self._show_results(event.query, event.results, keep_id, event.source)

    @on(SearchBar.Emptied)
    def _emptied(self, event: SearchBar.Emptied) -> None:
        self._clear_search(keep_focus=True)

    def _show_results(
        self, query: str, results: SearchResults, keep_id: str | None = None, source: str = ""
    ) -> None:
        # A slower, older search must never overwrite the results of what is typed now.
        if query != self.query_one(SearchBar).value:
            return
        terms = parse_query(query).highlight_terms
        self.session.search_state = SearchState(query, results, terms, source)
        rows = [
            Row(article, hit.snippet, hit.snippet_spans, hit.title_spans)
            for article, hit in self.session.visible_hits(results)
        ]
        sidebar = self.query_one(ArticleList)
        sidebar.empty_message = "No matches."
        sidebar.set_rows(rows, hits=True, cursor_id=keep_id)
        if not rows and not self._finding():
            self.query_one(ArticleView).set_terms(terms)
        # The hit count (the search bar's border) and the status line span the screen: drawn
        # in the same frame as the sidebar, Textual would redraw every line the two enclose,
        # the reader's too (a slow frame at each key typed).
        self.call_after_refresh(self._update_status)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        sidebar = self.query_one(ArticleList)
        session = self.session
        if session.search_state is None or session.search_state.query != event.value:
            # Enter right after typing: search now, synchronously, then open the top hit.
            found = self.query_one(SearchBar).search_now(event.value)
            if found is not None:
                self._show_results(event.value, found)
        if article := sidebar.current:
            if self._open_timer is not None:
                self._open_timer.stop()  # its preview must not follow the real opening
            self._open(article.id, to_first_match=True)
            self.query_one(ArticleView).focus()

    def _clear_search(self, *, keep_focus: bool = False) -> None:
        if self.session.search_state is None:
            return
        self.session.search_state = None
        self._refresh_rows(self._browse_cursor_id)
        self.query_one(ArticleView).set_terms(self._highlighted_terms())
        if not keep_focus:
            self._leave_search()

    def _leave_search(self) -> None:
        """Focus where the search was started from (the reader, the sidebar)."""
        origin, self._search_origin = self._search_origin, None
        if origin is not None and origin.is_attached and origin.display:
            origin.focus()
        else:
            self.query_one(ArticleList).focus()

    def action_escape(self) -> None:
        search = self.query_one(SearchBar)
        toc = self.query_one("#toc", OptionList)
        if toc.display and self.focused is toc:
            self.action_toggle_toc()
        elif self._finding():
            self._close_find()
        elif search.value or self.session.search_state is not None:
            search.value = ""
            self._clear_search()
        elif self.focused is search:
            self._leave_search()
        elif self.focused is not self.query_one(ArticleList):
            self.query_one(ArticleList).focus()

    # ----------------------------------------------------- find in this article

    def _finding(self) -> bool:
        return bool(self.query_one("#find", Input).display)

    def _highlighted_terms(self) -> tuple[str, ...]:
        """What the reader highlights: the find bar's text while it is open, else the search's."""
        if self._finding():
            found = self.query_one("#find", Input).value.strip()
            return (found,) if found else ()
        search = self.session.search_state
        return search.terms if search is not None else ()

    def action_find(self) -> None:
        if self.app.screen is not self or self.query_one(ArticleView).article is None:
            return
        find = self.query_one("#find", Input)
        find.display = True
        self.set_focus(find)
        find.select_all()  # typing replaces the last word looked for
        self.query_one(ArticleView).set_terms(self._highlighted_terms())

    @on(Input.Changed, "#find")
    def _find_changed(self, event: Input.Changed) -> None:
        # The same folding as search (`find_spans`): 網絡 finds 网络, Ａ finds a.
        self.query_one(ArticleView).set_terms(self._highlighted_terms())

    @on(Input.Submitted, "#find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        reader = self.query_one(ArticleView)
        reader.focus()
        reader.first_match()

    def _close_find(self) -> None:
        find = self.query_one("#find", Input)
        find.display = False
        reader = self.query_one(ArticleView)
        reader.set_terms(self._highlighted_terms())  # back to the search's, if any
        reader.focus()

    def action_next_match(self) -> None:
        self.query_one(ArticleView).next_match(1)

    def action_previous_match(self) -> None:
        self.query_one(ArticleView).next_match(-1)

    @on(ArticleView.MatchChanged)
    def _match_changed(self, event: ArticleView.MatchChanged) -> None:
        self._match_status = ""
        if event.total:
            position = f"{event.index + 1}/{event.total}" if event.index >= 0 else f"{event.total}"
            self._match_status = f"match {position} (n/N)"
        self._update_reader_status()

    # ---------------------------------------------------- links and clipboard

    def _article_link(self, article: Article) -> LinkTarget | None:
        """What `y` copies and `o` opens for `article`; None (said) for stdin with no link."""
        target = article_link(article, self.session.corpus_root)
        single = self.session.single
        if target.origin == "file" and single is not None and single.is_stdin:
            self.notify("This article came from stdin: it has no file to link to", timeout=3)
            return None
        return target

    def action_copy_link(self) -> None:
        if (article := self._current_article()) and (target := self._article_link(article)):
            what = "source URL"
            if target.origin != "source":
                # Said, so that nobody takes the file for the web page: the links are a key away.
                links = f"; {self.key_of('links')} lists its links" if article.links else ""
                what = f"file (no source URL{links})"
            self.sharing.copy(target.url, what)

    def action_copy_markdown(self) -> None:
        if (article := self._current_article()) and (target := self._article_link(article)):
            what = "[title](source)" if target.origin == "source" else "[title](file)"
            self.sharing.copy(markdown_link(article.title, target.url), what)

    def action_open_link(self) -> None:
        article = self._current_article()
        if self._clicked_link:
            self._follow(self._clicked_link)
        elif article is not None and (target := self._article_link(article)):
            self.sharing.open_url(target.url)

    def _follow(self, url: str, origin: Article | None = None) -> None:
        """Open a link of `origin` (by default the article shown): a heading of it (`#install`),
        another article of this folder (a docs tree's `../setup.md`) in the reader, anything
        else in the browser."""
        reader = self.query_one(ArticleView)
        origin = origin or reader.article
        destination = self.session.destination(url, origin) if origin is not None else None
        if destination is None:
            self.sharing.open_url(url)
            return
        article, anchor = destination.article, destination.anchor
        if reader.article is not None and reader.article.id == article.id:
            if anchor and reader.document is not None:
                self._scroll_to_anchor(reader.document, anchor)
            return
        self._anchor = (article.id, anchor) if anchor else None
        self._go_to(article.id, "")
        reader.focus()

    def _scroll_to_anchor(self, document: Document, anchor: str) -> None:
        index = document.heading_block(anchor)
        if index is None:
            self.notify(f"No heading #{sanitize_line(anchor)} here.", markup=False, timeout=3)
        else:
            self.query_one(ArticleView).scroll_to_block(index)

    @on(ArticleView.LinkClicked)
    def _link_clicked(self, event: ArticleView.LinkClicked) -> None:
        if event.url.startswith("#"):
            # A link to a heading of this article (a docs page's table of contents): go there.
            self._follow(event.url)
            return
        self._clicked_link = event.url
        self.sharing.copy(event.url, "link (clicked; o opens it)")

    def _article_links(self, article: Article) -> tuple[Link, ...]:
        """The links of `article`: those numbered on screen once the reader shows it."""
        reader = self.query_one(ArticleView)
        if reader.article is article and reader.document is not None:
            return tuple(reader.document.links)
        return article.links

    def action_links(self) -> None:
        article = self._current_article()
        if article is None:
            return
        links = self._article_links(article)
        if not links:
            self.notify("This article has no links.", markup=False)
            return

        def chosen(action: LinkAction | None) -> None:
            if action is None:
                return
            if action.action == "copy":
                self.sharing.copy(action.link.url, "link")
            elif action.action == "copy_markdown":
                self.sharing.copy(markdown_link(action.link.text, action.link.url), "[text](link)")
            else:
                self._follow(action.link.url, article)

        reader = self.query_one(ArticleView)
        document = reader.document if reader.article is article else None
        here = self.session.destinations(article, links, document)
        self.app.push_screen(LinkListScreen(article.title, links, here), chosen)

    def action_copy_code(self) -> None:
        """`c`: the code block nearest the top of the reader, byte for byte."""
        reader = self.query_one(ArticleView)
        if reader.article is None:
            return
        code = reader.code_near_top()
        if code is None:
            self.notify("No code block on screen.", timeout=3, markup=False)
            return
        self.sharing.copy(code, "code block")

    def action_footnote(self) -> None:
        reader = self.query_one(ArticleView)
        if reader.article is None:
            return
        if not reader.footnote_jump():
            self.notify("No footnote reference on screen.", timeout=3, markup=False)

    # ------------------------------------------------------- marks and filters

    def action_toggle_read(self) -> None:
        article = self._current_article()
        state = self.session.state
        if article is None or state is None:
            return
        if self._read_timer is not None:
            self._read_timer.stop()  # the user decides now; the dwell must not undo it
        read = state.toggle_read(article.id)
        self.notify(f"Marked {'read' if read else 'unread'}", markup=False, timeout=2)
        self._after_state_change()

    def action_mark_all_read(self) -> None:
        state = self.session.state
        ids = [row.article.id for row in self.query_one(ArticleList).rows]
        if state is None or not ids:
            return
        unread = [article_id for article_id in ids if not state.is_read(article_id)]
        if not unread:
            self.notify("Every article listed is read already.", markup=False, timeout=3)
            return
        listed = "search hit" if self.session.search_state is not None else "listed article"
        question = f"Mark {len(unread):,} unread {listed}{'s' if len(unread) > 1 else ''} read?"

        def answered(yes: bool | None) -> None:
            if yes:
                count = state.mark_all_read(unread)
                self.notify(f"Marked {count:,} read", markup=False, timeout=2)
                self._after_state_change()

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_next_unread(self) -> None:
        state = self.session.state
        if state is None:
            return
        sidebar = self.query_one(ArticleList)
        rows = sidebar.rows
        for step in range(1, len(rows) + 1):
            position = (sidebar.cursor + step) % len(rows)
            if not state.is_read(rows[position].article.id):
                sidebar.cursor = position
                return
        self.notify("No unread articles here.", markup=False, timeout=3)

    def action_toggle_bookmark(self) -> None:
        article = self._current_article()
        state = self.session.state
        if article is None or state is None:
            return
        marked = state.toggle_bookmark(article.id)
        self.notify("Bookmarked ★" if marked else "Bookmark removed", markup=False, timeout=2)
        self._after_state_change()

    def _after_state_change(self) -> None:
        # Filtered views follow at once (an article read under "unread" leaves the list).
        state = self.session.state
        if state is not None and state.filter != "all":
            self._refresh_rows()
        else:
            self.query_one(ArticleList).refresh_rows()
        self._update_status()

    def action_cycle_filter(self) -> None:
        state = self.session.state
        if state is None:
            return
        state.filter = FILTERS[(FILTERS.index(state.filter) + 1) % len(FILTERS)]
        self.notify(f"Showing {state.filter} articles", markup=False, timeout=2)
        self._refresh_rows()

    def action_choose_tag(self) -> None:
        tags = self.session.library.tags()
        state = self.session.state
        if not tags:
            self.notify("No article in this folder has tags.", markup=False)
            return

        def chosen(tag: str | None) -> None:
            if tag is None or state is None:
                return
            state.tag = None if tag == ALL_TAGS else tag
            self._refresh_rows()

        self.app.push_screen(TagScreen(tags, state.tag if state else None), chosen)

    def action_toggle_order(self) -> None:
        state = self.session.state
        if state is None:
            return
        state.order = SORT_ORDERS[(SORT_ORDERS.index(state.order) + 1) % len(SORT_ORDERS)]
        self.notify(f"Sorted by {state.order}", markup=False, timeout=2)
        self._refresh_rows()

    # ------------------------------------------------------ following the folder

    def action_reload(self) -> None:
        what = "the folder" if self.session.single is None else self.session.display_name
        self.notify(f"Reloading {what}…", markup=False, timeout=2)
        self.session.forget_documents()
        self.session.load_result = None
        self._start_load()

    @work(thread=True, exclusive=True, group="watch", description="watching the folder")
    def _watch(self, known: set[str], loaded: dict[str, Stamp | None]) -> None:
        """Follow the folder's changes to the files `known` (and new ones), from the load's
        view of them (`loaded`, their stamps) on."""
        session = self.session
        stop = _StopWhenClosed(self)
        try:
            for batch in watch_changes(
                session.corpus_root,
                stop,
                known=known,
                ready=session.watching,
                loaded_stamps=loaded,
            ):
                self._reload_batch(batch)
        except (OSError, RuntimeError) as error:
            reason = f"Stopped watching the folder: {error}"
            self.deliver(lambda: self.notify(reason, severity="warning", markup=False))

    def _reload_batch(self, batch: ChangeBatch) -> None:
        """In the watch thread: parse what changed, then hand it to the UI thread in one go."""
        root = self.session.corpus_root
        changes: list[FileChange] = []
        for raw in sorted(batch.added | batch.modified):
            articles, problems = load_file(root, raw)
            changes.append((display_path(raw), articles, problems))
        for raw in sorted(batch.deleted):
            changes.append((display_path(raw), [], []))
        if changes:
            self.deliver(lambda: self._apply_changes(changes))

    def _apply_changes(self, changes: list[FileChange]) -> None:
        session = self.session
        reader = self.query_one(ArticleView)
        open_id = reader.article.id if reader.article else None
        changed_paths = session.apply_changes(changes)
        if session.search_state is not None and session.index is not None:
            self.query_one(SearchBar).search(session.search_state.query)
        # A deleted open article stays on screen, marked deleted, until the reader moves on: the
        # cursor's new row is not opened in its place.
        self._refresh_rows(announce=open_id is None or open_id in session.library)
        if open_id is not None:
            if open_id in session.library:
                if reader.article is not None and reader.article.path in changed_paths:
                    self._open(open_id, to_first_match=False)
            else:
                self._update_reader_status()
        self._update_status()


def bindings_of(group: Iterable[BindingType]) -> list[Binding]:
    return [b for b in group if isinstance(b, Binding)]


def with_current_keys(binding: Binding, keymap: Mapping[str, str]) -> Binding:
    """`binding` with the keys the user's keymap gives its id, if any."""
    if binding.id is not None and binding.id in keymap:
        return dataclasses.replace(binding, key=keymap[binding.id])
    return binding


class _StopWhenClosed:
    """Stops the watcher once the app begins to shut down (before it waits for its workers)."""

    def __init__(self, screen: MainScreen) -> None:
        self._screen = screen

    def is_set(self) -> bool:
        return self._screen.session.stop_watching.is_set() or not self._screen.app.is_running
