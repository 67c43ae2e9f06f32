"""What leaves the app: copying to the clipboard and opening links, each said in one line.

OSC 52 is a few bytes written to the terminal, so it goes at once; the native clipboard and the
browser are other programs that can hang (a dead X server, a slow `xdg-open`), so they run in
thread workers and report back through the screen's `deliver`, which drops a report that
arrives as the app shuts down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from textual.notifications import SeverityLevel
from textual.screen import Screen

from tuireader.model.text import sanitize_line
from tuireader.store.config import ClipboardConfig
from tuireader.system.browser import has_display, is_openable, open_in_browser
from tuireader.system.clipboard import copy_native, shortened
from tuireader.system.editor import browser_command
from tuireader.ui.handover import run_in_terminal

COPY_SHOWN = 32  # characters of a copied text its notification shows: one line of a toast

Deliver = Callable[[Callable[[], None]], None]
"""Runs a callback on the event loop, from a worker thread (`MainScreen.deliver`)."""


@runtime_checkable
class InPlaceNotifier(Protocol):
    """An app whose notification with a key replaces the last one with that key."""

    def notify_in_place(
        self,
        key: str,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None: ...


class Sharing:
    """Copies and opens for `screen`, with the clipboard settings of `config`."""

    def __init__(self, screen: Screen[None], config: ClipboardConfig, deliver: Deliver) -> None:
        self._screen = screen
        self._config = config
        self._deliver = deliver
        self._copy_explained = False  # the long word on a missing native clipboard: once

    def copy(self, text: str, what: str) -> None:
        """Copy through OSC 52 now, and through the native clipboard in a worker."""
        if self._config.osc52:
            self._screen.app.copy_to_clipboard(text)
        enabled, timeout = self._config.native, self._config.native_timeout

        def native() -> None:
            error = copy_native(text, timeout) if enabled else "native clipboard turned off"
            self._deliver(lambda: self._report_copy(text, what, error))

        self._screen.run_worker(
            native, thread=True, group="clipboard", description="copying to the clipboard"
        )

    def open_url(self, url: str) -> None:
        """Open in a graphical browser; with no display, in `$BROWSER` in this terminal."""
        command = browser_command(url)
        if is_openable(url) and not has_display() and command is not None:
            error = run_in_terminal(self._screen.app, command)
            if error is not None:
                self._screen.notify(
                    f"{sanitize_line(url)}: {error}", severity="warning", markup=False
                )
            return

        def browse() -> None:
            error = open_in_browser(url)
            shown = sanitize_line(url)
            if error is None:
                self._deliver(
                    lambda: self._screen.notify(shown, title="Opened in browser", markup=False)
                )
            else:
                self._deliver(
                    lambda: self._screen.notify(
                        f"{shown}\n{error}", title="Not opened", severity="warning", markup=False
                    )
                )

        self._screen.run_worker(browse, thread=True, group="browser", description="opening a link")

    def _report_copy(self, text: str, what: str, native_error: str | None) -> None:
        """One short line per copy, each replacing the last; the long word on a missing native
        clipboard once a session."""
        osc52 = self._config.osc52
        if not osc52 and native_error is not None:
            # Nothing was copied: the whole text, to copy by hand.
            self._notify_copy(
                f"{native_error}. Copy it by hand: {sanitize_line(text)}",
                title=f"Could not copy the {what}",
                severity="warning",
                timeout=15,
            )
            return
        ways = ["OSC 52"] if osc52 else []
        if native_error is None:
            ways.append("system clipboard")
        shown = sanitize_line(shortened(text, COPY_SHOWN))
        self._notify_copy(f"Copied {what}: {shown} · via {' and '.join(ways)}")
        if native_error is not None and not self._copy_explained:
            self._copy_explained = True
            self._screen.notify(
                f"{native_error}: copies go through the terminal (OSC 52) only; tmux needs "
                "`set -g set-clipboard on`.",
                title="Clipboard",
                markup=False,
                timeout=12,
            )

    def _notify_copy(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        app = self._screen.app
        if isinstance(app, InPlaceNotifier):
            app.notify_in_place("copy", message, title=title, severity=severity, timeout=timeout)
        else:
            self._screen.notify(
                message, title=title, severity=severity, timeout=timeout, markup=False
            )
