"""Read and bookmarked marks, the sidebar's filter, tag and order."""

from __future__ import annotations

from tuireader.model.library import FILTERS
from tuireader.ui.flows.base import ReaderBase
from tuireader.ui.screens.tags import ALL_TAGS, TagScreen
from tuireader.ui.widgets.article_list import ArticleList


class MarkFlow(ReaderBase):
    """Marks articles read or bookmarked, and filters and orders the sidebar."""

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
