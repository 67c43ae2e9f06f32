import time

import pytest
from rich.style import Style

from tuireader.model.articles import Article
from tuireader.render.blocks import BuildStopped
from tuireader.render.document import (
    MAX_DISPLAY_CHARS,
    TABLE_ROWS_PER_BLOCK,
    _MarkdownConverter,
    build_document,
)


def article(body: str, kind: str = "markdown") -> Article:
    return Article(id="x", path="x.md", title="t", body=body, kind=kind)  # type: ignore[arg-type]


def test_markdown_blocks_keep_markup_as_text_and_read_html_tags() -> None:
    doc = build_document(article("# 标题[/]尾\n\nList<T> <b>bold</b> [bold red]x[/]\n"))
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]
    assert doc.blocks[0].text.plain == "标题[/]尾"
    # `<b>` is a tag, read as bold; `<T>` glued to a word is a type, kept as text.
    paragraph = doc.blocks[1].text
    assert paragraph.plain == "List<T> bold [bold red]x[/]"
    assert [(s.start, s.end, s.style) for s in paragraph.spans] == [(8, 12, Style(bold=True))]


def test_chinese_soft_breaks_join_without_space() -> None:
    doc = build_document(article("第一行\n第二行 and\nEnglish"))
    assert doc.blocks[0].text.plain == "第一行第二行 and English"


def test_lists_quotes_tables_and_code() -> None:
    source = (
        "1. one\n2. two\n   - nested\n\n> quoted\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n"
    )
    doc = build_document(article(source))
    prefixes = [(b.kind, b.first_prefix.plain) for b in doc.blocks]
    assert prefixes[0] == ("paragraph", "1. ")
    assert prefixes[1] == ("paragraph", "2. ")
    assert prefixes[2] == ("paragraph", "   • ")
    assert prefixes[3] == ("paragraph", "▌ ")
    assert doc.blocks[4].kind == "table"
    assert [[c.plain for c in row] for row in doc.blocks[4].rows] == [["a", "b"], ["1", "2"]]
    assert doc.blocks[5].kind == "code" and doc.blocks[5].text.plain == "code"


def test_links_are_collected_and_carry_their_url() -> None:
    doc = build_document(article("See [one](https://a.example/1) and ![pic](img.png)."))
    assert [link.url for link in doc.links] == ["https://a.example/1", "img.png"]
    assert [link.text for link in doc.links] == ["one", "image: pic"]
    # Each link's number in the link list follows it, dim: `l` then `2` is the picture.
    assert doc.blocks[0].text.plain == "See one[1] and [image: pic][2]."
    spans = doc.blocks[0].text.spans
    urls = {span.style.meta.get("url") for span in spans if not isinstance(span.style, str)}
    assert "https://a.example/1" in urls


def test_plain_text_keeps_one_paragraph_per_line_and_marks_urls() -> None:
    doc = build_document(article("第一段\n\n第二段 https://x.example/a。\n*not markdown*", "text"))
    assert [b.text.plain for b in doc.blocks] == [
        "第一段",
        "第二段 https://x.example/a[1]。",
        "*not markdown*",
    ]
    assert [link.url for link in doc.links] == ["https://x.example/a"]


def test_headings_for_the_table_of_contents() -> None:
    doc = build_document(article("# 一\n\ntext\n\n## 二\n\nmore"))
    assert [(b.level, b.text.plain) for _, b in doc.headings] == [(1, "一"), (2, "二")]


def test_a_paragraph_of_many_source_lines_builds_in_linear_time() -> None:
    # One paragraph of 100k soft breaks: looking back and ahead at each break was quadratic
    # (446 s for an unclosed 2 MB frontmatter shown as text).
    body = "key: value\n" * 100_000
    started = time.perf_counter()
    doc = _MarkdownConverter().convert(body)  # below build_document's display cut
    assert doc.blocks[0].text.plain.count("key: value") == 100_000
    assert time.perf_counter() - started < 30  # a hang guard; it takes about 2 s


def test_soft_breaks_between_chinese_lines_still_join_without_a_space() -> None:
    doc = build_document(article("第一行\n第二行 **粗体**\nnext"))
    assert doc.blocks[0].text.plain == "第一行第二行 粗体 next"


