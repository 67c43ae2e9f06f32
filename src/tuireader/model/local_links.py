"""Links between the articles of one folder: in a docs tree, a relative link opens its article here.

A link with no scheme is read the way the site generators that wrote it read it:

- relative to the linking file's folder (`./setup.md`, `../guide/`), and failing that, to the
  folder's root (site-absolute `/docs/x.md`, Jekyll's `{% link en/news/x.md %}` paths);
- `@/` is Zola's content root;
- a path with no suffix, or ending in `/`, may be `x.md`, `x/index.md`, `x/_index.md`,
  `x/README.md`; `x.html` may be the page made from `x.md`;
- Jekyll's default news permalink `/<lang>/news/YYYY/MM/DD/<slug>/` is the post
  `<lang>/news/_posts/YYYY-MM-DD-<slug>.md`, or `YYYY-MM-DD-<slug>.md` beside the linking post
  (a folder of posts opened on its own).

Only paths inside the folder are followed; the file must be one the library lists.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from tuireader.model.articles import ARTICLE_SUFFIXES

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_INDEX_NAMES = ("index.md", "_index.md", "README.md", "readme.md", "index.markdown")
_PAGE_SUFFIXES = (".html", ".htm")
_PERMALINK = re.compile(
    r"(?P<base>(?:.*/)?)(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[^/]+?)"
    r"(?:\.html?)?"
)
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")


@dataclass(frozen=True, slots=True)
class LocalTarget:
    """Where a link inside the folder leads: a file the library lists, and a heading in it."""

    path: str
    """The file, as `Article.path` names it."""
    fragment: str
    """What followed `#`, unquoted; "" for none."""


def local_target(url: str, from_path: str, listed: Callable[[str], bool]) -> LocalTarget | None:
    """The article file `url` leads to, from the article in `from_path`; None for a web link,
    a page anchor alone, a path outside the folder or one that `listed` does not know."""
    url = url.strip()
    if not url or url.startswith(("#", "//")) or _SCHEME.match(url):
        return None
    path, _, fragment = url.partition("#")
    path = unquote(path.partition("?")[0])
    if not path:
        return None
    if path.startswith("@/"):
        bases, path = [""], path[2:]
    elif path.startswith("/"):
        bases, path = [""], path.lstrip("/")
    else:
        bases = [posixpath.dirname(from_path), ""]
    folder_like = path.endswith("/") or path in ("", ".")
    beside = posixpath.dirname(from_path)
    for base in bases:
        joined = posixpath.normpath(posixpath.join(base, path))
        if joined == ".." or joined.startswith("../") or joined.startswith("/"):
            continue  # outside the folder
        for candidate in _candidates("" if joined == "." else joined, folder_like, beside):
            if listed(candidate):
                return LocalTarget(candidate, unquote(fragment))
    return None


def _candidates(path: str, folder_like: bool, beside: str) -> Iterator[str]:
    """The files `path` may name, most literal first."""
    stem, suffix = posixpath.splitext(path)
    lowered = suffix.lower()
    if not folder_like and lowered in ARTICLE_SUFFIXES:
        yield path
        return
    if not folder_like and lowered in _PAGE_SUFFIXES:
        yield stem + ".md"
        yield stem + ".markdown"
        path = stem  # `guide.html` may also be the page of `guide/index.md`
    elif not folder_like and not suffix:
        yield path + ".md"
        yield path + ".markdown"
    for name in _INDEX_NAMES:
        yield posixpath.join(path, name) if path else name
    if match := _PERMALINK.fullmatch(path):
        post = f"{match['year']}-{match['month']}-{match['day']}-{match['slug']}"
        for extension in (".md", ".markdown"):
            yield f"{match['base']}_posts/{post}{extension}"
            yield posixpath.join(beside, post + extension)


def heading_slug(text: str) -> str:
    """The anchor a site generator gives a heading, as GitHub makes it: lower case, spaces to
    `-`, punctuation dropped, letters of every script kept (`## 安装 Setup!` → `安装-setup`)."""
    return _NOT_IN_SLUG.sub("", text.strip().lower()).replace(" ", "-")
