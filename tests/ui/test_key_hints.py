"""The footer line of keys: what it shows, that it follows the focus, and clicks on it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Footer

from tests.ui.conftest import settle, wait_for, wait_until_ready
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.help import HelpScreen
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.key_hints import KeyHints

SIZE = (120, 30)


def footer_text(app: TuiReaderApp) -> str:
    return app.query_one(KeyHints).render_line(0).text


async def test_the_footer_shows_the_keys_of_the_focused_widget_and_the_app(corpus: Path) -> None:
    app = TuiReaderApp(corpus, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert not app.query(Footer)  # Textual's footer rebuilds itself on every focus change
        text = footer_text(app)
        assert len(text) == SIZE[0]
        for hint in ("⏎ Open", "/ Search", "l Links", "y Copy link", "? Help"):
            assert hint in text, text
        assert text.endswith("▏^p palette"), text  # docked on the right
        app.query_one(ArticleView).focus()
        await pilot.pause()
        assert "⏎ Open" not in footer_text(app)  # the sidebar's key, not the reader's
        assert "/ Search" in footer_text(app)


async def test_clicking_a_key_in_the_footer_presses_it(corpus: Path) -> None:
    app = TuiReaderApp(corpus, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        text = footer_text(app)
        await pilot.click(KeyHints, offset=(text.index("? Help") + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click(KeyHints, offset=(text.index("^p palette") + 1, 0))
        await wait_for(pilot, lambda: "CommandPalette" in type(app.screen).__name__)


async def test_a_narrow_footer_keeps_the_palette_and_cuts_the_rest(corpus: Path) -> None:
    app = TuiReaderApp(corpus, watch=False)
    async with app.run_test(size=(40, 20)) as pilot:
        await wait_until_ready(pilot)
        text = footer_text(app)
        assert len(text) == 40 and text.startswith(" ⏎ Open"), text
        assert text.rstrip().endswith("^p palette"), text
