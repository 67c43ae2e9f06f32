"""Tables drawn line by line from wrapped cells, without Rich's `Table`.

Rich's `Table` measures and renders every cell through the generic console machinery: a
30-row chunk of a 4,000-row table took ~16 ms with the GC off, over the reader's 12 ms slice
budget on its own (slices of up to 190 ms in the app), and the whole table ~2 s. Here a cell
is wrapped with `wrap_text` (Chinese breaks between characters, double-width characters line
up), a row is its cells padded and joined with spaces, and the height of a row is counted with
`line_count` without building anything: the reader measures every row but draws only those on
screen.

A table too wide for the line (columns would be squeezed to a few letters) is shown as records
instead, one "header: cell" line per cell, so that no cell is cut off at the right edge.

Cells are `Text` objects built by the document from plain strings: nothing here parses markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tuireader.render.wrap import line_count, wrap_text

Align = Literal["left", "center", "right"]
EDGE = 1  # blank cells left of every table line
GAPS = (3, 1)  # blank cells between columns: roomy, else tight before giving up on the grid
MIN_COLUMN = 2  # a double-width character needs two cells
HANG = 2  # extra indent of a record line's continuations, so each "header:" stands out
READABLE_COLUMN = 6  # narrower than this, a column of words is a column of letters
RULE_STYLE = Style(dim=True)
LABEL_STYLE = Style(bold=True)


@dataclass(frozen=True, slots=True)
class TableShape:
    """How a table is drawn at one width: column widths and gap, or records (`widths` empty)."""

    widths: tuple[int, ...]
    gap: int
    aligns: tuple[Align, ...]
    header: tuple[Text, ...]
    width: int  # cells available for the table's lines

    @property
    def records(self) -> bool:
        return not self.widths

    @property
    def record_width(self) -> int:
        return max(4, self.width - EDGE - HANG)

    def column_start(self, column: int) -> int:
        """Cell offset of a column in a line of the grid."""
        return EDGE + sum(self.widths[:column]) + self.gap * column


def table_shape(
    natural: Sequence[int], aligns: Sequence[Align], header: Sequence[Text], width: int
) -> TableShape:
    """Column widths that fit `width` cells: natural widths, shrunk in proportion if needed.

    A grid whose columns would be squeezed below READABLE_COLUMN cells (or their natural
    width) is tried with one-cell gaps, then given up for records.
    """
    count = len(natural)
    aligned = tuple(aligns[i] if i < len(aligns) else "left" for i in range(count))
    needed = sum(min(n, READABLE_COLUMN) for n in natural)
    for gap in GAPS:
        room = width - EDGE - gap * (count - 1)
        if count and room >= max(needed, MIN_COLUMN * count):
            return TableShape(_shrink(list(natural), room), gap, aligned, tuple(header), width)
    return TableShape((), 0, aligned, tuple(header), width)


def _shrink(natural: list[int], room: int) -> tuple[int, ...]:
    """Fit the columns in `room` cells: narrow columns keep their width, wide ones give way.

    Columns narrower than an equal share of what is left keep their natural width (a column
    of numbers is not split); the others share the rest in proportion to their widths.
    """
    natural = [max(MIN_COLUMN, n) for n in natural]
    if sum(natural) <= room:
        return tuple(natural)
    widths = list(natural)
    left = room
    order = sorted(range(len(natural)), key=natural.__getitem__)
    for position, column in enumerate(order):
        if natural[column] <= left // (len(order) - position):
            left -= natural[column]
            continue
        wide = order[position:]
        total = sum(natural[i] for i in wide)
        for i in wide:
            widths[i] = max(MIN_COLUMN, natural[i] * left // total)
        # Flooring and the minimum leave the sum off by a few cells: settle them one at a
        # time, taking from the widest column and giving to the one furthest below its width.
        while sum(widths[i] for i in wide) > left:
            widest = max(wide, key=widths.__getitem__)
            widths[widest] -= 1
        while sum(widths[i] for i in wide) < left:
            needy = max(wide, key=lambda i: natural[i] - widths[i])
            widths[needy] += 1
        break
    return tuple(widths)


def row_height(shape: TableShape, row: Sequence[Text], *, is_header: bool, first: bool) -> int:
    """Lines a row takes (the header's rule included), counted without building them.

    `first` is the first body row of the whole table: records are separated by a blank line,
    except before the first one.
    """
    if shape.records:
        if is_header:
            return 0  # each record line carries its header as a label
        width = shape.record_width
        lines = sum(line_count(_label(shape, i) + cell.plain, width) for i, cell in enumerate(row))
        return lines + (0 if first else 1)
    height = max(
        (
            line_count(cell.plain, shape.widths[i])
            for i, cell in enumerate(row[: len(shape.widths)])
        ),
        default=1,
    )
    return height + (1 if is_header else 0)


def row_lines(
    shape: TableShape, row: Sequence[Text], *, is_header: bool, first: bool
) -> list[Text]:
    """The lines of one row (cells already styled), as `row_height` counted them."""
    if shape.records:
        if is_header:
            return []
        lines = [] if first else [Text()]
        for index, cell in enumerate(row):
            wrapped = wrap_text(_record(shape, index, cell), shape.record_width)
            for number, (_, line) in enumerate(wrapped):
                lines.append(Text(" " * (EDGE + (HANG if number else 0))) + line)
        return lines
    cells = [wrap_text(cell, shape.widths[i]) for i, cell in enumerate(row[: len(shape.widths)])]
    height = max((len(wrapped) for wrapped in cells), default=1)
    result = []
    for number in range(height):
        line = Text(" " * EDGE)
        for column, width in enumerate(shape.widths):
            if column:
                line.append(" " * shape.gap)
            wrapped = cells[column] if column < len(cells) else []
            piece = wrapped[number][1] if number < len(wrapped) else Text()
            left, right = _padding(width - piece.cell_len, shape.aligns[column])
            line.append(" " * left)
            line.append_text(piece)
            line.append(" " * right)
        line.rstrip()
        result.append(line)
    if is_header:
        result.append(rule(shape))
    return result


def rule(shape: TableShape) -> Text:
    """The line under the header."""
    width = sum(shape.widths) + shape.gap * (len(shape.widths) - 1)
    return Text.assemble(" " * EDGE, ("─" * width, RULE_STYLE))


def locate(
    shape: TableShape, row: Sequence[Text], column: int, offset: int, *, first: bool
) -> tuple[int, int]:
    """(line within the row, cell column within the line) of a character of one cell."""
    if shape.records:
        line = 0 if first else 1
        for index in range(column):
            line += line_count(_label(shape, index) + row[index].plain, shape.record_width)
        record = _record(shape, column, row[column])
        offset += len(_label(shape, column))
        wrapped = wrap_text(record, shape.record_width)
        number = _line_of(wrapped, offset)
        start, text = wrapped[number]
        indent = EDGE + (HANG if number else 0)
        return line + number, indent + cell_len(text.plain[: offset - start])
    width = shape.widths[column]
    wrapped = wrap_text(row[column], width)
    number = _line_of(wrapped, offset)
    start, text = wrapped[number]
    left, _ = _padding(width - text.cell_len, shape.aligns[column])
    return number, shape.column_start(column) + left + cell_len(text.plain[: offset - start])


def _line_of(wrapped: list[tuple[int, Text]], offset: int) -> int:
    number = 0
    for index, (start, _) in enumerate(wrapped):
        if start <= offset:
            number = index
    return number


def _label(shape: TableShape, column: int) -> str:
    """What a record line starts with: the column's header, if it has one."""
    label = shape.header[column].plain if column < len(shape.header) else ""
    return f"{label}: " if label else ""


def _record(shape: TableShape, column: int, cell: Text) -> Text:
    return Text.assemble((_label(shape, column), LABEL_STYLE), cell)


def _padding(spare: int, align: Align) -> tuple[int, int]:
    spare = max(0, spare)
    if align == "right":
        return spare, 0
    if align == "center":
        return spare // 2, spare - spare // 2
    return 0, spare
