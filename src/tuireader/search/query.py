"""Parsing what the user types in the search bar into terms and filters.

The grammar is small and forgiving, because it runs on every keystroke: anything that is not
understood is searched for as text, and parsing never fails.

- space-separated terms are ANDed; `"a quoted phrase"` keeps its inner spaces (an unclosed quote
  runs to the end, so a phrase being typed already searches);
- `-term` excludes documents containing the term;
- `title:`, `tag:` and `author:` restrict a term to that field (`title:"two words"` works);
- `after:YYYY-MM-DD` keeps articles dated that day or later, `before:YYYY-MM-DD` earlier than
  that day; articles without a date are then left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Field = Literal["title", "tag", "author"]
FIELDS: tuple[Field, ...] = ("title", "tag", "author")

_PREFIX = re.compile(r"([A-Za-z]+):")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class Term:
    """One search term. `field` None means the title and body of the article."""

    text: str
    field: Field | None = None
    negated: bool = False
    phrase: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: terms and an optional date range."""

    terms: tuple[Term, ...] = ()
    after: date | None = None
    before: date | None = None

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.negated)

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """The texts to highlight in an article: the positive terms that search its title/body."""
        return tuple(
            term.text for term in self.terms if not term.negated and term.field in (None, "title")
        )

    @property
    def is_empty(self) -> bool:
        """True when the query asks for nothing at all (no terms and no date filter)."""
        return not self.terms and self.after is None and self.before is None


def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_query(text: str) -> Query:
    """Parse a search query; never raises (unknown syntax is searched as text)."""
    terms: list[Term] = []
    after: date | None = None
    before: date | None = None
    position, size = 0, len(text)
    while position < size:
        if text[position].isspace():
            position += 1
            continue
        token_start = position
        negated = text[position] == "-" and position + 1 < size and not text[position + 1].isspace()
        position += negated
        name: str | None = None
        prefix = _PREFIX.match(text, position)
        if prefix and prefix[1].lower() in (*FIELDS, "after", "before"):
            name = prefix[1].lower()
            position = prefix.end()
        phrase = False
        if position < size and text[position] == '"':
            closing = text.find('"', position + 1)
            value_end = size if closing < 0 else closing
            value = text[position + 1 : value_end]
            position = value_end + 1
            phrase = bool(value.strip())
        else:
            value_end = _token_end(text, position)
            value = text[position:value_end]
            position = value_end
        raw = text[token_start:position]
        if name in ("after", "before") and not negated and not phrase:
            day = _parse_date(value)
            if day is not None:
                if name == "after":
                    after = day if after is None else max(after, day)
                else:
                    before = day if before is None else min(before, day)
                continue
        if name in ("after", "before") or not (phrase or value.strip()):
            # A date filter without a date, or a prefix or quotes with nothing inside: text.
            terms.append(Term(raw[negated:], negated=negated))
            continue
        field: Field | None = name if name in FIELDS else None
        terms.append(Term(value, field, negated, phrase=phrase))
    return Query(tuple(terms), after, before)


def _token_end(text: str, position: int) -> int:
    while position < len(text) and not text[position].isspace():
        position += 1
    return position
