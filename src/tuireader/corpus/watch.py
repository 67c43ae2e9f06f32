"""Following the corpus folder: raw file-system events in, net batches of article changes out.

`watch_changes()` runs on watchfiles and is meant for a worker thread::

    stop = threading.Event()
    for batch in watch_changes(root, stop, known=loaded_paths):
        reload(batch.added | batch.modified); forget(batch.deleted)

Each `ChangeBatch` is the net effect of a burst, worked out against the files that exist once
the burst is over, because watchfiles hands over an unordered set: a file created and removed
within one burst never shows up, a changed-then-deleted file is only deleted, a rename is a
delete plus an add, and a directory moved in or out turns into its article files.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

# One definition of "an article file", shared with the loader.
from tuireader.corpus.walk import Stamp, stamp_of
from tuireader.model.articles import ARTICLE_SUFFIXES
from tuireader.system.processes import quiet_worker, spawn_context

if TYPE_CHECKING:
    # Imported where the watch runs (the watcher process, and the app once loaded): not
    # for the first frame.
    import watchfiles

# watchfiles groups a burst for at most DEBOUNCE_MS and yields once nothing new came for STEP_MS:
# a `git pull` of hundreds of files becomes one or a few batches, seen within about a second.
DEBOUNCE_MS = 600
STEP_MS = 100
# How often the watcher wakes up with nothing to report (it only sets `ready` on the first).
_IDLE_WAKE_MS = 200


class StopEvent(Protocol):
    """Anything with `is_set()`, like `threading.Event`."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Net changes to article files, as paths relative to the corpus root with `/` separators."""

    added: frozenset[str] = frozenset()
    modified: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.deleted)

    def __len__(self) -> int:
        return len(self.added) + len(self.modified) + len(self.deleted)

    def then(self, later: ChangeBatch) -> ChangeBatch:
        """The net effect of this batch followed by `later`, for a consumer that fell behind."""
        added, modified, deleted = set(self.added), set(self.modified), set(self.deleted)
        for path in later.added:
            if path in deleted:  # removed, then back: the content may differ
                deleted.discard(path)
                modified.add(path)
            elif path not in modified:
                added.add(path)
        for path in later.modified:
            if path not in added:
                modified.add(path)
        for path in later.deleted:
            modified.discard(path)
            if path in added:  # never existed as far as the consumer knows
                added.discard(path)
            else:
                deleted.add(path)
        return ChangeBatch(frozenset(added), frozenset(modified), frozenset(deleted))


def is_article_path(relative_path: str) -> bool:
    """Whether a root-relative path is an article file the reader loads (not hidden, known type)."""
    path = PurePosixPath(relative_path)
    return path.suffix.lower() in ARTICLE_SUFFIXES and not _is_hidden(path.parts)


def scan_article_paths(root: Path) -> set[str]:
    """Root-relative paths of every article file under `root`, skipping hidden directories."""
    return set(_walk_articles(root, root))


class ChangeTracker:
    """Turns raw watchfiles change sets into net `ChangeBatch`es.

    It keeps the set of article paths the consumer knows about (`known`), so that it can tell an
    addition from a modification, and which files went away with a deleted directory.
    """

    def __init__(self, root: Path, known: Iterable[str] | None = None) -> None:
        """Track `root` (resolved); `known` defaults to a scan of the article files under it."""
        self.root = root.resolve()
        self.known: set[str] = set(known) if known is not None else scan_article_paths(self.root)

    def apply(self, raw_changes: Iterable[tuple[watchfiles.Change, str]]) -> ChangeBatch:
        """Net effect of one raw set of changes, checked against what exists now."""
        candidates: set[str] = set()
        new_folders: list[Path] = []
        gone_prefixes: list[str] = []
        for _change, raw_path in raw_changes:
            relative = self._relative(raw_path)
            if not relative:
                # Outside, hidden, or the root's own mtime: the entries that changed in it have
                # events of their own.
                continue
            if is_article_path(relative):
                candidates.add(relative)
            elif os.path.isdir(raw_path) and not os.path.islink(raw_path):
                # Symlinked folders are not followed, as in the loader.
                new_folders.append(Path(raw_path))
            elif not os.path.lexists(raw_path):
                gone_prefixes.append(relative + "/")
        # A directory event stands for the files inside it, which get no events of their own
        # when the directory is moved as a whole. Walking only reports files new to us, so a mere
        # touch of a big directory does not look like every file in it changed.
        for folder in new_folders:
            candidates |= set(_walk_articles(self.root, folder)) - self.known
        if gone_prefixes:
            prefixes = tuple(gone_prefixes)
            candidates |= {path for path in self.known if path.startswith(prefixes)}
        return self._classify(candidates)

    def changed_since(self, stamps: Mapping[str, Stamp | None]) -> ChangeBatch:
        """What changed before the watcher ran: files added, deleted, or whose stamp differs
        from the one in `stamps` (a load's view of the folder, by watcher path).

        For the gap between a load's walk and the start of watching, when no event is seen.
        """
        found = set(_walk_articles(self.root, self.root))
        candidates = self.known - found
        for path in found:
            if path not in stamps or stamp_of(self.root, path) != stamps[path]:
                candidates.add(path)
        return self._classify(candidates)

    def _classify(self, candidates: set[str]) -> ChangeBatch:
        added: set[str] = set()
        modified: set[str] = set()
        deleted: set[str] = set()
        for path in candidates:
            existed = path in self.known
            exists = (self.root / path).is_file()
            if existed and exists:
                modified.add(path)
            elif exists:
                added.add(path)
                self.known.add(path)
            elif existed:
                deleted.add(path)
                self.known.discard(path)
        return ChangeBatch(frozenset(added), frozenset(modified), frozenset(deleted))

    def _relative(self, raw_path: str) -> str | None:
        try:
            relative = Path(raw_path).relative_to(self.root)
        except ValueError:
            return None
        parts = relative.parts
        return None if _is_hidden(parts) else "/".join(parts)

    def accepts(self, _change: watchfiles.Change, raw_path: str) -> bool:
        """watchfiles filter: drop hidden paths (.git, editor swap files) before they cost work."""
        return self._relative(raw_path) is not None


