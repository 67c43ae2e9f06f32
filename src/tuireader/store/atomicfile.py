"""Small file primitives for state that must survive crashes and concurrent writers.

An atomic replace (temp file in the same directory, fsync, `os.replace`, fsync of the directory),
an advisory lock on a sidecar file, and moving a damaged file aside instead of deleting it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; writes stay atomic, just unlocked
    fcntl = None  # type: ignore[assignment]

# How long a save waits for another process's lock before going ahead without it. A holder only
# keeps the lock for one read-merge-write, so waiting this long means something is stuck.
LOCK_TIMEOUT_SECONDS = 5.0


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` so that readers see either the old or the new file, never a mix.

    The temporary file lives in the same directory (a rename across file systems is not atomic)
    and is removed if anything fails. Raises `OSError` when the file cannot be written.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable; silently skipped where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[bool]:
    """Hold an exclusive advisory lock on `lock_path` for the duration of the block.

    Yields whether the lock was actually taken. Where locking is unavailable (no `fcntl`, a file
    system without locks, an unwritable directory) or another holder does not let go within
    `timeout` seconds, the block still runs, unlocked: the caller's writes remain atomic, so the
    worst case is a lost merge, never a torn file.
    """
    if fcntl is None:
        yield False
        return
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield False
        return
    try:
        yield _acquire(fd, timeout)
    finally:
        # Closing the descriptor releases the lock.
        os.close(fd)


def _acquire(fd: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        except OSError:
            return False


def move_aside(path: Path, reason: str = "corrupt") -> Path:
    """Rename `path` to `<name>.<reason>-<timestamp>` next to it and return the new path.

    Used instead of deleting a damaged file so the user can still recover it by hand. Raises
    `OSError` if the rename fails.
    """
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{counter}")
    os.replace(path, target)
    return target
