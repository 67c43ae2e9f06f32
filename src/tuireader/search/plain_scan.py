"""Search without an index: a plain scan of the articles loaded so far.

A large folder takes a while to index (half a minute for 100k articles on two cores); until then
the search bar still answers, by folding and checking each loaded article in turn. Same query
language and same matching rule as the index (every term a substring after folding, regional
variants included), simpler ranking, and a time budget per query: what could not be scanned
within it is reported, never silently dropped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

from tuireader.model.articles import Article
from tuireader.search.hits import BodySpans, Hit, SearchResults
from tuireader.search.normalize import fold, match_spans_in_folded, term_variants
from tuireader.search.query import Query, Term, parse_query
from tuireader.search.snippets import make_snippet

SCAN_BUDGET = 0.25
"""Seconds a query may scan: a keystroke's answer must not wait on the whole folder."""

MEMO_CHARS = 40_000_000
"""Folded text kept between queries (about 80-160 MB), so each keystroke scans further."""


@dataclass(frozen=True, slots=True)
class ScanResults:
    """What a plain scan found: `results` over the first `scanned` of `available` articles."""

    results: SearchResults
    scanned: int
    available: int

    @property
    def complete(self) -> bool:
        return self.scanned == self.available


@dataclass(frozen=True, slots=True)
class _Folded:
    title: str
    body: str
    tags: str
    authors: str


class PlainScan:
    """Searches a growing list of articles by scanning it (thread-safe for one list appender)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._articles = articles
        self._memo: dict[str, _Folded] = {}
        self._memo_chars = 0

    def search(self, text: str, limit: int = 20, budget: float = SCAN_BUDGET) -> ScanResults:
        """The best `limit` matches among the articles the budget allowed to scan."""
        query = parse_query(text)
        available = len(self._articles)
        checks = [(term, term_variants(fold(term.text))) for term in query.terms if term.text]
        positive = [(term, variants) for term, variants in checks if not term.negated]
        deadline = time.monotonic() + budget
        found: list[tuple[tuple[int, int, float], Article, _Folded]] = []
        scanned = 0
        if checks or query.after or query.before:
            for scanned, article in enumerate(self._articles[:available], start=1):
                if not _in_dates(article, query):
                    pass
                elif (folded := self._fold(article)) and _matches(folded, checks):
                    found.append((_rank(article, folded, positive), article, folded))
                if scanned % 64 == 0 and time.monotonic() > deadline:
                    break
        else:
            scanned = available
        found.sort(key=lambda item: item[0], reverse=True)
        hits = [_hit(article, folded, positive) for _, article, folded in found[:limit]]
        results = SearchResults(query, hits, len(found), estimated=scanned < available)
        return ScanResults(results, scanned, available)

    def _fold(self, article: Article) -> _Folded:
        folded = self._memo.get(article.id)
        if folded is None:
            folded = _Folded(
                fold(article.title),
                fold(article.body),
                fold("\n".join(article.tags)),
                fold("\n".join(article.authors)),
            )
            if self._memo_chars < MEMO_CHARS:
                self._memo[article.id] = folded
                self._memo_chars += len(folded.body)
        return folded


def _in_dates(article: Article, query: Query) -> bool:
    if query.after is None and query.before is None:
        return True
    if article.date is None:
        return False
    day: date = article.date.date()
    return (query.after is None or day >= query.after) and (
        query.before is None or day < query.before
    )


def _field_text(folded: _Folded, term: Term) -> str:
    if term.field == "title":
        return folded.title
    if term.field == "tag":
        return folded.tags
    if term.field == "author":
        return folded.authors
    # Title and body, never a phrase across the two: the boundary is no character of either.
    return f"{folded.title}\0{folded.body}"


def _matches(folded: _Folded, checks: list[tuple[Term, tuple[str, ...]]]) -> bool:
    for term, variants in checks:
        text = _field_text(folded, term)
        if any(variant in text for variant in variants) == term.negated:
            return False
    return True


def _rank(
    article: Article, folded: _Folded, positive: list[tuple[Term, tuple[str, ...]]]
) -> tuple[int, int, float]:
    """Title matches first, then how often the terms occur, then the newest."""
    in_title = sum(any(v in folded.title for v in variants) for _, variants in positive)
    count = sum(folded.body.count(v) for _, variants in positive for v in variants)
    moment = article.date
    if moment is None:
        return in_title, count, float("-inf")
    # Naive dates are wall-clock times; reading them as UTC only serves to order them.
    return in_title, count, (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _hit(article: Article, folded: _Folded, positive: list[tuple[Term, tuple[str, ...]]]) -> Hit:
    body_needles = [v for term, variants in positive if term.field is None for v in variants]
    title_needles = [
        v for term, variants in positive if term.field in (None, "title") for v in variants
    ]
    spans = match_spans_in_folded(folded.body, body_needles)
    title_spans = match_spans_in_folded(folded.title, title_needles)
    snippet, snippet_spans = make_snippet(article.body, spans, spans[0][0] if spans else None)
    body_spans = BodySpans(folded.body, 0, body_needles)
    return Hit(article.id, 0.0, snippet, snippet_spans, tuple(title_spans), body_spans)
