"""Opening articles: the sidebar's cursor, building documents off the event loop, marking read."""

from __future__ import annotations

from textual import on, work
from textual.widgets import Input
from textual.worker import get_current_worker

from tuireader.model.articles import Article
from tuireader.render.document import Document, build_document
from tuireader.ui.flows.base import ReaderBase, _while_running
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.article_view import ArticleView

SELECT_DEBOUNCE = 0.08  # holding j must not queue a render per row
TYPING_DEBOUNCE = 0.15
"""While a query is typed, its top hit opens once typing pauses this long: opened after every
key, the reader's layout made the next key wait (at 100k articles, 20-40 ms a key)."""


class ReadingFlow(ReaderBase):
    """Opens the highlighted article, building its document on a worker thread."""

    @on(ArticleList.Highlighted)
    def _highlighted(self, event: ArticleList.Highlighted) -> None:
        self._wanted_id = event.article_id
        if self.search_state is None:
            self._browse_cursor_id = event.article_id
        if self.state is not None:
            self.state.selected_id = event.article_id
        if self._open_timer is not None:
            self._open_timer.stop()
        typing = self.focused is self.query_one("#search", Input)
        self._open_timer = self.set_timer(
            TYPING_DEBOUNCE if typing else SELECT_DEBOUNCE,
            lambda: self._open(event.article_id, to_first_match=True),
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

    @work(thread=True, exclusive=True, group="document", description="building a document")
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
