"""Very large articles open completely: nothing of the text is dropped to render them fast."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.ui.conftest import reader_text, settle, wait_until_ready
from tuireader.app import TuiReaderApp
from tuireader.widgets.article_view import ArticleView

SENTENCE = "大型语言模型的微调过程变得更加简单。Tinker makes fine-tuning easier. "


def many_paragraphs() -> tuple[str, list[str]]:
    paragraphs = [f"第{n}段：" + SENTENCE * 7 for n in range(2000)]
    return "\n\n".join(paragraphs), paragraphs


def one_paragraph() -> tuple[str, list[str]]:
    text = "".join(f"句{n}。" + SENTENCE for n in range(13000))
    return text, [text]


def big_table() -> tuple[str, list[str]]:
    rows = [f"| 行{n} | 模型{n} | value {n} |" for n in range(4000)]
    return "| a | b | c |\n|---|---|---|\n" + "\n".join(rows), [f"行{n}" for n in range(4000)]


def squeeze(text: str) -> str:
    return "".join(text.split()).replace("│", "").replace("─", "")


@pytest.mark.parametrize("make", [many_paragraphs, one_paragraph, big_table])
async def test_a_large_article_is_shown_whole(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    body, pieces = make()
    assert len(body.encode()) > 130_000
    root = tmp_path / "big"
    root.mkdir()
    (root / "big.md").write_text("---\ntitle: big\n---\n" + body, encoding="utf-8")
    app = TuiReaderApp(root, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
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
