"""Loading a folder of articles into clean `Article` records.

The loader only reads: every file is opened read-only, without following a final symlink and
without blocking (a FIFO named `x.md` must not hang the scan), checked to be a regular file and
read up to `MAX_FILE_BYTES`. Whatever goes wrong with one file (permission denied, vanished,
binary, undecodable) becomes one `Problem` line and the scan goes on.

`parse_files` does the work on bytes already read and does no I/O, so that it runs in the
loader's worker processes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import gc
import os
import stat
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tuireader.corpus.encoding import BinaryFileError, Decoded, decode_bytes
from tuireader.corpus.listings import ListingPost, split_listing
from tuireader.corpus.metadata import (
    Frontmatter,
    Metadata,
    date_from_path,
    read_metadata,
    split_frontmatter,
)
from tuireader.corpus.titles import html_title, markdown_heading, plain_title, title_from_filename
from tuireader.corpus.walk import FoundFile, display_path, os_reason
from tuireader.model.articles import ARTICLE_SUFFIXES, Article, ArticleKind, Problem, article_id
from tuireader.model.text import clean_text, sanitize_line

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Bytes read from one file; a longer file is truncated (at a line end) with a problem noted."""

BATCH_BYTES = 4 * 1024 * 1024
"""`read_files` reads files until it holds this many bytes, then parses them together."""


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


@dataclass(slots=True)
class LoadResult:
    """What loading a folder produced.

    `files` counts the article files found (`.md`, `.markdown`, `.txt`), whether or not they
    could be read; `skipped_other` counts the other files, which are not problems.
    """

    root: Path
    articles: list[Article]
    problems: list[Problem]
    files: int
    skipped_other: int

    def summary(self) -> str:
        """One line, e.g. `22 entries from 4 files; 3 other files skipped; 1 problem (1 binary)`."""
        entries = _plural(len(self.articles), "entry", "entries")
        text = f"{entries} from {_plural(self.files, 'file')}"
        if self.skipped_other:
            text += f"; {_plural(self.skipped_other, 'other file')} skipped"
        if self.problems:
            counts: dict[str, int] = {}
            for problem in self.problems:
                category = _category(problem.reason)
                counts[category] = counts.get(category, 0) + 1
            detail = ", ".join(f"{n} {name}" for name, n in counts.items())
            text += f"; {_plural(len(self.problems), 'problem')} ({detail})"
        return text


def bundled_corpus_path() -> Path:
    """The sample corpus shipped with tuireader: inside the installed package, else the repo's."""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "bundled"  # where the wheel puts the repo's corpus/
    if packaged.is_dir():
        return packaged
    return here.parents[3] / "corpus"


_Read = tuple[bytes | None, str | None, bool]  # what `_read_file` returns


def read_files(
    root: str, files: list[FoundFile]
) -> list[tuple[FoundFile, list[Article], list[Problem]]]:
    """Read and parse files found in `root`, in order; what a loader worker process runs (it
    imports only this module and what it needs).

    Files are read a batch at a time (up to BATCH_BYTES) and each batch is parsed by
    `parse_files`. The cyclic GC waits meanwhile: parsing makes no cycles, but its many
    short-lived objects made the collector walk the worker's heap again and again (6-12% of the
    parsing time).
    """
    root_real = os.path.realpath(root)
    results: list[tuple[FoundFile, list[Article], list[Problem]]] = []
    with gc_paused():
        batch: list[tuple[FoundFile, _Read]] = []
        held = 0
        for found in files:
            read = _read_file(os.path.join(root, found.relative), root_real)
            batch.append((found, read))
            held += len(read[0] or b"")
            if held >= BATCH_BYTES:
                results.extend(_parse_read(batch))
                batch, held = [], 0
        results.extend(_parse_read(batch))
    return results


def _parse_read(
    batch: list[tuple[FoundFile, _Read]],
) -> list[tuple[FoundFile, list[Article], list[Problem]]]:
    shown = [display_path(found.relative) for found, _ in batch]
    readable = [(path, r[0]) for path, (_, r) in zip(shown, batch, strict=True) if r[0] is not None]
    parsed = iter(parse_files(readable))
    results: list[tuple[FoundFile, list[Article], list[Problem]]] = []
    for path, (found, (data, reason, truncated)) in zip(shown, batch, strict=True):
        if data is None:
            results.append((found, [], [Problem(path, reason or "skipped: unreadable")]))
            continue
        articles, problems = next(parsed)
        if truncated:
            articles, problems = _note_truncated(path, articles, problems)
        results.append((found, articles, problems))
    return results


