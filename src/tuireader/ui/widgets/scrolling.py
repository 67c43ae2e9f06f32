"""A ScrollView whose widget sets its own virtual size (rows of the sidebar, the reader's lines).

On every layout of the screen, Textual hands each ScrollView the virtual size the layout found,
and a ScrollView updates its scroll bars when that differs from its own. For a widget that sets
its own virtual size it always differs, so every layout redrew the scroll bars and the widget:
each key typed in the search bar (an Input lays out the screen as its text grows) cost a frame
of 15-30 ms instead of a few, measured at 100k articles.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView

_CHANGED = Size(-1, -1)  # a virtual size no widget has: ScrollView then updates its scroll bars


class OwnSizeScrollView(ScrollView):
    """Scroll bars are updated when the widget's size changes or it sets a new virtual size."""

    _bars_for: Size | None = None  # the virtual size the scroll bars were last updated for

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        own = self.virtual_size
        changed, self._bars_for = own != self._bars_for, own
        return super()._size_updated(size, _CHANGED if changed else own, container_size, layout)
