"""`tuireader list` prints the entries in the order the sidebar shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuireader import cli
from tuireader.corpus.loader import load_corpus
from tuireader.model.library import Library
from tuireader.store.state import StateStore


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TUIREADER_STATE_DIR", str(tmp_path / "state"))
    root = tmp_path / "notes"
    root.mkdir()
    # File names in neither date nor title order.
    for name, title, date in (
        ("a", "乙 中间", "2025-02-01"),
        ("b", "甲 最新", "2025-03-01"),
        ("c", "丙 最早", "2025-01-01"),
    ):
        (root / f"{name}.md").write_text(f"---\ntitle: {title}\ndate: {date}\n---\n正文\n", "utf-8")
    return root


def titles(out: str) -> list[str]:
    return [line.split("  ")[1] for line in out.splitlines()]


def test_list_is_newest_first_as_the_sidebar(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["list", str(folder)]) == 0
    assert titles(capsys.readouterr().out) == ["甲 最新", "乙 中间", "丙 最早"]


def test_list_follows_the_order_chosen_in_the_sidebar_or_asked_for(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state, _ = StateStore().open(folder)
    state.order = "title"
    state.save()
    assert cli.main(["list", str(folder)]) == 0
    by_title = titles(capsys.readouterr().out)
    sidebar = Library(load_corpus(folder).articles).ordered("title")
    assert by_title == [article.title for article in sidebar]
    assert by_title != ["甲 最新", "乙 中间", "丙 最早"]
    assert cli.main(["list", "--order", "date", str(folder)]) == 0
    assert titles(capsys.readouterr().out) == ["甲 最新", "乙 中间", "丙 最早"]


def test_list_in_folder_order(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list", "--order", "folder", str(folder)]) == 0
    assert titles(capsys.readouterr().out) == ["乙 中间", "甲 最新", "丙 最早"]  # a.md, b.md, c.md
