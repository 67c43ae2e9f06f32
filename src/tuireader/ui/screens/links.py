"""The numbered list of an article's links: copy or open one without touching the mouse."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuireader.model.links import Link
from tuireader.model.text import sanitize_line


@dataclass(frozen=True, slots=True)
class LinkAction:
    """What the user asked for in the link list."""

    action: str  # "copy", "copy_markdown" (as `[text](url)`) or "open"
    link: Link


class LinkListScreen(ModalScreen[LinkAction | None]):
    """Lists links as `n. text` / `url`; y copies, o or enter opens, digits jump, esc closes."""

    BINDINGS = [
        Binding("escape,q,l", "dismiss_screen", "Close", id="links.close"),
        Binding("y", "copy", "Copy", id="links.copy"),
        Binding("Y", "copy_markdown", "Copy [text](url)", id="links.copy_markdown"),
        Binding("o", "open", "Open", id="links.open"),
        Binding("j", "cursor_down", "Down", show=False, id="links.down"),
        Binding("k", "cursor_up", "Up", show=False, id="links.up"),
        *[
            Binding(str(digit), f"digit({digit})", show=False, id=f"links.digit{digit}")
            for digit in range(10)
        ],
    ]

    def __init__(
        self, title: str, links: tuple[Link, ...], here: Mapping[str, str] | None = None
    ) -> None:
        """`here`: the title of the article of this folder that a link opens, by URL."""
        super().__init__()
        self._title = title
        self._links = links
        self._here = here or {}
        self._typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="links-dialog"):
            count = len(self._links)
            heading = f"Links in {sanitize_line(self._title)} ({count})"
            yield Static(Content(heading), id="links-title")
            options = [
                Option(self._prompt(number, link), id=str(number))
                for number, link in enumerate(self._links, start=1)
            ]
            yield OptionList(*options, id="links-list")
            yield Static(
                Content("y copy · Y copy [text](url) · o/enter open · digits jump · esc close"),
                id="links-help",
            )

    def _prompt(self, number: int, link: Link) -> Text:
        prompt = Text(f"{number:>3}. ", style="bold")
        prompt.append(sanitize_line(link.text) or "(no text)")
        prompt.append("\n     ")
        prompt.append(sanitize_line(link.url), style="dim underline")
        if (title := self._here.get(link.url)) is not None:
            prompt.append(f"  ↪ {sanitize_line(title)}", style="bold")
        return prompt

    def _selected(self) -> Link | None:
        index = self.query_one(OptionList).highlighted
        return self._links[index] if index is not None else None

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        if link := self._selected():
            self.dismiss(LinkAction("copy", link))

    def action_copy_markdown(self) -> None:
        if link := self._selected():
            self.dismiss(LinkAction("copy_markdown", link))

    def action_open(self) -> None:
        if link := self._selected():
            self.dismiss(LinkAction("open", link))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_digit(self, digit: int) -> None:
        # Typing "1" then "2" quickly jumps to link 12.
        candidate = self._typed + str(digit)
        if not 1 <= int(candidate) <= len(self._links):
            candidate = str(digit)
        self._typed = candidate if int(candidate) * 10 <= len(self._links) else ""
        number = int(candidate)
        if 1 <= number <= len(self._links):
            self.query_one(OptionList).highlighted = number - 1
