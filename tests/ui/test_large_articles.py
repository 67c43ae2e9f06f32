"""Very large articles open completely: nothing of the text is dropped to render them fast."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.ui.conftest import reader_text, settle, wait_until_ready
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.widgets import article_view
from tuireader.ui.widgets.article_view import ArticleView

SENTENCE = "大型语言模型的微调过程变得更加简单。Tinker makes fine-tuning easier. "


def many_paragraphs() -> tuple[str, list[str]]:
    paragraphs = [f"第{n}段：" + SENTENCE * 7 for n in range(2000)]
    return "\n\n".join(paragraphs), paragraphs


def one_paragraph() -> tuple[str, list[str]]:
    text = "".join(f"句{n}。" + SENTENCE for n in range(13000))
    return text, [text]


def big_table() -> tuple[str, list[str]]:
    # ~260 bytes a row: 4,000 rows make the 1 MB of the table case.
    cells = [
        (f"行{n}", f"模型{n}：{SENTENCE[:14]}", f"value {n}: {SENTENCE * 2}".strip())
        for n in range(4000)
    ]
    rows = [f"| {a} | {b} | {c} |" for a, b, c in cells]
    return "| a | b | c |\n|---|---|---|\n" + "\n".join(rows), [c for row in cells for c in row]


def squeeze(text: str) -> str:
    return "".join(text.split()).replace("│", "").replace("─", "")


@pytest.mark.parametrize(
    ("make", "width"),
    # Wide enough for the table's rows not to wrap: a wrapped cell goes on under its column, so
    # its text would not read as one piece across the screen.
    [(many_paragraphs, 100), (one_paragraph, 100), (big_table, 240)],
)
async def test_a_large_article_is_shown_whole(tmp_path: Path, make, width: int) -> None:  # type: ignore[no-untyped-def]
    body, pieces = make()
    assert len(body.encode()) >= 1_000_000  # the 1 MB article
    root = tmp_path / "big"
    root.mkdir()
    (root / "big.md").write_text("---\ntitle: big\n---\n" + body, encoding="utf-8")
    app = TuiReaderApp(root, watch=False)
    async with app.run_test(size=(width, 30)) as pilot:
        await wait_until_ready(pilot, timeout=60)
        reader = app.query_one(ArticleView)
        for _ in range(600):
            if reader.laid_out:
                break
            await asyncio.sleep(0.05)
        assert reader.laid_out
        shown = squeeze(reader_text(app))
        position = 0
        for piece in pieces:
            found = shown.find(squeeze(piece), position)
            assert found >= 0, f"missing: {piece[:40]}"
            position = found
        # Keys work and the end of the article is reachable.
        reader.focus()
        await pilot.press("G")
        await settle(pilot, 0.1)
        assert reader.scroll_y == reader.max_scroll_y > 0


async def open_big(tmp_path: Path, body: str, size: tuple[int, int]) -> TuiReaderApp:
    root = tmp_path / "big"
    root.mkdir()
    (root / "big.md").write_text("---\ntitle: big\n---\n" + body, encoding="utf-8")
    return TuiReaderApp(root, watch=False)


async def until_laid_out(reader: ArticleView) -> None:
    for _ in range(600):
        if reader.laid_out:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the layout did not finish")


def on_screen(reader: ArticleView) -> list[str]:
    height = reader.scrollable_content_region.height
    return [reader.render_line(y).text.rstrip() for y in range(height)]


async def test_end_pressed_while_a_long_table_lays_out_goes_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(article_view, "LAYOUT_SLICE", 0.0)  # one block per slice
    body, _ = big_table()
    app = await open_big(tmp_path, body, (100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until_ready(pilot, timeout=60)
        reader = app.query_one(ArticleView)
        await until_laid_out(reader)
        assert reader.article is not None and reader._document is not None
        reader.show(reader.article, reader._document)  # lays out its first block only
        assert not reader.laid_out
        reader.action_scroll_end()  # the end keeps moving while the layout runs
        await until_laid_out(reader)
        await pilot.pause()
        assert reader.scroll_y == reader.max_scroll_y > 0
        assert any("行3999" in line for line in on_screen(reader))


async def test_resizing_keeps_the_place_deep_inside_a_long_table(tmp_path: Path) -> None:
    body, _ = big_table()
    app = await open_big(tmp_path, body, (100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until_ready(pilot, timeout=60)
        reader = app.query_one(ArticleView)
        await until_laid_out(reader)
        reader.focus()
        reader.scroll_to(y=reader.max_scroll_y // 2, animate=False)
        await pilot.press("down")
        await pilot.pause()
        before = next(line for line in on_screen(reader) if "行" in line).split()[0]
        for size in ((70, 30), (130, 30)):
            await pilot.resize_terminal(*size)
            await until_laid_out(reader)
            await pilot.pause()
            top = [line.split()[0] for line in on_screen(reader) if "行" in line][:3]
            # The same row, or one of its neighbours, is still at the top.
            row = int(before.removeprefix("行"))
            assert any(abs(int(cell.removeprefix("行")) - row) <= 2 for cell in top), top


async def test_search_matches_in_table_cells_are_found_where_they_are_drawn(
    tmp_path: Path,
) -> None:
    body, _ = big_table()
    app = await open_big(tmp_path, body, (100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until_ready(pilot, timeout=60)
        await pilot.press("slash", *"模型3777", "enter")
        await settle(pilot)
        reader = app.query_one(ArticleView)
        await until_laid_out(reader)
        await pilot.pause()
        assert reader.match_count == 1 and reader.match_index == 0
        match = reader._matches[0]
        line = reader.render_line(match.line - int(reader.scroll_y))
        assert line.crop(match.start_cell, match.end_cell).text == "模型3777"
