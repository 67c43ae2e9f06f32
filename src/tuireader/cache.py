"""The load cache: parsed articles and the search index of a folder, in the user's cache dir.

A second start on an unchanged folder should parse nothing and index nothing. Two files per
folder, named by a hash of the folder's real path:

- `<key>.articles`: every file's stamp (size, mtime_ns, ctime_ns, inode, from `scan_folder`)
  with the entries and problems parsing it gave. A file whose stamp still matches is not read.
- `<key>.index`: the search index's arrays and folded texts, with a fingerprint of the exact
  article list it was built from; used only when the loaded list has the same fingerprint.

Each file is a small header, a metadata pickle and one data region (texts as UTF-16/32, numpy
arrays raw). A file is trusted only if the magic, format, tuireader version, folder, sizes and
CRC-32 checksums of both parts all match; the metadata pickle is read with an unpickler that
refuses every class, so a doctored cache cannot run code. Anything wrong and the cache is
ignored (then overwritten); reading it never raises. Writes go to a temporary file renamed into
place, so concurrent writers leave one complete file, never a mix. The cache is never written
inside the folder it describes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
import pickle
import re
import struct
import tempfile
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import platformdirs

from tuireader import __version__
from tuireader.articles import Article, Link

CACHE_DIR_ENV = "TUIREADER_CACHE_DIR"
FORMAT_VERSION = 1
MAGIC = b"tuireader-cache\n"
_HEAD = struct.Struct("<16sIIQ")  # magic, format version, CRC-32 of the metadata, its length
_ALIGN = 64
_SURROGATE = re.compile("[\ud800-\udfff]")

Stamp = tuple[int, int, int, int]


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


# --- the container ------------------------------------------------------------------------------


class _NoClasses(pickle.Unpickler):
    """Unpickles only built-in containers and scalars; any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused {module}.{name}")


def _write_container(path: Path, meta: dict[str, Any], data: Sequence[bytes | memoryview]) -> None:
    """Write header, metadata and data to `path` atomically (best effort: errors are swallowed)."""
    data_crc = 0
    data_size = 0
    for part in data:
        data_crc = zlib.crc32(part, data_crc)
        data_size += len(part)
    meta = {**meta, "data_size": data_size, "data_crc": data_crc}
    meta_bytes = pickle.dumps(meta, protocol=5)
    head = _HEAD.pack(MAGIC, FORMAT_VERSION, zlib.crc32(meta_bytes), len(meta_bytes))
    padding = b"\0" * (-(len(head) + len(meta_bytes)) % _ALIGN)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(head)
            handle.write(meta_bytes)
            handle.write(padding)
            for part in data:
                handle.write(part)
        os.replace(temp_name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)