def parse_stream_bytes(
    name: str, data: bytes, *, truncated: bool
) -> tuple[list[Article], list[Problem]]:
    """`parse_file` for bytes read by `read_limited` (stdin), noting a truncation as a file's."""
    articles, problems = parse_file(name, data)
    if truncated:
        return _note_truncated(name, articles, problems)
    return articles, problems


def read_limited(stream: BinaryIO) -> tuple[bytes, bool]:
    """Up to MAX_FILE_BYTES of a stream, cut at a line end if it holds more, and whether it
    was cut (the rest is not read)."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) <= MAX_FILE_BYTES:
        return data, False
    return _cut_at_line(data[:MAX_FILE_BYTES]), True


def _note_truncated(
    path: str, articles: list[Article], problems: list[Problem]
) -> tuple[list[Article], list[Problem]]:
    note = f"truncated to the first {MAX_FILE_BYTES // (1024 * 1024)} MiB"
    articles = [dataclasses.replace(a, problems=(*a.problems, note)) for a in articles]
    return articles, _merge(path, problems, note)


_pause_lock = threading.Lock()
_pause_holders = 0  # threads inside `gc_paused` now
_enable_after = False  # whether the collector ran before the first of them paused it


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many objects are made at once; a caller that
    had paused it already finds it still paused.

    Every few thousand new objects, the collector walks the objects made so far again: loading
    100k articles from the cache spent 1.3-2 s of a 4 s warm load there. Threads share the
    collector: it runs again when the last of them is done (the loading thread and an article
    being built overlap at start-up).
    """
    global _pause_holders, _enable_after
    with _pause_lock:
        if _pause_holders == 0:
            _enable_after = gc.isenabled()
            gc.disable()
        _pause_holders += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause_holders -= 1
            if _pause_holders == 0 and _enable_after:
                gc.enable()


def parse_file(relative_path: str, data: bytes) -> tuple[list[Article], list[Problem]]:
    """Turn one file's bytes into its entries (one, or one per post of a listing page).

    Pure: no I/O. `relative_path` is the POSIX path shown to the user. Problems are returned at
    most once for the file (reasons joined), and each entry carries its own in `problems`.
    """
    return parse_files([(relative_path, data)])[0]


def parse_files(files: list[tuple[str, bytes]]) -> list[tuple[list[Article], list[Problem]]]:
    """`parse_file` for each (relative path, bytes), one step at a time over all of them.

    Every file is decoded, then every text cleaned, then every frontmatter split, and so on:
    each step's code and regular expressions stay hot in the CPU's caches, which took a third
    less CPU than parsing file after file (200-file chunks of the 10k benchmark folder: 131 ->
    87 µs a file, the same entries).
    """
    paths = [sanitize_line(unicodedata.normalize("NFC", path)) for path, _ in files]
    decoded = [_decode(path, data) for path, (_, data) in zip(paths, files, strict=True)]
    texts = [_clean(d.text) if isinstance(d, Decoded) else "" for d in decoded]
    fronts = [split_frontmatter(text) for text in texts]
    metas = [read_metadata(front.meta) if front.meta else Metadata() for front in fronts]
    listings = [split_listing(front.body) for front in fronts]
    return [
        _entries(path, d, front, meta, posts) if isinstance(d, Decoded) else ([], [d])
        for path, d, front, meta, posts in zip(paths, decoded, fronts, metas, listings, strict=True)
    ]


def _decode(path: str, data: bytes) -> Decoded | Problem:
    try:
        return decode_bytes(data)
    except BinaryFileError as error:
        return Problem(path, f"skipped: binary file ({error})")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", clean_text(text))
    return text[1:] if text.startswith("\ufeff") else text


