"""Pilot tests for code blocks: a box with the language, highlighting, clipping, copying."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.ui.conftest import settle, wait_until_ready
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.widgets.article_view import ArticleView

SIZE = (100, 30)
LONG = (
    "gem install --user-install rails --version 7.1.3 --no-document --source https://rubygems.org"
)
PYTHON = 'def two_sum(nums, target):\n\tseen = {}  # value -> index\n    return "done"\n'
ARTICLE = f"""---
title: 代码
---
Python 解法：

```python
{PYTHON}```

安装：

```sh
{LONG}
```
"""


def one_article(tmp_path: Path) -> Path:
    root = tmp_path / "code"
    root.mkdir()
    (root / "code.md").write_text(ARTICLE, encoding="utf-8")
    return root


def reader_lines(reader: ArticleView) -> list[str]:
    return [strip.text.rstrip() for strip in reader.rendered_lines()]


async def open_article(pilot, app: TuiReaderApp) -> ArticleView:  # type: ignore[no-untyped-def]
    await wait_until_ready(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return app.query_one(ArticleView)


async def test_a_python_block_is_boxed_labelled_and_highlighted(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_article(pilot, app)
        lines = reader_lines(reader)
        top = next(i for i, line in enumerate(lines) if "╭─ python " in line)
        assert lines[top + 1].startswith("│ def two_sum(nums, target):")
        assert lines[top + 1].endswith("│")
        assert lines[top + 2].startswith("│     seen = {}  # value -> index")  # a tab: 4 cells
        assert lines[top + 4].startswith("╰─")
        strip = list(reader.rendered_lines())[top + 1]
        colours = {seg.style.color for seg in strip if seg.style and seg.text.strip("│ ")}
        assert len(colours) >= 2  # `def` and the name in colours of their own


async def test_a_long_line_is_clipped_and_scrolls_sideways(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_article(pilot, app)
        reader.focus()
        await settle(pilot)
        [line] = [line for line in reader_lines(reader) if "gem install" in line]
        assert line.endswith("› │") and "rubygems.org" not in line
        assert not any("rubygems.org" in line for line in reader_lines(reader))  # not wrapped
        for _ in range(8):
            await pilot.press("right")
        await settle(pilot)
        [line] = [line for line in reader_lines(reader) if "rubygems" in line]
        assert line.startswith("│ ‹") and "rubygems.org" in line
        await pilot.press("w")  # wrapped like text: every word on screen, no box
        await settle(pilot)
        text = "\n".join(reader_lines(reader))
        assert "gem install" in text and "rubygems.org" in text and "╭─" not in text
        await pilot.press("w")
        await settle(pilot)
        assert any("╭─ sh " in line for line in reader_lines(reader))


async def test_c_copies_the_code_block_on_screen_byte_exact_through_osc52(
    no_native_clipboard: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot, app)
        written: list[str] = []
        driver = app._driver  # the only place the OSC 52 sequence can be seen
        assert driver is not None
        monkeypatch.setattr(driver, "write", lambda data: written.append(data))
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == PYTHON  # the tab kept, as the file has it
        payload = base64.b64encode(PYTHON.encode()).decode()
        assert f"\x1b]52;c;{payload}\a" in written
        messages = [message for _, _, message in app.messages]
        assert any("Copied code block" in m for m in messages)


TWO_LONG = f"""---
title: 两段
---
```sh
{LONG}
```

```sh
pip install --upgrade --index-url https://pypi.example/simple tuireader-extras==1.2.3 --quiet
```
"""


async def test_sideways_moves_only_the_first_clipped_block_on_screen(tmp_path: Path) -> None:
    root = tmp_path / "two"
    root.mkdir()
    (root / "two.md").write_text(TWO_LONG, encoding="utf-8")
    app = TuiReaderApp(root)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_article(pilot, app)
        reader.focus()
        for _ in range(3):
            await pilot.press("right")
        await settle(pilot)
        lines = reader_lines(reader)
        [gem] = [line for line in lines if "rails" in line]
        [pip] = [line for line in lines if "pip install" in line]
        assert gem.startswith("│ ‹")  # moved
        assert pip.startswith("│ pip install")  # left where it was
        await pilot.press("left", "left", "left")
        await settle(pilot)
        assert any(line.startswith("│ gem install") for line in reader_lines(reader))


async def test_the_current_match_in_a_moved_code_line_is_marked_where_it_is_drawn(
    tmp_path: Path,
) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_article(pilot, app)
        reader.focus()
        reader.set_terms(["rubygems"])
        await settle(pilot)
        reader.first_match()
        for _ in range(8):
            await pilot.press("right")
        await settle(pilot)
        match = reader._matches[reader.match_index]
        row = match.line - int(reader.scroll_y)
        marked = "".join(
            segment.text
            for segment in reader.render_line(row)
            if segment.style is not None
            and segment.style.bgcolor is not None
            and segment.style.bgcolor.name == "bright_red"
        )
        assert marked == "rubygems"


async def test_code_is_highlighted_for_a_light_theme_after_a_switch(tmp_path: Path) -> None:
    app = TuiReaderApp(one_article(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_article(pilot, app)

        def code_colours() -> set[str]:
            lines = list(reader.rendered_lines())
            top = next(i for i, s in enumerate(lines) if "╭─ python " in s.text)
            return {
                seg.style.color.name
                for seg in lines[top + 1]
                if seg.style and seg.style.color and seg.text.strip("│ ")
            }

        dark = code_colours()
        app.theme = "textual-light"
        await settle(pilot)
        light = code_colours()
        assert dark and light and dark != light
        assert not any(name.startswith("bright_") for name in light)
