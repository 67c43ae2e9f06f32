"""The hostile corpus through the `tuireader` command and a Pilot session that uses every
feature; the folder is hashed before and after to prove nothing wrote to it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from tests.hostile.conftest import bounded, unsafe
from tests.hostile.corpus import CLIPBOARD_SECRETS, MARKUP, HostileCorpus, folder_digest
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.widgets.article_list import ArticleList

TUIREADER = Path(sys.executable).with_name("tuireader")


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(TUIREADER), *args], capture_output=True, timeout=120, check=False, env=os.environ
    )


def assert_clean_output(data: bytes) -> str:
    assert b"\x1b" not in data and b"\x07" not in data and b"\x00" not in data
    text = data.decode("utf-8")  # strict: no undecodable bytes either
    assert not unsafe(text.replace("\n", "").replace("\t", ""))
    return text


def test_cli_list_search_and_problems_print_no_escape(hostile: HostileCorpus) -> None:
    before = folder_digest(hostile.root)
    listed = run_cli("list", "--problems", str(hostile.root))
    assert listed.returncode == 0
    out = assert_clean_output(listed.stdout)
    err = assert_clean_output(listed.stderr)
    for markup in MARKUP:
        assert markup in out  # titles print literally
    problems = [line for line in err.splitlines() if ": skipped:" in line or ": " in line]
    paths = [line.split(": ", 1)[0] for line in problems[:-1]]
    assert len(paths) == len(set(paths))  # each problem once
    for name in ("fs/pipe.md", "fs/image.md", "fs/loop.md", "fs/escape.md", "fs/outdir"):
        assert any(p == name for p in paths), name
    as_json = run_cli("list", "--json", str(hostile.root))
    assert as_json.returncode == 0
    assert_clean_output(as_json.stdout)
    for query in ("标题[/]尾", "LONGLINEEND", "52;c;"):
        for extra in ((), ("--json",)):
            found = run_cli("search", query, "--corpus", str(hostile.root), *extra)
            assert found.returncode in (0, 1), (query, found.stderr[-500:])
            assert_clean_output(found.stdout)
            assert_clean_output(found.stderr)
    assert folder_digest(hostile.root) == before


def screen_text(app: TuiReaderApp) -> str:
    """What the screen shows, as text, the way Textual exports a screenshot."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


class FakeBrowser:
    name = "fake"

    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0) -> bool:
        self.opened.append(url)
        return True


async def test_a_session_using_every_feature_shows_no_control_and_writes_nothing(
    hostile: HostileCorpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.conftest import settle, wait_until_ready

    browser = FakeBrowser()
    monkeypatch.setenv("DISPLAY", ":99")  # so that `o` really reaches the (fake) browser
    monkeypatch.setattr("webbrowser.get", lambda *a: browser)
    monkeypatch.setattr("tuireader.system.clipboard.native_clipboard_available", lambda: False)
    before = folder_digest(hostile.root)
    app = TuiReaderApp(hostile.root)
    copied: list[str] = []
    real_copy = app.copy_to_clipboard

    def record_copy(text: str) -> None:
        copied.append(text)
        real_copy(text)

    app.copy_to_clipboard = record_copy  # type: ignore[method-assign]
    screens: list[str] = []

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until_ready(pilot, timeout=120)

        async def look() -> None:
            await settle(pilot, 0.2)
            screens.append(screen_text(app))

        await look()
        for key in ("j", "j", "j", "G", "k", "k", "g", "enter", "space", "b", "y", "Y", "o"):
            await pilot.press(key)
        await look()
        await pilot.press("l")
        await look()
        for key in ("j", "1", "y"):
            await pilot.press(key)
        await look()
        await pilot.press("t")
        await look()
        await pilot.press("escape")
        for query in ("[AI] 新闻", "标题[/]尾", "Body", "LONGLINEEND"):
            await pilot.press("slash")
            await pilot.press(*query)
            await settle(pilot, 0.4)
            await pilot.press("enter")
            await look()
            for key in ("n", "n", "N", "y", "l", "escape", "escape"):
                await pilot.press(key)
            await look()
        # Open and draw every small article (the big ones are rendered in test_core).
        await pilot.press("escape", "escape", "g")
        sidebar = app.query_one(ArticleList)
        for position, article in enumerate(app.session.ordered()):
            if not article.path.startswith("sizes/") and article.chars < 100_000:
                sidebar.cursor = position
                await look()
        await pilot.press("question_mark")
        await look()
        await pilot.press("escape", "ctrl+p")
        await pilot.press(*"Copy")
        await look()
        await pilot.press("escape")
        await look()

    for screen in screens:
        assert not unsafe(screen.replace("\n", "")), repr(screen[:200])
    shown = "\n".join(screens)
    assert "[AI] 新闻" in shown and "标题[/]尾" in shown and "[@click=app.quit]x" in shown
    for text in copied:
        assert not unsafe(text) and "\n" not in text
        assert not any(secret in text for secret in CLIPBOARD_SECRETS)
    assert all(url.startswith(("http://", "https://", "mailto:")) for url in browser.opened)
    assert folder_digest(hostile.root) == before


def test_the_folder_digest_sees_any_change(hostile: HostileCorpus, tmp_path: Path) -> None:
    # The proof above is only as good as the digest: it must notice a touched byte.
    before = folder_digest(hostile.root)
    target = hostile.root / "fs/ok.md"
    data = target.read_bytes()
    stat = target.stat()
    target.write_bytes(data[:-1] + b"X")
    try:
        assert folder_digest(hostile.root) != before
    finally:
        target.write_bytes(data)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert folder_digest(hostile.root) == before
    assert bounded(5, lambda: 1) == 1
