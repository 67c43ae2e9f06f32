"""`tuireader FILE` and `tuireader -`: what the command opens, before any UI runs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tuireader import cli
from tuireader.corpus import parse
from tuireader.session.loading import STDIN_NAME, SingleSource
from tuireader.ui.app import TuiReaderApp

ARTICLE = "---\ntitle: 笔记\ndate: 2025-01-02\n---\n\n正文，一个 [链接](https://a.example)。\n"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUIREADER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TUIREADER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    (root / "sub").mkdir(parents=True)
    (root / "a.md").write_text(ARTICLE, encoding="utf-8")
    (root / "sub" / "b.md").write_text("# B\n\ntext\n", encoding="utf-8")
    (root / "notes.rst").write_text("Plain notes\n===========\n", encoding="utf-8")
    return root


@pytest.fixture
def opened() -> Iterator[list[TuiReaderApp]]:
    """Apps made by a test; their loading processes are stopped afterwards."""
    apps: list[TuiReaderApp] = []
    yield apps
    for app in apps:
        app.main.close()


def test_a_file_opens_its_folder_with_the_file_to_open(
    folder: Path, opened: list[TuiReaderApp]
) -> None:
    app = cli.open_target(folder / "sub" / "b.md")
    opened.append(app)
    assert app.session.corpus_root == folder / "sub"
    assert (app.session.open_path, app.session.single) == ("b.md", None)


def test_a_folder_still_opens_as_a_folder(folder: Path, opened: list[TuiReaderApp]) -> None:
    app = cli.open_target(folder)
    opened.append(app)
    assert (app.session.corpus_root, app.session.open_path, app.session.single) == (
        folder,
        None,
        None,
    )


def test_a_file_in_the_home_folder_opens_alone(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: folder))
    app = cli.open_target(folder / "a.md")
    assert app.session.single == SingleSource("a.md", folder=folder)
    assert app.main._watch_folder is False
    result = app.session.single.load()
    assert [a.title for a in result.articles] == ["笔记"]


def test_a_file_the_folder_would_not_list_opens_alone(folder: Path) -> None:
    app = cli.open_target(folder / "notes.rst")
    assert app.session.single == SingleSource("notes.rst", folder=folder)
    (article,) = app.session.single.load().articles
    assert article.title == "Plain notes"


def test_neither_file_nor_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a file or folder"):
        cli.open_target(tmp_path / "missing.md")


def test_stdin_is_read_as_one_article_decoded_like_a_file() -> None:
    app = cli.open_stdin(io.BytesIO(ARTICLE.encode("gb18030")))
    source = app.session.single
    assert source is not None and source.is_stdin and source.name == STDIN_NAME
    assert app.main._watch_folder is False
    (article,) = source.load().articles
    assert (article.title, article.path, article.problems) == ("笔记", STDIN_NAME, ())


def test_stdin_over_the_size_limit_is_cut_at_a_line_end_with_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parse, "MAX_FILE_BYTES", 64)
    stream = io.BytesIO(b"# Long\n\n" + b"line of text\n" * 20)
    app = cli.open_stdin(stream)
    source = app.session.single
    assert source is not None and source.truncated
    assert source.data.endswith(b"\n") and len(source.data) <= 64
    assert stream.tell() == 65  # the rest of the pipe is never read
    result = source.load()
    assert result.articles[0].problems == ("truncated to the first 0 MiB",)
    assert [p.path for p in result.problems] == [STDIN_NAME]


def test_dash_from_a_terminal_says_to_pipe_an_article(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    with pytest.raises(SystemExit, match="from a pipe"):
        cli.main(["-"])
