"""The search query syntax, and what happens to syntax it does not understand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuireader.search.query import Query, Term, parse_query


def test_terms_are_split_on_spaces() -> None:
    assert parse_query("GPT-5  发布") == Query((Term("GPT-5"), Term("发布")))


def test_quoted_phrase_keeps_inner_spaces() -> None:
    assert parse_query('"machine learning" x').terms == (
        Term("machine learning", phrase=True),
        Term("x"),
    )


def test_unclosed_quote_runs_to_the_end() -> None:
    assert parse_query('"machine lea').terms == (Term("machine lea", phrase=True),)


def test_minus_excludes() -> None:
    assert parse_query("模型 -发布").terms == (Term("模型"), Term("发布", negated=True))
    assert parse_query('-"a b"').terms == (Term("a b", negated=True, phrase=True),)


@pytest.mark.parametrize("field", ["title", "tag", "author"])
def test_fields_restrict_a_term(field: str) -> None:
    assert parse_query(f"{field}:x").terms == (Term("x", field=field),)  # type: ignore[arg-type]


def test_field_names_ignore_case_and_take_phrases() -> None:
    assert parse_query('Author:"Lilian Weng"').terms == (
        Term("Lilian Weng", field="author", phrase=True),
    )


def test_date_filters() -> None:
    query = parse_query("after:2025-09-01 before:2025-10-1 模型")
    assert query.after == date(2025, 9, 1)
    assert query.before == date(2025, 10, 1)
    assert query.terms == (Term("模型"),)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("foo:bar", "foo:bar"),
        ('"', '"'),
        ('""', '""'),
        ("-", "-"),
        ("title:", "title:"),
        ("after:yesterday", "after:yesterday"),
        ("after:2025-02-30", "after:2025-02-30"),
        ("http://x.com", "http://x.com"),
        ('a"b', 'a"b'),
    ],
)
def test_unknown_syntax_is_searched_as_text(text: str, term: str) -> None:
    assert parse_query(text).terms == (Term(term),)


def test_highlight_terms_are_the_positive_title_and_body_terms() -> None:
    query = parse_query("a -b title:c tag:d author:e")
    assert query.highlight_terms == ("a", "c")


def test_empty_query() -> None:
    assert parse_query("   ").is_empty
    assert not parse_query("after:2025-01-01").is_empty


@given(st.text())
def test_parsing_never_fails(text: str) -> None:
    query = parse_query(text)
    assert all(term.text for term in query.terms)
