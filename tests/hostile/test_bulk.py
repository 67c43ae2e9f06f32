"""The two expensive shapes of issue 7 (a 50 MB file, 20,000 files in one folder) through the
core (`load_corpus`, the parallel and cached `CorpusLoader`, `SearchIndex`, `build_document` and
`wrap_text`) and through `tuireader list --problems`.

`bounded(...)` is a hang guard with generous limits (the whole module takes seconds); speed is
measured in bench/, never asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.conftest import bounded, render, unsafe
from tests.hostile.corpus import (
    HUGE_FILE_BYTES,
    MANY_FILES,
    MARKUP,
    NEAR_LIMIT_MARKER,
    PAST_LIMIT_MARKER,
    READ_LIMIT_BYTES,
    HostileCorpus,
    build_bulk_corpus,
)
from tuireader.corpus.loader import CorpusLoader, load_corpus
from tuireader.corpus.parse import MAX_FILE_BYTES, LoadResult
from tuireader.model.articles import Article, Problem
from tuireader.render.document import MAX_DISPLAY_CHARS, build_document
from tuireader.search.index import SearchIndex

TUIREADER = Path(sys.executable).with_name("tuireader")
README = Path(__file__).resolve().parents[2] / "README.md"
GUARD = 600  # seconds: far above the few seconds each step takes on a loaded 2-core machine
TRUNCATED = "truncated to the first 16 MiB"
MANY = {f"many/{number:05d}.md" for number in range(MANY_FILES)}
# Past the read limit: never read, so never found.
UNREAD = (PAST_LIMIT_MARKER, "MIDDLEMARKER", "HUGEEND")


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> HostileCorpus:
    root = tmp_path_factory.mktemp("bulk") / "corpus"
    return bounded(GUARD, lambda: build_bulk_corpus(root), "building the bulk corpus")


@pytest.fixture(scope="module")
def loaded(bulk: HostileCorpus) -> LoadResult:
    return bounded(GUARD, lambda: load_corpus(bulk.root, use_cache=False), "loading")


@pytest.fixture(scope="module")
def index(loaded: LoadResult) -> SearchIndex:
    return bounded(GUARD, lambda: SearchIndex.build(loaded.articles), "indexing")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(folder))
    yield folder


def huge(result: LoadResult) -> Article:
    (article,) = [a for a in result.articles if a.path == "huge.md"]
    return article


def paths_found(index: SearchIndex, result: LoadResult, query: str) -> set[str]:
    by_id = {a.id: a.path for a in result.articles}
    results = index.search(query, limit=50, exact_total=True)
    for hit in results.hits:
        assert not unsafe(hit.snippet) and "\n" not in hit.snippet
    return {by_id[hit.id] for hit in results.hits}


def test_the_corpus_is_what_it_claims(bulk: HostileCorpus) -> None:
    # The markers sit where the search test below needs them: one among the last 64 KiB that
    # are read, one just after; the limit is the one the README documents and the loader uses.
    huge_file = bulk.root / "huge.md"
    assert huge_file.stat().st_size >= HUGE_FILE_BYTES
    with open(huge_file, "rb") as file:
        head = file.read(READ_LIMIT_BYTES + 1024 * 1024)
    near, past = head.find(NEAR_LIMIT_MARKER.encode()), head.find(PAST_LIMIT_MARKER.encode())
    assert READ_LIMIT_BYTES - 64 * 1024 <= near < head.find(b"\n", near) < READ_LIMIT_BYTES
    assert past >= READ_LIMIT_BYTES
    assert MAX_FILE_BYTES == READ_LIMIT_BYTES
    assert "at most 16 MiB of a file is read" in " ".join(README.read_text().split())
    assert len(os.listdir(bulk.root / "many")) == MANY_FILES


def check_loaded(bulk: HostileCorpus, result: LoadResult) -> None:
    """Every file is loaded: the 20,000 of one folder each once, the huge one truncated."""
    paths = [a.path for a in result.articles]
    assert result.files == MANY_FILES + 1
    assert sorted(paths) == sorted([*MANY, "huge.md"])  # one entry each, none twice
    assert result.problems == [Problem("huge.md", TRUNCATED)]
    assert {c.name: c.outcome for c in bulk.cases} == {"huge": "entry+problem", "many": "entry"}
    by_path = {a.path: a for a in result.articles}
    for number in range(0, MANY_FILES, 100):
        assert by_path[f"many/{number:05d}.md"].title == MARKUP[number % len(MARKUP)]
    assert by_path["many/19999.md"].title == "note 19999"
    article = huge(result)
    assert article.problems == (TRUNCATED,)
    assert "HUGESTART marker" in article.body[:100]
    tail = article.body[-200_000:]
    assert NEAR_LIMIT_MARKER in tail
    assert not any(marker in article.body for marker in UNREAD)
    assert len(article.body.encode()) <= READ_LIMIT_BYTES


def test_load_corpus_loads_every_file(bulk: HostileCorpus, loaded: LoadResult) -> None:
    check_loaded(bulk, loaded)


def test_the_parallel_cached_loader_loads_every_file_cold_and_warm(
    bulk: HostileCorpus, loaded: LoadResult, cache_dir: Path
) -> None:
    cold = CorpusLoader(bulk.root)
    batches = bounded(GUARD, lambda: list(cold), "a cold load")
    result = cold.result()
    check_loaded(bulk, result)
    assert [a.id for a in result.articles] == [a.id for a in loaded.articles]
    assert sum(len(b.articles) for b in batches) == MANY_FILES + 1
    assert batches[-1].done == batches[-1].total == MANY_FILES + 1
    assert (cold.cached_files, cold.parsed_files) == (0, MANY_FILES + 1)
    built = bounded(GUARD, lambda: SearchIndex.build(result.articles), "indexing")
    bounded(GUARD, lambda: cold.save_cache(built), "saving the cache")
    assert any(cache_dir.iterdir())

    warm = CorpusLoader(bulk.root)
    again = bounded(GUARD, warm.result, "a warm load")
    check_loaded(bulk, again)
    assert (warm.cached_files, warm.parsed_files) == (MANY_FILES + 1, 0)
    assert huge(again).body == huge(loaded).body
    cached = bounded(GUARD, warm.cached_index, "reading the cached index")
    assert cached is not None
    assert paths_found(cached, again, NEAR_LIMIT_MARKER) == {"huge.md"}
    assert paths_found(cached, again, "entry 12345") == {"many/12345.md"}


def test_search_finds_what_was_read_up_to_the_limit_and_nothing_past_it(
    loaded: LoadResult, index: SearchIndex
) -> None:
    def found(query: str) -> set[str]:
        return bounded(GUARD, lambda: paths_found(index, loaded, query))

    for query in ("HUGESTART", NEAR_LIMIT_MARKER, f'"{NEAR_LIMIT_MARKER} among the last"'):
        assert found(query) == {"huge.md"}
    for query in UNREAD:
        assert found(query) == set(), query
    # The 20,000 small ones, the first, the last, and a markup title, all searchable.
    for number in (0, 9999, 19999):
        query = f'"entry {number} body"'
        assert paths_found(index, loaded, query) == {f"many/{number:05d}.md"}
    assert "many/00100.md" in paths_found(index, loaded, f"title:{MARKUP[0]}")
    common = bounded(GUARD, lambda: index.search("huge paragraph", limit=5, exact_total=True))
    assert common.total == 1


def test_the_huge_article_renders_up_to_the_display_cap_with_notes(loaded: LoadResult) -> None:
    article = huge(loaded)
    assert article.chars > MAX_DISPLAY_CHARS
    document = bounded(GUARD, lambda: build_document(article), "building the document")
    notes = [b.text.plain for b in document.blocks if b.kind == "meta"]
    assert notes[0] == f"⚠ {TRUNCATED}."
    assert notes[1].startswith("⚠ Long article: showing the first")
    assert notes[-1].startswith("⚠ End of what is shown")
    shown = sum(len(b.text.plain) for b in document.blocks if b.kind != "meta")
    assert 0 < shown <= MAX_DISPLAY_CHARS
    lines = bounded(GUARD, lambda: render(article, 76), "wrapping the huge article")
    assert "HUGESTART marker" in lines
    assert all(len(line) <= 76 and not unsafe(line) for line in lines)


def test_the_small_files_with_markup_titles_render(loaded: LoadResult) -> None:
    by_path = {a.path: a for a in loaded.articles}
    for number in range(0, MANY_FILES, 100):
        article = by_path[f"many/{number:05d}.md"]
        # The heading is dropped as a repeat of the title only if its text is the literal
        # markup: it was not parsed as markup on the way.
        assert [line for line in render(article, 120) if line] == [f"entry {number} body"]


def test_cli_lists_every_entry_and_the_one_problem(bulk: HostileCorpus, cache_dir: Path) -> None:
    for run in ("cold", "warm"):  # the second run is answered by the cache the first wrote
        listed = subprocess.run(
            [str(TUIREADER), "list", "--problems", str(bulk.root)],
            capture_output=True,
            timeout=GUARD,
            check=False,
            env=os.environ,
        )
        assert listed.returncode == 0, (run, listed.stderr[-2000:])
        out = listed.stdout.decode("utf-8").splitlines()
        assert len(out) == MANY_FILES + 1, run
        assert sorted(line.rsplit("  ", 1)[1] for line in out) == sorted([*MANY, "huge.md"])
        err = listed.stderr.decode("utf-8").splitlines()
        assert err == [
            f"huge.md: {TRUNCATED}",
            f"{MANY_FILES + 1} entries from {MANY_FILES + 1} files; 1 problem (1 degraded)",
        ], run
