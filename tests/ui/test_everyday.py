"""Pilot tests for everyday reading (issue 20): read marks, copying, the sidebar, reading aids."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.widgets import Input, Static

from tests.ui.conftest import reader_text, settle, sidebar_lines, wait_for, wait_until_ready
from tuireader.store.config import Config
from tuireader.ui import main_screen, sharing
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.confirm import ConfirmScreen
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.key_hints import KeyHints

SIZE = (120, 36)
QUICK = Config(mark_read_after_seconds=0.2)


def focused(app: TuiReaderApp) -> object:
    """The focused widget, typed loosely: mypy would narrow `app.focused` after one assert."""
    return app.screen.focused


def status(app: TuiReaderApp) -> str:
    return str(app.query_one("#status").render())


async def test_search_previews_do_not_mark_articles_read(corpus: Path) -> None:
    app = TuiReaderApp(corpus, config=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        state = app.session.state
        assert state is not None
        ids = {a.title: a.id for a in app.session.ordered()}
        digest, traditional = ids["AI 日报：模型发布"], ids["人工智慧的六大轉變"]
        for query in ("日报", "強化學習", "網絡"):  # each previews its top hit in the reader
            await pilot.press("slash", *query)
            await settle(pilot, 0.8)  # far longer than the dwell
            reader = app.query_one(ArticleView)
            assert reader.article is not None and reader.article.id in (digest, traditional)
        await pilot.press("escape")
        await settle(pilot, 0.5)
        assert not state.is_read(digest)
        assert not state.is_read(traditional)
        # Opening a hit (enter) and staying on it is reading it.
        await pilot.press("slash", *"日报", "enter")
        await settle(pilot, 0.6)
        assert state.is_read(digest)
        assert not state.is_read(traditional)


async def test_mark_all_read_asks_first(corpus: Path) -> None:
    app = TuiReaderApp(corpus, config=Config(mark_read_on_open=False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert "3 unread" in status(app)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "3 unread" in status(app)
        await pilot.press("A", "y")
        await settle(pilot)
        assert "0 unread" in status(app)
        assert not any(line.startswith("●") for line in sidebar_lines(app))
        assert any("Marked 3 read" in m for _, _, m in app.messages)


async def test_link_list_copies_a_link_as_markdown(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)  # Karpathy: [the podcast](…) and [notes](…)
        await pilot.press("l", "j", "Y")
        await settle(pilot)
        assert app.clipboard == "[notes](https://notes.example/k)"


async def test_copy_notifications_are_one_line_and_replace_each_other(
    no_native_clipboard: None, corpus: Path
) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until_ready(pilot)
        for _ in range(4):
            await pilot.press("y")
            await pilot.pause()
        await pilot.press("Y")
        await settle(pilot)
        copies = [m for _, _, m in app.messages if m.startswith("Copied")]
        assert len(copies) == 5
        assert all("\n" not in m and len(m) <= 140 for m in copies)
        explained = [m for _, title, m in app.messages if title == "Clipboard"]
        assert len(explained) == 1  # said once a session, however many copies
        # On screen: the last copy and the one explanation, not a stack of five.
        toasts = list(app.screen.query("Toast"))
        assert len(toasts) == 2


async def test_sidebar_width_changes_by_key_and_is_remembered(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        sidebar = app.query_one(ArticleList)
        before = sidebar.outer_size.width
        await pilot.press("greater_than_sign", "greater_than_sign")
        await settle(pilot)
        assert sidebar.outer_size.width == before + 8
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert sidebar.outer_size.width == before + 4
        await pilot.press("q")
    again = TuiReaderApp(corpus)
    async with again.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert again.query_one(ArticleList).outer_size.width == before + 4


async def test_rows_sharing_a_prefix_show_what_differs_and_undated_rows_line_up(
    tmp_path: Path,
) -> None:
    root = tmp_path / "weekly"
    root.mkdir()
    for issue in (400, 401, 402):
        (root / f"issue-{issue}.md").write_text(
            f"---\ntitle: 科技爱好者周刊（第 {issue} 期）：这一期的长标题\n"
            f"date: 2025-06-{issue - 390:02d}\n---\n正文\n",
            encoding="utf-8",
        )
    (root / "undated.md").write_text("# 2025 年六大人工智慧革命与未来的长标题\n正文\n", "utf-8")
    app = TuiReaderApp(root)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_until_ready(pilot)
        lines = [line for line in sidebar_lines(app) if line.strip()]
        weekly = [line for line in lines if "期" in line]
        assert len(weekly) == 3
        for issue, line in zip((402, 401, 400), weekly, strict=True):
            assert f"…第 {issue} 期" in line
        undated = next(line for line in lines if "2025 年六大" in line)
        # The title stops where the dated rows' titles stop: the date column stays free.
        assert undated.rstrip().endswith("…")
        assert cell_len(undated.rstrip()) <= cell_len(weekly[0]) - 10


async def test_the_footer_is_never_cut_mid_hint(corpus: Path) -> None:
    app = TuiReaderApp(corpus, watch=False)
    for width in (120, 80, 60):
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_until_ready(pilot)
            for focus in (ArticleList, ArticleView):
                app.query_one(focus).focus()
                await pilot.pause()
                text = app.query_one(KeyHints).render_line(0).text
                left = text.split("▏")[0].rstrip()
                assert left.endswith("? Help  q Quit"), (width, text)
        app = TuiReaderApp(corpus, watch=False)


async def test_escape_after_a_search_from_the_reader_goes_back_to_the_reader(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        app.query_one(ArticleView).focus()
        await pilot.press("slash", *"模型")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.query_one(ArticleView)
        app.query_one(ArticleList).focus()
        await pilot.press("slash", *"模型", "escape")
        await settle(pilot)
        assert focused(app) is app.query_one(ArticleList)


def record_handovers(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands the app would run in its terminal, recorded instead of run."""
    ran: list[list[str]] = []

    def run(app: object, command: list[str]) -> None:
        ran.append(command)

    monkeypatch.setattr(main_screen, "run_in_terminal", run)  # the editor
    monkeypatch.setattr(sharing, "run_in_terminal", run)  # a browser in the terminal
    return ran


