"""The article record every other part of tuireader works with.

Records are produced by the loader (`corpus.py`), indexed by the search engine (`search.py`) and
shown by the UI. Every string in a record has already been cleaned of control characters, so a
consumer never has to sanitize again, but it must still never parse them as markup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal, Protocol

from tuireader.model.links import Link, extract_links

ArticleKind = Literal["markdown", "text"]

ARTICLE_SUFFIXES: dict[str, ArticleKind] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
"""The files a folder's articles are read from, by lowercased suffix, and how each is read."""


@dataclass(frozen=True, slots=True, eq=False)
class Article:
    """One entry of the corpus: a file, or one post of a listing page split into entries.

    `body` is what the reader shows: Markdown source with the frontmatter removed (`kind ==
    "markdown"`), or plain text where each line is a paragraph (`kind == "text"`). Search match
    spans are character offsets into `body`.

    Equal when every field but `problems` is equal, whatever the class (a `CachedArticle`
    equals the `Article` parsed from the same file).
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
    line: int = 1
    reading_minutes: int | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)
    # `links`, once read. They are found in the body when first asked for, not when the file is
    # parsed: most articles of a large folder are never opened, and finding them cost ~12% of
    # parsing a file (and more to send them from the workers and to cache them).
    _links: tuple[Link, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def chars(self) -> int:
        """Length of the body in characters."""
        return len(self.body)

    @property
    def links(self) -> tuple[Link, ...]:
        """The links of the body in order of appearance, each URL once (`extract_links`)."""
        links = self._links
        if links is None:
            links = extract_links(self.body, self.kind)
            _set_links(self, links)
        return links

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _COMPARED)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.id, self.path, self.line))

    def replaced(self, **changes: Any) -> Article:
        """A plain `Article` with some fields changed (`dataclasses.replace` keeps the class)."""
        values = {f.name: getattr(self, f.name) for f in _INIT_FIELDS}
        return Article(**{**values, **changes})


_INIT_FIELDS = tuple(f for f in fields(Article) if f.init)
"""The fields an `Article` is made from (`links` is found in the body)."""
_COMPARED = tuple(f.name for f in fields(Article) if f.compare)


class Bodies(Protocol):
    """Texts by number (the load cache's `TextColumn` decodes each one when asked)."""

    def __getitem__(self, number: int, /) -> str: ...


class CachedArticle(Article):
    """An `Article` loaded from the cache, whose body is decoded each time it is read.

    Most bodies of a large folder are never read in a session (the index has its own folded
    copy): decoding 100k of them at start-up cost 0.55 s and ~300 MB.
    """

    __slots__ = ("_bodies", "_number")
    _bodies: Bodies
    _number: int

    @classmethod
    def make(cls, bodies: Bodies, *values: Any) -> CachedArticle:
        """The article with every field's value in `Article`'s field order, the body's number
        in `bodies` in place of the body."""
        article = object.__new__(cls)
        _set_bodies(article, bodies)
        _set_links(article, None)
        # Each slot set straight through its descriptor: the frozen dataclass's __init__ costs
        # more per article, which a warm start of a large folder feels (bench/README.md).
        for set_field, value in zip(_CACHED_SETTERS, values, strict=True):
            set_field(article, value)
        return article

    @property
    def body(self) -> str:
        return self._bodies[self._number]


_set_bodies = CachedArticle.__dict__["_bodies"].__set__
_set_links = Article.__dict__["_links"].__set__
_CACHED_SETTERS = tuple(
    (CachedArticle.__dict__["_number"] if f.name == "body" else Article.__dict__[f.name]).__set__
    for f in _INIT_FIELDS
)


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that was skipped or only partly understood, and why, in one line."""

    path: str
    reason: str


def article_id(relative_path: str, line: int = 1) -> str:
    """A stable id for an entry: the same file (and line, for listing entries) gives the same id.

    Content is deliberately left out, so that editing a file keeps its read state and bookmarks.
    """
    key = relative_path if line == 1 else f"{relative_path}#L{line}"
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
