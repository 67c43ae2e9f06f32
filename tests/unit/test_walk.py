"""The walk of a folder, and the packed form in which a worker process sends it back."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from tuireader.corpus import walk


def test_a_packed_walk_unpacks_to_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# a\n", "utf-8")
    (tmp_path / os.fsdecode(b"caf\xe9.md")).write_text("# b\n", "utf-8")
    (tmp_path / "c.txt").write_text("c\n", "utf-8")
    (tmp_path / "skip.png").write_bytes(b"\x89PNG")
    scan = walk.scan_folder(tmp_path)
    packed = pickle.loads(pickle.dumps(walk.walk_folder(str(tmp_path))))
    assert packed.files() == scan.files and not packed.unchanged
    assert len(scan.files) == 3 and packed.skipped_other == 1 and packed.problems == []
    assert walk.walk_folder(str(tmp_path / "sub" / "none")).files() == []

    # A file that could not be stat'ed, or whose stamp does not fit, comes back without one.
    odd = [
        walk.FoundFile("x.md", None),
        walk.FoundFile("y.md", (1, 2**70, 3, 4)),
        walk.FoundFile("z.md", (5, -6, 7, 2**64 - 1)),
    ]
    monkeypatch.setattr(walk, "scan_folder", lambda root: walk.FolderScan(odd, [], 0))
    unpacked = walk.walk_folder(str(tmp_path)).files()
    assert unpacked == [odd[0], walk.FoundFile("y.md", None), odd[2]]


def test_a_walk_that_finds_the_expected_files_sends_only_that(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# a\n", "utf-8")
    (tmp_path / "b.md").write_text("# b\n", "utf-8")
    (tmp_path / ".hidden").symlink_to(tmp_path / "sub")
    (tmp_path / "link").symlink_to(tmp_path / "sub")
    files = walk.scan_folder(tmp_path).files
    digest = walk.files_digest(reversed(files))  # in any order
    same = walk.walk_folder(str(tmp_path), digest)
    assert same.unchanged and same.files() == []
    assert [p.reason for p in same.problems] == ["skipped: symlinked folder (not followed)"]

    for change in (
        lambda: (tmp_path / "b.md").write_text("# b, edited\n", "utf-8"),
        lambda: (tmp_path / "c.md").write_text("# c\n", "utf-8"),
        lambda: (tmp_path / "sub" / "a.md").unlink(),
    ):
        change()
        walked = walk.walk_folder(str(tmp_path), digest)
        assert not walked.unchanged and walked.files() == walk.scan_folder(tmp_path).files
        assert walk.files_digest(walked.files()) != digest
    assert walk.files_digest([("a.md", None)]) != walk.files_digest([("a.md", (0, 0, 0, 0))])