def watch_changes(
    root: Path | str,
    stop_event: StopEvent,
    *,
    known: Iterable[str] | None = None,
    ready: threading.Event | None = None,
    loaded_stamps: Mapping[str, Stamp | None] | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    step_ms: int = STEP_MS,
    force_polling: bool | None = None,
    poll_delay_ms: int = 300,
) -> Iterator[ChangeBatch]:
    """Yield a `ChangeBatch` for each burst of article changes under `root`, until stopped.

    Blocks between batches, so run it in a thread. It returns within about `step_ms` after
    `stop_event` is set. `known` is the set of article paths the caller has loaded (default: a
    scan of the folder). `ready`, if given, is set once the watcher is running: changes made
    after that are guaranteed to be reported. `loaded_stamps`: the stamps of the files a load
    read, by watcher path (`CorpusLoader.file_stamps`); once the watcher runs, what differs from
    them is reported as a first batch, so that nothing written between the load's walk and the
    start of watching is lost.
    `force_polling` is passed to watchfiles (None lets it decide). Raises `FileNotFoundError` if
    `root` does not exist.
    """
    tracker = ChangeTracker(Path(root), known)
    if not tracker.root.is_dir():
        raise FileNotFoundError(f"no such folder: {tracker.root}")
    options = _Options(debounce_ms, step_ms, force_polling, poll_delay_ms)
    caught_up = loaded_stamps is None
    for raw_changes in _changes_from_a_process(tracker.root, stop_event, options):
        if ready is not None:
            ready.set()
        batch = tracker.apply(raw_changes)
        if not caught_up and loaded_stamps is not None:
            # The watcher runs now (this is its first wake): whatever changes from here on
            # comes as events, so one look back covers the gap.
            caught_up = True
            batch = batch.then(tracker.changed_since(loaded_stamps))
        if batch:
            yield batch


@dataclass(frozen=True, slots=True)
class _Options:
    debounce_ms: int
    step_ms: int
    force_polling: bool | None
    poll_delay_ms: int


def _changes_from_a_process(
    root: Path, stop_event: StopEvent, options: _Options
) -> Iterator[set[tuple[watchfiles.Change, str]]]:
    """Raw change sets from watchfiles, run in a process of its own (an empty set on each idle
    wake, the first one once it is watching).

    watchfiles holds the GIL while it sets up its watches, walking every entry of the tree:
    0.26 s at 100k files, a frozen screen if it ran in a thread of the app.
    """
    from watchfiles import Change

    context = spawn_context()
    ours, theirs = context.Pipe(duplex=False)
    process = context.Process(
        target=_watch_here,
        args=(str(root), theirs, options, os.getpid()),
        name="tuireader-watch",
        daemon=True,
    )
    process.start()
    theirs.close()
    try:
        while not stop_event.is_set():
            if not ours.poll(options.step_ms / 1000):
                continue
            try:
                message = ours.recv()
            except EOFError:
                raise RuntimeError("the folder watcher stopped") from None
            if isinstance(message, str):
                raise OSError(message)
            yield {(Change(change), path) for change, path in message}
    finally:
        ours.close()
        process.terminate()
        process.join(timeout=2)


def _watch_here(root: str, pipe: Connection, options: _Options, app_pid: int) -> None:
    """The watcher process: sends each raw change set, or one line saying why it stopped."""
    quiet_worker(app_pid)  # which also ends this process soon after the app, however it ended
    import watchfiles

    try:
        for raw_changes in watchfiles.watch(
            root,
            watch_filter=ChangeTracker(Path(root), ()).accepts,
            debounce=options.debounce_ms,
            step=options.step_ms,
            rust_timeout=_IDLE_WAKE_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            force_polling=options.force_polling,
            poll_delay_ms=options.poll_delay_ms,
        ):
            pipe.send([(int(change), path) for change, path in raw_changes])
    except (BrokenPipeError, EOFError):
        return  # the app stopped listening
    except Exception as error:  # the folder went away, too many watches...: said, not raised
        with contextlib.suppress(OSError):
            pipe.send(f"{type(error).__name__}: {error}")


def _walk_articles(root: Path, top: Path) -> Iterator[str]:
    # os.walk skips unreadable directories silently, which is what a watcher wants.
    for folder, dirs, files in os.walk(top):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        relative_folder = Path(folder).relative_to(root).parts
        if _is_hidden(relative_folder):
            continue
        for name in files:
            relative = "/".join((*relative_folder, name))
            if is_article_path(relative):
                yield relative


def _is_hidden(parts: Iterable[str]) -> bool:
    return any(part.startswith(".") for part in parts)
