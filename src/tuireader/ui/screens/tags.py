"""Choosing a tag to filter the sidebar by."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuireader.model.text import sanitize_line

ALL_TAGS = "\x00all"  # an option id no tag can have: tags are cleaned of control characters


class TagScreen(ModalScreen[str | None]):
    """Lists tags by how many articles carry them; dismisses with a tag, ALL_TAGS, or None."""

    BINDINGS = [Binding("escape,q", "dismiss_screen", "Close", id="tags.close")]

    def __init__(self, tags: Counter[str], current: str | None) -> None:
        super().__init__()
        self._tags = tags
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog"):
            yield Static(Content("Show articles tagged…"), id="tags-title")
            options = [Option(Text("All articles", style="bold"), id=ALL_TAGS)]
            for tag, count in sorted(self._tags.items(), key=lambda item: (-item[1], item[0])):
                label = Text(sanitize_line(tag))
                label.append(f"  {count}", style="dim")
                options.append(Option(label, id=tag))
            yield OptionList(*options, id="tags-list")

    def on_mount(self) -> None:
        tags = self.query_one(OptionList)
        if self._current is not None:
            for index in range(tags.option_count):
                if tags.get_option_at_index(index).id == self._current:
                    tags.highlighted = index

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