def reader_status(app: TuiReaderApp) -> str:
    return str(app.query_one("#reader-status").render())


async def test_position_indicator_and_half_pages(corpus: Path) -> None:
    app = TuiReaderApp(corpus, config=Config(mark_read_on_open=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("j")  # the digest: several screens long
        await settle(pilot)
        reader = app.query_one(ArticleView)
        reader.focus()
        await wait_for(pilot, lambda: reader.laid_out)
        await settle(pilot)
        total = reader.virtual_size.height
        height = reader.scrollable_content_region.height
        assert f"lines 1–{height}/{total} · {100 * height // total}%" in reader_status(app)
        half = height // 2
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert reader.scroll_y == half
        assert f"lines {half + 1}–{half + height}/{total}" in reader_status(app)
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert reader.scroll_y == 0
        await pilot.press("G")
        await settle(pilot)
        assert reader_status(app).endswith(f"–{total}/{total} · 100%")


async def test_next_previous_article_and_history_from_the_reader(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        first, second, third = (a.id for a in app.session.ordered())
        reader = app.query_one(ArticleView)
        reader.focus()

        async def shown() -> str | None:
            await settle(pilot)
            return reader.article.id if reader.article else None

        await pilot.press("J")
        assert await shown() == second
        await pilot.press("J")
        assert await shown() == third
        assert focused(app) is reader  # never left the reader
        await pilot.press("K")
        assert await shown() == second
        await pilot.press("H")  # history: second, third, second → back is third
        assert await shown() == third
        await pilot.press("H")
        assert await shown() == second
        await pilot.press("H")
        assert await shown() == first
        await pilot.press("H")  # nothing earlier
        assert await shown() == first
        await pilot.press("L")
        assert await shown() == second


async def test_raw_source_view_shows_the_file_verbatim(corpus: Path) -> None:
    (corpus / "karpathy.md").write_text(
        KARPATHY_SOURCE := "---\ntitle: 源码\ndate: 2030-01-01\n---\n# 标题\n\n"
        "[link](https://x.example) [AI] **粗体**\x1b[2J\n",
        encoding="utf-8",
    )
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("v")
        await settle(pilot)
        text = reader_text(app)
        assert "title: 源码" in text and "# 标题" in text
        assert "[link](https://x.example) [AI] **粗体**" in text  # not rendered, not markup
        assert "\x1b" not in text
        assert "raw source" in reader_status(app)
        await pilot.press("v")
        await settle(pilot)
        assert "title: 源码" not in reader_text(app)
        assert "粗体" in reader_text(app) and "**" not in reader_text(app)
    assert (corpus / "karpathy.md").read_text(encoding="utf-8") == KARPATHY_SOURCE


async def test_edit_hands_the_file_to_the_editor(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = record_handovers(monkeypatch)
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert ran == [] and any("Set $EDITOR" in m for _, _, m in app.messages)
        monkeypatch.setenv("EDITOR", "vim -u NONE")
        await pilot.press("e")
        await settle(pilot)
        assert ran == [["vim", "-u", "NONE", str(corpus / "karpathy.md")]]


async def test_open_without_a_display_uses_browser_in_the_terminal(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = record_handovers(monkeypatch)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sharing, "has_display", lambda: False)
    monkeypatch.setenv("BROWSER", "w3m")
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("l", "1", "o")  # Karpathy's first link
        await settle(pilot)
        assert ran == [["w3m", "https://podcast.example/karpathy"]]
        await pilot.press("o")  # the file: not a web link, never handed over
        await settle(pilot)
        assert len(ran) == 1
        assert any("refused" in m for _, _, m in app.messages)


async def test_find_in_this_article_counts_and_steps_through_matches(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("j")  # the digest
        await settle(pilot)
        reader = app.query_one(ArticleView)
        reader.focus()
        await pilot.press("ctrl+f")
        await settle(pilot)
        find = app.query_one("#find", Input)
        assert find.display and focused(app) is find
        await pilot.press(*"TINKER")  # folded as search folds: finds "Tinker"
        await settle(pilot)
        assert reader.match_count == 2  # the link text and the paragraph under it
        await pilot.press("enter")
        await settle(pilot)
        assert focused(app) is reader
        assert "match 1/2" in reader_status(app)
        await pilot.press("n")
        await settle(pilot)
        assert "match 2/2" in reader_status(app)
        await pilot.press("N")
        await settle(pilot)
        assert "match 1/2" in reader_status(app)
        await pilot.press("ctrl+f", "backspace", *"模型")
        await settle(pilot)
        assert reader.match_count == 4
        await pilot.press("escape")
        await settle(pilot)
        assert not find.display and reader.match_count == 0
        assert focused(app) is reader


async def test_help_lists_the_new_keys(corpus: Path) -> None:
    app = TuiReaderApp(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        console = Console(width=100, record=True, file=io.StringIO())
        for static in app.screen.query(Static):
            console.print(static.content)
        shown = console.export_text()
        for description in (
            "Find in article",
            "Mark all listed read",
            "Narrower sidebar",
            "Next article",
            "Back (history)",
            "Raw source",
            "Edit in $EDITOR",
            "Half page down",
            "Copy [text](url)",
        ):
            assert description.replace("$", "") in shown.replace("$", ""), description
