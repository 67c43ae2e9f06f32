"""Loading a folder of articles into clean `Article` records.

The loader only reads: every file is opened read-only, without following a final symlink and
without blocking (a FIFO named `x.md` must not hang the scan), checked to be a regular file and
read up to `MAX_FILE_BYTES`. Whatever goes wrong with one file (permission denied, vanished,
binary, undecodable) becomes one `Problem` line and the scan goes on.

`parse_file` does the work on bytes already read and does no I/O, so it can run in a process
pool later.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import stat
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from tuireader.articles import ARTICLE_SUFFIXES, Article, ArticleKind, article_id
from tuireader.encoding import BinaryFileError, decode_bytes
from tuireader.links import extract_links
from tuireader.listings import split_listing
from tuireader.metadata import Metadata, date_from_path, read_metadata, split_frontmatter
from tuireader.text import clean_text, sanitize_line
from tuireader.titles import html_title, markdown_heading, plain_title, title_from_filename

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Bytes read from one file; a longer file is truncated (at a line end) with a problem noted."""


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that was skipped or only partly understood, and why, in one line."""

    path: str
    reason: str


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
    packaged = Path(__file__).resolve().parent / "corpus"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "corpus"


Stamp = tuple[int, int, int, int]
"""What identifies one version of a file without reading it: size, mtime_ns, ctime_ns, inode."""


class FoundFile(NamedTuple):
    """An article file found by `scan_folder`.

    `relative` is the raw path under the root (OS separators, undecodable bytes kept as
    surrogates); `stamp` is None when the file could not be stat'ed (it will be read anyway, and
    the read says what is wrong). A tuple, not a dataclass: a warm start at 100k makes 200k of
    them, and a frozen dataclass takes ten times as long to make (60 ms against 6).
    """

    relative: str
    stamp: Stamp | None


@dataclass(slots=True)
class FolderScan:
    """The article files of a folder, in walk order, and what the walk itself could not do."""

    files: list[FoundFile]
    problems: list[Problem]
    skipped_other: int


def scan_folder(root: Path) -> FolderScan:
    """Find the article files under `root` (hidden folders and files are left out) and stat them.

    Reads no file. Symlinked folders are not followed (one problem each); an unreadable folder is
    one problem and the walk goes on.
    """
    walk = FolderWalk(root)
    found = [file for files in walk for file in files]
    return FolderScan(found, walk.problems, walk.skipped_other)


class FolderWalk:
    """`scan_folder` one folder at a time: iterate it for the article files of each folder.

    `problems` and `skipped_other` are complete once the iteration has ended. Lets a loader
    start on the first files while a large tree is still being walked.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.skipped_other = 0

    def __iter__(self) -> Iterator[list[FoundFile]]:
        pending = [""]
        while pending:
            prefix = pending.pop()
            found, subfolders = self._list(prefix)
            # Depth first in name order, like os.walk.
            pending.extend(reversed(subfolders))
            if found:
                yield found

    def _list(self, prefix: str) -> tuple[list[FoundFile], list[str]]:
        root = self.root
        folder = os.path.join(root, prefix[: -len(os.sep)]) if prefix else os.fspath(root)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            where = _display_path(prefix[: -len(os.sep)]) if prefix else "."
            self.problems.append(
                Problem(where, f"skipped: folder unreadable ({_os_reason(error)})")
            )
            return [], []
        found: list[FoundFile] = []
        subfolders: list[str] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relative = prefix + name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.is_symlink():
                    self.problems.append(
                        Problem(_display_path(relative), "skipped: symlinked folder (not followed)")
                    )
                else:
                    subfolders.append(relative + os.sep)
                continue
            if os.path.splitext(name)[1].lower() not in ARTICLE_SUFFIXES:
                self.skipped_other += 1
                continue
            try:
                info = entry.stat()
                stamp: Stamp | None = (
                    info.st_size,
                    info.st_mtime_ns,
                    info.st_ctime_ns,
                    info.st_ino,
                )
            except OSError:
                stamp = None
            found.append(FoundFile(relative, stamp))
        return found, subfolders


