"""The Textual app: the shell around the main screen.

It owns what outlives a screen: the session's reading state (opened on start, saved every
second and on the way out), the user's keymap and theme, and the command palette. The main
screen (`main_screen`) is the coordinator of everything the user sees.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import Screen

from tuireader.session.loading import LoadDriver, SingleSource
from tuireader.session.reader import ReaderSession
from tuireader.store.config import Config, unknown_key_bindings
from tuireader.store.state import FolderState
from tuireader.ui.main_screen import MainScreen

MESSAGES_KEPT = 100


class TuiReaderApp(App[None]):
    """Sidebar of articles, reading pane, search bar."""

    CSS_PATH = "tuireader.tcss"
    TITLE = "tuireader"

    def __init__(
        self,
        corpus_root: Path,
        *,
        config: Config | None = None,
        config_notices: Iterable[str] = (),
        watch: bool = True,
        use_cache: bool = True,
        first_load: LoadDriver | None = None,
        open_path: str | None = None,
        single: SingleSource | None = None,
    ) -> None:
        """`first_load`: the folder's first load, already started (`cli.open_app`).
        `open_path`, `single`: as for `ReaderSession` (`tuireader FILE`, `tuireader -`)."""
        super().__init__()
        session = ReaderSession(corpus_root, config or Config(), open_path=open_path, single=single)
        self.session = session
        self._config_notices = list(config_notices)
        # What was said to the user, newest last: for the problems a user asks about later,
        # and for tests (Textual's own list of notifications is private).
        self.messages: deque[tuple[SeverityLevel, str, str]] = deque(maxlen=MESSAGES_KEPT)
        self._in_place: dict[str, Notification] = {}  # `notify_in_place`'s, by key
        self.main = MainScreen(
            self.session, watch=watch, use_cache=use_cache, first_load=first_load
        )

    def get_default_screen(self) -> MainScreen:
        return self.main

    def on_mount(self) -> None:
        # The main screen opens the folder's state (and its theme) as it mounts.
        session = self.session
        for notice in self._config_notices:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        binding_ids = [b.id for b in self.main.all_bindings() if b.id]
        for notice in unknown_key_bindings(session.config, binding_ids):
            self.notify(notice, severity="warning", markup=False, timeout=10)
        if session.config.keys:
            self.set_keymap(dict(session.config.keys))
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_interval(1.0, self._save_state)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.messages.append((severity, title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify_in_place(
        self,
        key: str,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """Notify (never as markup), replacing the last notification made with the same `key`:
        a quick run of copies shows one line, not a stack covering the reader."""
        self.messages.append((severity, title, message))
        previous = self._in_place.pop(key, None)
        if previous is not None:
            # Textual has no public way to withdraw one notification; its toasts withdraw
            # themselves through this same method when they time out.
            self._unnotify(previous, refresh=False)
        notification = Notification(
            message,
            title,
            severity,
            self.NOTIFICATION_TIMEOUT if timeout is None else timeout,
            markup=False,
        )
        self._in_place[key] = notification
        self.post_message(Notify(notification))

    def apply_theme(self, name: str | None) -> None:
        """Use the theme `name` (a bad name is said, and the default kept)."""
        if name is None:
            return
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(f"Unknown theme {name!r}; using the default", markup=False)

    def _theme_changed(self, theme: object) -> None:
        if self.session.state is not None:
            self.session.state.theme = self.theme

    def _save_state(self) -> None:
        self.main.remember_position()
        state = self.session.state
        if state is not None and state.dirty:
            self._write_state(state)

    @work(thread=True, exclusive=True, group="state", description="saving the state")
    def _write_state(self, state: FolderState) -> None:
        for notice in state.save():
            self.call_from_thread(self.notify, notice, severity="warning", markup=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.main.note_key()
        await super().on_event(event)

    async def action_quit(self) -> None:
        self.main.remember_position()
        self.exit()

    def on_unmount(self) -> None:
        # However the app ends (q, ctrl+c, a test harness), stop the watcher and keep the state.
        # The widgets are gone by now: positions were recorded on each tick and on quit.
        self.main.close()
        if self.session.state is not None:
            self.session.state.save()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        for title, help_text, binding_id, action in (
            (
                "Copy link",
                "Copy the source URL (or file)",
                "copy_link",
                main.action_copy_link,
            ),
            ("Copy Markdown link", "Copy [title](url)", "copy_markdown", main.action_copy_markdown),
            (
                "Open link",
                "Open the article's link in a browser",
                "open_link",
                main.action_open_link,
            ),
            ("Link list", "List the article's links", "links", main.action_links),
            (
                "Toggle sidebar",
                "Show or hide the article list",
                "toggle_sidebar",
                main.action_toggle_sidebar,
            ),
            ("Table of contents", "Headings of the article", "toc", main.action_toggle_toc),
            ("Search", "Focus the search bar", "search", main.action_focus_search),
            ("Help", "Every key", "help", main.action_help),
            ("Problems", "Files skipped or degraded, and why", "problems", main.action_problems),
        ):
            yield SystemCommand(title, f"{help_text} ({main.key_of(binding_id)})", action)
