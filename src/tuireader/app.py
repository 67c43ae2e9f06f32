"""The Textual app: the screen is the coordinator.

Widgets post what the user wants (an article highlighted, a link clicked); the app calls the pure
core (loading, search, document building, clipboard) and pushes results back down. Slow work
(loading, indexing, searching, building a document, the native clipboard, the browser) runs in
thread workers so the event loop never waits on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tuireader.articles import Article
from tuireader.browser import open_in_browser
from tuireader.clipboard import article_link, copy_native, markdown_link
from tuireader.corpus import LoadResult, load_corpus
from tuireader.document import Document, build_document
from tuireader.query import parse_query
from tuireader.screens.help import HelpScreen
from tuireader.screens.links import LinkAction, LinkListScreen
from tuireader.search import SearchIndex, SearchResults
from tuireader.text import sanitize_line
from tuireader.widgets.article_list import ArticleList, Row
from tuireader.widgets.article_view import ArticleView

SELECT_DEBOUNCE = 0.08  # holding j must not queue a render per row
SEARCH_DEBOUNCE = 0.12
SEARCH_PLACEHOLDER = '/ search — 模型 发布  "a phrase"  -exclude  title:  tag:  after:2025-09-01'
SIDEBAR_HITS = 500  # hits listed in the sidebar; the total is shown separately


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Articles sorted newest first by the date as written; undated ones last, by title."""
    dated = [a for a in articles if a.date is not None]
    undated = [a for a in articles if a.date is None]
    dated.sort(key=lambda a: (a.date.replace(tzinfo=None), a.title) if a.date else ((), ""))
    dated.reverse()
    undated.sort(key=lambda a: (a.title, a.path, a.line))
    return dated + undated


@dataclass
class SearchState:
    """The search the sidebar shows, if any."""

    query: str
    results: SearchResults
    terms: tuple[str, ...]


