"""End-to-end: `tuireader FILE` and `cat FILE | tuireader -` in a real terminal."""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import pytest

from tests.e2e.tmux import TMUX, TUIREADER, TmuxSession

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed: end-to-end tests need it"
)

NEWER = "---\ntitle: Newer post\ndate: 2025-06-01\n---\n\nThe newest one.\n"
OLDER = "---\ntitle: 旧的笔记\ndate: 2020-01-01\n---\n\n这是一篇旧笔记，正文在这里。\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "newer.md").write_text(NEWER, encoding="utf-8")
    (folder / "older.md").write_text(OLDER, encoding="utf-8")
    return folder


def test_a_file_on_the_command_line_is_open_in_its_folder(
    session: TmuxSession, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    session.start(str(TUIREADER), str(folder / "older.md"))
    screen = session.wait_for("这是一篇旧笔记")
    assert "tuireader · notes · 2 articles" in screen
    assert "Newer post" in screen  # the folder is listed beside it
    session.keys("q")


def test_stdin_is_read_and_keys_come_from_the_terminal(
    session: TmuxSession, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    done = tmp_path / "exit-status"
    command = (
        f"cat {shlex.quote(str(folder / 'older.md'))} | {shlex.quote(str(TUIREADER))} -; "
        f"echo $? > {shlex.quote(str(done))}"
    )
    session.start("sh", "-c", command)
    screen = session.wait_for("这是一篇旧笔记")
    assert "tuireader · stdin · 1 articles" in screen
    session.keys("q")  # read from the terminal, not from the pipe that ended
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (done.exists() and done.read_text().strip()):
        time.sleep(0.1)
    assert done.read_text().strip() == "0"
    assert sorted(p.name for p in folder.iterdir()) == ["newer.md", "older.md"]
