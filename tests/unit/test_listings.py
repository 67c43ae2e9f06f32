"""Splitting scraped listing pages into posts, and never splitting an ordinary article."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tuireader.corpus.listings import split_listing

SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"


def test_seed_listing_page_gives_ten_posts_at_their_lines() -> None:
    body = (SEEDS / "002_ae535f2630d2a20f.txt").read_text(encoding="utf-8")
    posts = split_listing(body)
    assert posts is not None and len(posts) == 10
    assert [p.line for p in posts] == list(range(1, 58, 6))
    first = posts[0]
    assert first.title == "揭秘 AI 黑箱:Claude 的“大脑”里在想什么?"
    assert first.date == datetime(2025, 8, 18)
    assert first.reading_minutes == 1
    assert first.authors == ("fisherdaddy",)
    assert first.summary.startswith("在 AI 模型进行思考时")
    assert posts[4].reading_minutes == 17


def test_a_different_site_with_markdown_titles_a_header_and_pagination() -> None:
    blocks = "".join(
        f"## [Post {n}](https://blog.example/{n})\n\nSummary of post {n}, two sentences. More.\n\n"
        f"2024-03-0{n} | 5 min read | By Jane Doe\n\n"
        for n in range(1, 4)
    )
    posts = split_listing("# My blog\n\n" + blocks + "Next page »\n")
    assert posts is not None
    assert [p.title for p in posts] == ["Post 1", "Post 2", "Post 3"]
    assert posts[0].url == "https://blog.example/1"
    assert posts[1].date == datetime(2024, 3, 2)
    assert posts[2].reading_minutes == 5
    assert posts[0].authors == ("Jane Doe",)
    assert posts[0].line == 3


def test_ordinary_article_with_dates_is_not_a_listing() -> None:
    body = (
        "# Changelog of my life\n\nSome intro paragraph.\n\n"
        "2024-01-01\n\nNew year. I wrote a lot of things that day and more.\n\n"
        "2024-01-02\n\nSecond day.\n\n2024-01-03\n\nThird day.\n"
    )
    assert split_listing(body) is None


def test_article_with_one_byline_is_not_a_listing() -> None:
    body = "Title\n\nText.\n\nAugust 18, 2025 · 1 min · someone\n\nMore text after the byline.\n"
    assert split_listing(body) is None


def test_long_trailer_means_not_a_listing() -> None:
    block = "Title\n\nSummary.\n\nAugust 18, 2025 · 1 min · a\n\n"
    trailer = "A long paragraph of article text that goes on and on after the bylines. " * 3
    assert split_listing(block * 3 + trailer) is None
    assert split_listing(block * 3) is not None


def test_seed_articles_are_not_listings() -> None:
    for name in ("000_e6fc72a0bb41a499.txt", "001_411a0b900bf39162.txt"):
        assert split_listing((SEEDS / name).read_text(encoding="utf-8")) is None
