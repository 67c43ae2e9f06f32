"""Following the folder: reloading it, and applying changed, added and deleted files."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from textual import work
from textual.app import App

from tuireader.corpus.parse import LoadResult, load_file
from tuireader.corpus.walk import display_path
from tuireader.corpus.watch import ChangeBatch, watch_changes
from tuireader.model.articles import Article, Problem
from tuireader.ui.flows.base import ReaderBase, _while_running
from tuireader.ui.widgets.article_view import ArticleView


class LiveReloadFlow(ReaderBase):
    """Keeps the loaded articles in step with the folder."""

    def action_reload(self) -> None:
        self.notify("Reloading the folder…", markup=False, timeout=2)
        self._documents.clear()
        self.load_result = None
        self._load()

    @work(thread=True, exclusive=True, group="watch", description="watching the folder")
    def _watch(self, loaded: LoadResult) -> None:
        """Follow the folder's changes to the files of `loaded` (and new ones)."""
        try:
            known = set(result_paths(loaded))  # here: 50 ms at 100k articles
            stop = _StopWhenClosed(self, self._stop_watching)
            for batch in watch_changes(self.corpus_root, stop, known=known, ready=self.watching):
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
        # A deleted open article stays on screen, marked deleted, until the reader moves on: the
        # cursor's new row is not opened in its place.
        self._refresh_rows(announce=open_id is None or open_id in self.library)
        if open_id is not None:
            if open_id in self.library:
                if reader.article is not None and reader.article.path in changed_paths:
                    self._open(open_id, to_first_match=False)
            else:
                self._update_reader_status()
        self._update_status()


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
