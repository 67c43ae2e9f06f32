"""The container of a cache file: sections of data streamed to disk, then a checked metadata.

```
header (magic, format, metadata checksum, offset and size) | padding | sections … | metadata
```

The writer streams sections one by one (each is aligned and gets its own checksum), so saving
100k articles never holds a second copy of them; the metadata goes last, because only then are
the sections' places known, and the header is written over its placeholder at the end. The file
is written under a temporary name and renamed into place: a reader sees a whole old file or a
whole new one, never a mix.

A writer killed on the way (the terminal closed while a 100k cache was saved, seconds after the
screen was gone) leaves its temporary file behind: up to a gigabyte, under a random name no
later save reuses. So a writer holds a lock on its temporary file, and the next save removes
those whose lock is free (their writer is dead) and that have not changed for a while.

A reader trusts nothing: magic, format, sizes and the metadata's checksum must match, and the
metadata is unpickled by an unpickler that refuses every class (a doctored cache cannot run
code). A section is used only after its own checksum matched.

Checksums are XXH3 (64 bits): a warm start at 100k articles checks ~1.3 GB of cache, which took
zlib's CRC-32 0.34 s for the index alone and XXH3 0.15 s, most of that the page faults of the
mapping (in memory: 3.3 against 10 GB/s). Like zlib, xxhash releases the GIL while it hashes.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import pickle
import re
import stat
import struct
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import xxhash

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be removed there anyway
    fcntl = None  # type: ignore[assignment]

FORMAT_VERSION = 7  # 4: the digest of the files, for a walk that finds nothing changed; 5: XXH3;
# 6: no links (they are found in the body when read); 7: broken frontmatter keeps its valid keys,
# a UTF-8 file with a few bad bytes is read as UTF-8 (what a file parses to changed)
MAGIC = b"tuireader-cache\n"
_HEAD = struct.Struct("<16sIQQQ")  # magic, format version, metadata checksum, offset, size
_ALIGN = 64
_DATA_START = _HEAD.size + (-_HEAD.size % _ALIGN)

STALE_SECONDS = 60.0
"""A temporary file unchanged for this long, with its lock free, is a dead writer's: a live one
writes continuously, and keeps its lock until the file is renamed into place."""
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
"""What `tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp")` names a temporary file."""

Section = tuple[int, int, int]
"""Where a part of the data is: (offset in the file, size in bytes, checksum)."""


def checksum(data: bytes | memoryview) -> int:
    """The checksum of a section or of the metadata."""
    return int(xxhash.xxh3_64_intdigest(data))


class CacheFileError(ValueError):
    """A cache file (or one of its sections) is not what it claims to be."""


class _NoClasses(pickle.Unpickler):
    """Unpickles only built-in containers and scalars; any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused {module}.{name}")


def unpickle_plain(data: bytes | memoryview) -> Any:
    """Unpickle data holding only built-in containers and scalars (any class is refused)."""
    return _NoClasses(io.BytesIO(data)).load()


