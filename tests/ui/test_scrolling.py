"""A ScrollView that sets its own virtual size keeps its scroll bars when the screen lays out."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widgets import Input

from tuireader.ui.widgets.scrolling import OwnSizeScrollView


def counting(base: type[ScrollView]) -> type[ScrollView]:
    class Counted(base):  # type: ignore[valid-type, misc]
        updates = 0

        def _scroll_update(self, virtual_size: Size) -> None:
            type(self).updates += 1
            super()._scroll_update(virtual_size)

    return Counted


class Screenful(App[None]):
    def __init__(self, view: type[ScrollView]) -> None:
        super().__init__()
        self.view_class = view

    def compose(self) -> ComposeResult:
        yield Input(id="typing")
        yield self.view_class(id="view")

    def on_mount(self) -> None:
        self.query_one("#view").virtual_size = Size(40, 500)


async def updates_while_typing(view: type[ScrollView]) -> tuple[Any, int]:
    app = Screenful(view)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        before = view.updates  # type: ignore[attr-defined]
        app.query_one(Input).focus()
        for key in "typing":  # each key grows the Input's text: Textual lays out the screen
            await pilot.press(key)
            await pilot.pause()
        typed = view.updates - before  # type: ignore[attr-defined]
        # A new virtual size of its own still reaches the scroll bars.
        scrolled = app.query_one("#view", ScrollView)
        scrolled.virtual_size = Size(40, 900)
        await pilot.pause()
        return scrolled.max_scroll_y, typed


async def test_typing_elsewhere_does_not_update_the_scroll_bars() -> None:
    plain_max, plain_updates = await updates_while_typing(counting(ScrollView))
    own_max, own_updates = await updates_while_typing(counting(OwnSizeScrollView))
    assert plain_updates >= 6  # Textual's own: once a key (each redraws the bars and the view)
    assert own_updates == 0
    assert own_max == plain_max == 900 - 20 + 3  # the Input's 3 lines are not the view's
