"""Pilot tests for what the reading pane draws of Markdown: footnotes, task lists, link numbers."""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import reader_text, settle, wait_until_ready
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.links import LinkListScreen
from tuireader.ui.widgets.article_view import ArticleView

SIZE = (100, 30)
FILLER = "\n\n".join(f"第 {n} 段正文，没有脚注。" for n in range(60))
ARTICLE = f"""---
title: 脚注与任务
---
开头一句有脚注[^src]，再看 [官网](https://a.example/home) 和 [文档](https://docs.example)。

- [ ] 待办事项
- [x] 已完成

{FILLER}

[^src]: 出处：[原文](https://a.example/source)。
"""


def one_article(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "note.md").write_text(ARTICLE, encoding="utf-8")
    return root


async def test_footnote_jumps_to_its_note_and_back(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.query_one(ArticleView)
        document = reader.document
        assert document is not None
        note = document.note_block(1)
        assert note is not None and note > 50
        assert "开头一句有脚注¹" in reader_text(app)
        await pilot.press("F")
        await settle(pilot)
        # The note is on screen (at the bottom: the article ends with it), its text drawn.
        top = int(reader.scroll_y)
        height = reader.scrollable_content_region.height
        assert top > 0
        lines = [strip.text for strip in reader.rendered_lines()][top : top + height]
        assert any("1. 出处：原文[3]。 ↩" in line for line in lines)
        await pilot.press("F")  # from the note, back to the reference
        await settle(pilot)
        assert reader.first_visible_block() == 0


async def test_footnote_key_says_when_no_reference_is_on_screen(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("enter", "space", "space")
        await settle(pilot)
        reader = app.query_one(ArticleView)
        before = reader.scroll_y
        await pilot.press("F")
        await settle(pilot)
        assert reader.scroll_y == before
        assert any("No footnote reference" in m for _, _, m in app.messages)


async def test_task_lists_draw_boxes(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        text = reader_text(app)
        assert "☐ 待办事项" in text and "☑ 已完成" in text
        assert "[ ]" not in text and "[x]" not in text


async def test_the_number_after_a_link_is_its_number_in_the_link_list(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert "再看 官网[1] 和 文档[2]。" in reader_text(app)
        assert "3 links" in reader_text(app)  # the header counts what `l` lists
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LinkListScreen)
        await pilot.press("2", "y")
        await settle(pilot)
        assert app.clipboard == "https://docs.example"
        await pilot.press("l", "3", "Y")
        await settle(pilot)
        assert app.clipboard == "[原文](https://a.example/source)"
