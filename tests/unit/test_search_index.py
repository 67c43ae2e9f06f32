"""Index internals that the speed work added: many segments, the triple filter, check budget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tuireader.search.index as search_module
from tuireader.model.articles import Article
from tuireader.search.index import SearchIndex
from tuireader.search.normalize import code_points, fold, match_spans_in_folded, term_variants
from tuireader.search.postings import TrigramFilter
from tuireader.search.query import parse_query


def article(number: int, body: str, title: str = "t") -> Article:
    return Article(id=f"a{number}", path=f"{number}.md", title=title, body=body)


def scan(docs: list[Article], query: str) -> set[str]:
    terms = [(term_variants(t.text), t.negated) for t in parse_query(query).terms]
    found = set()
    for doc in docs:
        text = fold(doc.title) + "\n" + fold(doc.body)
        if all(any(v in text for v in variants) != negated for variants, negated in terms):
            found.add(doc.id)
    return found


WORDS = ["模型", "的", "是", "型的", "the", "model", "ai", "網絡", "gpt-5", "x"]


def corpus(count: int) -> list[Article]:
    return [
        article(n, " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(n % 9 + 1)))
        for n in range(count)
    ]


QUERIES = [
    "模型",
    "的",
    "模型的模型",
    '"the model"',
    '"model the"',
    "gpt-5",
    "网络",
    "ai -x",
    "ai ai ai",
    "型的 模型",
    '"的 是"',
]


def test_many_segments_give_the_same_answers_as_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "SEGMENT_DOCS", 3)
    docs = corpus(61)
    index = SearchIndex.build(docs)
    assert len(index._snapshot.segments["text"]) > 10
    for query in QUERIES:
        expected = scan(docs, query)
        results = index.search(query, limit=100, exact_total=True)
        assert {h.id for h in results.hits} == expected, query
        assert results.total == len(expected) == index.count(query), query


def test_adds_after_a_build_with_many_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "SEGMENT_DOCS", 4)
    docs = corpus(20)
    index = SearchIndex.build(docs)
    extra = [article(100 + n, f"新的 模型 {n} 型的模") for n in range(9)]
    for doc in extra:
        index.add(doc)
    index.add(article(3, "替换 型的模"))
    docs = [d for d in docs if d.id != "a3"] + extra + [article(3, "替换 型的模")]
    for query in [*QUERIES, "型的模", "替换"]:
        assert index.count(query) == len(scan(docs, query)), query
        found = {h.id for h in index.search(query, limit=100).hits}
        assert found == scan(docs, query), query


def test_the_triple_filter_never_rules_out_a_present_phrase() -> None:
    trigrams = TrigramFilter(10)  # tiny, so that slots collide
    text = fold("模型的能力 and the model, 型的 ok")
    trigrams.add(code_points(text))
    for start in range(len(text)):
        for end in range(start + 1, min(len(text), start + 8) + 1):
            assert trigrams.may_contain(text[start:end])


def test_a_phrase_with_an_absent_triple_is_answered_without_checks() -> None:
    docs = [article(n, "模型的能力 的模型 型的") for n in range(50)]
    index = SearchIndex.build(docs)
    assert not index._snapshot.trigrams.may_contain("型的模")
    assert index.search("模型的模型").hits == []
    assert index.count("模型的模型") == 0


def test_an_index_searches_while_its_triple_filter_is_made_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_module, "_FILTER_BATCH_DOCS", 16)  # the filter is filled in parts
    docs = [article(n, "模型的能力 的模型 型的") for n in range(30)]
    docs += [article(99, "的模型的模型")]
    index = SearchIndex.build(docs, finish_later=True)
    trigrams = index._snapshot.trigrams
    assert trigrams.may_contain("型的模") and not trigrams.complete  # not ruled out yet
    assert {hit.id for hit in index.search("模型的模型").hits} == {"a99"}
    index.complete_filter()
    assert trigrams.complete and not trigrams.may_contain("型能模")
    assert trigrams.may_contain("型的模")  # a99 has it, in the filter's last part
    assert {hit.id for hit in index.search("模型的模型").hits} == {"a99"}
    assert index.search("型能模").hits == []
    complete = SearchIndex.build(docs)._snapshot.trigrams.flags
    assert (trigrams.flags == complete).all()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab模型 的-", max_size=60), st.text(alphabet="ab模型 的-", min_size=1))
def test_triple_filter_agrees_with_substring(text: str, needle: str) -> None:
    trigrams = TrigramFilter.for_chars(len(text))
    trigrams.add(code_points(fold(text)))
    if fold(needle) in fold(text):
        assert trigrams.may_contain(fold(needle))


def test_many_candidates_past_the_budget_still_return_only_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_module, "VERIFY_BUDGET", 16)
    monkeypatch.setattr(search_module, "_ORDERED_BATCHES", (4, 12))
    # Every document has the pairs of "ab cd" many times, only some have the phrase.
    docs = [
        article(n, "ab " * 20 + "x " + "cd " * 20 + ("ab cd " * (n % 4) if n % 5 == 0 else ""))
        for n in range(300)
    ]
    index = SearchIndex.build(docs)
    expected = scan(docs, '"ab cd"')
    results = index.search('"ab cd"', limit=10)
    assert {h.id for h in results.hits} <= expected
    assert len(results.hits) == min(10, len(expected))
    assert index.count('"ab cd"') == len(expected)
    exact = index.search('"ab cd"', limit=10, exact_total=True)
    assert exact.total == len(expected) and not exact.estimated
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_rare_phrase_among_many_candidates_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "VERIFY_BUDGET", 16)
    monkeypatch.setattr(search_module, "_ORDERED_BATCHES", (4, 12))
    docs = [article(n, "ab " * 5 + "x " + "cd " * 5) for n in range(200)]
    docs.append(article(999, "ab cd"))
    index = SearchIndex.build(docs)
    assert [h.id for h in index.search('"ab cd"').hits] == ["a999"]


def test_a_phrase_in_a_title_is_found_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "VERIFY_BUDGET", 16)
    monkeypatch.setattr(search_module, "_ORDERED_BATCHES", (4, 12))
    # Every title has the phrase's pairs and every body has them many times (high bounds);
    # only one title has the phrase, in an article whose body has it once (a low bound).
    docs = [article(n, "ab " * 8 + "x cd " * 8 + "ab cd", title="ab x cd") for n in range(300)]
    docs.append(article(999, "ab cd", title="ab cd"))
    index = SearchIndex.build(docs)
    assert index.search('"ab cd"', limit=5).hits[0].id == "a999"


def test_estimated_total_is_not_the_share_among_the_best_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_module, "VERIFY_BUDGET", 16)
    monkeypatch.setattr(search_module, "_ORDERED_BATCHES", (4, 12))
    # The candidates with the most pairs (checked first) all have the phrase; 1 in 10 of the
    # others has it.
    likely = [article(n, "ab cd " * 6) for n in range(40)]
    others = [article(100 + n, "ab x cd" + (" ab cd" if n % 10 == 0 else "")) for n in range(600)]
    index = SearchIndex.build(likely + others)
    expected = len(scan(likely + others, '"ab cd"'))
    results = index.search('"ab cd"', limit=5)
    assert results.estimated
    assert abs(results.total - expected) <= expected // 4, (results.total, expected)


def _naive_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    covered = [False] * len(text)
    for needle in needles:
        for start in range(len(text) - len(needle) + 1):
            if needle and text.startswith(needle, start):
                covered[start : start + len(needle)] = [True] * len(needle)
    spans: list[tuple[int, int]] = []
    for position, flag in enumerate(covered):
        if flag:
            if spans and spans[-1][1] == position:
                spans[-1] = (spans[-1][0], position + 1)
            else:
                spans.append((position, position + 1))
    return spans


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab的 ", max_size=40),
    st.lists(st.text(alphabet="ab的 ", min_size=1, max_size=4), max_size=3),
)
def test_match_spans_cover_exactly_the_occurrences(text: str, needles: list[str]) -> None:
    assert match_spans_in_folded(text, needles) == _naive_spans(text, needles)
