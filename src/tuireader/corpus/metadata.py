"""Frontmatter (YAML, TOML, JSON) and the fields read from it: title, date, authors, tags, URL.

Site generators spell the same field many ways (Jekyll `categories`, Zola `[taxonomies] tags`,
Hexo `updated`, Hugo `publishDate`...), so every field is looked up under a list of names, at the
top level and then in the sections generators nest them in (`extra`, `params`, `taxonomies`).
Values are coerced to clean one-line strings with bounded effort: a YAML alias bomb builds a
small shared graph, and only walking it naively would explode.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from tuireader.corpus.salvage import salvage_toml, salvage_yaml
from tuireader.model.text import sanitize_line

if TYPE_CHECKING:
    from tuireader.corpus.flatyaml import FlatYaml

MAX_FRONTMATTER_BYTES = 64 * 1024
"""Frontmatter larger than this is not parsed (its metadata is ignored, with a problem noted)."""

_MAX_ITEMS = 50  # tags, authors: more than this is not metadata a reader can use
_MAX_FIELD_CHARS = 300

_FENCES = {"---": "YAML", "+++": "TOML", ";;;": "JSON"}
_CLOSERS = {"---": ("---", "..."), "+++": ("+++",), ";;;": (";;;",)}

_TITLE_KEYS = ("title", "headline", "subject")
_DATE_KEYS = (
    "date",
    "pubdate",
    "pub_date",
    "published",
    "publishdate",
    "publish_date",
    "published_at",
    "publishedat",
    "date_published",
    "created",
    "created_at",
    "createdat",
    "creation_date",
    "time",
    "updated",
    "lastmod",
    "modified",
    "updated_at",
)
_AUTHOR_KEYS = ("authors", "author", "creator", "creators", "by", "writer", "byline")
_TAG_KEYS = ("tags", "tag", "categories", "category", "keywords", "topics", "labels", "series")
_URL_KEYS = (
    "canonical_url",
    "canonicalurl",
    "canonical",
    "source_url",
    "sourceurl",
    "source",
    "original_url",
    "originalurl",
    "original",
    "origin",
    "external_url",
    "link_url",
    "url",
    "link",
    "href",
    "permalink",
)
_NESTED = ("extra", "params", "taxonomies", "meta", "metadata", "data")


@dataclass(slots=True)
class Frontmatter:
    """The result of splitting a document: its metadata, its body and where the body starts."""

    meta: dict[str, Any] | None
    body: str
    body_line: int = 1
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Metadata:
    """The fields tuireader shows, taken from a frontmatter mapping."""

    title: str | None = None
    date: datetime | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source_url: str | None = None
    problems: list[str] = field(default_factory=list)


# --- splitting ----------------------------------------------------------------------------------


def split_frontmatter(text: str) -> Frontmatter:
    """Split cleaned text into frontmatter and body.

    Understands `---` YAML, `+++` TOML, `;;;` JSON (fenced, or Hexo's closing-only form) and a
    JSON object at the very top. Blank lines may precede the opening fence. Broken or oversized
    frontmatter keeps the body readable: the metadata is dropped and a problem is noted.
    """
    start = 0
    line = 1
    while True:  # skip blank lines before the fence
        end = text.find("\n", start)
        if end == -1 or text[start:end].strip():
            break
        start = end + 1
        line += 1
    first_end = text.find("\n", start)
    first = (text[start:] if first_end == -1 else text[start:first_end]).rstrip()
    if first in _FENCES and first_end != -1:
        return _split_fenced(text, first, first_end + 1, line + 1)
    if first.startswith("{"):
        return _split_json_object(text, start, line)
    # Hexo's JSON starts with a quoted key: only then is a closing ;;; worth looking for.
    quoted = text.startswith('"', start)
    hexo = _HEXO_JSON_END.search(text, 0, MAX_FRONTMATTER_BYTES) if quoted else None
    if hexo is not None:
        block = text[start : hexo.start()]
        fm = _parse_block("JSON", "{" + block.rstrip().rstrip(",") + "}")
        body_line = line + block.count("\n") + 1
        return _frontmatter(fm, text[hexo.end() :], body_line)
    return Frontmatter(None, text)


_HEXO_JSON_END = re.compile(r"^;;;[ \t]*(?:\n|\Z)", re.MULTILINE)
_KEY_LINE = re.compile(r"^\s*[\w\"'-]+\s*[:=]")


def _split_fenced(text: str, fence: str, content_start: int, content_line: int) -> Frontmatter:
    pos = content_start
    line = content_line
    closers = _CLOSERS[fence]
    while pos <= len(text):
        end = text.find("\n", pos)
        stop = len(text) if end == -1 else end
        if text[pos:stop].rstrip() in closers:
            block = text[content_start:pos]
            body = text[stop + 1 :] if end != -1 else ""
            kind = _FENCES[fence]
            # At most 4 bytes a character: only a long block needs encoding to be measured.
            if len(block) > MAX_FRONTMATTER_BYTES // 4 and (
                len(block.encode("utf-8", "surrogatepass")) > MAX_FRONTMATTER_BYTES
            ):
                problem = (
                    f"{kind} frontmatter larger than {MAX_FRONTMATTER_BYTES // 1024} KiB ignored"
                )
                return Frontmatter(None, body, line + 1, [problem])
            return _frontmatter(_parse_block(kind, block, content_line), body, line + 1)
        if end == -1:
            break
        pos = end + 1
        line += 1
    # No closing fence: a lone `---` is a Markdown thematic break, so this is only worth a
    # problem when the next line looks like a metadata key.
    problems = []
    if _KEY_LINE.match(text, content_start):
        problems.append(f"{_FENCES[fence]} frontmatter has no closing {fence}; shown as text")
    return Frontmatter(None, text, 1, problems)


def _split_json_object(text: str, start: int, line: int) -> Frontmatter:
    # Liquid (`{% ... %}`) and templating (`{{ ... }}`) also start with a brace: not frontmatter.
    if text.startswith(("{%", "{{"), start):
        return Frontmatter(None, text)
    try:
        value, end = json.JSONDecoder().raw_decode(text[: start + MAX_FRONTMATTER_BYTES], start)
    except (ValueError, RecursionError):
        looks_json = re.match(r'\{\s*(?:"|\n|$)', text[start : start + 50]) is not None
        problems = ["invalid JSON frontmatter ignored"] if looks_json else []
        return Frontmatter(None, text, 1, problems)
    rest_end = text.find("\n", end)
    if text[end : len(text) if rest_end == -1 else rest_end].strip() not in ("", ";;;"):
        return Frontmatter(None, text)
    body = "" if rest_end == -1 else text[rest_end + 1 :]
    body_line = line + text.count("\n", start, end) + 1
    if not isinstance(value, dict):
        return Frontmatter(None, text)
    return _frontmatter((value, []), body, body_line)


def _frontmatter(parsed: tuple[Any, list[str]], body: str, body_line: int) -> Frontmatter:
    value, problems = parsed
    if value is None or isinstance(value, dict):
        meta = {str(k).strip().lower(): v for k, v in value.items()} if value else None
        return Frontmatter(meta, body, body_line, problems)
    problems.append(f"frontmatter is a {_type_name(value)}, not a mapping: ignored")
    return Frontmatter(None, body, body_line, problems)


def _parse_block(kind: str, block: str, first_line: int = 1) -> tuple[Any, list[str]]:
    """The block's value and problems; a broken YAML or TOML block keeps the keys that parse.

    `first_line` is the file's line number of the block's first line, for the problems.
    """
    try:
        if kind == "YAML":
            return _load_yaml(block), []
        if kind == "TOML":
            return tomllib.loads(block), []
        return json.loads(block), []
    except (RecursionError, MemoryError):
        return None, [f"invalid {kind} frontmatter ignored: nested too deeply"]
    except Exception as error:  # every parser has its own error types; none may escape
        if kind == "YAML":
            salvaged, notes = salvage_yaml(block, first_line, _load_yaml)
        elif kind == "TOML":
            salvaged, notes = salvage_toml(block, first_line)
        else:
            salvaged, notes = None, []
        if salvaged is not None:
            return salvaged, notes
        return None, [f"invalid {kind} frontmatter ignored: {_first_line(error)}"]


@functools.cache
def _yaml() -> tuple[Any, FlatYaml, Callable[..., Any]]:
    """PyYAML's safe loader (libyaml when available) with timestamps kept as text, the flat
    fast path over it, and `yaml.load`: imported with the first YAML frontmatter read, not with
    this module (PyYAML's import, ~10 ms, is not for a start that parses no file: a warm
    start's articles come from the cache).

    Timestamps are parsed by `parse_date` like every other date, so an impossible date such as
    2024-02-30 is one field's problem instead of failing the whole frontmatter.
    """
    import yaml

    from tuireader.corpus.flatyaml import FlatYaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class SafeLoader(base):  # type: ignore[misc]
        pass

    SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    return SafeLoader, FlatYaml(SafeLoader), yaml.load


def safe_loader() -> Any:
    """The loader class frontmatter YAML is read with (see `_yaml`)."""
    return _yaml()[0]


def _timestamp_as_text(loader: Any, node: Any) -> str:
    return str(node.value)


def _load_yaml(block: str) -> Any:
    loader, flat_yaml, load = _yaml()
    flat = flat_yaml.load(block)
    return flat if flat is not None else load(block, Loader=loader)


# --- fields -------------------------------------------------------------------------------------


def read_metadata(meta: dict[str, Any]) -> Metadata:
    """Read title, date, authors, tags and source URL from a frontmatter mapping."""
    result = Metadata()
    mappings = _mappings(meta)
    title = _lookup(mappings, _TITLE_KEYS)
    if title is not None:
        result.title = _one_text(title)
    raw_date = _lookup(mappings, _DATE_KEYS)
    if raw_date is not None:
        result.date = parse_date(raw_date)
        if result.date is None and _one_text(raw_date):
            shown = _one_text(raw_date) or ""
            result.problems.append(f"unrecognised date {shown[:40]!r}")
    result.authors = _dedupe(_texts(_lookup(mappings, _AUTHOR_KEYS), split_commas=False))
    tags: list[str] = []
    for key in _TAG_KEYS:
        for mapping in mappings:
            if key in mapping:
                tags.extend(_texts(mapping[key], split_commas=True))
                break
    result.tags = _dedupe(tags)
    for key in _URL_KEYS:
        value = meta.get(key)
        url = None if value is None else _first_url(value)
        if url:
            result.source_url = url
            break
    return result


def date_from_path(*candidates: str) -> datetime | None:
    """A date written in a path or slug (`2025/06/26/...`, `2008-01-28-title.md`), if any."""
    for candidate in candidates:
        match = _PATH_DATE.search(candidate)
        if match:
            try:
                return datetime(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


_PATH_DATE = re.compile(r"(?:^|[/_\-])((?:19|20)\d\d)[-/_](\d\d)[-/_](\d\d)(?=[-/_.]|$)")


def _mappings(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """`meta`, then the sections generators nest fields in, with their keys lowered."""
    mappings = [meta]
    for name in _NESTED:
        nested = meta.get(name)
        if isinstance(nested, dict):
            mappings.append({str(k).lower(): v for k, v in list(nested.items())[:200]})
    return mappings


def _lookup(mappings: list[dict[str, Any]], keys: tuple[str, ...]) -> Any:
    for mapping in mappings:
        for key in keys:
            value = mapping.get(key)
            if value is not None and value != "" and value != []:
                return value
    return None


def _one_text(value: Any) -> str | None:
    parts = _texts(value, split_commas=False)
    if not parts:
        return None
    return sanitize_line(" ".join(parts))[:_MAX_FIELD_CHARS].strip() or None


_COMMAS = re.compile(r"[,，、]")
_HTTP_URL = re.compile(r"(?i)https?://\S+$")


def _texts(value: Any, *, split_commas: bool, depth: int = 0) -> list[str]:
    """Flatten a value into short clean strings, visiting at most `_MAX_ITEMS` leaves."""
    if value is None:
        return []
    if isinstance(value, str) and not split_commas:  # most titles and authors
        text = sanitize_line(value).strip()
        return [text[:_MAX_FIELD_CHARS]] if text else []
    out: list[str] = []
    stack: list[tuple[Any, int]] = [(value, depth)]
    visits = 0
    while stack and len(out) < _MAX_ITEMS and visits < 4 * _MAX_ITEMS:
        visits += 1
        item, level = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, str):
            for piece in _COMMAS.split(item) if split_commas else (item,):
                piece = sanitize_line(piece).strip()
                if piece:
                    out.append(piece)
        elif isinstance(item, int | float):
            out.append(str(item))
        elif isinstance(item, datetime | date):
            out.append(item.isoformat())
        elif isinstance(item, dict):
            name = item.get("name") or item.get("title") or item.get("login")
            if isinstance(name, str | int | float):
                stack.append((name, level + 1))
        elif isinstance(item, list | tuple) and level < 3:
            stack.extend((child, level + 1) for child in reversed(item[:_MAX_ITEMS]))
    return [text[:_MAX_FIELD_CHARS] for text in out[:_MAX_ITEMS]]


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _first_url(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("url") or value.get("href")
    if not isinstance(value, str):
        return None
    url = sanitize_line(value).strip().strip("<>")
    if _HTTP_URL.match(url):
        return url
    return None


# --- dates --------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

_ISO = re.compile(
    r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?$",
    re.IGNORECASE,
)
_CJK_DATE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?$"
)
_MONTH_FIRST = re.compile(
    r"(?:[A-Za-z]+,?\s+)?(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$"
)
_DAY_FIRST = re.compile(
    r"(?:[A-Za-z]+,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>\d{4})$"
)


def parse_date(value: Any) -> datetime | None:
    """Parse a date as written, keeping its wall clock and offset; None if it is not a date.

    A date without a time is midnight (naive). ISO 8601 and its common variants, RFC 2822,
    `August 18, 2025`, `18 Aug 2025` and `2025年8月18日` are understood.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, list) and value:
        return parse_date(value[0])
    if not isinstance(value, str):
        return None
    text = sanitize_line(value).strip()
    if not text or len(text) > 80:
        return None
    try:
        return _parse_date_text(text)
    except (ValueError, OverflowError):
        return None


def _parse_date_text(text: str) -> datetime | None:
    match = _ISO.match(text) or _CJK_DATE.match(text)
    if match:
        groups = match.groupdict()
        fraction = (groups.get("f") or "0")[:6].ljust(6, "0")
        return datetime(
            int(groups["y"]),
            int(groups["m"]),
            int(groups["d"]),
            int(groups["H"] or 0),
            int(groups["M"] or 0),
            int(groups["S"] or 0),
            int(fraction),
            tzinfo=_tz(groups.get("tz")),
        )
    match = _MONTH_FIRST.match(text) or _DAY_FIRST.match(text)
    if match:
        month = _MONTHS.get(match["mon"].lower())
        if month is None:
            return None
        return datetime(int(match["y"]), month, int(match["d"]))
    if "," in text or re.search(r"[+-]\d{4}$", text):
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return None


@functools.lru_cache(maxsize=256)  # a folder's dates share a few offsets
def _tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _first_line(error: BaseException) -> str:
    text = sanitize_line(str(error).split("\n", 1)[0]).strip()
    return text[:120] or type(error).__name__
