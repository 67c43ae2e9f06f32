"""History, the raw-source document, and the commands that hand the terminal over."""

from pathlib import Path

from tuireader.render.source import source_document
from tuireader.session.history import History
from tuireader.system.editor import browser_command, editor_command


def test_history_goes_back_and_forward_and_drops_what_was_ahead() -> None:
    history = History()
    for article_id in ("a", "b", "b", "c"):
        history.visit(article_id)
    assert history.back() == "b"
    assert history.back() == "a"
    assert history.back() is None
    assert history.forward() == "b"
    history.visit("d")  # a new path from b: c is gone
    assert history.forward() is None
    assert history.back() == "b"
    history.forget({"b"})  # deleted from the folder: skipped both ways
    assert history.back() == "a"
    assert history.forward() == "d"


def test_history_keeps_a_bounded_number() -> None:
    history = History(kept=3)
    for article_id in "abcde":
        history.visit(article_id)
    assert [history.back(), history.back(), history.back()] == ["d", "c", None]


def test_source_document_keeps_every_line_verbatim_and_clean() -> None:
    document = source_document("---\ntitle: [x]\n---\n\n**b**\tc\x1b[2J\r\nend")
    lines = [block.text.plain for block in document.blocks]
    assert lines == ["---", "title: [x]", "---", " ", "**b**   c[2J", "end"]
    assert [block.source_line for block in document.blocks] == [1, 2, 3, 4, 5, 6]
    assert all(block.joined for block in document.blocks)


def test_editor_command_prefers_visual_and_splits_arguments() -> None:
    path = Path("/corpus/a b.md")
    assert editor_command(path, {}) is None
    assert editor_command(path, {"EDITOR": "nano"}) == ["nano", "/corpus/a b.md"]
    env = {"EDITOR": "nano", "VISUAL": "code --wait"}
    assert editor_command(path, env) == ["code", "--wait", "/corpus/a b.md"]


def test_browser_command_takes_the_first_entry_and_its_placeholder() -> None:
    url = "https://a.example/?q=1;rm -rf"
    assert browser_command(url, {}) is None
    assert browser_command(url, {"BROWSER": "w3m:lynx"}) == ["w3m", url]
    assert browser_command(url, {"BROWSER": "lynx -dump %s"}) == ["lynx", "-dump", url]
