"""Folder watching: net batches from raw events, and a live watcher thread on a tmp folder."""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from watchfiles import Change

from tuireader.corpus.walk import Stamp, stamp_of
from tuireader.corpus.watch import (
    ChangeBatch,
    ChangeTracker,
    is_article_path,
    scan_article_paths,
    watch_changes,
)


def batch(
    added: set[str] | None = None,
    modified: set[str] | None = None,
    deleted: set[str] | None = None,
) -> ChangeBatch:
    return ChangeBatch(frozenset(added or ()), frozenset(modified or ()), frozenset(deleted or ()))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text("a", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("b", encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "c.md").write_text("c", encoding="utf-8")
    (folder / "image.png").write_bytes(b"png")
    return folder.resolve()


# -- pure parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.md", True),
        ("dir/b.MARKDOWN", True),
        ("c.txt", True),
        ("image.png", False),
        ("a.md~", False),
        (".a.md.swp", False),
        (".hidden.md", False),
        (".git/x.md", False),
        ("dir/.obsidian/x.md", False),
    ],
)
def test_is_article_path(path: str, expected: bool) -> None:
    assert is_article_path(path) is expected


def test_scan_skips_hidden_and_other_files(root: Path) -> None:
    assert scan_article_paths(root) == {"a.md", "sub/b.txt"}


def test_tracker_classifies_against_what_exists(root: Path) -> None:
    tracker = ChangeTracker(root)
    (root / "new.md").write_text("n", encoding="utf-8")
    (root / "a.md").write_text("changed", encoding="utf-8")
    (root / "sub" / "b.txt").unlink()
    raw = {
        (Change.added, str(root / "new.md")),
        (Change.modified, str(root / "a.md")),
        (Change.deleted, str(root / "sub" / "b.txt")),
    }
    assert tracker.apply(raw) == batch({"new.md"}, {"a.md"}, {"sub/b.txt"})
    assert tracker.known == {"a.md", "new.md"}


def test_added_then_deleted_in_one_burst_disappears(root: Path) -> None:
    tracker = ChangeTracker(root)
    raw = {(Change.added, str(root / "tmp.md")), (Change.deleted, str(root / "tmp.md"))}
    assert not tracker.apply(raw)


def test_modified_then_deleted_is_deleted(root: Path) -> None:
    tracker = ChangeTracker(root)
    (root / "a.md").unlink()
    raw = {(Change.modified, str(root / "a.md")), (Change.deleted, str(root / "a.md"))}
    assert tracker.apply(raw) == batch(deleted={"a.md"})


def test_deleted_then_recreated_is_modified(root: Path) -> None:
    tracker = ChangeTracker(root)
    raw = {(Change.deleted, str(root / "a.md")), (Change.added, str(root / "a.md"))}
    assert tracker.apply(raw) == batch(modified={"a.md"})


def test_rename_is_delete_plus_add(root: Path) -> None:
    tracker = ChangeTracker(root)
    (root / "a.md").rename(root / "renamed.md")
    raw = {(Change.deleted, str(root / "a.md")), (Change.added, str(root / "renamed.md"))}
    assert tracker.apply(raw) == batch(added={"renamed.md"}, deleted={"a.md"})


def test_hidden_and_foreign_paths_are_ignored(root: Path, tmp_path: Path) -> None:
    tracker = ChangeTracker(root)
    raw = {
        (Change.modified, str(root / ".git" / "c.md")),
        (Change.modified, str(root / "image.png")),
        (Change.added, str(tmp_path / "outside.md")),
    }
    assert not tracker.apply(raw)
    assert not tracker.accepts(Change.added, str(root / ".git" / "index"))
    assert tracker.accepts(Change.added, str(root / "sub"))


def test_directory_moved_out_and_back_in(root: Path, tmp_path: Path) -> None:
    tracker = ChangeTracker(root)
    (root / "sub" / "deep").mkdir()
    (root / "sub" / "deep" / "d.md").write_text("d", encoding="utf-8")
    tracker.apply({(Change.added, str(root / "sub" / "deep" / "d.md"))})

    shutil.move(root / "sub", tmp_path / "away")
    assert tracker.apply({(Change.deleted, str(root / "sub"))}) == batch(
        deleted={"sub/b.txt", "sub/deep/d.md"}
    )
    shutil.move(tmp_path / "away", root / "back")
    assert tracker.apply({(Change.added, str(root / "back"))}) == batch(
        added={"back/b.txt", "back/deep/d.md"}
    )


