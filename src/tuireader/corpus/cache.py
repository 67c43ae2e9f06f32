"""The load cache: parsed articles and the search index of a folder, in the user's cache dir.

A second start on an unchanged folder should parse nothing and index nothing. Two files per
folder, named by a hash of the folder's real path (the container is `cachefile.py`):

- `<key>.articles`: every file's stamp (size, mtime_ns, ctime_ns, inode, from `scan_folder`)
  with the entries and problems parsing it gave, in segments ordered newest first: the first
  segment is what the sidebar shows on top, so it can be on screen before the rest is decoded.
  A file whose stamp still matches is not read.
- `<key>.index`: the search index's arrays and folded texts, with a fingerprint of the exact
  article list it was built from; used only when the loaded list has the same fingerprint.
  Its arrays stay in the mapped file and its texts are decoded one at a time when a search
  needs them, so reusing it costs almost nothing at start-up.

Anything wrong and the cache is ignored (then overwritten); reading it never raises. The cache
is never written inside the folder it describes.
"""

from __future__ import annotations

import array
import bisect
import codecs
import functools
import hashlib
import itertools
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, overload

import platformdirs

from tuireader import __version__
from tuireader.corpus.cachefile import (
    CacheFile,
    CacheFileError,
    Section,
    SectionWriter,
    unpickle_plain,
)
from tuireader.corpus.cachefile import read_file as _read_file
from tuireader.corpus.cachefile import write_file as _write_file
from tuireader.corpus.walk import Stamp, files_digest
from tuireader.model.articles import Article, CachedArticle
from tuireader.model.library import newest_first

if TYPE_CHECKING:
    # Imported where the index is read or written: the articles part is read before the first
    # frame, and numpy's import is a large share of a start (bench/README.md).
    import numpy.typing as npt

CACHE_DIR_ENV = "TUIREADER_CACHE_DIR"
FIRST_SEGMENT_FILES = 300
"""Files in the first segment of the articles cache: more than a screen of sidebar rows, and
cheap enough (a few ms) to decode before the first frame."""
SEGMENT_FILES = 4000
TEXT_CHUNK = 4096
"""Texts per chunk of the index's folded texts: one section and one checksum each."""
DECODE_STEP = 256
"""Texts `TextColumn.decode_all` decodes between two calls of its `stop` (~1 MB: a few ms)."""