def _read_container(
    path: Path, kind: str, root_real: str
) -> tuple[dict[str, Any], mmap.mmap, _Checksum] | None:
    """The metadata, the mapping and the data region's checksum, or None if not trustworthy.

    The data region is `mapped[meta["data_offset"]:]`; it may be used only once
    `checksum.passed()`.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _HEAD.size:
                return None
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        magic, version, meta_crc, meta_size = _HEAD.unpack_from(mapped, 0)
        if magic != MAGIC or version != FORMAT_VERSION or _HEAD.size + meta_size > size:
            raise ValueError("not a cache file of this format")
        meta_view = memoryview(mapped)[_HEAD.size : _HEAD.size + meta_size]
        try:
            if zlib.crc32(meta_view) != meta_crc:
                raise ValueError("metadata checksum")
            meta = _NoClasses(io.BytesIO(meta_view)).load()
        finally:
            meta_view.release()
        if not isinstance(meta, dict):
            raise ValueError("metadata is not a mapping")
        if (meta.get("version"), meta.get("kind"), meta.get("root")) != (
            __version__,
            kind,
            root_real,
        ):
            raise ValueError("another version, kind or folder")
        offset = _HEAD.size + meta_size
        offset += -offset % _ALIGN
        if size - offset != meta.get("data_size"):
            raise ValueError("truncated or extended")
        meta["data_offset"] = offset
        return meta, mapped, _Checksum(mapped, offset, meta.get("data_crc"))
    except Exception:  # a damaged cache can fail in any way; it is just not used
        mapped.close()
        return None


class _Checksum(threading.Thread):
    """The CRC-32 of a data region, computed on another core while the caller decodes it.

    zlib releases the GIL, so checking costs no time on two cores; nothing decoded is used
    before `passed()` says the region is intact.
    """

    def __init__(self, mapped: mmap.mmap, offset: int, expected: object) -> None:
        super().__init__(name="tuireader-cache-crc", daemon=True)
        self._mapped = mapped
        self._offset = offset
        self._expected = expected
        self._ok = False
        self.start()

    def run(self) -> None:
        with memoryview(self._mapped)[self._offset :] as view:
            self._ok = zlib.crc32(view) == self._expected

    def passed(self) -> bool:
        self.join()
        return self._ok


def _encode_texts(texts: Sequence[str]) -> tuple[list[bytes], str, list[int]]:
    """Texts as one blob in pieces: (pieces, codec, end offset of each text in characters).

    Pieces of a few MB, so that saving never holds a second copy of all the text.
    """
    ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts))).tolist()
    # UTF-16 is the smallest and fastest to decode, but would pair up lone surrogates.
    step = 2048
    pieces = ["".join(texts[i : i + step]) for i in range(0, len(texts), step)]
    codec = "utf-32-le" if any(_SURROGATE.search(piece) for piece in pieces) else "utf-16-le"
    return [piece.encode(codec, "surrogatepass") for piece in pieces], codec, ends


def _decode_texts(blob: memoryview | bytes, codec: str, ends: Sequence[int]) -> list[str]:
    """The texts of `_encode_texts`; raises ValueError if they do not fit the offsets."""
    if codec not in ("utf-16-le", "utf-32-le"):
        raise ValueError(f"unknown codec {codec!r}")
    joined = str(blob, codec, "surrogatepass")
    if len(joined) != (ends[-1] if ends else 0):
        raise ValueError("text lengths do not match")
    starts = [0, *ends[:-1]]
    return list(map(joined.__getitem__, map(slice, starts, ends)))


# --- parsed articles ----------------------------------------------------------------------------


_COLUMNS = (
    *("id", "path", "title", "kind", "date", "authors", "tags", "url", "links", "line"),
    *("minutes", "problems"),
)


@dataclass(frozen=True, slots=True)
class CachedFile:
    """What parsing one version of a file gave: its entries and its problems (path, reason)."""

    stamp: Stamp
    articles: list[Article]
    problems: list[tuple[str, str]]


def read_articles(root: Path | str) -> dict[str, CachedFile]:
    """The cached parse of each file of the folder, by raw relative path; empty if unusable."""
    path = cache_path(root, "articles")
    if path is None:
        return {}
    opened = _read_container(path, "articles", os.path.realpath(root))
    if opened is None:
        return {}
    meta, mapped, checksum = opened
    try:
        records = _articles_from(meta, memoryview(mapped)[meta["data_offset"] :])
        return records if checksum.passed() else {}
    except Exception:  # damaged data, or wrong shapes or types: not used
        return {}
    finally:
        checksum.join()
        with contextlib.suppress(BufferError):
            mapped.close()


def _articles_from(meta: dict[str, Any], data: memoryview) -> dict[str, CachedFile]:
    try:
        columns = meta["columns"]
        bodies = _decode_texts(data, meta["codec"], columns["body_end"])
    finally:
        data.release()
    count = len(bodies)
    if any(len(columns[name]) != count for name in _COLUMNS):
        raise ValueError("columns of different lengths")
    parse_date = datetime.fromisoformat
    dates = [parse_date(d) if d is not None else None for d in columns["date"]]
    links = [tuple(Link(t, u) for t, u in group) if group else () for group in columns["links"]]
    articles = list(
        map(
            Article,
            columns["id"],
            columns["path"],
            columns["title"],
            bodies,
            columns["kind"],
            dates,
            columns["authors"],
            columns["tags"],
            columns["url"],
            links,
            columns["line"],
            columns["minutes"],
            columns["problems"],
        )
    )
    records: dict[str, CachedFile] = {}
    position = 0
    for relative, stamp, entries, problems in meta["files"]:
        chunk = articles[position : position + entries]
        if len(chunk) != entries or not isinstance(relative, str):
            raise ValueError("entry counts do not add up")
        records[relative] = CachedFile(tuple(stamp), chunk, list(problems))
        position += entries
    if position != count:
        raise ValueError("entry counts do not add up")
    return records


def write_articles(root: Path | str, records: dict[str, CachedFile]) -> None:
    """Save the parse of each file (by raw relative path). Best effort: never raises OSError."""
    path = cache_path(root, "articles")
    if path is None:
        return
    files = []
    flat: list[Article] = []
    for relative, record in records.items():
        if not all(_date_round_trips(a.date) for a in record.articles):
            continue  # a date the cache cannot store exactly: parse that file again next time
        files.append((relative, record.stamp, len(record.articles), tuple(record.problems)))
        flat.extend(record.articles)
    blobs, codec, ends = _encode_texts([a.body for a in flat])
    columns = {
        "id": [a.id for a in flat],
        "path": [a.path for a in flat],
        "title": [a.title for a in flat],
        "kind": [a.kind for a in flat],
        "date": [a.date.isoformat() if a.date is not None else None for a in flat],
        "authors": [a.authors for a in flat],
        "tags": [a.tags for a in flat],
        "url": [a.source_url for a in flat],
        "links": [tuple((link.text, link.url) for link in a.links) for a in flat],
        "line": [a.line for a in flat],
        "minutes": [a.reading_minutes for a in flat],
        "problems": [a.problems for a in flat],
        "body_end": ends,
    }
    meta = {
        "version": __version__,
        "kind": "articles",
        "root": os.path.realpath(root),
        "codec": codec,
        "files": files,
        "columns": columns,
    }
    _write_container(path, meta, blobs)


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
    stamped = sorted(files, key=lambda item: item[0])
    if any(stamp is None for _, stamp in stamped):
        return "unstamped-" + os.urandom(8).hex()
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(article_ids).encode("utf-8", "surrogatepass"))
    digest.update(b"\1")
    digest.update(repr(stamped).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read_index_parts(
    root: Path | str, expected_fingerprint: str
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, npt.NDArray[Any]]] | None:
    """(scalars, texts, arrays) of the cached index if built from the same article list."""
    path = cache_path(root, "index")
    if path is None:
        return None
    opened = _read_container(path, "index", os.path.realpath(root))
    if opened is None:
        return None
    meta, mapped, checksum = opened
    try:
        if meta.get("fingerprint") != expected_fingerprint:
            checksum.join()
            mapped.close()
            return None
        base = meta["data_offset"]
        texts: dict[str, list[str]] = {}
        for name, (offset, size, codec, ends) in meta["texts"].items():
            with memoryview(mapped)[base + offset : base + offset + size] as view:
                texts[name] = _decode_texts(view, codec, ends)
        arrays: dict[str, npt.NDArray[Any]] = {}
        for name, (offset, dtype, shape) in meta["arrays"].items():
            count = int(np.prod(shape))
            # Views into the mapping: pages are read when a search touches them.
            array = np.frombuffer(mapped, dtype=np.dtype(dtype), count=count, offset=base + offset)
            arrays[name] = array.reshape(shape)
        if not checksum.passed():
            return None
        return meta["scalars"], texts, arrays
    except Exception:  # damaged data, or shapes or types that do not fit: not used
        checksum.join()
        return None


def write_index_parts(
    root: Path | str,
    index_fingerprint: str,
    scalars: dict[str, Any],
    texts: dict[str, list[str]],
    arrays: dict[str, npt.NDArray[Any]],
) -> None:
    """Save an index's parts for the article list with `index_fingerprint`. Best effort."""
    path = cache_path(root, "index")
    if path is None:
        return
    data: list[bytes | memoryview] = []
    offset = 0

    def add(part: bytes | memoryview) -> int:
        nonlocal offset
        start = offset
        data.append(part)
        offset += len(part)
        padding = -offset % _ALIGN
        if padding:
            data.append(b"\0" * padding)
            offset += padding
        return start

    text_table = {}
    for name, values in texts.items():
        blobs, codec, ends = _encode_texts(values)
        start = offset
        for blob in blobs:
            data.append(blob)
            offset += len(blob)
        size = offset - start
        add(b"")  # align what follows
        text_table[name] = (start, size, codec, ends)
    array_table = {}
    for name, array in arrays.items():
        contiguous = np.ascontiguousarray(array)
        start = add(memoryview(contiguous.reshape(-1).view(np.uint8).data))
        array_table[name] = (start, contiguous.dtype.str, contiguous.shape)
    meta = {
        "version": __version__,
        "kind": "index",
        "root": os.path.realpath(root),
        "fingerprint": index_fingerprint,
        "scalars": scalars,
        "texts": text_table,
        "arrays": array_table,
    }
    _write_container(path, meta, data)
