"""The search index: exact matching, normalization, syntax, ranking, hits, changes."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuireader.corpus.loader import load_corpus
from tuireader.corpus.parse import bundled_corpus_path
from tuireader.model.articles import Article
from tuireader.search.index import SearchIndex
from tuireader.search.normalize import fold, term_variants
from tuireader.search.query import parse_query


def article(
    number: int,
    title: str,
    body: str,
    date: datetime | None = None,
    tags: tuple[str, ...] = (),
    authors: tuple[str, ...] = (),
) -> Article:
    return Article(
        id=f"a{number}",
        path=f"{number}.md",
        title=title,
        body=body,
        date=date,
        tags=tags,
        authors=authors,
    )


DOCS = [
    article(
        0,
        "强化学习入门",
        "本文介绍強化學習和网络。Karpathy 发布了 GPT-5 模型。",
        datetime(2025, 1, 1),
    ),
    article(
        1,
        "GPT-5 发布",
        "OpenAI 今天发布了 ＧＰＴ-5，人工智慧 軟體。",
        datetime(2025, 2, 1),
        ("AI",),
    ),
    article(2, "Andrej Karpathy", "He talks about\nmachine learning.", datetime(2025, 3, 1)),
    article(3, "無關", "完全不相关的内容，網絡。", None, (), ("Lilian Weng",)),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS)


def ids(index: SearchIndex, query: str) -> set[str]:
    return {hit.id for hit in index.search(query, limit=100).hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("学", {"a0"}),  # one Han character (學 in the body folds too)
        ("网络", {"a0", "a3"}),  # two characters; 網絡 folds to 网络
        ("網絡", {"a0", "a3"}),
        ("强化学习", {"a0"}),  # title and Traditional body
        ("kar", {"a0", "a2"}),  # a prefix finds Karpathy
        ("arpat", {"a0", "a2"}),  # an infix too
        ("gpt-5", {"a0", "a1"}),  # punctuation; full-width ＧＰＴ-5
        ("ＧＰＴ", {"a0", "a1"}),
        ("GPT-5 发布", {"a0", "a1"}),  # mixed terms are ANDed
        ("人工智能", {"a1"}),  # regional vocabulary
        ("软件", {"a1"}),
        ('"machine learning"', {"a2"}),  # a phrase matches across a line break
        ('"karpathy 发布"', {"a0"}),
        ("量子", set()),
    ],
)
def test_finds_exactly_the_documents_containing_every_term(
    index: SearchIndex, query: str, expected: set[str]
) -> None:
    assert ids(index, query) == expected
    results = index.search(query, limit=100, exact_total=True)
    assert results.total == len(expected) == index.count(query)
    assert not results.estimated


def test_phrase_does_not_match_across_title_and_body(index: SearchIndex) -> None:
    assert ids(index, '"入门 本文"') == set()


def test_excluded_terms(index: SearchIndex) -> None:
    assert ids(index, "gpt-5 -karpathy") == {"a1"}
    assert ids(index, "网络 -无关") == {"a0"}


def test_fields(index: SearchIndex) -> None:
    assert ids(index, "title:发布") == {"a1"}
    assert ids(index, "title:karpathy") == {"a2"}
    assert ids(index, "tag:ai") == {"a1"}
    assert ids(index, "author:weng") == {"a3"}
    assert ids(index, "-tag:ai gpt") == {"a0"}


def test_date_filters_compare_wall_clock_dates() -> None:
    late_evening = datetime(2025, 9, 1, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
    docs = [
        article(0, "a", "x", late_evening),
        article(1, "b", "x", datetime(2025, 9, 2, 0, 30)),
        article(2, "c", "x", None),
    ]
    index = SearchIndex.build(docs)
    assert ids(index, "x after:2025-09-02") == {"a1"}
    assert ids(index, "x before:2025-09-02") == {"a0"}
    assert ids(index, "after:2025-09-01") == {"a0", "a1"}


def test_empty_query_finds_nothing(index: SearchIndex) -> None:
    for query in ("", "   "):
        results = index.search(query)
        assert results.hits == [] and results.total == 0
        assert index.count(query) == 0


def test_unknown_syntax_is_text() -> None:
    index = SearchIndex.build([article(0, "t", "see foo:bar and a - b"), article(1, "u", "foo")])
    assert ids(index, "foo:bar") == {"a0"}
    assert ids(index, "-") == {"a0"}


def test_title_matches_rank_above_body_matches() -> None:
    body_heavy = article(0, "其他", "模型 " * 30, datetime(2025, 5, 1))
    titled = article(1, "模型发布", "一些内容", datetime(2024, 1, 1))
    assert [h.id for h in SearchIndex.build([body_heavy, titled]).search("模型").hits] == [
        "a1",
        "a0",
    ]


def test_ties_are_broken_by_date_newest_first() -> None:
    docs = [article(n, "t", "same text", datetime(2025, 1, 1 + n)) for n in range(5)]
    docs.append(article(9, "t", "same text", None))
    hits = SearchIndex.build(docs).search("same").hits
    assert [h.id for h in hits] == ["a4", "a3", "a2", "a1", "a0", "a9"]


def test_more_occurrences_rank_higher() -> None:
    docs = [article(0, "t", "模型 内容 内容 内容"), article(1, "t", "模型 模型 模型 内容")]
    assert SearchIndex.build(docs).search("模型").hits[0].id == "a1"


def _phrase_corpus() -> list[Article]:
    """The pairs of "ai 模型" in every document, the phrase itself in three; fillers are newest."""
    fillers = [
        article(n, "笔记", "ai 与 模型 " * 3, datetime(2025, 1, 1) + timedelta(days=n))
        for n in range(200)
    ]
    return [
        *fillers,
        article(500, "笔记", "ai 模型 " * 5 + "与", datetime(2020, 1, 1)),
        article(501, "笔记", "ai 模型 与", datetime(2024, 1, 1)),
        article(502, "ai 模型 笔记", "ai 与 模型", datetime(2019, 1, 1)),
    ]


def test_a_phrase_weighs_by_the_documents_that_contain_it_not_by_its_candidates() -> None:
    # Its pairs are everywhere, the phrase is rare: it must outweigh 笔记 (in every title),
    # so the phrase in the title beats it five times in the body, which beats it once.
    index = SearchIndex.build(_phrase_corpus())
    hits = index.search('"ai 模型" 笔记', exact_total=True).hits
    assert [h.id for h in hits] == ["a502", "a500", "a501"]
    assert [h.id for h in index.search('"ai 模型"').hits] == ["a502", "a500", "a501"]


def test_replaced_articles_do_not_count_towards_a_terms_rarity() -> None:
    docs = [article(0, "t", "模型 模型 模型 内容"), article(1, "t", "模型 内容 内容 内容")]
    index = SearchIndex.build([*docs, article(2, "t", "内容")])
    for _ in range(5):  # each edit leaves a dead slot that still has the postings
        for doc in docs:
            index.add(doc)
    hits = index.search("模型").hits
    assert [h.id for h in hits] == ["a0", "a1"]
    assert all(h.score > 0 for h in hits)


def test_hit_spans_point_into_the_displayed_body_and_title(index: SearchIndex) -> None:
    hit = index.search("强化学习 gpt-5").hits[0]
    body = DOCS[0].body
    assert hit.id == "a0"
    assert [body[s:e] for s, e in hit.spans] == ["強化學習", "GPT-5"]
    assert [DOCS[0].title[s:e] for s, e in hit.title_spans] == ["强化学习"]


def test_snippet_is_one_line_around_the_best_match() -> None:
    body = "开头。\n" + "无关的句子。" * 40 + "\n这里提到 Karpathy 的观点。\n" + "结尾。" * 40
    hit = SearchIndex.build([article(0, "t", body)]).search("karpathy").hits[0]
    assert "\n" not in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) <= 102
    assert [hit.snippet[s:e] for s, e in hit.snippet_spans] == ["Karpathy"]


def test_short_body_snippet_has_no_ellipsis() -> None:
    hit = SearchIndex.build([article(0, "标题", "短文 模型")]).search("标题").hits[0]
    assert hit.snippet == "短文 模型" and hit.snippet_spans == ()


def test_add_replace_and_remove_without_rebuild(index: SearchIndex) -> None:
    index = SearchIndex.build(DOCS)
    index.add(article(7, "新文章", "量子纠缠"))
    assert ids(index, "量子") == {"a7"} and len(index) == 5
    index.add(article(7, "新文章", "已替换"))
    assert ids(index, "量子") == set() and ids(index, "替换") == {"a7"}
    index.add(article(0, "改过", "只剩这些"))
    assert ids(index, "强化学习") == set() and ids(index, "改过") == {"a0"}
    index.remove("a0")
    index.remove("unknown")
    assert ids(index, "改过") == set() and len(index) == 4


def test_many_adds_seal_segments() -> None:
    index = SearchIndex.build([])
    for number in range(50):
        index.add(article(number, f"t{number}", f"body {number} 模型"))
    assert index.count("模型") == 50
    assert ids(index, "body 49") == {"a49"}


def test_total_is_estimated_while_typing_and_exact_on_demand() -> None:
    docs = [article(n, "t", "karpathy said" if n % 3 else "kar pathy") for n in range(300)]
    index = SearchIndex.build(docs)
    quick = index.search("karpathy", limit=5)
    assert len(quick.hits) == 5
    exact = index.search("karpathy", limit=5, exact_total=True)
    assert exact.total == index.count("karpathy") == 200 and not exact.estimated


def test_search_module_does_not_import_textual() -> None:
    code = "import sys, tuireader.search.index, tuireader.cli; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- property tests: the index agrees with a plain normalized scan ---------------------------

ALPHABET = "ab模型网網絡络学學 -.ＡＢ"
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=40)


def scan(docs: list[Article], query: str) -> set[str]:
    terms = [(term_variants(t.text), t.negated) for t in parse_query(query).terms]
    return {
        doc.id
        for doc in docs
        if all(
            any(v in fold(doc.title) + "\n" + fold(doc.body) for v in variants) != negated
            for variants, negated in terms
        )
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=12), st.data())
def test_random_substrings_are_found(pairs: list[tuple[str, str]], data: st.DataObject) -> None:
    docs = [article(n, title, body) for n, (title, body) in enumerate(pairs)]
    index = SearchIndex.build(docs)
    source = data.draw(st.sampled_from(docs))
    start = data.draw(st.integers(0, len(source.body)))
    needle = source.body[start : start + data.draw(st.integers(1, 6))]
    if not needle.strip():
        return
    query = '"' + needle.replace('"', "") + '"'
    found = {hit.id for hit in index.search(query, limit=100).hits}
    assert source.id in found or not needle.replace('"', "").strip()
    assert found == scan(docs, query)
    assert index.count(query) == len(found)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=12), st.lists(texts, max_size=3))
def test_results_equal_a_plain_scan(pairs: list[tuple[str, str]], words: list[str]) -> None:
    docs = [article(n, title, body) for n, (title, body) in enumerate(pairs)]
    index = SearchIndex.build(docs)
    query = " ".join(w.replace(" ", "").replace('"', "") for w in words)
    expected = scan(docs, query) if query.strip() else set()
    results = index.search(query, limit=100, exact_total=True)
    assert {hit.id for hit in results.hits} == expected
    assert results.total == len(expected)


@settings(max_examples=40, deadline=None)
@given(st.lists(texts, min_size=1, max_size=10), st.text(alphabet="xyz齐", min_size=1))
def test_strings_absent_from_every_document_are_not_found(bodies: list[str], absent: str) -> None:
    index = SearchIndex.build([article(n, "", body) for n, body in enumerate(bodies)])
    assert index.search(absent).hits == []
    assert index.count(absent) == 0


# -- the bundled corpus ----------------------------------------------------------------------


def _bundled() -> list[Article]:
    return list(load_corpus(bundled_corpus_path()).articles)


def test_each_bundled_article_ranks_first_for_its_own_title() -> None:
    articles = _bundled()
    if not articles:
        pytest.skip("no bundled corpus yet")
    index = SearchIndex.build(articles)
    titles = [a.title for a in articles]
    for doc in articles:
        if titles.count(doc.title) > 1 or not doc.title.strip():
            continue
        query = '"' + doc.title.replace('"', " ") + '"' if '"' not in doc.title else doc.title
        hits = index.search(query, limit=3).hits
        assert hits and hits[0].id == doc.id, doc.title


def test_bundled_corpus_simplified_query_finds_traditional_text() -> None:
    articles = _bundled()
    if not articles:
        pytest.skip("no bundled corpus yet")
    index = SearchIndex.build(articles)
    assert index.search("人工智能").total > 0
    assert index.count("模型") == sum(
        1 for a in articles if "模型" in fold(a.title) + "\n" + fold(a.body)
    )