class TuiReaderApp(App[None]):
    """Sidebar of articles, reading pane, search bar."""

    CSS_PATH = "tuireader.tcss"
    TITLE = "tuireader"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("n", "next_match", "Next match", id="next_match"),
        Binding("N", "previous_match", "Prev match", show=False, id="previous_match"),
        Binding("l", "links", "Links", id="links"),
        Binding("y", "copy_link", "Copy link", id="copy_link"),
        Binding("Y", "copy_markdown", "Copy [title](url)", show=False, id="copy_markdown"),
        Binding("o", "open_link", "Open", id="open_link"),
        Binding("t", "toggle_toc", "Contents", id="toc"),
        Binding("s", "toggle_sidebar", "Sidebar", show=False, id="toggle_sidebar"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("escape", "escape", "Back", show=False, id="escape"),
    ]

    def __init__(self, corpus_root: Path) -> None:
        super().__init__()
        self.corpus_root = corpus_root
        self.articles: dict[str, Article] = {}
        self.ordered: list[Article] = []
        self.index: SearchIndex | None = None
        self.load_result: LoadResult | None = None
        self.search_state: SearchState | None = None
        self._documents: dict[str, Document] = {}
        self._open_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._wanted_id: str | None = None
        self._browse_cursor_id: str | None = None
        self._clicked_link: str | None = None
        self._forward_to_search = False
        self._forwarded_any = False

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Static(Content(f"tuireader · loading {self.corpus_root.name}…"), id="status")
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

    def on_mount(self) -> None:
        sidebar = self.query_one(ArticleList)
        sidebar.empty_message = "Loading…"
        sidebar.focus()
        self.query_one(ArticleView).clear("Loading the folder…")
        self._load()

    # ---------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        result = load_corpus(self.corpus_root)
        self.call_from_thread(self._loaded, result)
        index = SearchIndex.build(result.articles)
        self.call_from_thread(self._indexed, index)

    def _loaded(self, result: LoadResult) -> None:
        self.load_result = result
        self.articles = {a.id: a for a in result.articles}
        self.ordered = newest_first(result.articles)
        sidebar = self.query_one(ArticleList)
        sidebar.empty_message = "No articles in this folder."
        sidebar.set_rows([Row(a) for a in self.ordered])
        if not self.ordered:
            self.query_one(ArticleView).clear("No articles in this folder.")
        self._update_status()
        if result.problems:
            self.notify(
                f"{len(result.problems)} file(s) skipped or degraded: "
                "`tuireader list --problems` lists them",
                severity="warning",
                markup=False,
            )

    def _indexed(self, index: SearchIndex) -> None:
        self.index = index
        query = self.query_one("#search", Input).value
        if query.strip():
            self._run_search(query)
        self._update_status()

    def _update_status(self) -> None:
        parts = [f"tuireader · {sanitize_line(self.corpus_root.resolve().name)}"]
        if self.load_result is not None:
            parts.append(f"{len(self.ordered)} articles")
        if self.load_result is not None and self.index is None:
            parts.append("indexing…")
        if self.search_state is not None:
            results = self.search_state.results
            about = "≈" if results.estimated else ""
            shown = len(results.hits)
            count = f"{about}{results.total} {'hit' if results.total == 1 else 'hits'}"
            if shown < results.total:
                count += f" (showing {shown})"
            parts.append(count)
        self.query_one("#status", Static).update(Content(" · ".join(parts)))

    # ---------------------------------------------------------- opening articles

    @on(ArticleList.Highlighted)
    def _highlighted(self, event: ArticleList.Highlighted) -> None:
        self._wanted_id = event.article_id
        if self.search_state is None:
            self._browse_cursor_id = event.article_id
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

    def _open(self, article_id: str, *, to_first_match: bool) -> None:
        article = self.articles.get(article_id)
        if article is None:
            return
        self._wanted_id = article_id
        self._clicked_link = None
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

    def _built(self, article: Article, document: Document, to_first_match: bool) -> None:
        if len(self._documents) > 64:
            self._documents.clear()
        self._documents[article.id] = document
        if article.id == self._wanted_id:
            self._show(article, document, to_first_match)

    def _show(self, article: Article, document: Document, to_first_match: bool) -> None:
        terms = self.search_state.terms if self.search_state else ()
        self.query_one(ArticleView).show(
            article, document, terms, to_first_match=to_first_match and bool(terms)
        )
        self._fill_toc(document)

    # ----------------------------------------------------------------- search

    def action_focus_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is not search:
            # Focus moves on the next tick; keys typed in the same burst as "/" (a fast typist,
            # a paste, tmux send-keys) still reach the old widget and must be passed on.
            self._forward_to_search = True
            self._forwarded_any = False
            search.focus()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#search", Input)
        if not self._forward_to_search or self.focused is search:
            self._forward_to_search = False
            return
        if event.is_printable and event.character:
            if not self._forwarded_any:
                search.value = ""  # typing after "/" replaces the old query, as on focus
                self._forwarded_any = True
            search.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "search":
            search = self.query_one("#search", Input)
            if not (self._forward_to_search and self._forwarded_any):
                search.select_all()  # so that typing replaces the previous query
            self._forward_to_search = False

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        if not event.value.strip():
            self._clear_search(keep_focus=True)
            return
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self._run_search(event.value))

    def _run_search(self, query: str) -> None:
        if self.index is None:
            self.query_one("#status", Static).update(
                Content("Still indexing… search will run then")
            )
            return
        self._search(self.index, query)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, index: SearchIndex, query: str) -> None:
        results = index.search(query, limit=SIDEBAR_HITS)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_results, query, results)

    def _show_results(self, query: str, results: SearchResults) -> None:
        # A slower, older search must never overwrite the results of what is typed now.
        if query != self.query_one("#search", Input).value:
            return
        terms = parse_query(query).highlight_terms
        self.search_state = SearchState(query, results, terms)
        rows = [
            Row(self.articles[hit.id], hit.snippet, hit.snippet_spans, hit.title_spans)
            for hit in results.hits
            if hit.id in self.articles
        ]
        sidebar = self.query_one(ArticleList)
        sidebar.empty_message = "No matches."
        sidebar.set_rows(rows, hits=True)
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
        sidebar.empty_message = "No articles in this folder."
        sidebar.set_rows([Row(a) for a in self.ordered], cursor_id=self._browse_cursor_id)
        self.query_one(ArticleView).set_terms(())
        self._update_status()
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
        status = ""
        if event.total:
            position = f"{event.index + 1}/{event.total}" if event.index >= 0 else f"{event.total}"
            status = f"match {position} · n next · N previous"
        self.query_one("#reader-status", Static).update(Content(status))

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
        self.copy_to_clipboard(text)
        self._copy_native(text, what)

    @work(thread=True, group="clipboard")
    def _copy_native(self, text: str, what: str) -> None:
        error = copy_native(text)
        self.call_from_thread(self._report_copy, text, what, error)

    def _report_copy(self, text: str, what: str, native_error: str | None) -> None:
        how = "terminal (OSC 52)" + (" and system clipboard" if native_error is None else "")
        message = f"{sanitize_line(text)}\nvia {how}"
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

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(ArticleList)
        sidebar.display = not sidebar.display
        if not sidebar.display and self.focused is sidebar:
            self.query_one(ArticleView).focus()

    def action_help(self) -> None:
        groups: list[tuple[str, list[Binding]]] = [
            ("Anywhere", [b for b in self.BINDINGS if isinstance(b, Binding)]),
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
