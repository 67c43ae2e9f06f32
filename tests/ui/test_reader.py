"""Pilot tests for every flow of the reader."""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.command import CommandPalette
from textual.strip import Strip
from textual.widgets import Input

from tests.ui.conftest import reader_text, settle, sidebar_lines, wait_for, wait_until_ready
from tuireader.model.articles import Article
from tuireader.search.index import SearchIndex
from tuireader.ui import sharing as links_flow
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.help import HelpScreen
from tuireader.ui.screens.links import LinkListScreen
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.article_view import ArticleView

SIZE = (120, 36)


async def test_browse_newest_first_and_open_on_move(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        lines = sidebar_lines(app)
        assert "Andrej Karpathy 谈智能体" in lines[0]
        assert "AI 日报：模型发布" in lines[1]
        assert "人工智慧的六大轉變" in lines[2]
        assert app.query_one(ArticleView).article.title == "Andrej Karpathy 谈智能体"  # type: ignore[union-attr]
        await pilot.press("j")
        await settle(pilot)
        assert app.query_one(ArticleView).article.title == "AI 日报：模型发布"  # type: ignore[union-attr]
        text = reader_text(app)
        assert "今日要闻" in text and "Tinker 让大型语言模型微调更简单" in text
        await pilot.press("G")
        await settle(pilot)
        assert app.query_one(ArticleList).cursor == 2
        await pilot.press("g")
        await settle(pilot)
        assert app.query_one(ArticleList).cursor == 0


async def test_holding_j_opens_only_where_the_cursor_stops(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        shown: list[str] = []
        reader = app.query_one(ArticleView)
        original = reader.show

        def spy(article: Any, *args: Any, **kwargs: Any) -> None:
            shown.append(article.title)
            original(article, *args, **kwargs)

        reader.show = spy  # type: ignore[method-assign]
        await pilot.press("j", "j", "k", "j")
        await settle(pilot)
        assert shown == ["人工智慧的六大轉變"]


async def test_search_as_you_type_open_hit_and_step_through_matches(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"模型")
        await settle(pilot)
        assert app.session.search_state is not None
        assert app.session.search_state.results.total == 1
        assert str(app.query_one("#search").border_subtitle) == "1 hit"
        assert "AI 日报：模型发布" in sidebar_lines(app)[0]
        await pilot.press("enter")
        await settle(pilot)
        reader = app.query_one(ArticleView)
        assert reader.has_focus
        assert reader.article is not None and reader.article.title == "AI 日报：模型发布"
        total = reader.match_count
        assert total >= 4
        assert reader.match_index == 0
        assert f"match 1/{total}" in str(app.query_one("#reader-status").render())
        await pilot.press("n")
        assert reader.match_index == 1
        assert f"match 2/{total}" in str(app.query_one("#reader-status").render())
        await pilot.press("N", "N")
        assert reader.match_index == total - 1


async def test_traditional_and_simplified_fold_in_search(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("slash", *"强化学习")
        await settle(pilot)
        assert app.session.search_state is not None
        titles = {app.session.articles[h.id].title for h in app.session.search_state.results.hits}
        assert titles == {"人工智慧的六大轉變", "Andrej Karpathy 谈智能体"}


async def test_escape_clears_search_and_restores_selection(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        await pilot.press("slash", *"Karpathy")
        await settle(pilot)
        assert app.session.search_state is not None
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.search_state is None
        assert app.query_one("#search", Input).value == ""
        sidebar = app.query_one(ArticleList)
        assert len(sidebar.rows) == 3
        assert sidebar.current is not None and sidebar.current.title == "人工智慧的六大轉變"
        assert app.focused is sidebar


async def test_typing_q_in_search_does_not_quit(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("slash", "q", "y", "l")
        await settle(pilot)
        assert app.is_running
        assert app.query_one("#search", Input).value == "qyl"


async def test_copy_link_emits_osc52_and_notifies(
    no_native_clipboard: None, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        written: list[str] = []
        # The driver's output is the only place the OSC 52 sequence can be seen; Textual
        # has no public handle on it.
        driver = app._driver
        assert driver is not None
        monkeypatch.setattr(driver, "write", lambda data: written.append(data))
        await pilot.press("j")  # the digest, which has a source URL
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "https://news.example/digest"
        payload = base64.b64encode(b"https://news.example/digest").decode()
        assert f"\x1b]52;c;{payload}\a" in written
        messages = [message for _, _, message in app.messages]
        assert any("https://news.example/digest" in m and "OSC 52" in m for m in messages)
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == "[AI 日报：模型发布](https://news.example/digest)"


async def test_copy_without_a_source_url_copies_the_file_never_a_body_link(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("y")  # Karpathy: no source URL, links in its body
        await settle(pilot)
        karpathy = (corpus / "karpathy.md").resolve().as_uri()
        assert app.clipboard == karpathy
        assert any("file (no source URL; l lists its links)" in m for _, _, m in app.messages)
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == f"[Andrej Karpathy 谈智能体]({karpathy})"
        await pilot.press("G", "y")  # traditional: no links at all
        await settle(pilot)
        assert app.clipboard == (corpus / "traditional.md").resolve().as_uri()


async def test_link_list_copy_open_digits_and_escape(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(links_flow, "open_in_browser", lambda url: opened.append(url))
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LinkListScreen)
        await pilot.press("j", "y")
        await settle(pilot)
        assert not isinstance(app.screen, LinkListScreen)
        assert app.clipboard == "https://notes.example/k"
        await pilot.press("l", "1", "o")
        await settle(pilot)
        assert opened == ["https://podcast.example/karpathy"]
        await pilot.press("l", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, LinkListScreen)


async def test_open_refuses_unsafe_schemes(corpus: Path) -> None:
    (corpus / "evil.md").write_text(
        "---\ntitle: evil\ndate: 2030-01-01\nurl: javascript:alert(1)\n---\nbody\n",
        encoding="utf-8",
    )
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert app.query_one(ArticleView).article.title == "evil"  # type: ignore[union-attr]
        await pilot.press("o")
        await settle(pilot)
        messages = [message for _, _, message in app.messages]
        assert any("refused" in m for m in messages)


async def test_help_lists_every_binding(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_app_commands(
    no_native_clipboard: None, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Copy link")
        await settle(pilot, 0.5)
        await pilot.press("enter")
        await settle(pilot)
        # Karpathy has no source URL: the file, not the first link of its body.
        assert app.clipboard == (corpus / "karpathy.md").resolve().as_uri()


async def test_table_of_contents_jumps_to_heading(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("t")
        toc = app.query_one("#toc")
        assert toc.display and app.focused is toc
        await pilot.press("down", "enter")
        await settle(pilot)
        reader = app.query_one(ArticleView)
        assert app.focused is reader
        assert reader.scroll_y > 0


async def test_clicking_a_web_link_copies_it_and_never_crashes(
    no_native_clipboard: None, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        reader = app.query_one(ArticleView)
        reader.post_message(ArticleView.LinkClicked("https://podcast.example/karpathy"))
        await settle(pilot)
        assert app.clipboard == "https://podcast.example/karpathy"
        reader.post_message(ArticleView.LinkClicked("#anchor"))
        reader.post_message(ArticleView.LinkClicked("../relative.md"))
        await settle(pilot)
        assert app.is_running


HOSTILE_TITLES = [
    "[@click=app.quit]x",
    "标题[/]尾",
    "[AI] 新闻",
    "[link=javascript:alert(1)]x[/link]",
    "[bold red]x[/]",
]


async def test_hostile_titles_show_literally(tmp_path: Path) -> None:
    root = tmp_path / "hostile"
    root.mkdir()
    for number, title in enumerate(HOSTILE_TITLES):
        escaped = title.replace('"', '\\"')
        (root / f"{number}.md").write_text(
            f'---\ntitle: "{escaped}"\ndate: 2025-01-0{number + 1}\ntags: ["{escaped}"]\n---\n'
            f"{title}\n\n[{title}](https://a.example/{number})\n\x1b[2J\x1b]52;c;aGk=\x07 tail\n",
            encoding="utf-8",
        )
    app = TuiReaderApp(root)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        lines = "\n".join(sidebar_lines(app))
        for title in HOSTILE_TITLES:
            assert title in lines
        for _ in HOSTILE_TITLES:
            text = reader_text(app)
            assert "\x1b" not in text
            await pilot.press("l")
            await settle(pilot)
            await pilot.press("escape", "j")
            await settle(pilot)
        # Clicking the sidebar where a [@click=app.quit] title is drawn must not quit.
        await pilot.click(ArticleList, offset=(5, 0))
        await settle(pilot)
        assert app.is_running


async def test_copy_reports_the_native_clipboard_and_when_nothing_worked(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.store.config import ClipboardConfig, Config

    monkeypatch.setattr(links_flow, "copy_native", lambda text, timeout=2.0: None)
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert any("and system clipboard" in message for _, _, message in app.messages)
    monkeypatch.setattr(links_flow, "copy_native", lambda text, timeout=2.0: "no display")
    config = Config(clipboard=ClipboardConfig(osc52=False))
    app = TuiReaderApp(corpus, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == ""  # no OSC 52 was sent
        notes = [m for _, title, m in app.messages if "Could not copy" in title]
        assert notes and (corpus / "karpathy.md").resolve().as_uri() in notes[0]


async def test_slash_inside_the_search_bar_types_a_slash(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("slash", *"CI", "slash", *"CD")
        assert app.query_one("#search", Input).value == "CI/CD"


async def test_search_answers_by_plain_scan_until_the_index_is_ready(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_build = SearchIndex.build

    def slow_build(articles: list[Article], **options: Any) -> SearchIndex:
        release.wait(20)
        return real_build(articles, **options)

    monkeypatch.setattr(SearchIndex, "build", staticmethod(slow_build))
    app = TuiReaderApp(corpus, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        while app.session.load_result is None:
            await pilot.pause(0.05)
        assert app.session.index is None
        await pilot.press("slash", *"强化学习")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.session.search_state is not None:
                break
        assert app.session.search_state is not None and app.session.index is None
        assert app.session.search_state.source == "scan of 3/3 loaded"
        summary = str(app.query_one("#search").border_subtitle)
        assert summary == "2 hits · scan of 3/3 loaded, no index yet"
        scanned = {app.session.articles[h.id].title for h in app.session.search_state.results.hits}
        assert scanned == {"人工智慧的六大轉變", "Andrej Karpathy 谈智能体"}
        release.set()
        while app.session.index is None:
            await pilot.pause(0.05)
        await settle(pilot)
        assert app.session.search_state is not None and app.session.search_state.source == ""
        assert str(app.query_one("#search").border_subtitle) == "2 hits"
        assert {
            app.session.articles[h.id].title for h in app.session.search_state.results.hits
        } == scanned


async def test_a_cached_folder_has_its_titles_in_the_first_frame(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.cli import open_app

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    first = open_app(corpus)
    async with first.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)  # and the cache is written
    rows_when_first_drawn: list[int] = []
    draw = ArticleList.render_line

    def recording(self: ArticleList, y: int) -> Strip:
        if not rows_when_first_drawn:
            rows_when_first_drawn.append(len(self.rows))
        return draw(self, y)

    monkeypatch.setattr(ArticleList, "render_line", recording)
    again = open_app(corpus)
    async with again.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
    # Not "Loading…" first and the titles a frame later: they were read as the app was set up.
    assert rows_when_first_drawn == [3]


async def test_the_command_starts_the_parsing_workers_before_the_ui(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.cli import open_app
    from tuireader.corpus import loader

    monkeypatch.setattr(loader, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    started: list[loader.HeadStart] = []
    workers_at_start: list[object] = []
    real_head_start = loader.head_start

    def recording(root: Path) -> loader.HeadStart:
        head_start = real_head_start(root)
        started.append(head_start)
        workers_at_start.append(head_start.workers)
        return head_start

    monkeypatch.setattr(loader, "head_start", recording)
    first = open_app(corpus)
    assert workers_at_start[0] is not None  # started before Textual's import
    assert first.main.first_load is not None
    async with first.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert first.main.first_load is None and started[0].workers is None  # handed over
        assert len(first.query_one(ArticleList).rows) == 3
        await pilot.press("slash", *"强化学习")
        await settle(pilot)
        assert (
            first.session.search_state is not None
            and len(first.session.search_state.results.hits) == 2
        )
    again = open_app(corpus)  # cached now: nothing to parse, no workers (and a small walk)
    assert workers_at_start[1] is None and started[1].walk is None and started[1].cached
    async with again.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert len(again.query_one(ArticleList).rows) == 3


async def test_long_hit_lines_are_cut_to_the_sidebar_with_an_ellipsis(corpus: Path) -> None:

    from tuireader.ui.widgets.article_list import MATCH_STYLE, Row, _match_in_view

    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        sidebar = app.query_one(ArticleList)
        article = app.session.ordered()[0]
        combining = "e\u0301" * 300  # each "é" here is two characters in one cell
        long_title = article.replaced(title="标题" * 100)
        late = "…" + "上下文" * 15 + "强化学习" + "之后" * 30  # the match past a line's width
        rows = [
            Row(long_title, "开头模型" + "很长的摘要" * 100, ((2, 4),), ((0, 2),)),
            Row(article, combining),
            Row(article, late, ((46, 50),)),
        ]
        sidebar.set_rows(rows, hits=True, announce=False)
        await pilot.pause()
        width = sidebar.scrollable_content_region.width
        lines = [sidebar.render_line(y) for y in range(6)]
        assert all(line.cell_length == width for line in lines)
        assert lines[0].text.startswith("● 标题标题") and "标题…  " in lines[0].text
        assert lines[1].text.startswith("  开头模型很长") and lines[1].text.endswith("…")
        styled = [s.text for s in lines[1] if s.style and s.style.bgcolor == MATCH_STYLE.bgcolor]
        assert styled == ["模型"]
        assert lines[3].text.startswith("  " + combining[:20]) and lines[3].text.endswith("…")
        assert _match_in_view(combining, ((597, 600),), 30)[0].startswith("…e\u0301")
        # The start is dropped so that the match shows, a third of the way along the line.
        late_line = lines[5].text
        assert late_line.startswith("  …") and "上下文强化学习之后" in late_line
        assert cell_len(late_line[: late_line.index("强化学习")]) <= width // 3 + 2
        styled = [s.text for s in lines[5] if s.style and s.style.bgcolor == MATCH_STYLE.bgcolor]
        assert styled == ["强化学习"]


async def test_typing_lists_every_hit_and_opens_the_top_one_once_typing_pauses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.ui.widgets import search_bar as searching

    monkeypatch.setattr(searching, "MORE_HITS_DELAY", 0.6)  # room for a slow machine
    for n in range(60):
        (tmp_path / f"{n:02d}.md").write_text(f"# 第 {n} 篇\n\n关于模型的第 {n} 篇。\n", "utf-8")
    app = TuiReaderApp(tmp_path, watch=False, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("slash", *"模型")
        await wait_for(pilot, lambda: app.session.search_state is not None)
        sidebar = app.query_one(ArticleList)
        assert app.session.search_state is not None and app.session.search_state.results.total == 60
        assert len(sidebar.rows) == searching.FIRST_HITS  # the first screenful, at once
        await settle(pilot, 0.8)
        assert len(sidebar.rows) == 60  # then all of them, once typing paused
        reader = app.query_one(ArticleView)
        assert sidebar.current is not None and reader.article == sidebar.current
        assert isinstance(app.focused, Input)  # typing goes on where it was
