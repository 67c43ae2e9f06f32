"""In a docs tree, a relative link opens its article in the reader; a web link the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.ui.conftest import reader_text, settle, wait_for, wait_until_ready
from tuireader import cli
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.links import LinkListScreen
from tuireader.ui.sharing import Sharing
from tuireader.ui.widgets.article_view import ArticleView

SIZE = (100, 30)


def docs_tree(root: Path) -> Path:
    (root / "guide").mkdir(parents=True)
    (root / "README.md").write_text(
        "# 项目说明\n\n先读[指南](guide/)，再看[官网](https://example.com/docs)。\n", "utf-8"
    )
    (root / "guide" / "index.md").write_text(
        "# 指南\n\n[安装步骤](setup.md#install) · [说明](../README.md)\n", "utf-8"
    )
    filler = "\n\n".join(f"第 {n} 段：准备工作。" for n in range(60))
    (root / "guide" / "setup.md").write_text(
        f"# 安装\n\n[到 Install 一节](#install)\n\n{filler}\n\n"
        f"## Install\n\n运行安装命令。\n\n{filler}\n",
        "utf-8",
    )
    return root


def shown_path(app: TuiReaderApp) -> str | None:
    article = app.query_one(ArticleView).article
    return article.path if article is not None else None


async def test_a_relative_link_opens_its_article_here_and_h_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(Sharing, "open_url", lambda self, url: opened.append(url))
    root = docs_tree(tmp_path / "docs")
    app = cli.open_target(root / "README.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await settle(pilot)
        assert shown_path(app) == "README.md"
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LinkListScreen)
        options = app.screen.query_one(OptionList)
        listed = "\n".join(
            str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
        )
        assert "↪ 指南" in listed  # the link list says where a folder link leads
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: shown_path(app) == "guide/index.md")
        assert opened == []  # not handed to the browser
        assert isinstance(app.focused, ArticleView)

        # A link with an anchor: the article opens at that heading.
        await pilot.press("l", "1", "enter")
        await wait_for(pilot, lambda: shown_path(app) == "guide/setup.md")
        reader = app.query_one(ArticleView)
        await wait_for(pilot, lambda: reader.laid_out)
        await settle(pilot)
        assert reader.scroll_y > 0
        lines = reader_text(app).splitlines()
        top = lines[int(reader.scroll_y)]
        assert "Install" in top  # the heading the anchor names is at the top

        await pilot.press("H")  # back through the history
        await wait_for(pilot, lambda: shown_path(app) == "guide/index.md")
        await pilot.press("H")
        await wait_for(pilot, lambda: shown_path(app) == "README.md")

        # A web link still goes to the browser.
        await pilot.press("l", "2", "enter")
        await settle(pilot)
        assert opened == ["https://example.com/docs"]
        assert shown_path(app) == "README.md"


async def laid_out_reader(pilot: Pilot[None], app: TuiReaderApp) -> ArticleView:
    await wait_until_ready(pilot)
    reader = app.query_one(ArticleView)
    await wait_for(pilot, lambda: reader.laid_out)
    return reader


def heading_at_top(app: TuiReaderApp, reader: ArticleView) -> str:
    return reader_text(app).splitlines()[int(reader.scroll_y)]


async def test_a_click_on_a_link_to_a_heading_of_the_article_goes_there(tmp_path: Path) -> None:
    app = cli.open_target(docs_tree(tmp_path / "docs") / "guide" / "setup.md")
    async with app.run_test(size=SIZE) as pilot:
        reader = await laid_out_reader(pilot, app)
        assert reader.scroll_y == 0
        reader.post_message(ArticleView.LinkClicked("#install"))
        await settle(pilot)
        assert "Install" in heading_at_top(app, reader)
        assert app.clipboard == ""  # a jump, not a copy


async def test_the_link_list_reaches_a_heading_of_the_article_from_the_keyboard(
    tmp_path: Path,
) -> None:
    app = cli.open_target(docs_tree(tmp_path / "docs") / "guide" / "setup.md")
    async with app.run_test(size=SIZE) as pilot:
        reader = await laid_out_reader(pilot, app)
        await pilot.press("l")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert "#install  ↪ Install" in str(options.get_option_at_index(0).prompt)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert "Install" in heading_at_top(app, reader)
        assert reader.article is not None and reader.article.path == "setup.md"  # the same one