def test_touching_a_directory_does_not_report_its_files(root: Path) -> None:
    tracker = ChangeTracker(root)
    assert not tracker.apply({(Change.modified, str(root / "sub"))})
    assert not tracker.apply({(Change.modified, str(root))})  # polling reports the root's mtime


def test_known_paths_from_the_caller(root: Path) -> None:
    tracker = ChangeTracker(root, known=["a.md"])  # say the loader skipped sub/b.txt
    raw = {(Change.modified, str(root / "sub" / "b.txt"))}
    assert tracker.apply(raw) == batch(added={"sub/b.txt"})


def test_batches_compose() -> None:
    first = batch(added={"new"}, modified={"m"}, deleted={"gone"})
    later = batch(added={"gone"}, modified={"new", "x"}, deleted={"new", "m"})
    assert first.then(later) == batch(modified={"gone", "x"}, deleted={"m"})
    assert batch().then(first) == first == first.then(batch())
    assert len(first) == 3 and not batch()


def _stamps(root: Path, *paths: str) -> dict[str, Stamp | None]:
    return {path: stamp_of(root, path) for path in paths}


def test_changed_since_a_load_finds_what_no_event_reported(root: Path) -> None:
    # What a load saw; then, before any watcher ran, one file added, one changed, one deleted.
    loaded = _stamps(root, "a.md", "sub/b.txt")
    tracker = ChangeTracker(root, known=loaded)
    assert not tracker.changed_since(loaded)  # nothing changed: nothing to report
    (root / "c.md").write_text("new", encoding="utf-8")
    (root / "a.md").write_text("a, longer now", encoding="utf-8")
    (root / "sub" / "b.txt").unlink()
    assert tracker.changed_since(loaded) == batch(
        added={"c.md"}, modified={"a.md"}, deleted={"sub/b.txt"}
    )


def test_changed_since_sees_a_rewrite_of_the_same_size(root: Path) -> None:
    loaded = _stamps(root, "a.md", "sub/b.txt")
    path = root / "a.md"
    before = path.stat()
    path.write_text("z", encoding="utf-8")  # same size; the stamp's mtime/ctime differ
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert ChangeTracker(root, known=loaded).changed_since(loaded) == batch(modified={"a.md"})


# -- a live watcher -----------------------------------------------------------------------------


@dataclass
class Watcher:
    """A watcher running in a thread, with helpers that poll generously instead of sleeping."""

    batches: queue.Queue[ChangeBatch] = field(default_factory=queue.Queue)
    stop: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)
    errors: list[BaseException] = field(default_factory=list)
    count: int = 0

    def run(self, root: Path, force_polling: bool) -> None:
        try:
            for item in watch_changes(
                root,
                self.stop,
                ready=self.ready,
                # Shorter than the app's defaults to keep the suite fast; still batches bursts.
                debounce_ms=300,
                step_ms=50,
                force_polling=force_polling,
                poll_delay_ms=50,
            ):
                self.batches.put(item)
        except BaseException as error:  # surfaced by the test, not lost in the thread
            self.errors.append(error)

    def expect(self, expected: ChangeBatch, timeout: float = 10.0) -> None:
        """Accumulate batches until they add up to `expected`, then check nothing else follows."""
        total = ChangeBatch()
        deadline = time.monotonic() + timeout
        while total != expected and time.monotonic() < deadline:
            total = self._drain(total, 0.05)
        total = self._drain(total, 0.25)  # stragglers of the same operation
        assert not self.errors
        assert total == expected

    def _drain(self, total: ChangeBatch, wait: float) -> ChangeBatch:
        deadline = time.monotonic() + wait
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                total = total.then(self.batches.get(timeout=remaining))
                self.count += 1
            except queue.Empty:
                break
        return total


