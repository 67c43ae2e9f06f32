"""The help screen: every key binding, from the bindings themselves so it never drifts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

SEARCH_SYNTAX = [
    ("模型 发布", "every term must appear (AND)"),
    ('"large language"', "an exact phrase"),
    ("-广告", "leave out articles with this term"),
    ("title:GPT  tag:LLMs  author:ruanyf", "look in one field only"),
    ("after:2025-09-01  before:2025-10-01", "filter by date"),
    ("網絡 / 网络 / ＧＰＴ", "Traditional, Simplified and full-width forms all match"),
]


def describe_keys(key: str) -> str:
    """Bindings' keys as a user reads them: `j / down`."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "space": "space",
        "escape": "esc",
        "less_than_sign": "<",
        "greater_than_sign": ">",
    }
    return " / ".join(names.get(k.strip(), k.strip()) for k in key.split(","))


class HelpScreen(ModalScreen[None]):
    """Lists bindings grouped by where they work."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self._groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(Text("tuireader — keys", style="bold"), id="help-title")
            for title, bindings in self._groups:
                table = Table(title=title, title_justify="left", show_header=False, box=None)
                table.add_column(style="bold cyan", min_width=18)
                table.add_column()
                seen = set()
                for binding in bindings:
                    if binding.description and binding.description not in seen:
                        seen.add(binding.description)
                        # Text: a description such as "Copy [title](url)" is not markup.
                        table.add_row(describe_keys(binding.key), Text(binding.description))
                yield Static(table)
            syntax = Table(title="Search", title_justify="left", show_header=False, box=None)
            syntax.add_column(style="bold cyan", min_width=18)
            syntax.add_column()
            for example, meaning in SEARCH_SYNTAX:
                syntax.add_row(example, meaning)
            yield Static(syntax)
            yield Static(Text("esc to close", style="dim"))
