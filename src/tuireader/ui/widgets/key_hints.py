"""The footer: the keys of what can be done now, on one line, drawn as a single text.

Textual's `Footer` rebuilds a widget per key whenever the screen's bindings change, which is on
every focus change: measured here, four rebuilds took ~0.2 s of the event loop as the app
started, and each press of tab, / or escape 25-100 ms. This widget shows the same keys and
descriptions, and redraws its one line instead (well under a millisecond).
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget


class _Hint(NamedTuple):
    key: str
    label: str
    description: str
    enabled: bool
    binding_id: str | None = None


class KeyHints(Widget, can_focus=False):
    """The active bindings shown (`Binding.show`), one per action, the command palette's last.

    Where they do not all fit, whole hints are left out from the end, except those of KEPT:
    a hint cut in half (`q Qu`) tells nothing.
    """

    KEPT: ClassVar[frozenset[str]] = frozenset({"help", "quit"})
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-hints--key",
        "key-hints--description",
        "key-hints--disabled",
        "key-hints--separator",
    }
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-hints--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-hints--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-hints--disabled {
            text-style: dim;
        }
        .key-hints--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Where each key's hint is on the line, for clicks: (start, end, hint).
        self._spans: list[tuple[int, int, _Hint]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def hints(self) -> tuple[list[_Hint], _Hint | None]:
        """The hints on the left, and the command palette's (shown on the right), if any."""
        active = self.screen.active_bindings
        palette_key = self.app.COMMAND_PALETTE_BINDING
        seen: set[str] = set()
        hints: list[_Hint] = []
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if not binding.show or binding.action in seen or key == palette_key:
                continue
            seen.add(binding.action)
            hints.append(self._hint(binding, enabled))
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and palette_key in active:
            _node, binding, enabled, _tooltip = active[palette_key]
            palette = self._hint(binding, enabled)
        return hints, palette

    def _hint(self, binding: Binding, enabled: bool) -> _Hint:
        label = self.app.get_key_display(binding)
        return _Hint(binding.key, label, binding.description, enabled, binding.id)

    def render(self) -> Text:
        styles = (
            self.get_component_rich_style("key-hints--key"),
            self.get_component_rich_style("key-hints--description"),
            self.get_component_rich_style("key-hints--disabled"),
        )
        hints, palette = self.hints()
        width = self.size.width
        room = width - (len(palette.label) + len(palette.description) + 2 if palette else 0)
        hints = self._fitting(hints, room, styles)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, _Hint]] = []
        for hint in hints:
            start = line.cell_len
            line.append_text(_hint_text(hint, *styles))
            spans.append((start, line.cell_len, hint))
        if palette is not None:
            # Docked on the right, as Textual's footer has it; the other keys are cut to fit.
            right = Text(end="")
            right.append("▏", self.get_component_rich_style("key-hints--separator"))
            right.append_text(_hint_text(palette, *styles, padded=False))
            if right.cell_len < width:
                line.truncate(width - right.cell_len, pad=True)
                start = line.cell_len + 1
                line.append_text(right)
                spans = [(a, min(b, start - 1), h) for a, b, h in spans if a < start - 1]
                spans.append((start, line.cell_len, palette))
        self._spans = spans
        line.stylize_before(self.rich_style)
        return line

    def _fitting(self, hints: list[_Hint], room: int, styles: tuple[Style, ...]) -> list[_Hint]:
        """`hints` without the last ones not KEPT, until they fit in `room` cells."""
        lengths = [_hint_text(hint, *styles).cell_len for hint in hints]
        kept = list(hints)
        total = sum(lengths)
        for index in range(len(hints) - 1, -1, -1):
            if total <= room:
                break
            if hints[index].binding_id not in self.KEPT:
                kept.remove(hints[index])
                total -= lengths[index]
        return kept

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, hint in self._spans:
            if start <= event.x < end:
                if hint.enabled:
                    self.app.simulate_key(hint.key)
                else:
                    self.app.bell()
                return


def _hint_text(
    hint: _Hint, key: Style, description: Style, disabled: Style, *, padded: bool = True
) -> Text:
    dim = disabled if not hint.enabled else Style()
    text = Text(end="")  # a style given here would cover the description too
    text.append(f" {hint.label} " if padded else hint.label, key + dim)
    if hint.description:
        text.append(f"{hint.description} " if padded else f" {hint.description}", description + dim)
    return text
