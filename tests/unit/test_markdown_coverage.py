"""Footnotes, task lists, definition lists, tight lists and numbered links in the document."""

from rich.console import Console
from rich.style import Style

from tuireader.model.articles import Article
from tuireader.render.blocks import Document
from tuireader.render.document import build_document


def document(body: str) -> Document:
    return build_document(Article(id="x", path="x.md", title="t", body=body))


def texts(doc: Document) -> list[str]:
    return [block.first_prefix.plain + block.text.plain for block in doc.blocks]


def test_footnotes_are_numbered_where_referenced_and_listed_at_the_end() -> None:
    doc = document("一[^a] 二[^b] 三[^a]。\n\n[^a]: 注一。\n[^b]: 注二。\n")
    assert texts(doc) == ["一¹ 二² 三¹。", "", "1. 注一。 ↩ ↩2", "2. 注二。 ↩"]
    assert [block.kind for block in doc.blocks] == ["paragraph", "rule", "paragraph", "paragraph"]
    assert doc.note_block(1) == 2 and doc.note_block(2) == 3 and doc.note_block(3) is None
    assert doc.footnote_references() == [(0, 1), (0, 2), (0, 1)]
    assert doc.footnote_references(1) == []


def test_a_footnote_without_a_note_stays_text() -> None:
    assert texts(document("see [^missing] here\n")) == ["see [^missing] here"]


def test_task_lists_show_boxes_instead_of_bullets() -> None:
    doc = document("- [ ] 待办\n- [x] 完成\n- plain\n\n1. [x] first\n")
    assert texts(doc) == ["☐ 待办", "☑ 完成", "• plain", "1. ☑ first"]


def test_tight_lists_have_no_gaps_and_loose_lists_keep_them() -> None:
    tight = document("- a\n- b\n  - c\n  - d\n- e\n")
    assert [block.joined for block in tight.blocks] == [False, True, True, True, True]
    loose = document("- a\n\n- b\n")
    assert [block.joined for block in loose.blocks] == [False, False]
    # A tight list inside a loose item keeps the gap after the item's paragraph.
    mixed = document("- a\n\n  - b\n  - c\n\n- d\n")
    assert [block.joined for block in mixed.blocks] == [False, False, True, False]
    after = document("- a\n- b\n\nnext\n")
    assert after.blocks[-1].joined is False


def test_definition_lists_show_the_term_bold_and_the_definition_indented() -> None:
    doc = document("术语\n: 定义一\n: 定义二\n")
    assert texts(doc) == ["术语", "    定义一", "    定义二"]
    assert doc.blocks[0].text.get_style_at_offset(Console(), 0).bold
    assert [block.joined for block in doc.blocks] == [False, True, True]


def test_each_link_is_numbered_once_in_order_of_appearance() -> None:
    doc = document(
        "[甲](https://a.example) [乙](https://b.example) [又甲](https://a.example)\n\n"
        "<https://c.example> ![图](p.png) [内](#anchor)\n"
    )
    assert texts(doc) == [
        "甲[1] 乙[2] 又甲[1]",
        "https://c.example[3] [image: 图][4] 内[5]",
    ]
    assert [(link.text, link.url) for link in doc.links] == [
        ("甲", "https://a.example"),
        ("乙", "https://b.example"),
        ("https://c.example", "https://c.example"),
        ("image: 图", "p.png"),
        ("内", "#anchor"),  # a heading of this page: listed, so the keyboard reaches it
    ]
    # The number is dim and says which link it is, apart from the link's own style.
    styled = [(s.start, s.end, s.style) for s in doc.blocks[0].text.spans]
    start, end, style = next(
        span for span in styled if isinstance(span[2], Style) and span[2].meta.get("link") == 2
    )
    assert doc.blocks[0].text.plain[start:end] == "[2]"
    assert isinstance(style, Style) and "url" not in style.meta
