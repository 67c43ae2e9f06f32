"""Every file that was skipped or degraded, with its one-line reason."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuireader.model.articles import Problem
from tuireader.model.text import sanitize_line


class ProblemsScreen(ModalScreen[None]):
    """A scrollable list of problems: path, then reason."""

    BINDINGS = [Binding("escape,q,P", "dismiss", "Close", id="problems.close")]

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__()
        self._problems = problems

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-dialog"):
            count = len(self._problems)
            heading = f"{count} file(s) skipped or degraded" if count else "No problems"
            yield Static(Content(heading), id="problems-title")
            options = []
            for problem in self._problems:
                line = Text(sanitize_line(problem.path), style="bold")
                line.append("\n  ")
                line.append(sanitize_line(problem.reason), style="yellow")
                options.append(Option(line))
            yield OptionList(*options, id="problems-list")
            yield Static(Content("esc close · the same list: tuireader list --problems"))
