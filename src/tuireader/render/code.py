"""Code blocks drawn in a box with their language, highlighted, and never wrapped.

A code block keeps its lines: wrapping `gem install --user-install rails` in two would make
it wrong to read and wrong to copy. A line longer than the box is clipped with `›` at the
edge, and the reader shifts the first clipped block on screen sideways (`shift` cells) to show
the rest, with `‹` where text is hidden to the left.

Highlighting goes through Pygments (via Rich's `Syntax`) with its ANSI themes, so the colours
are the active Textual theme's palette, the dark set or the light one. It runs only for blocks
being drawn (the reader draws only what is on screen) and is cached by code and language.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tuireader.render.styles import CODE_STYLE, MATCH_STYLE

BOX_STYLE = Style(dim=True)
# The language on the box's top edge; the meta marks it as a label, not the article's text.
LABEL_STYLE = Style(dim=True, italic=True) + Style.from_meta({"code_label": True})
CLIP_RIGHT = "›"
CLIP_LEFT = "‹"
BOX_CELLS = 4  # "│ " before a line and " │" after it
# ANSI colours, which Textual draws in the active theme's palette; the light set of them
# under a light theme (the dark set's bright colours fade on a light background).
_THEMES = {True: "ansi_dark", False: "ansi_light"}
_MAX_HIGHLIGHT_CHARS = 200_000  # past this a block is drawn in one colour (Pygments is slow)


def code_inner_width(width: int) -> int:
    """Cells for the code inside the box, at a text width of `width`."""
    return max(1, width - BOX_CELLS)


def code_height(code: str, top: bool = True, bottom: bool = True) -> int:
    """Lines a code block (or a piece of a long one) takes: its lines and the box's edges."""
    return code.count("\n") + 1 + top + bottom


WARMED_LANGUAGES = 4  # languages whose lexers a build imports ahead (most articles have one)


def warm_up(languages: Sequence[str]) -> None:
    """Import the highlighter and these languages' lexers now, on the calling thread: for a
    document's builder, off the event loop. Drawn first on the loop, an article's first code
    block imported them there (~35 ms for Pygments, more per lexer) as one stall."""
    for language in list(dict.fromkeys(languages))[:WARMED_LANGUAGES]:
        highlight("x", language)


@lru_cache(maxsize=256)
def highlight(code: str, language: str, dark: bool = True) -> Text:
    """The code in its language's colours (one colour if the language is unknown), for a
    dark background or a light one."""
    if not language or len(code) > _MAX_HIGHLIGHT_CHARS:
        return Text(code, style=CODE_STYLE)
    # Imported on the first code block drawn: Pygments' import (~25 ms) is not for start-up.
    from rich.syntax import Syntax

    try:
        text = Syntax(code, language, theme=_THEMES[dark]).highlight(code)
    except Exception:  # a lexer bug must not stop the reader: show the code plainly
        return Text(code, style=CODE_STYLE)
    text.rstrip()
    if text.plain != code.rstrip():  # the lexer changed the text: trust the file, not it
        return Text(code, style=CODE_STYLE)
    return text


def code_lines(
    text: Text,
    language: str,
    width: int,
    shift: int = 0,
    spans: Sequence[tuple[int, int]] = (),
    edges: tuple[bool, bool] = (True, True),
    dark: bool = True,
) -> list[Text]:
    """A code block's box at `width` cells, its lines shifted left by `shift` cells.

    `text` is the block's code (its plain text is what was read from the file); `spans` are
    character ranges to mark (search matches), as `(start, end)` in `text.plain`; `edges`
    says whether this piece of the block draws the box's top and bottom; `dark`, whether
    the background is.
    """
    inner = code_inner_width(width)
    code = text.plain
    coloured = highlight(code, language, dark).copy() if language else text.copy()
    for start, end in spans:
        coloured.stylize(MATCH_STYLE, start, end)
    label = f" {language} " if language else ""
    top = Text("╭─", BOX_STYLE)
    top.append(label[: max(0, inner)], LABEL_STYLE)
    top.append("─" * max(0, inner + 1 - cell_len(label)) + "╮", BOX_STYLE)
    lines = [top] if edges[0] else []
    for line in coloured.split("\n", allow_blank=True):
        row = Text("│ ", BOX_STYLE)
        row.append_text(clip(line, shift, inner))
        row.append(" │", BOX_STYLE)
        lines.append(row)
    if edges[1]:
        lines.append(Text("╰" + "─" * (inner + 2) + "╯", BOX_STYLE))
    return lines


def clip(line: Text, shift: int, inner: int) -> Text:
    """The `inner` cells of `line` from cell `shift`, padded, with clip marks at cut edges."""
    cells = line.cell_len
    if shift == 0 and cells <= inner:
        return line + Text(" " * (inner - cells))
    plain = line.plain
    start = _offset(plain, shift)
    end = _offset(plain, shift + inner)
    shown = line[start:end]
    shown.pad_right(inner - shown.cell_len)
    if end < len(plain):
        shown = shown[:-1] if shown.cell_len >= inner else shown
        shown.pad_right(inner - 1 - shown.cell_len)
        shown.append(CLIP_RIGHT, BOX_STYLE)
    if start > 0 and plain[:start].strip():
        shown = Text(CLIP_LEFT, BOX_STYLE) + shown[1:]
        shown.pad_right(inner - shown.cell_len)
    return shown


def _offset(plain: str, cells: int) -> int:
    """The index in `plain` where `cells` cells have been used (a wide char is not split)."""
    if plain.isascii():
        return min(len(plain), cells)
    used = 0
    for index, char in enumerate(plain):
        used += cell_len(char)
        if used > cells:
            return index
    return len(plain)