class PackedWalk(NamedTuple):
    """A `scan_folder` packed for the trip back from a worker process: see `walk_folder`.

    The relative paths are joined by NUL (no path holds one) and the stamps are int64 and
    uint64 arrays: 100k (path, stamp) tuples took 65 ms of the app's GIL to unpickle, these ~1 ms.
    A file without a stamp, or with one that does not fit (a date past 2262), has size -1.
    `unchanged`: the files are the very ones the caller expected, and are not sent.
    """

    names: str
    times: bytes
    inodes: bytes
    problems: list[Problem]
    skipped_other: int
    unchanged: bool = False

    def files(self) -> list[FoundFile]:
        """The files, as `scan_folder` found them (none when `unchanged`)."""
        if not self.names:
            return []
        numbers = array("q", self.times)
        return [
            FoundFile(relative, (size, mtime, ctime, inode) if size >= 0 else None)
            for relative, size, mtime, ctime, inode in zip(
                self.names.split("\0"),
                numbers[0::3],
                numbers[1::3],
                numbers[2::3],
                array("Q", self.inodes),
                strict=True,
            )
        ]


def walk_folder(root: str, expected: str | None = None) -> PackedWalk:
    """`scan_folder`, packed: what a worker returns.

    `expected`: the `files_digest` of the files the caller has (its cache); if the folder holds
    exactly those, only `unchanged` is sent back (an unchanged 100k folder: 0.3 s less of the
    app's time, which would unpack the list and compare every stamp).
    """
    scan = scan_folder(Path(root))
    if expected is not None and files_digest(scan.files) == expected:
        return PackedWalk("", b"", b"", scan.problems, scan.skipped_other, unchanged=True)
    times = array("q")
    inodes = array("Q")
    for found in scan.files:
        stamp = found.stamp or _NO_STAMP
        try:
            times.extend(stamp[:3])
        except OverflowError:
            del times[len(inodes) * 3 :]
            times.extend(_NO_STAMP[:3])
        inodes.append(stamp[3])
    names = "\0".join(found.relative for found in scan.files)
    return PackedWalk(names, times.tobytes(), inodes.tobytes(), scan.problems, scan.skipped_other)


def files_digest(files: Iterable[tuple[str, Stamp | None]]) -> str:
    """Identifies a set of files, each in one version: their paths and stamps, in any order.

    A file without a stamp makes a digest that a cache (which keeps only stamped files) never
    has.
    """
    ordered = sorted(files, key=itemgetter(0))
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(relative for relative, _ in ordered).encode("utf-8", "surrogatepass"))
    digest.update(b"\1")
    digest.update(repr([stamp for _, stamp in ordered]).encode())
    return digest.hexdigest()


_NO_STAMP: Stamp = (-1, 0, 0, 0)


def stamp_of(root: Path, relative: str) -> Stamp | None:
    """The stamp `scan_folder` would give the file at `relative` now (None if it cannot)."""
    try:
        info = os.stat(os.path.join(root, relative))
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def read_found(root: Path, found: FoundFile, root_real: str) -> tuple[list[Article], list[Problem]]:
    """Read and parse one file found by `scan_folder` (`root_real` is `realpath(root)`)."""
    shown = _display_path(found.relative)
    data, reason, truncated = _read_file(os.path.join(root, found.relative), root_real)
    if data is None:
        return [], [Problem(shown, reason or "skipped: unreadable")]
    articles, problems = parse_file(shown, data)
    if truncated:
        note = f"truncated to the first {MAX_FILE_BYTES // (1024 * 1024)} MiB"
        articles = [dataclasses.replace(a, problems=(*a.problems, note)) for a in articles]
        problems = _merge(shown, problems, note)
    return articles, problems