def cache_dir() -> Path:
    """Where caches live: `$TUIREADER_CACHE_DIR`, or the platform's user cache dir."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("tuireader"))


def cache_path(root: Path | str, kind: str) -> Path | None:
    """The cache file of `kind` ("articles" or "index") for a folder, or None if none may exist.

    None when the cache dir would be inside the folder itself (say, the folder is the home
    directory): the cache must never be written into the folder it describes.
    """
    root_real = os.path.realpath(root)
    directory = os.path.realpath(cache_dir())
    if os.path.commonpath([root_real, directory]) == root_real:
        return None
    key = hashlib.blake2b(os.fsencode(root_real), digest_size=12).hexdigest()
    return Path(directory) / f"{key}.{kind}"


CACHE_NAMES = r"[0-9a-f]{24}\.(articles|index)"
"""The names `cache_path` gives (a killed save of any folder's cache is cleaned up by the next
save of any other)."""


def _identity(root: Path | str) -> dict[str, object]:
    return {"version": __version__, "root": os.path.realpath(root)}


def _open(root: Path | str, kind: str) -> CacheFile | None:
    path = cache_path(root, kind)
    return None if path is None else _read_file(path, kind, _identity(root))


# --- texts --------------------------------------------------------------------------------------


TextChunk = tuple[Section, Section, str, int]
"""A run of texts in a cache file: (bytes, int64 end offset of each text, codec, count)."""


def _write_texts(writer: SectionWriter, texts: Sequence[str]) -> TextChunk:
    """Write texts as one chunk: UTF-16 (smallest, fastest to decode) unless one holds a lone
    surrogate, which UTF-16 would pair up with its neighbour."""
    try:
        codec = "utf-16-le"
        encoded = [text.encode(codec) for text in texts]
    except UnicodeEncodeError:
        codec = "utf-32-le"
        encoded = [text.encode(codec, "surrogatepass") for text in texts]
    ends = array.array("q", itertools.accumulate(map(len, encoded)))
    if sys.byteorder != "little":
        ends.byteswap()  # stored little-endian
    blob = writer.add(*encoded)
    return blob, writer.add(memoryview(ends.tobytes())), codec, len(texts)


class TextColumn:
    """Texts of a cache file, decoded one at a time when asked for; more can be appended.

    The search index keeps every article's folded text for checking phrases and finding match
    spans. Decoding 100k texts up front would cost seconds at start-up, so a text is decoded
    when a search reads it; but a search that checks thousands of candidates then decodes
    each of them (60 ms for a 500-hit search at 10k), so `decode_all`, run in the background
    once the app is ready, keeps every chunk decoded from then on.
    """

    def __init__(self, chunks: list[tuple[memoryview, Sequence[int], str]]) -> None:
        self._chunks = [(blob, ends, codecs.getdecoder(codec)) for blob, ends, codec in chunks]
        self._starts: list[int] = []
        total = 0
        for _blob, ends, _decoder in self._chunks:
            self._starts.append(total)
            total += len(ends)
        self._stored = total
        self._appended: list[str] = []
        self._decoded: list[list[str] | None] = [None] * len(self._chunks)

    def decode_all(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Decode every chunk and keep it. `stop` is called every DECODE_STEP texts: it may wait
        (while the user types, say), and returns True to end early."""
        for number, (blob, ends, decoder) in enumerate(self._chunks):
            if self._decoded[number] is not None:
                continue
            bounds = list(ends)
            starts = [0, *bounds[:-1]]
            texts: list[str] = []
            for step in range(0, len(bounds), DECODE_STEP):
                if stop():
                    return
                texts.extend(
                    decoder(blob[a:b], "surrogatepass")[0]
                    for a, b in zip(
                        starts[step : step + DECODE_STEP],
                        bounds[step : step + DECODE_STEP],
                        strict=True,
                    )
                )
            self._decoded[number] = texts  # one assignment: readers see all or nothing

    def __len__(self) -> int:
        return self._stored + len(self._appended)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._get(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return self._get(index)

    def __iter__(self) -> Iterator[str]:
        return (self._get(i) for i in range(len(self)))

    def _get(self, index: int) -> str:
        if index >= self._stored:
            return self._appended[index - self._stored]
        if index < 0:
            raise IndexError(index)
        chunk = bisect.bisect_right(self._starts, index) - 1
        within = index - self._starts[chunk]
        decoded = self._decoded[chunk]
        if decoded is not None:
            return decoded[within]
        blob, ends, decoder = self._chunks[chunk]
        start = int(ends[within - 1]) if within else 0
        text: str = decoder(blob[start : int(ends[within])], "surrogatepass")[0]
        return text

    def append(self, text: str) -> None:
        self._appended.append(text)


def _text_chunk(
    file: CacheFile, chunk: object, verified: bool, *, vectorized: bool = False
) -> tuple[memoryview, Sequence[int], str]:
    """The bytes, end offsets and codec of a chunk; raises CacheFileError if they do not fit.

    `vectorized`: check the offsets with numpy (for the index, which imports it anyway; the
    articles' offsets are checked without it, ~50 ns each).
    """
    if not (isinstance(chunk, tuple) and len(chunk) == 4):
        raise CacheFileError("not a text chunk")
    blob_section, ends_section, codec, count = chunk
    if codec not in ("utf-16-le", "utf-32-le") or not isinstance(count, int):
        raise CacheFileError("not a text chunk")
    blob = file.section(blob_section, verified=verified)
    ends = _int64s(file.section(ends_section, verified=verified))
    width = 2 if codec == "utf-16-le" else 4
    if len(ends) != count or (count and ends[-1] != len(blob)):
        raise CacheFileError("text offsets do not fit")
    if count and not _ascending_multiples(ends, width, vectorized):
        raise CacheFileError("text offsets do not fit")
    return blob, ends, codec


def _int64s(data: memoryview) -> Sequence[int]:
    """The little-endian int64s stored in `data` (on a little-endian machine, not copied)."""
    if len(data) % 8:
        raise CacheFileError("text offsets do not fit")
    if sys.byteorder == "little":
        return data.cast("q")
    values = array.array("q")
    values.frombytes(data)
    values.byteswap()
    return values


def _ascending_multiples(ends: Sequence[int], width: int, vectorized: bool) -> bool:
    """Whether `ends` rises from 0 without ever falling, by multiples of `width`."""
    if vectorized:
        import numpy as np

        values = np.asarray(ends, dtype=np.int64)
        return not (np.any(np.diff(values, prepend=0) < 0) or np.any(values % width))
    previous = 0
    for end in ends:
        if end < previous or end % width:
            return False
        previous = end
    return True


# --- parsed articles ----------------------------------------------------------------------------


_COLUMNS = (
    *("id", "path", "title", "kind", "date", "authors", "tags", "url", "line"),
    *("minutes", "problems"),
)


@dataclass(frozen=True, slots=True)
class CachedFile:
    """What parsing one version of a file gave: its entries and its problems (path, reason)."""

    stamp: Stamp
    articles: list[Article]
    problems: list[tuple[str, str]]


class _Verifier:
    """Checks the checksums of groups of sections, in order, on another thread.

    xxhash releases the GIL, so on two cores the check costs the thread decoding nothing (it
    was 0.2 s of a 100k warm start when done in line). `passed(n)` waits for group n only.
    """

    def __init__(self, file: CacheFile, groups: list[list[object]]) -> None:
        self._file = file
        self._groups = groups
        self._results = [False] * len(groups)
        self._done = [threading.Event() for _ in groups]
        self._thread = threading.Thread(target=self._run, name="tuireader-checksum", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for number, group in enumerate(self._groups):
            try:
                for section in group:
                    self._file.section(section).release()
                self._results[number] = True
            except Exception:  # damaged: that group is not used
                self._results[number] = False
            self._done[number].set()

    def passed(self, number: int) -> bool:
        self._done[number].wait()
        return self._results[number]

    def join(self) -> None:
        self._thread.join()


class ArticlesCache:
    """An opened articles cache, decoded one segment at a time (newest files first)."""

    def __init__(self, file: CacheFile) -> None:
        self._file = file
        segments = file.meta.get("segments")
        if not isinstance(segments, list):
            raise CacheFileError("no segments")
        self._segments: list[Any] = segments
        try:
            groups = [[columns, *bodies[:2]] for columns, bodies in segments]
        except (TypeError, ValueError) as error:
            raise CacheFileError("not segments") from error
        self._verifier = _Verifier(file, groups)

    def __len__(self) -> int:
        """How many segments."""
        return len(self._segments)

    @property
    def fingerprint(self) -> str | None:
        """The fingerprint of the article list the cache was saved from, if it was given."""
        value = self._file.meta.get("fingerprint")
        return value if isinstance(value, str) else None

    def date_order(self) -> list[str] | None:
        """Ids of every entry in the sidebar's date order when saved, if the cache has it."""
        section = self._file.meta.get("date_order")
        if section is None:
            return None
        try:
            with self._file.section(section) as view:
                return bytes(view).decode().split("\n")
        except (CacheFileError, UnicodeDecodeError):
            return None

    @property
    def files(self) -> int:
        """How many files the cache describes."""
        return _summary(self._file).files

    @property
    def files_digest(self) -> str | None:
        """The `files_digest` of the files the cache describes, if it was saved."""
        return _summary(self._file).digest

    def segment(self, number: int) -> dict[str, CachedFile]:
        """The files of one segment by raw relative path; raises CacheFileError if damaged."""
        if not self._verifier.passed(number):
            raise CacheFileError(f"segment {number}: checksum")
        try:
            columns_section, bodies_chunk = self._segments[number]
            columns = _unpickle(self._file.section(columns_section, verified=True))
            bodies = TextColumn([_text_chunk(self._file, bodies_chunk, verified=True)])
            return _files_from(columns, bodies)
        except CacheFileError:
            raise
        except Exception as error:  # damaged data, or wrong shapes or types: not used
            raise CacheFileError(f"segment {number}: {error!r}") from error

    def close(self) -> None:
        self._verifier.join()
        self._file.close()


def open_articles(root: Path | str) -> ArticlesCache | None:
    """The folder's articles cache, or None if there is none that can be trusted."""
    file = _open(root, "articles")
    if file is None:
        return None
    try:
        return ArticlesCache(file)
    except CacheFileError:
        file.close()
        return None


class CachedFolder(NamedTuple):
    """What an articles cache says of its folder without decoding anything."""

    files: int
    digest: str | None
    """The `files_digest` of those files (None in a cache saved without one)."""


def articles_cached(root: Path | str) -> CachedFolder | None:
    """What the folder's articles cache describes; None if it has none to trust.

    Reads only the cache's metadata (no segment is checked or decoded).
    """
    file = _open(root, "articles")
    if file is None:
        return None
    try:
        return _summary(file)
    finally:
        file.close()


def _summary(file: CacheFile) -> CachedFolder:
    files = file.meta.get("files")
    digest = file.meta.get("files_digest")
    return CachedFolder(
        files if isinstance(files, int) else 0, digest if isinstance(digest, str) else None
    )


def read_articles(root: Path | str) -> dict[str, CachedFile]:
    """The cached parse of every file of the folder, by raw relative path; empty if unusable."""
    opened = open_articles(root)
    if opened is None:
        return {}
    records: dict[str, CachedFile] = {}
    try:
        for number in range(len(opened)):
            records.update(opened.segment(number))
    except CacheFileError:
        return {}
    finally:
        opened.close()
    return records


def _unpickle(view: memoryview) -> Any:
    with view:
        return unpickle_plain(view)


def _files_from(columns: dict[str, Any], bodies: TextColumn) -> dict[str, CachedFile]:
    count = len(bodies)
    if any(len(columns[name]) != count for name in _COLUMNS):
        raise ValueError("columns of different lengths")
    parse_date = datetime.fromisoformat
    dates = [parse_date(d) if d is not None else None for d in columns["date"]]
    articles: list[Article] = list(
        map(
            functools.partial(CachedArticle.make, bodies),
            columns["id"],
            columns["path"],
            columns["title"],
            range(count),
            columns["kind"],
            dates,
            columns["authors"],
            columns["tags"],
            columns["url"],
            columns["line"],
            columns["minutes"],
            columns["problems"],
        )
    )
    records: dict[str, CachedFile] = {}
    position = 0
    for relative, stamp, entries, problems in columns["files"]:
        chunk = articles[position : position + entries]
        if len(chunk) != entries or not isinstance(relative, str):
            raise ValueError("entry counts do not add up")
        records[relative] = CachedFile(tuple(stamp), chunk, list(problems))
        position += entries
    if position != count:
        raise ValueError("entry counts do not add up")
    return records


def write_articles(
    root: Path | str, records: dict[str, CachedFile], list_fingerprint: str | None = None
) -> None:
    """Save the parse of each file (by raw relative path). Best effort: never raises OSError.

    `list_fingerprint`: the `fingerprint` of the article list these records make, so that a
    start that finds every file unchanged need not compute it again.
    """
    path = cache_path(root, "articles")
    if path is None:
        return
    kept = {
        relative: record
        for relative, record in records.items()
        # A date the cache cannot store exactly: parse that file again next time.
        if all(_date_round_trips(a.date) for a in record.articles)
    }
    ordered, newest = _newest_files_first(kept)
    sizes = [FIRST_SEGMENT_FILES, *([SEGMENT_FILES] * (len(ordered) // SEGMENT_FILES + 1))]

    def fill(writer: SectionWriter) -> dict[str, Any]:
        segments = []
        start = 0
        for size in sizes:
            files = ordered[start : start + size]
            start += size
            if not files:
                break
            flat = [a for _, record in files for a in record.articles]
            bodies = _write_texts(writer, [a.body for a in flat])
            columns = _columns(files, flat)
            segments.append((writer.add(_pickle(columns)), bodies))
        whole = len(kept) == len(records)
        return {
            **_identity(root),
            "kind": "articles",
            "files": len(ordered),
            "fingerprint": list_fingerprint if whole else None,
            # Lets the walk of a folder where nothing changed say just that (`walk_folder`).
            "files_digest": files_digest((relative, record.stamp) for relative, record in ordered),
            # The sidebar's date order, so that an unchanged folder need not sort again.
            "date_order": writer.add("\n".join(newest).encode()) if whole else None,
            "segments": segments,
        }

    _write_file(path, fill, CACHE_NAMES)


def _newest_files_first(
    records: dict[str, CachedFile],
) -> tuple[list[tuple[str, CachedFile]], list[str]]:
    """Files in the order the sidebar lists their newest entry (the first segment is its top),
    and the ids of all their entries in the sidebar's date order."""
    by_id = {a.id: relative for relative, record in records.items() for a in record.articles}
    newest = newest_first(a for record in records.values() for a in record.articles)
    order: dict[str, None] = {}
    for article in newest:
        order.setdefault(by_id[article.id])
    order.update(dict.fromkeys(records))  # files without entries (binary, empty) go last
    return [(relative, records[relative]) for relative in order], [a.id for a in newest]


def _columns(files: list[tuple[str, CachedFile]], flat: list[Article]) -> dict[str, Any]:
    return {
        "files": [(rel, r.stamp, len(r.articles), tuple(r.problems)) for rel, r in files],
        "id": [a.id for a in flat],
        "path": [a.path for a in flat],
        "title": [a.title for a in flat],
        "kind": [a.kind for a in flat],
        "date": [a.date.isoformat() if a.date is not None else None for a in flat],
        "authors": [a.authors for a in flat],
        "tags": [a.tags for a in flat],
        "url": [a.source_url for a in flat],
        "line": [a.line for a in flat],
        "minutes": [a.reading_minutes for a in flat],
        "problems": [a.problems for a in flat],
    }


def _pickle(value: object) -> bytes:
    return pickle.dumps(value, protocol=5)


def _date_round_trips(date: datetime | None) -> bool:
    if date is None:
        return True
    if type(date) is not datetime:
        return False
    back = datetime.fromisoformat(date.isoformat())
    return back == date and back.utcoffset() == date.utcoffset()


# --- the search index ---------------------------------------------------------------------------


def fingerprint(article_ids: Iterable[str], files: Iterable[tuple[str, Stamp | None]]) -> str:
    """Identifies an article list: its ids in order, and the stamp of every file they came from.

    A file without a stamp (it could not be stat'ed) makes a fingerprint that matches nothing,
    so an index is never reused on faith.
    """
    files = list(files)
    if any(stamp is None for _, stamp in files):
        return "unstamped-" + os.urandom(8).hex()
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(article_ids).encode("utf-8", "surrogatepass"))
    digest.update(b"\1")
    digest.update(files_digest(files).encode())
    return digest.hexdigest()


class _Sliceable(Protocol):
    def __len__(self) -> int: ...
    def __getitem__(self, index: slice, /) -> Sequence[str]: ...


IndexParts = tuple[dict[str, Any], dict[str, TextColumn], dict[str, "npt.NDArray[Any]"]]


class IndexCache:
    """An opened index cache whose sections are checked on another core meanwhile.

    Open it early (xxhash releases the GIL, so the check costs no time on two cores), ask for
    `parts` once the article list is known.
    """

    def __init__(self, file: CacheFile) -> None:
        self._file = file
        meta = file.meta
        try:
            sections = [s for chunks in meta["texts"].values() for c in chunks for s in c[:2]]
            sections += [s for s, _dtype, _shape in meta["arrays"].values()]
        except (TypeError, ValueError, AttributeError) as error:
            raise CacheFileError("not an index") from error
        self._verifier = _Verifier(file, [sections])

    def parts(self, expected_fingerprint: str) -> IndexParts | None:
        """(scalars, texts, arrays) of the index, if it was built from the same article list."""
        meta = self._file.meta
        if meta.get("fingerprint") != expected_fingerprint or not self._verifier.passed(0):
            return None
        import numpy as np

        try:
            texts = {
                name: TextColumn(
                    [_text_chunk(self._file, c, verified=True, vectorized=True) for c in chunks]
                )
                for name, chunks in meta["texts"].items()
            }
            arrays: dict[str, npt.NDArray[Any]] = {}
            for name, (section, dtype, shape) in meta["arrays"].items():
                view = self._file.section(section, verified=True)
                # Views into the mapping: pages are read when a search touches them.
                arrays[name] = np.frombuffer(view, dtype=np.dtype(dtype)).reshape(shape)
            return meta["scalars"], texts, arrays
        except Exception:  # shapes or types that do not fit: not used
            return None


def open_index(root: Path | str) -> IndexCache | None:
    """The folder's index cache, being checked in the background; None if there is none."""
    file = _open(root, "index")
    if file is None:
        return None
    meta = file.meta
    try:
        if not all(isinstance(meta.get(key), dict) for key in ("texts", "arrays", "scalars")):
            raise CacheFileError("not an index")
        return IndexCache(file)
    except CacheFileError:
        file.close()
        return None


def write_index_parts(
    root: Path | str,
    index_fingerprint: str,
    scalars: dict[str, Any],
    texts: Mapping[str, _Sliceable],
    arrays: dict[str, npt.NDArray[Any]],
) -> None:
    """Save an index's parts for the article list with `index_fingerprint`. Best effort."""
    path = cache_path(root, "index")
    if path is None:
        return

    import numpy as np

    def fill(writer: SectionWriter) -> dict[str, Any]:
        text_table = {
            name: [
                _write_texts(writer, values[start : start + TEXT_CHUNK])
                for start in range(0, len(values), TEXT_CHUNK)
            ]
            for name, values in texts.items()
        }
        array_table = {}
        for name, values in arrays.items():
            contiguous = np.ascontiguousarray(values)
            section = writer.add(memoryview(contiguous.reshape(-1).view(np.uint8).data))
            array_table[name] = (section, contiguous.dtype.str, contiguous.shape)
        return {
            **_identity(root),
            "kind": "index",
            "fingerprint": index_fingerprint,
            "scalars": scalars,
            "texts": text_table,
            "arrays": array_table,
        }

    _write_file(path, fill, CACHE_NAMES)