def _entries(
    path: str, decoded: Decoded, front: Frontmatter, meta: Metadata, posts: list[ListingPost] | None
) -> tuple[list[Article], list[Problem]]:
    """A file's entries, from what each step made of it."""
    kind: ArticleKind = ARTICLE_SUFFIXES.get(os.path.splitext(path)[1].lower(), "markdown")
    notes: list[str] = [decoded.problem] if decoded.problem else []
    notes.extend(front.problems)
    notes.extend(meta.problems)
    body = front.body
    date = meta.date or date_from_path(path, _meta_path(front.meta))
    if posts:
        articles = [
            Article(
                id=article_id(path, front.body_line + post.line - 1),
                path=path,
                title=post.title,
                body=post.summary,
                kind="text",
                date=post.date,
                authors=post.authors or meta.authors,
                tags=meta.tags,
                source_url=post.url,
                line=front.body_line + post.line - 1,
                reading_minutes=post.reading_minutes,
                problems=tuple(notes),
            )
            for post in posts
        ]
    else:
        title = meta.title or _body_title(body, kind) or title_from_filename(path)
        articles = [
            Article(
                id=article_id(path),
                path=path,
                title=title,
                body=body,
                kind=kind,
                date=date,
                authors=meta.authors,
                tags=meta.tags,
                source_url=meta.source_url,
                problems=tuple(notes),
            )
        ]
    return articles, ([Problem(path, "; ".join(notes))] if notes else [])


def _body_title(body: str, kind: ArticleKind) -> str | None:
    if kind == "markdown":
        return markdown_heading(body) or plain_title(body)
    return html_title(body) or plain_title(body)


def _meta_path(meta: dict[str, object] | None) -> str:
    value = (meta or {}).get("path") or (meta or {}).get("slug")
    return value if isinstance(value, str) else ""


def _read_file(path: str, root_real: str) -> tuple[bytes | None, str | None, bool]:
    """Read a file safely: (data, None, truncated) or (None, one-line reason, False)."""
    try:
        # O_NOFOLLOW: a symlink fails with ELOOP and is looked at only then (an lstat of every
        # file is a measurable share of reading one: see bench/README.md).
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno != errno.ELOOP or not os.path.islink(path):
            return None, f"skipped: {os_reason(error)}", False
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as error:
            if error.errno == errno.ELOOP:
                return None, "skipped: symlink loop", False
            return None, "skipped: broken symlink", False
        if os.path.commonpath([root_real, target]) != root_real:
            return None, "skipped: symlink points outside the folder", False
        try:
            fd = os.open(target, _OPEN_FLAGS)
        except OSError as error:
            return None, f"skipped: {os_reason(error)}", False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, f"skipped: not a regular file ({_file_type(info.st_mode)})", False
        chunks: list[bytes] = []
        remaining = MAX_FILE_BYTES + 1
        # One read for the size fstat gave and one byte more: once that size is read and the
        # byte was not there, the file is whole without the read that would return nothing.
        want = min(remaining, info.st_size + 1)
        while remaining > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
            whole = MAX_FILE_BYTES + 1 - remaining == info.st_size
            if len(chunk) < want and whole:
                break
            want = min(remaining, 1024 * 1024)
    except OSError as error:
        return None, f"skipped: {os_reason(error)}", False
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) <= MAX_FILE_BYTES:
        return data, None, False
    return _cut_at_line(data[:MAX_FILE_BYTES]), None, True


def _cut_at_line(data: bytes) -> bytes:
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut > 0 else data


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def _merge(path: str, problems: list[Problem], note: str) -> list[Problem]:
    if not problems:
        return [Problem(path, note)]
    return [Problem(path, f"{problems[0].reason}; {note}"), *problems[1:]]


def _category(reason: str) -> str:
    if reason.startswith("skipped: binary"):
        return "binary"
    if reason.startswith("skipped: not a regular file"):
        return "not a regular file"
    if reason.startswith("skipped: symlink") or "symlink" in reason.split(";")[0]:
        return "symlink"
    if reason.startswith("skipped:"):
        return "unreadable"
    return "degraded"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def load_file(root: Path, relative_path: str) -> tuple[list[Article], list[Problem]]:
    """Load one file of the folder (for live reload): its entries, or a problem saying why not.

    `relative_path` is the raw path under `root`, as a watcher reports it; the entries' `path`
    is its display form. A file that vanished gives no entries and no problem.
    """
    if not os.path.lexists(os.path.join(root, relative_path)):
        return [], []
    ((_, articles, problems),) = read_files(str(root), [FoundFile(relative_path, None)])
    return articles, problems
