"""The plain scan that answers searches before the index is ready: same matches as the index."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.model.articles import Article
from tuireader.search.index import SearchIndex
from tuireader.search.plain_scan import PlainScan

from .test_search import DOCS, article

QUERIES = [
    "学",
    "网络",
    "強化學習",
    "强化学习",
    "kar",
    "gpt-5",
    "ＧＰＴ",
    "GPT-5 发布",
    '"GPT-5 发布"',
    "人工智能",
    "软件",
    "-网络",
    "模型 -Karpathy",
    "title:Karpathy",
    "tag:ai",
    "author:weng",
    "after:2025-02-01",
    "before:2025-02-01 learning",
    "入门本文",  # across the title and the body: no match
    "nothing-here",
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_complete_scan_matches_exactly_what_the_index_matches(query: str) -> None:
    scanned = PlainScan(DOCS).search(query, limit=50)
    index = SearchIndex.build(DOCS).search(query, limit=50)
    assert scanned.complete and not scanned.results.estimated
    assert {h.id for h in scanned.results.hits} == {h.id for h in index.hits}
    assert scanned.results.total == len(scanned.results.hits)


def test_hits_carry_spans_and_a_snippet_in_the_displayed_text() -> None:
    result = PlainScan(DOCS).search("强化学习").results
    hit = next(h for h in result.hits if h.id == "a0")
    body = DOCS[0].body
    assert [body[s:e] for s, e in hit.spans] == ["強化學習"]
    assert [DOCS[0].title[s:e] for s, e in hit.title_spans] == ["强化学习"]
    assert "強化學習" in hit.snippet


def test_title_matches_come_first() -> None:
    docs = [
        article(1, "other", "GPT-5 GPT-5 GPT-5", datetime(2025, 5, 1)),
        article(2, "GPT-5 news", "text", datetime(2024, 1, 1)),
    ]
    assert [h.id for h in PlainScan(docs).search("gpt-5").results.hits] == ["a2", "a1"]


def test_an_exhausted_budget_says_how_far_it_got() -> None:
    docs = [article(n, f"t{n}", "模型 " * 50) for n in range(500)]
    result = PlainScan(docs).search("模型", budget=0.0)
    assert 0 < result.scanned < result.available == 500
    assert result.results.estimated and result.results.total == result.scanned


def test_it_scans_what_was_appended_since() -> None:
    loaded: list[Article] = list(DOCS[:2])
    scan = PlainScan(loaded)
    assert {h.id for h in scan.search("Karpathy").results.hits} == {"a0"}
    loaded.extend(DOCS[2:])
    assert {h.id for h in scan.search("Karpathy").results.hits} == {"a0", "a2"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab學学 -", min_size=1, max_size=12), min_size=1, max_size=6),
    st.text(alphabet="ab學学 -", min_size=1, max_size=4),
)
def test_random_queries_match_the_index(bodies: list[str], query: str) -> None:
    docs = [article(n, f"t{n}", body) for n, body in enumerate(bodies)]
    scanned = PlainScan(docs).search(query, limit=100).results
    index = SearchIndex.build(docs).search(query, limit=100)
    assert {h.id for h in scanned.hits} == {h.id for h in index.hits}
