"""Where the links of an article lead inside its folder (what `l` shows with ↪ and follows)."""

from __future__ import annotations

from pathlib import Path

from tuireader.model.articles import Article
from tuireader.model.library import Library
from tuireader.model.links import Link
from tuireader.render.document import build_document
from tuireader.session.loading import SingleSource
from tuireader.session.reader import Destination, ReaderSession
from tuireader.store.config import Config

GUIDE = Article("g", "guide/index.md", "指南", "# 指南\n\n## 安装 Setup\n\n[x](setup.md)\n")
SETUP = Article("s", "guide/setup.md", "安装", "# 安装\n")
NOTES = Article("n", "notes.md", "笔记", "第一条\n", line=1)
NOTES_2 = Article("n2", "notes.md", "笔记二", "第二条\n", line=9)


def session(single: SingleSource | None = None) -> ReaderSession:
    reading = ReaderSession(Path("/folder"), Config(), single=single)
    reading.library = Library([GUIDE, SETUP, NOTES_2, NOTES])
    return reading


def test_a_link_leads_to_an_article_of_the_folder_or_a_heading_of_its_own() -> None:
    reading = session()
    assert reading.destination("setup.md#install", GUIDE) == Destination(SETUP, "install")
    assert reading.destination("../notes.md", GUIDE) == Destination(NOTES, "")  # a file's first
    assert reading.destination("#%E5%AE%89%E8%A3%85", GUIDE) == Destination(GUIDE, "安装")
    assert reading.destination("https://example.com/setup.md", GUIDE) is None
    assert reading.destination("#", GUIDE) is None
    assert reading.destination("missing.md", GUIDE) is None


def test_one_file_read_alone_follows_only_its_own_headings() -> None:
    reading = session(SingleSource("index.md", folder=Path("/folder/guide")))
    assert reading.destination("setup.md", GUIDE) is None
    assert reading.destination("#x", GUIDE) == Destination(GUIDE, "x")


def test_the_link_list_says_where_each_link_leads() -> None:
    reading = session()
    links = [
        Link("x", "setup.md"),
        Link("s", "#安装-setup"),
        Link("gone", "#nowhere"),
        Link("web", "https://example.com"),
    ]
    document = build_document(GUIDE)
    here = reading.destinations(GUIDE, links, document)
    assert here == {"setup.md": "安装", "#安装-setup": "安装 Setup"}
    # Without the laid-out document, a heading cannot be named; another article can.
    assert reading.destinations(GUIDE, links, None) == {"setup.md": "安装"}
