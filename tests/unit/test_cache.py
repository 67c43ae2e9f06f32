"""The cache's text chunks: offsets are read without numpy, and checked as strictly as with it."""

from __future__ import annotations

import array
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tuireader
from tuireader.corpus import cache
from tuireader.corpus.cachefile import (
    CacheFile,
    CacheFileError,
    SectionWriter,
    read_file,
    write_file,
)


def _chunk_file(tmp_path: Path, texts: list[str], ends: list[int] | None = None) -> CacheFile:
    """A cache file holding one text chunk of `texts`; `ends` replaces its offsets if given."""
    path = tmp_path / "texts.cache"

    def fill(writer: SectionWriter) -> dict[str, object]:
        chunk = cache._write_texts(writer, texts)
        if ends is not None:
            blob, _ends, codec, count = chunk
            stored = array.array("q", ends)
            if sys.byteorder != "little":
                stored.byteswap()
            chunk = (blob, writer.add(stored.tobytes()), codec, count)
        return {"kind": "test", "chunk": chunk}

    write_file(path, fill)
    opened = read_file(path, "test", {})
    assert opened is not None
    return opened


@pytest.mark.parametrize("vectorized", [False, True])
def test_texts_come_back_as_written(tmp_path: Path, vectorized: bool) -> None:
    texts = ["", "一段中文", "ascii", "\U0001f600 emoji", "x" * 1000]
    file = _chunk_file(tmp_path, texts)
    blob, ends, codec = cache._text_chunk(file, file.meta["chunk"], False, vectorized=vectorized)
    column = cache.TextColumn([(blob, ends, codec)])
    assert [column[i] for i in range(len(texts))] == texts
    column.decode_all()
    assert list(column) == texts


@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize(
    "ends",
    [
        [2, 0, 10],  # decreasing
        [2, 5, 10],  # inside a UTF-16 code unit
        [2, 4, 12],  # past the end of the texts
        [-2, 4, 10],  # negative
        [2, 4],  # one offset missing
    ],
)
def test_offsets_that_do_not_fit_are_refused(
    tmp_path: Path, vectorized: bool, ends: list[int]
) -> None:
    file = _chunk_file(tmp_path, ["a", "b", "ccc"], ends)
    with pytest.raises(CacheFileError):
        cache._text_chunk(file, file.meta["chunk"], False, vectorized=vectorized)


def test_offsets_of_a_length_not_a_multiple_of_eight_are_refused() -> None:
    with pytest.raises(CacheFileError):
        cache._int64s(memoryview(b"\0" * 12))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**40), 2**40), max_size=40), st.sampled_from([2, 4]))
def test_both_offset_checks_agree(ends: list[int], width: int) -> None:
    python = cache._ascending_multiples(ends, width, vectorized=False)
    assert python == cache._ascending_multiples(ends, width, vectorized=True)
    expected = all(a <= b for a, b in zip([0, *ends], ends, strict=False)) and all(
        end % width == 0 for end in ends
    )
    assert python == expected


def test_the_first_frame_needs_no_numpy() -> None:
    """The app, its loader and the articles cache import numpy only when the index needs it,
    and the cache's version check needs no `importlib.metadata` (15-20 ms of every start)."""
    code = (
        "import sys, tuireader.cli, tuireader.ui.app, tuireader.corpus.loader, "
        "tuireader.corpus.cache, "
        "tuireader.search.normalize, tuireader.search.plain_scan; "
        "tuireader.search.normalize.fold('ascii only'); "
        "tuireader.corpus.cache._identity('.'); "
        "print('numpy' in sys.modules, 'importlib.metadata' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_the_version_is_the_installed_one() -> None:
    """pyproject.toml takes the version from the package: the two never disagree."""
    assert tuireader.__version__ == importlib.metadata.version("tuireader")
