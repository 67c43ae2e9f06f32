"""What a search returns: ranked hits with their match spans, for the index and the plain scan.

Kept apart from `search`, which needs numpy: the UI and the plain scan use these types from the
first frame on, and importing numpy then would cost ~70 ms of every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from tuireader.search.normalize import match_spans_in_folded
from tuireader.search.query import Query

Span = tuple[int, int]


class BodySpans:
    """Every match span in one article's body, found on first use.

    The sidebar only shows the snippet and the title, so a search does not look for every
    match in the body of each hit (with hundreds of matches, that was most of a hit's cost).
    """

    __slots__ = ("_folded", "_needles", "_offset", "_spans")

    def __init__(self, folded: str, offset: int, needles: list[str]) -> None:
        self._folded = folded  # the folded "text" field: the body starts at `offset`
        self._offset = offset
        self._needles = needles
        self._spans: tuple[Span, ...] | None = None

    def get(self) -> tuple[Span, ...]:
        if self._spans is None:
            body = self._folded[self._offset :]
            self._spans = tuple(match_spans_in_folded(body, self._needles))
        return self._spans


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching article. Spans are (start, end) character offsets."""

    id: str
    score: float
    snippet: str
    snippet_spans: tuple[Span, ...]
    title_spans: tuple[Span, ...]
    _body_spans: BodySpans = dataclass_field(repr=False, compare=False)

    @property
    def spans(self) -> tuple[Span, ...]:
        """Every match in the article's body (computed on first use)."""
        return self._body_spans.get()


@dataclass(frozen=True, slots=True)
class SearchResults:
    """Ranked hits; `total` counts every match, and is an estimate when `estimated`."""

    query: Query
    hits: list[Hit]
    total: int
    estimated: bool
