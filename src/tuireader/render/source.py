"""An article's file as it is, for the raw-source view: every line verbatim, nothing rendered."""

from __future__ import annotations

from rich.text import Text

from tuireader.model.text import clean_text
from tuireader.render.blocks import Block, Document

TAB_WIDTH = 4


def source_document(text: str) -> Document:
    """One block per line of `text`, cleaned of terminal controls and never parsed as Markdown.

    Each block is the line's own text (a `Text`, so brackets stay brackets); blank lines stay,
    as a space, so that the lines keep their places.
    """
    blocks = []
    for number, line in enumerate(clean_text(text).split("\n"), start=1):
        shown = line.expandtabs(TAB_WIDTH) or " "
        blocks.append(Block("paragraph", Text(shown), number, joined=True))
    return Document(blocks, [])
