from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from tuireader.render.table import (
    EDGE,
    TableShape,
    locate,
    row_height,
    row_lines,
    table_shape,
)

HEADER = [Text("编号", style="bold"), Text("标题", style="bold"), Text("note", style="bold")]
ROWS = [
    [Text("1"), Text("大型语言模型的微调"), Text("Tinker makes fine-tuning easier")],
    [Text("22"), Text("强化学习"), Text("混合 mixed 文本，带标点。")],
]


def shape_for(rows: list[list[Text]], width: int, aligns=("left",) * 3) -> TableShape:  # type: ignore[no-untyped-def]
    natural = [max(min(cell.cell_len, 40) for cell in column) for column in zip(*rows, strict=True)]
    return table_shape(natural, aligns, HEADER, width)


def draw(shape: TableShape, rows: list[list[Text]]) -> list[str]:
    lines = []
    for number, row in enumerate(rows):
        lines += [
            line.plain for line in row_lines(shape, row, is_header=number == 0, first=number == 1)
        ]
    return lines


def column_text(lines: list[str], start: int, width: int) -> list[str]:
    """The characters of each line between two cell offsets."""
    result = []
    for line in lines:
        cells, text = 0, ""
        for char in line:
            if start <= cells < start + width:
                text += char
            cells += cell_len(char)
        result.append(text.strip())
    return result


def test_wide_characters_line_up_in_columns() -> None:
    rows = [HEADER, *ROWS]
    shape = shape_for(rows, 100)
    lines = draw(shape, rows)
    assert lines[1].strip() and set(lines[1].strip()) == {"─"}  # the rule under the header
    body = [lines[0], *lines[2:]]
    for column in range(3):
        start = shape.column_start(column)
        texts = column_text(body, start, shape.widths[column])
        assert texts == [row[column].plain for row in rows]
    assert all(cell_len(line) <= 100 for line in lines)


def test_narrow_columns_wrap_and_keep_every_character() -> None:
    rows = [HEADER, *ROWS]
    for width in (60, 40, 30):
        shape = shape_for(rows, width)
        assert not shape.records
        for number, row in enumerate(rows):
            drawn = [t.plain for t in row_lines(shape, row, is_header=number == 0, first=False)]
            assert all(cell_len(line) <= width for line in drawn)
            for column, cell in enumerate(row):
                pieces = column_text(drawn, shape.column_start(column), shape.widths[column])
                assert "".join(pieces).replace(" ", "").strip("─") == cell.plain.replace(" ", "")


def test_alignment_from_the_delimiter_row() -> None:
    rows = [[Text("h"), Text("center"), Text("right")], [Text("x"), Text("c"), Text("r")]]
    shape = table_shape([6, 6, 6], ["left", "center", "right"], rows[0], 80)
    line = row_lines(shape, rows[1], is_header=False, first=True)[0].plain
    assert line[shape.column_start(1) : shape.column_start(1) + 6] == "  c   "
    assert line[shape.column_start(2) : shape.column_start(2) + 6] == "     r"


def test_a_table_too_wide_for_the_line_becomes_records() -> None:
    header = [Text(f"列{n}") for n in range(12)]
    row = [Text(f"内容{n} value") for n in range(12)]
    shape = table_shape([10] * 12, [], header, 40)
    assert shape.records
    assert row_lines(shape, header, is_header=True, first=False) == []
    lines = [line.plain for line in row_lines(shape, row, is_header=False, first=True)]
    assert all(cell_len(line) <= 40 for line in lines)
    assert lines[0].strip() == "列0: 内容0 value"
    assert len(lines) == row_height(shape, row, is_header=False, first=True)
    later = row_lines(shape, row, is_header=False, first=False)
    assert later[0].plain == "" and len(later) == len(lines) + 1  # a blank line between records


def test_cells_are_never_parsed_as_markup() -> None:
    rows = [[Text("[bold]x[/]")], [Text("[@click=app.quit]y")]]
    shape = table_shape([20], [], rows[0], 40)
    assert "[bold]x[/]" in draw(shape, rows)[0]
    assert "[@click=app.quit]y" in draw(shape, rows)[2]


def test_locate_finds_the_characters_on_screen() -> None:
    for width in (100, 40, 24, 12):
        rows = [HEADER, *ROWS]
        shape = shape_for(rows, width)
        row = ROWS[1]
        for column, needle in ((1, "学习"), (2, "标点")):
            offset = row[column].plain.index(needle)
            line, cells = locate(shape, row, column, offset, first=True)
            drawn = [t.plain for t in row_lines(shape, row, is_header=False, first=True)]
            assert column_text([drawn[line]], cells, cell_len(needle[0]))[0] == needle[0]


_CELL = st.lists(
    st.sampled_from([*list("ab c，。中文字（）-x\n"), "word ", "averyveryverylongword"]),
    max_size=20,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=4),
    st.integers(min_value=4, max_value=90),
)
def test_row_height_counts_the_lines_row_lines_draws(cells, width) -> None:  # type: ignore[no-untyped-def]
    columns = max(len(row) for row in cells)
    rows = [[Text(c) for c in row] for row in cells]
    natural = [1] * columns
    for row in rows:
        for index, cell in enumerate(row):
            natural[index] = max(natural[index], min(cell.cell_len, 40))
    header = rows[0]
    shape = table_shape(natural, [], header, width)
    for number, row in enumerate(rows):
        kind = {"is_header": number == 0 and not shape.records, "first": number == 1}
        lines = row_lines(shape, row, **kind)
        assert len(lines) == row_height(shape, row, **kind)
        assert all(cell_len(line.plain) <= max(width, 4 + EDGE + 2) for line in lines)


def test_narrow_columns_keep_their_width_when_wide_ones_shrink() -> None:
    shape = table_shape([4, 40, 40], [], HEADER, 64)
    assert shape.widths[0] == 4  # row numbers are not split across lines
    assert sum(shape.widths) + 2 * shape.gap + EDGE == 64
    assert abs(shape.widths[1] - shape.widths[2]) <= 1