@pytest.fixture(params=[False, True], ids=["native", "polling"])
def watcher(request: pytest.FixtureRequest, root: Path) -> Iterator[Watcher]:
    running = Watcher()
    thread = threading.Thread(target=running.run, args=(root, request.param), daemon=True)
    thread.start()
    assert running.ready.wait(10), running.errors
    yield running
    running.stop.set()
    started = time.monotonic()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2.0  # stops promptly
    assert not running.errors


def test_live_create_modify_rename_delete(watcher: Watcher, root: Path) -> None:
    (root / "new.md").write_text("# New\n", encoding="utf-8")
    watcher.expect(batch(added={"new.md"}))

    with (root / "new.md").open("a", encoding="utf-8") as handle:
        handle.write("more\n")
    # The polling backend compares whole-second mtimes; an edit within the same second as the
    # creation would go unseen, so make the edit look like it came later, as a real one would.
    later = time.time() + 5
    os.utime(root / "new.md", (later, later))
    watcher.expect(batch(modified={"new.md"}))

    os.rename(root / "new.md", root / "sub" / "moved.md")
    watcher.expect(batch(added={"sub/moved.md"}, deleted={"new.md"}))

    (root / "sub" / "moved.md").unlink()
    watcher.expect(batch(deleted={"sub/moved.md"}))


def test_live_ignores_hidden_and_other_files(watcher: Watcher, root: Path) -> None:
    (root / ".git" / "HEAD.md").write_text("x", encoding="utf-8")
    (root / ".draft.md.swp").write_text("x", encoding="utf-8")
    (root / "picture.png").write_bytes(b"x")
    (root / "sentinel.md").write_text("x", encoding="utf-8")
    watcher.expect(batch(added={"sentinel.md"}))


def test_live_directory_moves(watcher: Watcher, root: Path, tmp_path: Path) -> None:
    shutil.move(root / "sub", tmp_path / "away")
    watcher.expect(batch(deleted={"sub/b.txt"}))
    shutil.move(tmp_path / "away", root / "back")
    watcher.expect(batch(added={"back/b.txt"}))


def test_live_burst_is_batched(watcher: Watcher, root: Path) -> None:
    (root / "pulled").mkdir()
    names = {f"pulled/{index:03}.md" for index in range(300)}
    for name in sorted(names):
        (root / name).write_text(name, encoding="utf-8")
    watcher.expect(batch(added=names))
    assert watcher.count <= 5


def test_watching_runs_in_a_process_that_ends_with_it(watcher: Watcher) -> None:
    # watchfiles holds the GIL while it walks the tree to set up its watches (0.26 s at 100k
    # files): the app's threads would all freeze if it ran in one of them.
    watching = [p for p in multiprocessing.active_children() if p.name == "tuireader-watch"]
    assert len(watching) == 1 and watching[0].pid != os.getpid()
    watcher.stop.set()
    # Polled, not joined: the watching thread joins it too, and two threads waiting on one
    # child race (the one that loses sees "no such child" and reports it still running).
    deadline = time.monotonic() + 5
    while watching[0].exitcode is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert watching[0].exitcode is not None


def test_a_folder_that_is_not_there_is_said_at_once(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        next(watch_changes(tmp_path / "missing", threading.Event()))


def test_a_watcher_that_fails_says_why(root: Path) -> None:
    running = Watcher()
    thread = threading.Thread(target=running.run, args=(root, False), daemon=True)
    thread.start()
    assert running.ready.wait(10), running.errors
    watching = [p for p in multiprocessing.active_children() if p.name == "tuireader-watch"]
    watching[0].kill()  # as if it crashed: the thread must not wait forever
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(running.errors) == 1
    assert isinstance(running.errors[0], RuntimeError)


def test_a_file_written_before_the_watcher_started_is_reported(root: Path) -> None:
    """The gap between a load's walk and the start of watching: no event is ever sent for a file
    created there, so the watcher compares the folder with what the load saw."""
    loaded = _stamps(root, "a.md", "sub/b.txt")
    (root / "late.md").write_text("written while the app was starting", encoding="utf-8")
    running = Watcher()

    def run() -> None:
        for item in watch_changes(
            root, running.stop, known=loaded, loaded_stamps=loaded, debounce_ms=300, step_ms=50
        ):
            running.batches.put(item)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        running.expect(batch(added={"late.md"}))
    finally:
        running.stop.set()
        thread.join(timeout=5)
