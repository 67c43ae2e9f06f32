"""A yes/no question before something that cannot be undone with one key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks `question`; y or enter answers yes, n or escape no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            # Content, not a markup string: the question may quote a title from a file.
            yield Static(Content(self._question), id="confirm-question")
            yield Static(Content("y/enter yes · n/esc no"), id="confirm-help")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
