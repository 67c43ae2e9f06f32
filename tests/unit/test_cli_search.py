"""`tuireader search` from the shell goes through the load cache, as the app does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuireader import cli
from tuireader.search.index import SearchIndex


def test_a_second_search_on_an_unchanged_folder_reuses_the_cached_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: 强化学习笔记\n---\n强化学习很有趣。\n", "utf-8")
    (folder / "b.md").write_text("---\ntitle: 别的\n---\n无关。\n", "utf-8")
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path / "cache"))
    assert cli.main(["search", "强化學習", "--corpus", str(folder)]) == 0
    first = capsys.readouterr().out
    assert "强化学习笔记" in first

    def no_build(*args: object, **kwargs: object) -> SearchIndex:
        raise AssertionError("the index was built again for an unchanged folder")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    assert cli.main(["search", "强化學習", "--corpus", str(folder)]) == 0
    assert capsys.readouterr().out == first
    assert not any(folder.glob(".*")) and sorted(p.name for p in folder.iterdir()) == [
        "a.md",
        "b.md",
    ]
