"""End-to-end: the real `tuireader` command in tmux, read back from the screen."""

from __future__ import annotations

import time

import pytest

from tests.e2e.tmux import TMUX, TUIREADER, TmuxSession

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed: end-to-end tests need it"
)


def test_bundled_corpus_search_and_copy_link(session: TmuxSession) -> None:
    assert TUIREADER.exists(), f"{TUIREADER} is missing: is the project installed?"
    session.start(str(TUIREADER))
    screen = session.wait_for("articles")
    # The sidebar shows the Chinese titles of the bundled corpus.
    session.wait_for("过去4小时全球AI")
    screen = session.screen()
    assert "强化学习之父" in screen
    # One burst, right after the first frame: no key may be lost while focus moves.
    session.type("/Tinker")
    session.wait_for("1 hit")
    session.keys("Enter")
    screen = session.wait_for("match 1/")
    assert "Lilian Weng" in screen
    # The digest has no source URL: y copies its file, never the first tweet it quotes.
    session.keys("y")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "file://" not in session.buffer():
        time.sleep(0.2)
    assert session.buffer().endswith("/2025-10-02-ai-news-digest.md")
    # The tweet is a link of the article: the link list copies it.
    session.keys("l")
    session.wait_for("Links in")
    session.keys("y")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "x.com" not in session.buffer():
        time.sleep(0.2)
    assert session.buffer() == "https://x.com/lilianweng/status/1973455232341516731"
    session.keys("q")
