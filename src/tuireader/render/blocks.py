"""What the reader shows an article as: `Document` blocks, the result of `build_document`.

Kept apart from the builder (`render/document.py`) so that the interface can hold and draw
documents without importing markdown-it and its plugins: that import (~30 ms) waits until the
first article is built, after the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rich.style import Style
from rich.text import Text

from tuireader.model.links import Link
from tuireader.model.local_links import heading_slug
from tuireader.render.table import Align

BlockKind = Literal["heading", "paragraph", "code", "rule", "table", "meta"]


@dataclass(slots=True)
class Block:
    """One block of the rendered article: wrapped as a unit, addressed by its source line."""

    kind: BlockKind
    text: Text
    source_line: int = 0
    level: int = 0
    first_prefix: Text = field(default_factory=Text)
    prefix: Text = field(default_factory=Text)
    rows: list[list[Text]] = field(default_factory=list)
    # Continues the block before it (a piece of a split paragraph or table): no gap above.
    joined: bool = False
    has_header: bool = True
    column_widths: list[int] = field(default_factory=list)
    # Tables: every chunk knows the header (labels when drawn as records), the alignment of
    # each column, and the source line of each of its rows (a position that survives resizes).
    header: list[Text] = field(default_factory=list)
    aligns: list[Align] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)
    # The first block of footnote `note`'s text in the notes at the end (0: not a note).
    note: int = 0
    # Code: its language (from the fence), the whole block's code as the file has it (what
    # `c` copies), whether this piece draws the box's top and bottom (a long block is cut
    # into pieces), and whether it wraps like text instead (HTML's <pre> in a list).
    language: str = ""
    code: str = ""
    box_top: bool = True
    box_bottom: bool = True
    wrap: bool = False
    # Headings: the id a `{#id}` gave it (what a link's `#id` names besides its slug).
    anchor: str = ""


@dataclass(slots=True)
class Document:
    """The article as blocks, plus what the reader needs to navigate it.

    `links` are the article's links in the order they first appear, each URL once: the number
    shown after a link in the text (`[3]`) is its place here, plus one.
    """

    blocks: list[Block]
    links: list[Link]

    @property
    def headings(self) -> list[tuple[int, Block]]:
        """(block index, block) of each heading, for the table of contents."""
        return [(i, b) for i, b in enumerate(self.blocks) if b.kind == "heading"]

    def heading_block(self, anchor: str) -> int | None:
        """The block of the heading a link's `#anchor` names (by its slug or its text)."""
        wanted = anchor.strip().lower()
        if not wanted:
            return None
        for index, block in self.headings:
            text = block.text.plain
            if wanted in (block.anchor.lower(), heading_slug(text), text.strip().lower()):
                return index
        return None

    def note_block(self, number: int) -> int | None:
        """The block where footnote `number`'s text starts, in the notes at the end."""
        for index, block in enumerate(self.blocks):
            if block.note == number:
                return index
        return None

    def footnote_references(self, start: int = 0) -> list[tuple[int, int]]:
        """(block index, footnote number) of each reference from block `start` on, in order."""
        found = []
        for index in range(start, len(self.blocks)):
            for span in self.blocks[index].text.spans:
                number = _meta(span.style, "footnote")
                if number:
                    found.append((index, number))
        return found


def _meta(style: str | Style, key: str) -> int:
    """An integer a span carries in its style's meta (0 when it carries none)."""
    if isinstance(style, Style):
        value = style.meta.get(key)  # {} at once for a style without meta: most of them
        return value if isinstance(value, int) else 0
    return 0


class BuildStopped(Exception):
    """`build_document` was told to stop (the reader moved on to another article)."""
