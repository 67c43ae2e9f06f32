"""Reading state: persistence, atomic writes, corrupt files, concurrent writers, pruning."""

from __future__ import annotations

import json
import multiprocessing
import os
import pathlib
import subprocess
import sys
from pathlib import Path

import pytest

from tuireader.store import state as state_module
from tuireader.store.state import Position, StateStore, folder_key, state_dir


class FakeClock:
    """A clock the test moves by hand, so merge order never depends on timing."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.md").write_text("# A\n", encoding="utf-8")
    return root


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


def test_fresh_folder_has_defaults_and_writes_nothing(corpus: Path, store_dir: Path) -> None:
    state, notices = StateStore(store_dir).open(corpus)
    assert notices == []
    assert not state.dirty
    assert not state.is_read("x") and not state.is_bookmarked("x")
    assert state.position("x") == Position(0, 0.0)
    assert (state.selected_id, state.filter, state.tag, state.order, state.theme) == (
        None,
        "all",
        None,
        "date",
        None,
    )
    assert not store_dir.exists()


def test_state_is_restored_on_restart(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    state.mark_read("a")
    assert state.toggle_bookmark("b") is True
    state.set_position("a", 42, 0.5)
    state.selected_id = "a"
    state.filter = "bookmarked"
    state.tag = "rust"
    state.order = "title"
    state.theme = "nord"
    assert state.dirty
    assert state.save() == []
    assert not state.dirty

    again, notices = StateStore(store_dir).open(corpus)
    assert notices == []
    assert again.is_read("a") and not again.is_read("b")
    assert again.is_bookmarked("b") and not again.is_bookmarked("a")
    assert again.position("a") == Position(42, 0.5)
    assert again.selected_id == "a"
    assert (again.filter, again.tag, again.order, again.theme) == (
        "bookmarked",
        "rust",
        "title",
        "nord",
    )
    assert again.bookmarked_ids() == {"b"}
    assert again.unread_count(["a", "b", "c"]) == 2


def test_state_is_keyed_by_resolved_folder(tmp_path: Path, corpus: Path, store_dir: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(corpus)
    assert folder_key(link) == folder_key(corpus) == folder_key(str(corpus) + "/")
    other = tmp_path / "other"
    other.mkdir()
    assert folder_key(other) != folder_key(corpus)

    state, _ = StateStore(store_dir).open(corpus)
    state.mark_read("a")
    state.save()
    assert StateStore(store_dir).open(link)[0].is_read("a")
    assert not StateStore(store_dir).open(other)[0].is_read("a")


def test_saving_never_touches_the_corpus(corpus: Path, store_dir: Path) -> None:
    before = sorted(p.name for p in corpus.iterdir())
    state, _ = StateStore(store_dir).open(corpus)
    state.mark_read("a")
    state.save()
    assert sorted(p.name for p in corpus.iterdir()) == before
    assert state.path.parent == store_dir


def test_toggles_and_noop_changes(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    assert state.toggle_read("a") is True
    assert state.toggle_read("a") is False
    state.mark_read("a")
    state.save()
    state.mark_read("a")  # already read: nothing to write
    state.set_bookmark("a", False)
    assert not state.dirty
    state.set_position("a", -5, 7.0)
    assert state.position("a") == Position(0, 1.0)


def test_sidebar_width_is_remembered(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    assert state.sidebar_width is None
    state.sidebar_width = 42
    state.save()
    again, notices = StateStore(store_dir).open(corpus)
    assert again.sidebar_width == 42 and not notices


def test_mark_all_read_counts_only_the_unread(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    state.mark_read("a")
    assert state.mark_all_read(["a", "b", "c"]) == 2
    assert all(state.is_read(key) for key in "abc")
    assert state.mark_all_read(["a", "b"]) == 0


def test_invalid_preferences_are_rejected(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    with pytest.raises(ValueError):
        state.filter = "starred"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        state.order = "size"  # type: ignore[assignment]


def test_env_overrides_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUIREADER_STATE_DIR", str(tmp_path / "elsewhere"))
    assert state_dir() == tmp_path / "elsewhere"
    assert StateStore().directory == tmp_path / "elsewhere"
    monkeypatch.delenv("TUIREADER_STATE_DIR")
    assert "tuireader" in str(state_dir())


# -- atomic writes ------------------------------------------------------------------------------


def test_save_leaves_no_temporary_files(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    for index in range(5):
        state.mark_read(f"id{index}")
        assert state.save() == []
    key = folder_key(corpus)
    assert sorted(p.name for p in store_dir.iterdir()) == [f"{key}.json", f"{key}.lock"]
    json.loads(state.path.read_text(encoding="utf-8"))


def test_failed_write_keeps_old_file_and_reports_once(
    corpus: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    state.mark_read("a")
    state.save()
    old = state.path.read_bytes()

    def refuse(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    state.mark_read("b")
    first = state.save()
    assert len(first) == 1 and "No space left" in first[0]
    assert state.save() == []  # the same error is not repeated every second
    assert state.dirty
    assert state.path.read_bytes() == old
    assert not [p for p in store_dir.iterdir() if p.suffix == ".tmp"]

    monkeypatch.undo()
    assert state.save() == []
    assert StateStore(store_dir).open(corpus)[0].is_read("b")


# -- corrupt or unreadable files ----------------------------------------------------------------

CORRUPT_CONTENTS = {
    "bad json": b'{"version": 1, "articles": {',
    "binary junk": bytes(range(256)) * 4,
    "empty": b"",
    "wrong shape": b"[1, 2, 3]",
    "wrong version": b'{"version": 99, "articles": {}}',
    "no version": b'{"articles": {}}',
    "bad article": b'{"version": 1, "articles": {"a": {"read": "yes"}}}',
    "articles not a map": b'{"version": 1, "articles": [1]}',
    "bad filter": b'{"version": 1, "folder": {"filter": "starred"}}',
    "nan position": b'{"version": 1, "articles": {"a": {"fraction": NaN}}}',
}


@pytest.mark.parametrize("content", CORRUPT_CONTENTS.values(), ids=CORRUPT_CONTENTS.keys())
def test_corrupt_file_is_moved_aside_with_notice(
    corpus: Path, store_dir: Path, content: bytes
) -> None:
    store = StateStore(store_dir)
    path = store.path_for(corpus)
    store_dir.mkdir()
    path.write_bytes(content)

    state, notices = store.open(corpus)
    assert len(notices) == 1
    [moved] = [p for p in store_dir.iterdir() if ".corrupt-" in p.name]
    assert str(moved) in notices[0]
    assert moved.read_bytes() == content  # never silently lost
    assert not path.exists()
    assert not state.is_read("a")

    state.mark_read("a")
    assert state.save() == []
    assert StateStore(store_dir).open(corpus)[0].is_read("a")


def test_unreadable_file_is_moved_aside(
    corpus: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(store_dir)
    path = store.path_for(corpus)
    store_dir.mkdir()
    path.write_text('{"version": 1}', encoding="utf-8")
    real_open = pathlib.Path.open

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pathlib.Path, "open", denied)
    _, notices = store.open(corpus)
    assert len(notices) == 1 and "Permission denied" in notices[0]
    assert any(".corrupt-" in p.name for p in store_dir.iterdir())


def test_directory_in_place_of_the_file_is_moved_aside(corpus: Path, store_dir: Path) -> None:
    store = StateStore(store_dir)
    store.path_for(corpus).mkdir(parents=True)
    state, notices = store.open(corpus)
    assert len(notices) == 1
    state.mark_read("a")
    assert state.save() == []
    assert store.path_for(corpus).is_file()


def test_file_that_cannot_be_moved_aside_is_never_overwritten(
    corpus: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(store_dir)
    path = store.path_for(corpus)
    store_dir.mkdir()
    path.write_bytes(b"garbage")

    def cannot_move(path: Path, reason: str = "corrupt") -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(state_module, "move_aside", cannot_move)
    state, notices = store.open(corpus)
    assert len(notices) == 1 and "will not save" in notices[0]
    state.mark_read("a")
    assert state.is_read("a")  # still works in memory
    assert state.save() == []
    assert path.read_bytes() == b"garbage"


def test_file_corrupted_between_open_and_save_is_moved_aside(corpus: Path, store_dir: Path) -> None:
    state, _ = StateStore(store_dir).open(corpus)
    state.mark_read("a")
    state.save()
    state.path.write_bytes(b"\x00\x00")
    state.mark_read("b")
    notices = state.save()
    assert len(notices) == 1 and ".corrupt-" in notices[0]
    again, _ = StateStore(store_dir).open(corpus)
    assert again.is_read("a") and again.is_read("b")  # memory still held both


# -- two processes on the same folder -----------------------------------------------------------


def test_interleaved_saves_keep_both_writers_changes(corpus: Path, store_dir: Path) -> None:
    clock = FakeClock()
    first, _ = StateStore(store_dir, clock=clock).open(corpus)
    second, _ = StateStore(store_dir, clock=clock).open(corpus)

    first.mark_read("a")
    clock.tick()
    second.set_bookmark("b")
    second.theme = "nord"
    clock.tick()
    first.filter = "unread"
    first.save()
    second.save()  # merges instead of overwriting the first writer's work

    merged, _ = StateStore(store_dir).open(corpus)
    assert merged.is_read("a") and merged.is_bookmarked("b")
    assert (merged.filter, merged.theme) == ("unread", "nord")
    # After saving, each side also sees the other's changes.
    assert second.is_read("a")


def test_latest_change_to_an_article_wins(corpus: Path, store_dir: Path) -> None:
    clock = FakeClock()
    early, _ = StateStore(store_dir, clock=clock).open(corpus)
    late, _ = StateStore(store_dir, clock=clock).open(corpus)
    early.mark_read("a")
    early.set_position("a", 10)
    clock.tick()
    late.mark_read("a", False)
    late.save()
    early.save()  # saved last, but its change is older

    merged, _ = StateStore(store_dir).open(corpus)
    assert not merged.is_read("a")
    assert merged.position("a") == Position(0, 0.0)  # the whole entry is one unit
    assert not early.is_read("a")


def test_untouched_entries_follow_the_disk(corpus: Path, store_dir: Path) -> None:
    clock = FakeClock()
    first, _ = StateStore(store_dir, clock=clock).open(corpus)
    first.mark_read("a")
    first.save()
    stale, _ = StateStore(store_dir, clock=clock).open(corpus)
    clock.tick()
    first.mark_read("a", False)
    first.save()
    clock.tick()
    stale.mark_read("other")
    stale.save()  # its old copy of "a" must not resurrect the read mark
    assert not StateStore(store_dir).open(corpus)[0].is_read("a")


def _writer(store_dir: str, corpus: str, prefix: str, rounds: int) -> None:
    state, _ = StateStore(Path(store_dir)).open(corpus)
    for index in range(rounds):
        state.mark_read(f"{prefix}{index}")
        if index % 2:
            state.toggle_bookmark(f"{prefix}{index}")
        assert state.save() == []


def test_two_processes_saving_concurrently(corpus: Path, store_dir: Path) -> None:
    rounds = 40
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_writer, args=(str(store_dir), str(corpus), prefix, rounds))
        for prefix in ("p", "q")
    ]
    for writer in writers:
        writer.start()
    path = StateStore(store_dir).path_for(corpus)
    # Meanwhile the file must always be complete JSON when it exists.
    while any(writer.is_alive() for writer in writers):
        if path.exists():
            json.loads(path.read_bytes())
    for writer in writers:
        writer.join(timeout=60)
        assert writer.exitcode == 0

    state, notices = StateStore(store_dir).open(corpus)
    assert notices == []
    for prefix in ("p", "q"):
        for index in range(rounds):
            assert state.is_read(f"{prefix}{index}")
            assert state.is_bookmarked(f"{prefix}{index}") == bool(index % 2)
    assert not [p for p in store_dir.iterdir() if p.name.endswith(".tmp")]


# -- pruning ------------------------------------------------------------------------------------


def test_prune_drops_only_entries_missing_for_longer_than_grace(
    corpus: Path, store_dir: Path
) -> None:
    clock = FakeClock()
    state, _ = StateStore(store_dir, clock=clock).open(corpus)
    for article_id in ("kept", "gone", "recent"):
        state.mark_read(article_id)
    clock.tick(100)
    state.mark_read("recent", False)
    state.save()

    assert state.prune(["kept"], grace_seconds=50) == 1  # "gone" unseen for 100 s
    assert state.article("gone") is None
    assert state.article("recent") is not None  # touched 0 s ago
    assert state.dirty
    state.save()
    again, _ = StateStore(store_dir, clock=clock).open(corpus)
    assert again.article("gone") is None and again.is_read("kept")


def test_prune_refreshes_seen_without_dirtying(corpus: Path, store_dir: Path) -> None:
    clock = FakeClock()
    state, _ = StateStore(store_dir, clock=clock).open(corpus)
    state.mark_read("a")
    state.save()
    clock.tick(1000)
    assert state.prune(["a"], grace_seconds=10) == 0
    assert not state.dirty
    entry = state.article("a")
    assert entry is not None and entry.seen == clock.now
    clock.tick(5)
    assert state.prune([], grace_seconds=10) == 0  # seen 5 s ago: within grace


def test_prune_in_one_process_survives_the_other_unless_it_changed_the_entry(
    corpus: Path, store_dir: Path
) -> None:
    clock = FakeClock()
    seed, _ = StateStore(store_dir, clock=clock).open(corpus)
    seed.mark_read("old")
    seed.mark_read("revived")
    seed.save()
    pruner, _ = StateStore(store_dir, clock=clock).open(corpus)
    other, _ = StateStore(store_dir, clock=clock).open(corpus)
    clock.tick(100)
    assert pruner.prune([], grace_seconds=10) == 2
    pruner.save()
    clock.tick()
    other.set_bookmark("revived")  # a change newer than the prune
    other.save()
    merged, _ = StateStore(store_dir).open(corpus)
    assert merged.article("old") is None
    assert merged.is_bookmarked("revived")


def test_core_modules_do_not_import_textual() -> None:
    code = "import sys, tuireader.store.state;sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
