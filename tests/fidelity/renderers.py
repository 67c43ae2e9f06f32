"""The renderers the harness compares: tuireader's, Rich's `Markdown`, Textual's `Markdown`.

Each turns an example's Markdown into the styled lines it would draw at `WIDTH` cells.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Markdown as TextualMarkdown

from tuireader.model.articles import Article
from tuireader.render.document import build_document
from tuireader.render.lines import block_lines, gap_line

WIDTH = 80
# No example's first heading may be taken for the title and dropped (the header shows it).
_TITLE = "\x00 not a heading of any example"


def tuireader_lines(markdown: str, width: int = WIDTH) -> list[Text]:
    """The reading pane's body for `markdown`: each block's lines, a blank line between."""
    article = Article(id="example", path="example.md", title=_TITLE, body=markdown)
    lines: list[Text] = []
    blocks = build_document(article).blocks
    for number, block in enumerate(blocks):
        if number and not block.joined:
            lines.append(gap_line(blocks[number - 1], block))
        lines.extend(block_lines(block, width))
    return lines


def rich_lines(markdown: str, width: int = WIDTH) -> list[Text]:
    """Rich's `Markdown` rendered on a console `width` cells wide."""
    # A UTF-8 file: on one without an encoding Rich falls back to ASCII rules and boxes.
    file = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    console = Console(width=width, record=True, file=file, color_system="truecolor")
    rendered = console.render_lines(RichMarkdown(markdown), console.options, pad=False)
    return [_text(line) for line in rendered]


def _text(segments: Iterable[Segment]) -> Text:
    text = Text()
    for segment in segments:
        if not segment.control:
            text.append(segment.text, segment.style)
    return text


TEXTUAL_HEIGHT = 200  # rows of the headless screen: the longest example fits


class TextualMarkdownApp(App[None]):
    """One app for every example: the widget is updated in place and the screen read back."""

    CSS = "Screen { overflow-y: hidden; } Markdown { height: auto; }"

    def compose(self) -> ComposeResult:
        yield TextualMarkdown()

    async def lines_for(self, markdown: str) -> list[Text]:
        """What the screen shows once the widget has rendered `markdown`, blank rows dropped."""
        widget = self.query_one(TextualMarkdown)
        await widget.update(markdown)
        await widget.wait_for_refresh()
        lines = [_text(strip) for strip in self._screen_strips()]
        while lines and not lines[-1].plain.strip():
            lines.pop()
        return lines

    def background_style(self) -> Style:
        """The style of a cell nothing is drawn in: what "unmarked" looks like here."""
        last = list(self._screen_strips()[-1])
        return (last[-1].style or Style()) if last else Style()

    def _screen_strips(self) -> list[Strip]:
        # The compositor's strips are the screen as the terminal would be sent it.
        return self.screen._compositor.render_strips()