class SectionWriter:
    """Appends sections to the file being written; see `write_file`."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._offset = _DATA_START
        handle.write(b"\0" * _DATA_START)  # the header goes here at the end

    def add(self, *parts: bytes | memoryview) -> Section:
        """Write `parts` one after the other as one section."""
        start, hasher, size = self._offset, xxhash.xxh3_64(), 0
        for part in parts:
            hasher.update(part)
            size += len(part)
            self._handle.write(part)
        padding = -size % _ALIGN
        self._handle.write(b"\0" * padding)
        self._offset += size + padding
        return start, size, hasher.intdigest()

    def finish(self, meta: dict[str, Any]) -> None:
        meta_bytes = pickle.dumps(meta, protocol=5)
        self._handle.write(meta_bytes)
        head = _HEAD.pack(
            MAGIC, FORMAT_VERSION, checksum(meta_bytes), self._offset, len(meta_bytes)
        )
        self._handle.seek(0)
        self._handle.write(head)


def write_file(
    path: Path, fill: Callable[[SectionWriter], dict[str, Any]], siblings: str | None = None
) -> None:
    """Write a cache file: `fill` adds the sections and returns the metadata. Best effort.

    An OSError (disk full, no permission) leaves no file and no temporary file behind, and is
    swallowed: a cache that cannot be written is just not there next time. Temporary files that
    killed writers left are removed first: `path`'s own, and those of the other files of its
    folder whose whole name matches the regex `siblings`.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent, siblings or re.escape(path.name))
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            _lock(fd)
            writer = SectionWriter(handle)
            writer.finish(fill(writer))
        os.replace(temp_name, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if not isinstance(error, OSError):
            raise


def _lock(fd: int) -> None:
    """Mark a temporary file as being written (released when the writer closes it, or dies)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_temporaries(directory: Path, names: str) -> list[str]:
    """Remove the temporary files of the cache files whose name matches the regex `names` that
    no live writer holds (see the module's docstring); the names removed. Never raises."""
    if fcntl is None:
        return []
    pattern = re.compile(names)
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is None or not pattern.fullmatch(match["name"]):
            continue
        with contextlib.suppress(OSError):
            if _stale(entry.path):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def _stale(temp_path: str) -> bool:
    # Neither following a link nor blocking on a FIFO planted under such a name.
    fd = os.open(temp_path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or time.time() - info.st_mtime < STALE_SECONDS:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its writer is alive
        return True
    finally:
        os.close(fd)


class CacheFile:
    """A cache file opened for reading: its metadata, and its sections on demand (mapped)."""

    def __init__(self, meta: dict[str, Any], mapped: mmap.mmap) -> None:
        self.meta = meta
        self.mapped = mapped

    def section(self, section: object, *, verified: bool = False) -> memoryview:
        """The bytes of a section named in the metadata, once its checksum matched.

        `verified`: the caller already checked this section's checksum (on another thread, say).
        """
        if not (isinstance(section, tuple) and len(section) == 3):
            raise CacheFileError("not a section")
        offset, size, expected = section
        if not all(isinstance(n, int) and n >= 0 for n in section):
            raise CacheFileError("not a section")
        if offset < _DATA_START or offset + size > len(self.mapped):
            raise CacheFileError("section out of the file")
        view = memoryview(self.mapped)[offset : offset + size]
        if not verified and checksum(view) != expected:
            view.release()
            raise CacheFileError("section checksum")
        return view

    def close(self) -> None:
        """Unmap the file, unless arrays or views still point into it (then it stays mapped)."""
        with contextlib.suppress(BufferError):
            self.mapped.close()


def read_file(path: Path, kind: str, identity: dict[str, object]) -> CacheFile | None:
    """Open a cache file of `kind` whose metadata has every key and value of `identity`.

    None if it is missing, of another format, kind, version or folder, or damaged anywhere in
    its header or metadata. Never raises.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _DATA_START:
                return None
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        magic, version, meta_checksum, meta_offset, meta_size = _HEAD.unpack_from(mapped, 0)
        if magic != MAGIC or version != FORMAT_VERSION:
            raise CacheFileError("not a cache file of this format")
        if meta_offset < _DATA_START or meta_offset + meta_size != size:
            raise CacheFileError("truncated or extended")
        with memoryview(mapped)[meta_offset:] as meta_view:
            if checksum(meta_view) != meta_checksum:
                raise CacheFileError("metadata checksum")
            meta = unpickle_plain(meta_view)
        if not isinstance(meta, dict):
            raise CacheFileError("metadata is not a mapping")
        if meta.get("kind") != kind or any(meta.get(k) != v for k, v in identity.items()):
            raise CacheFileError("another version, kind or folder")
        return CacheFile(meta, mapped)
    except Exception:  # a damaged cache can fail in any way; it is just not used
        mapped.close()
        return None