def read_files(
    root: str, files: list[FoundFile]
) -> list[tuple[FoundFile, list[Article], list[Problem]]]:
    """`read_found` for each file; what a loader worker process runs (it imports only this)."""
    root_real = os.path.realpath(root)
    root_path = Path(root)
    return [(found, *read_found(root_path, found, root_real)) for found in files]


def load_corpus(
    root: Path,
    *,
    use_cache: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load every article file under `root` (hidden folders and files are left out).

    Entries are sorted by (path, line). Never raises for a problem with a file or subfolder, and
    never writes inside `root`. With `use_cache`, parsed files are reused from (and saved to) the
    cache in the user's cache directory (`tuireader.cache`); files that missed it are parsed by
    `workers` processes (default: one per core) when there are enough of them to be worth it.
    `progress(done, total)` is called as files are loaded. See `tuireader.loader.CorpusLoader`
    for loading in batches.
    """
    from tuireader.loader import CorpusLoader  # the loader builds on this module

    loader = CorpusLoader(root, use_cache=use_cache, workers=workers)
    for batch in loader:
        if progress is not None:
            progress(batch.done, batch.total)
    result = loader.result()
    if use_cache:
        loader.save_cache()
    return result


def parse_file(relative_path: str, data: bytes) -> tuple[list[Article], list[Problem]]:
    """Turn one file's bytes into its entries (one, or one per post of a listing page).

    Pure: no I/O. `relative_path` is the POSIX path shown to the user. Problems are returned at
    most once for the file (reasons joined), and each entry carries its own in `problems`.
    """
    path = sanitize_line(unicodedata.normalize("NFC", relative_path))
    suffix = os.path.splitext(path)[1].lower()
    kind: ArticleKind = ARTICLE_SUFFIXES.get(suffix, "markdown")
    try:
        decoded = decode_bytes(data)
    except BinaryFileError as error:
        return [], [Problem(path, f"skipped: binary file ({error})")]
    text = unicodedata.normalize("NFC", clean_text(decoded.text))
    if text.startswith("\ufeff"):
        text = text[1:]
    notes: list[str] = [decoded.problem] if decoded.problem else []
    front = split_frontmatter(text)
    notes.extend(front.problems)
    meta = read_metadata(front.meta) if front.meta else Metadata()
    notes.extend(meta.problems)
    body = front.body
    date = meta.date or date_from_path(path, _meta_path(front.meta))
    posts = split_listing(body)
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
                links=extract_links(post.summary, "text"),
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
                links=extract_links(body, kind),
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
        # file cost ~10 µs of the ~170 it takes to read and parse one).
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno != errno.ELOOP or not os.path.islink(path):
            return None, f"skipped: {_os_reason(error)}", False
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
            return None, f"skipped: {_os_reason(error)}", False
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
        return None, f"skipped: {_os_reason(error)}", False
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) <= MAX_FILE_BYTES:
        return data, None, False
    data = data[:MAX_FILE_BYTES]
    cut = data.rfind(b"\n")
    return (data[: cut + 1] if cut > 0 else data), None, True


def _os_reason(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "vanished during the scan"
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(error, IsADirectoryError):
        return "is a folder"
    return sanitize_line(error.strerror or type(error).__name__).lower()


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


def _display_path(relative: str) -> str:
    """A relative path as shown: POSIX separators, undecodable bytes as \\xNN, no controls."""
    raw = os.fsencode(relative).decode("utf-8", "backslashreplace")
    posix = raw.replace(os.sep, "/") if os.sep != "/" else raw
    return sanitize_line(unicodedata.normalize("NFC", posix))


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
    return read_found(root, FoundFile(relative_path, None), os.path.realpath(root))


def display_path(relative_path: str) -> str:
    """How a raw relative path appears in `Article.path` (to match watcher events to entries)."""
    return _display_path(relative_path)
