"""Blocks drawn as lines by the core: prefixes, wrapping, tables, highlights, and the header."""

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from tuireader.model.articles import Article
from tuireader.render.blocks import Block
from tuireader.render.document import build_document
from tuireader.render.lines import (
    MATCH_STYLE,
    block_lines,
    header_lines,
    measure_block,
)


def article(body: str) -> Article:
    return Article(id="x", path="x.md", title="t", body=body)


def blocks(source: str) -> list[Block]:
    blocks: list[Block] = build_document(article(source)).blocks
    return blocks


def plain(lines: list[Text]) -> list[str]:
    return [line.plain for line in lines]


def test_a_list_item_shows_its_marker_first_and_indents_its_continuations() -> None:
    [item] = blocks("- " + "word " * 30)
    lines = plain(block_lines(item, 40))
    assert lines[0].startswith("• word")
    assert all(line.startswith("  word") for line in lines[1:])
    assert len(lines) > 1 and all(cell_len(line) <= 40 for line in lines)


def test_a_quote_shows_its_bar_on_every_line() -> None:
    [quote] = blocks("> " + "引用的文字。" * 20)
    lines = plain(block_lines(quote, 30))
    assert len(lines) > 1
    assert all(line.startswith("▌ ") for line in lines)
    assert all(cell_len(line) <= 30 for line in lines)


def test_a_rule_spans_the_width() -> None:
    [rule] = blocks("---")
    assert plain(block_lines(rule, 25)) == ["─" * 25]


def test_a_table_is_drawn_as_a_grid_with_its_cells() -> None:
    [table] = blocks("| 名称 | value |\n|---|---:|\n| 甲 | 1 |\n| 乙 | 22 |\n")
    lines = plain(block_lines(table, 60))
    assert set(lines[1].strip()) == {"─"}  # the rule under the header
    assert lines[0].split() == ["名称", "value"]
    assert [line.split() for line in lines[2:]] == [["甲", "1"], ["乙", "22"]]


def test_terms_are_highlighted_without_touching_the_block() -> None:
    [paragraph] = blocks("模型训练变得便宜，模型部署更灵活。")
    [line] = block_lines(paragraph, 80, ["模型"])
    highlighted = [line.plain[span.start : span.end] for span in line.spans]
    assert highlighted.count("模型") == 2
    assert all(span.style == MATCH_STYLE for span in line.spans)
    assert not paragraph.text.spans  # the document's own text stays unstyled


def test_terms_in_table_cells_are_highlighted() -> None:
    [table] = blocks("| a | b |\n|---|---|\n| 模型 | x |\n")
    lines = block_lines(table, 40, ["模型"])
    marked = [
        line.plain[span.start : span.end]
        for line in lines
        for span in line.spans
        if span.style == MATCH_STYLE
    ]
    assert marked == ["模型"]


def test_matches_are_measured_where_they_are_drawn() -> None:
    source = (
        "- " + "混合 mixed 文本，带标点。模型 " * 12 + "\n\n| 模型 | b |\n|---|---|\n| x | 模型 |\n"
    )
    for block in blocks(source):
        height, matches = measure_block(block, 30, ["模型"])
        lines = block_lines(block, 30, ["模型"])
        assert height == len(lines)
        assert matches
        for match in matches:
            line = lines[match.row]
            # The drawn line has the term at exactly the measured cells.
            cells = ""
            column = 0
            for char in line.plain:
                if match.start_cell <= column < match.end_cell:
                    cells += char
                column += cell_len(char)
            # A match the wrap breaks in two is marked where it starts.
            assert cells and "模型".startswith(cells)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(st.sampled_from("模型 ab，。-*>1\n"), max_size=200),
    width=st.integers(min_value=1, max_value=60),
)
def test_measured_height_is_the_drawn_height(text: str, width: int) -> None:
    for block in blocks(text):
        height, _ = measure_block(block, width)
        assert height == len(block_lines(block, width))


def test_the_header_shows_title_facts_location_tags_and_source() -> None:
    item = article("body").replaced(
        date=datetime(2025, 10, 2),
        authors=("fisher\x1b[31mdaddy",),
        tags=("AI",),
        source_url="https://news.example/a",
        reading_minutes=3,
    )
    lines = plain(header_lines(item))
    assert lines[0] == "t"
    assert lines[1].startswith("2025-10-02 · fisher")
    assert "\x1b" not in lines[1]  # control characters never reach the terminal
    assert lines[1].endswith("3 min read")
    assert lines[2:] == ["x.md", "#AI", "source: https://news.example/a"]


def test_a_rule_in_a_list_item_keeps_the_marker() -> None:
    _, rule = blocks("- Foo\n- * * *\n")
    assert plain(block_lines(rule, 20)) == ["• " + "─" * 18]


def test_a_gap_inside_a_quote_keeps_the_bars_the_blocks_share() -> None:
    from tuireader.render.lines import gap_line

    blocks = build_document(
        Article(id="q", path="q.md", title="t", body="> a\n>\n> > b\n\n> c\n\nafter\n")
    ).blocks
    gaps = [gap_line(blocks[n - 1], blocks[n]).plain for n in range(1, len(blocks))]
    assert gaps == ["▌", "▌", ""]  # "▌ ▌ b" to "▌ c" share one bar; the quote ends before "after"
