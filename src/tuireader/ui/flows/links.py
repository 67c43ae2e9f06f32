"""Links and the clipboard: copying (OSC 52 and the native clipboard), opening, the link list."""

from __future__ import annotations

from textual import on, work

from tuireader.model.text import sanitize_line
from tuireader.system.browser import open_in_browser
from tuireader.system.clipboard import article_link, copy_native, markdown_link
from tuireader.ui.flows.base import ReaderBase, _while_running
from tuireader.ui.screens.links import LinkAction, LinkListScreen
from tuireader.ui.widgets.article_view import ArticleView


class LinkFlow(ReaderBase):
    """Copies and opens links."""

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

    @work(thread=True, group="clipboard", description="copying to the clipboard")
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

    @work(thread=True, group="browser", description="opening a link")
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
