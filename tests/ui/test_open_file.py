"""`tuireader FILE` and `tuireader -` in the app: the file is what the reader shows first."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.ui.conftest import KARPATHY, reader_text, settle, sidebar_lines, wait_until_ready
from tuireader import cli
from tuireader.model.articles import article_id
from tuireader.store.state import StateStore
from tuireader.ui.screens.problems import ProblemsScreen
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.article_view import ArticleView

SIZE = (120, 36)


async def test_a_file_opens_its_folder_with_that_file_shown_and_selected(corpus: Path) -> None:
    # The newest article (the digest) is what the folder opens on by itself.
    app = cli.open_target(corpus / "traditional.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await settle(pilot)
        reader = app.query_one(ArticleView)
        assert reader.article is not None and reader.article.path == "traditional.md"
        sidebar = app.query_one(ArticleList)
        assert len(sidebar.rows) == 3
        assert sidebar.current is not None and sidebar.current.path == "traditional.md"
        assert "強化學習的崛起" in reader_text(app)


async def test_a_named_file_has_the_focus_and_tab_reaches_the_sidebar(corpus: Path) -> None:
    app = cli.open_target(corpus / "karpathy.md")
    async with app.run_test(size=(60, 14)) as pilot:  # small: the article is longer than this
        await wait_until_ready(pilot)
        await settle(pilot)
        reader = app.query_one(ArticleView)
        assert app.focused is reader
        await pilot.press("j")  # a reader key, with no Tab first
        await settle(pilot)
        assert reader.scroll_y == 1
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ArticleList)


async def test_the_file_wins_over_the_article_remembered_from_last_time(corpus: Path) -> None:
    state, _ = StateStore().open(corpus)
    state.selected_id = article_id("digest.md")
    state.save()
    app = cli.open_target(corpus / "karpathy.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await settle(pilot)
        reader = app.query_one(ArticleView)
        assert reader.article is not None and reader.article.path == "karpathy.md"


async def test_a_file_in_the_home_folder_is_opened_alone(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: corpus))
    app = cli.open_target(corpus / "karpathy.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await settle(pilot)
        assert len(app.query_one(ArticleList).rows) == 1
        assert "Andrej Karpathy 谈智能体" in sidebar_lines(app)[0]
        reader = app.query_one(ArticleView)
        assert reader.article is not None and reader.article.title == "Andrej Karpathy 谈智能体"
        assert str(app.query_one("#status").render()).startswith("tuireader · karpathy.md")
        assert not [w for w in app.workers if w.group == "watch"]


async def test_stdin_is_shown_read_only_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    app = cli.open_stdin(io.BytesIO(KARPATHY.encode("utf-8")))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        reader = app.query_one(ArticleView)
        assert reader.article is not None and reader.article.title == "Andrej Karpathy 谈智能体"
        assert "强化学习很糟糕" in reader_text(app)
        assert str(app.query_one("#status").render()).startswith("tuireader · stdin · 1 art")
        await pilot.press("m")  # a bookmark: kept in memory for this session only
        await settle(pilot, 1.5)  # past the app's once-a-second state save
        assert app.session.state is not None and app.session.state.is_bookmarked(reader.article.id)
    assert os.listdir(here) == []
    state_dir = tmp_path / "state"
    assert not state_dir.exists() or os.listdir(state_dir) == []


async def test_stdin_without_links_has_nothing_to_copy(no_native_clipboard: None) -> None:
    app = cli.open_stdin(io.BytesIO(b"# Just text\n\nNo links here.\n"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("y")
        await settle(pilot)
        messages = [message for _, _, message in app.messages]
        assert "This article came from stdin: it has no file to link to" in messages
        assert not any("file://" in m for m in messages)


async def test_binary_data_on_stdin_says_why_there_is_nothing_to_read() -> None:
    app = cli.open_stdin(io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256))))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await settle(pilot)
        reader = app.query_one(ArticleView)
        assert reader.placeholder == "Nothing to read in stdin: skipped: binary file (PNG image)"
        assert "Nothing to read in stdin" in "".join(
            reader.render_line(y).text for y in range(reader.size.height)
        )


async def test_salvaged_frontmatter_keeps_its_title_and_is_on_the_problems_screen(
    tmp_path: Path,
) -> None:
    # #19.1: Hugo's `dateday = 08` used to cost the post its title and date.
    folder = tmp_path / "hugo"
    folder.mkdir()
    (folder / "kubecon.md").write_text(
        '+++\ntitle = "KubeCon 2023"\ndate = 2023-11-08\ndateday = 08\n+++\n'
        "# Try new features in Volcano v1.8.2\n\nBody.\n",
        encoding="utf-8",
    )
    app = cli.open_target(folder / "kubecon.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await settle(pilot)
        assert "KubeCon 2023" in sidebar_lines(app)[0]
        assert "2023-11-08" in sidebar_lines(app)[0]
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        (option,) = app.screen.query_one(OptionList).options
        assert "invalid TOML frontmatter line 4 read as '8'" in str(option.prompt)
