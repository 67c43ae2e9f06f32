"""Styles shared by the Markdown and HTML converters (a module of its own so that both can
import them without importing each other)."""

from __future__ import annotations

from typing import Protocol

from rich.style import Style
from rich.text import Text

CODE_STYLE = Style(color="bright_cyan")
LINK_STYLE = Style(underline=True, color="bright_blue")
QUOTE_STYLE = Style(italic=True, dim=True)
LINK_NUMBER_STYLE = Style(dim=True)
MATCH_STYLE = Style(color="black", bgcolor="yellow")
LABEL_STYLE = Style(dim=True)  # doc-site components and shortcodes: shown, but quietly


class LinkNumbers(Protocol):
    """What numbers a document's links: the same URL always gets the same number."""

    def number(self, url: str, text: str) -> int:
        """The number of `url` in the link list (adding it with `text`), or 0 if unlisted."""
        ...


def link_style(url: str) -> Style:
    """Style for a link; a click on it reads the URL back from the style's meta."""
    return LINK_STYLE + Style.from_meta({"url": url})


def link_number_text(number: int) -> Text:
    """The dim `[3]` after a link: its number in the link list (`l`, then `3`)."""
    return Text(f"[{number}]", style=LINK_NUMBER_STYLE + Style.from_meta({"link": number}))
