"""Opening links in the user's browser, for the few schemes that are safe to hand over."""

from __future__ import annotations

import os
import sys
import webbrowser
from urllib.parse import urlsplit

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers that would take over this very terminal, under the reader.
_CONSOLE_BROWSERS = frozenset({"www-browser", "lynx", "links", "elinks", "w3m", "browsh"})


def is_openable(url: str) -> bool:
    """Only web and mail links are handed to a browser; javascript:, file:, data: … never are."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in OPENABLE_SCHEMES and not any(ord(c) < 32 or ord(c) == 127 for c in url)


def has_display() -> bool:
    """True where a graphical browser can show a page (a desktop, an X or Wayland display)."""
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def open_in_browser(url: str) -> str | None:
    """Open `url` in a graphical browser; None on success, else a one-line reason.

    May block while the browser starts: call it from a worker thread.
    """
    if not is_openable(url):
        scheme = urlsplit(url).scheme or "no scheme"
        return f"refused to open a {scheme!s} link: only http, https and mailto are opened"
    if not has_display() and not os.environ.get("BROWSER"):
        return "no graphical browser here (no display)"
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return "no browser found"
    if getattr(browser, "name", "") in _CONSOLE_BROWSERS:
        return "only a console browser is available; it would take over this terminal"
    try:
        opened = browser.open(url, new=2)
    except Exception as error:  # any browser launcher failure is reported, never fatal
        return f"the browser failed: {error}"
    return None if opened else "the browser did not open the link"