def test_a_long_body_is_cut_for_display_with_a_note_before_and_after() -> None:
    paragraph = "一段文字 some words.\n\n"
    body = paragraph * (MAX_DISPLAY_CHARS // len(paragraph) * 2) + "THE END"
    doc = build_document(article(body))
    notes = [b.text.plain for b in doc.blocks if b.kind == "meta"]
    assert len(notes) == 2
    assert notes[0].startswith("⚠ Long article: showing the first ")
    assert f"of {len(body):,} characters" in notes[0]
    assert notes[1].startswith("⚠ End of what is shown")
    assert doc.blocks[0].kind == doc.blocks[-1].kind == "meta"
    shown = sum(len(b.text.plain) for b in doc.blocks if b.kind == "paragraph")
    assert MAX_DISPLAY_CHARS // 2 < shown <= MAX_DISPLAY_CHARS
    assert "THE END" not in doc.blocks[-2].text.plain


def test_a_file_truncated_by_the_loader_says_so_at_the_top() -> None:
    truncated = Article(
        id="x",
        path="x.txt",
        title="t",
        body="short\n",
        kind="text",
        problems=("truncated to the first 16 MiB",),
    )
    doc = build_document(truncated)
    assert [b.kind for b in doc.blocks] == ["meta", "paragraph"]
    assert doc.blocks[0].text.plain == "⚠ truncated to the first 16 MiB."


def test_nesting_past_the_parser_limit_is_shown_as_text_not_dropped() -> None:
    deep = "".join("  " * d + f"- level {d}\n" for d in range(200))
    doc = build_document(article(deep + "\nafter the list\n"))
    plain = [b.text.plain for b in doc.blocks]
    assert plain[0].startswith("⚠ Nested too deeply")
    assert "- level 199" in plain and "after the list" in plain
    # An ordinary deep list (25 levels) is still laid out as a list.
    doc = build_document(article("".join("  " * d + f"- level {d}\n" for d in range(25))))
    assert [b.text.plain for b in doc.blocks][-1] == "level 24"


def test_a_long_table_is_split_into_chunks_that_line_up_and_keep_every_row() -> None:
    rows = "\n".join(f"| {n} | 第{n}行 |" for n in range(100))
    source = f"- 列表\n\n  | 编号 | 内容 |\n  |---:|:---:|\n{rows}\n"
    source = source.replace("\n| ", "\n  | ")
    chunks = [b for b in build_document(article(source)).blocks if b.kind == "table"]
    assert len(chunks) == -(-100 // TABLE_ROWS_PER_BLOCK) > 1
    assert [c.joined for c in chunks] == [False] + [True] * (len(chunks) - 1)
    assert all(len(c.rows) <= TABLE_ROWS_PER_BLOCK + 1 for c in chunks)
    assert chunks[0].has_header and not chunks[1].has_header
    cells = [row[1].plain for chunk in chunks for row in chunk.rows]
    assert cells == ["内容", *[f"第{n}行" for n in range(100)]]
    for chunk in chunks:  # one table: same widths, header and alignment in every chunk
        assert chunk.column_widths == chunks[0].column_widths
        assert [c.plain for c in chunk.header] == ["编号", "内容"]
        assert chunk.aligns == ["right", "center"]
        assert chunk.prefix.plain == "  "  # inside the list item
        # Each chunk points at the source line of its first row (a position after resizes).
        first = chunk.rows[0][1].plain
        line = source.split("\n")[chunk.source_line - 1]
        assert first in line


def test_an_empty_list_item_still_shows_its_marker() -> None:
    doc = build_document(article("- foo\n-\n- bar\n"))
    assert [b.first_prefix.plain for b in doc.blocks] == ["• ", "• ", "• "]
    assert [b.text.plain for b in doc.blocks] == ["foo", "", "bar"]


def test_an_image_shows_its_description_as_text_without_markup() -> None:
    doc = build_document(article("![foo *bar* `x` ![in](y.png)](train.jpg)\n"))
    assert doc.blocks[0].text.plain == "[image: foo bar x in][1]"
    assert [link.url for link in doc.links] == ["train.jpg"]


def test_a_build_that_is_no_longer_wanted_stops_early() -> None:
    body = "\n\n".join(f"第 {n} 段" for n in range(5000))
    asked: list[int] = []

    def stopped() -> bool:
        asked.append(1)
        return len(asked) > 2  # wanted for the first two checks only

    with pytest.raises(BuildStopped):
        build_document(Article(id="x", path="x.md", title="t", body=body), stopped)
    assert len(asked) == 3
    whole = build_document(Article(id="x", path="x.md", title="t", body=body), lambda: False)
    assert len(whole.blocks) == 5000
