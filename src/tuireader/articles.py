"""The article record every other part of tuireader works with.

Records are produced by the loader (`corpus.py`), indexed by the search engine (`search.py`) and
shown by the UI. Every string in a record has already been cleaned of control characters, so a
consumer never has to sanitize again, but it must still never parse them as markup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ArticleKind = Literal["markdown", "text"]


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in an article, in document order."""

    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Article:
    """One entry of the corpus: a file, or one post of a listing page split into entries.

    `body` is what the reader shows: Markdown source with the frontmatter removed (`kind ==
    "markdown"`), or plain text where each line is a paragraph (`kind == "text"`). Search match
    spans are character offsets into `body`.
    """

    id: str
    path: str
    title: str
    body: str
    kind: ArticleKind = "markdown"
    date: datetime | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source_url: str | None = None
    links: tuple[Link, ...] = ()
    line: int = 1
    reading_minutes: int | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def chars(self) -> int:
        """Length of the body in characters."""
        return len(self.body)


def article_id(relative_path: str, line: int = 1) -> str:
    """A stable id for an entry: the same file (and line, for listing entries) gives the same id.

    Content is deliberately left out, so that editing a file keeps its read state and bookmarks.
    """
    key = relative_path if line == 1 else f"{relative_path}#L{line}"
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
