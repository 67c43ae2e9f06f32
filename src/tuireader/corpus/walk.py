"""Finding the article files of a folder: the walk, the stamp of each file, and the packed form
in which a worker process sends a walk back.

Imports little on purpose: a walk of a large cached folder runs in a process of its own, started
while the app imports Textual, and every module it imports delays the walk.
"""

from __future__ import annotations

import errno
import hashlib
import os
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from tuireader.model.articles import ARTICLE_SUFFIXES, Problem
from tuireader.model.text import sanitize_line

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


_name = attrgetter("name")


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
                entries = sorted(listing, key=_name)
        except OSError as error:
            where = display_path(prefix[: -len(os.sep)]) if prefix else "."
            self.problems.append(Problem(where, f"skipped: folder unreadable ({os_reason(error)})"))
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
                        Problem(display_path(relative), "skipped: symlinked folder (not followed)")
                    )
                else:
                    subfolders.append(relative + os.sep)
                continue
            dot = name.rfind(".")  # os.path.splitext's suffix, for a name not starting with "."
            if dot < 0 or name[dot:].lower() not in ARTICLE_SUFFIXES:
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


def os_reason(error: OSError) -> str:
    """Why a file or folder could not be read, in a few words."""
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "vanished during the scan"
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(error, IsADirectoryError):
        return "is a folder"
    return sanitize_line(error.strerror or type(error).__name__).lower()


def display_path(relative: str) -> str:
    """A raw relative path as `Article.path` and problems show it: POSIX separators,
    undecodable bytes as \\xNN, no controls."""
    raw = os.fsencode(relative).decode("utf-8", "backslashreplace")
    posix = raw.replace(os.sep, "/") if os.sep != "/" else raw
    return sanitize_line(unicodedata.normalize("NFC", posix))
