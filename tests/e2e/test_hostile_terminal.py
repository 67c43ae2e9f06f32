"""End-to-end: the real command on the hostile corpus, in a real terminal (tmux).

What only a real terminal shows: an escape sequence in a file would clear the screen, draw text
outside the app, or (OSC 52, with tmux's set-clipboard on) set the clipboard.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.tmux import TMUX, TUIREADER, TmuxSession
from tests.hostile.corpus import CLIPBOARD_SECRETS, build_hostile_corpus, restore_permissions

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed: end-to-end tests need it"
)


def test_hostile_corpus_cannot_reach_the_terminal(session: TmuxSession, tmp_path: Path) -> None:
    corpus = build_hostile_corpus(tmp_path / "hostile")
    try:
        session.start(str(TUIREADER), "--no-watch", str(corpus.root))
        session.wait_for("articles", timeout=120)
        for _ in range(40):  # open article after article: each is drawn in the reader
            session.keys("j")
            time.sleep(0.1)
        session.keys("G")
        time.sleep(1.0)
        session.keys("g")
        time.sleep(1.5)
        screen = session.screen()
        lines = screen.splitlines()
        # The app's own frame is intact: status line on top, footer at the bottom.
        assert lines[0].lstrip().startswith("tuireader · hostile"), screen
        assert "Search" in lines[-1], screen
        # Nothing any file carries was executed: no secret on screen or in tmux's buffers.
        for secret in CLIPBOARD_SECRETS:
            assert secret not in screen
        buffers = session.tmux("list-buffers")
        assert buffers.strip() == "", buffers
        session.keys("q")
    finally:
        restore_permissions(corpus)
