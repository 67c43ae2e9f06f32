"""The cached, parallel loader: same results as a plain load, and a cache that is never trusted."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import tuireader
from tuireader.corpus import cache, cachefile, loader
from tuireader.corpus.cache import cache_path, read_articles
from tuireader.corpus.loader import CorpusLoader, load_corpus
from tuireader.corpus.parse import LoadResult
from tuireader.search.index import SearchIndex

LISTING = "".join(
    f"## [第 {n} 篇：模型 {n}](https://example.com/{n})\n\n2025-01-0{n} · 张三\n\n摘要 {n}。\n\n"
    for n in range(1, 4)
)


def make_folder(root: Path, count: int = 40) -> Path:
    for number in range(count):
        folder = root / f"part{number % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        if number % 10 == 3:
            (folder / f"n{number}.txt").write_text(f"第 {number} 篇纯文本\n模型 训练\n", "utf-8")
        else:
            (folder / f"n{number}.md").write_text(
                f'---\ntitle: "文章 {number}"\ndate: 2025-02-{number % 28 + 1:02d}\n'
                f"tags: [t{number % 4}]\n---\n\n模型 训练 [link](https://x.com/{number})\n",
                "utf-8",
            )
    (root / "listing.md").write_text(LISTING, "utf-8")
    (root / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    (root / "bad-front.md").write_text("---\ntitle: [unclosed\n---\n\nbody\n", "utf-8")
    (root / "gbk.txt").write_bytes("中文标题\n模型发布\n".encode("gb18030"))
    (root / "notes.json").write_text("{}", "utf-8")
    return root


def same(a: LoadResult, b: LoadResult) -> None:
    assert a.articles == b.articles
    assert [x.problems for x in a.articles] == [x.problems for x in b.articles]
    assert [x.links for x in a.articles] == [x.links for x in b.articles]
    assert a.problems == b.problems
    assert (a.files, a.skipped_other) == (b.files, b.skipped_other)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "corpus")


def plain(root: Path) -> LoadResult:
    return CorpusLoader(root, use_cache=False, workers=1).result()


# --- parallel loading ---------------------------------------------------------------------------


def test_worker_processes_give_the_same_result_as_one_process(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "POOL_MIN_FILES", 0)
    monkeypatch.setattr(loader, "CHUNK_FILES", 7)
    parallel = CorpusLoader(folder, use_cache=False, workers=2)
    result = parallel.result()
    same(result, plain(folder))
    assert parallel.parsed_files == result.files
    assert any(p.reason.startswith("skipped: binary") for p in result.problems)
    assert any("frontmatter" in p.reason for p in result.problems)
    assert len([a for a in result.articles if a.path == "listing.md"]) == 3


WORKERS_UNDER_TEXTUAL = """
import sys
from pathlib import Path
from tuireader.corpus import loader

class Capture:  # what Textual puts in sys.stderr while an app runs
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

if __name__ == "__main__":
    sys.stderr = Capture()
    loader.POOL_MIN_FILES = 0
    parallel = loader.CorpusLoader(Path(sys.argv[1]), use_cache=False, workers=2)
    result = parallel.result()
    print(len(result.articles), len(result.problems), parallel.parsed_files)
"""


def test_workers_start_when_stderr_has_no_file_descriptor(folder: Path, tmp_path: Path) -> None:
    script = tmp_path / "under_textual.py"
    script.write_text(WORKERS_UNDER_TEXTUAL, "utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(folder)], capture_output=True, text=True, timeout=120
    )
    expected = plain(folder)
    assert done.stdout.split() == [
        str(len(expected.articles)),
        str(len(expected.problems)),
        str(expected.files),
    ], done.stderr


def test_batches_cover_every_entry_once_and_count_up_to_the_total(folder: Path) -> None:
    batches = list(CorpusLoader(folder, workers=1))
    assert batches[0].from_cache and batches[0].done == 0
    assert [b.done for b in batches] == sorted(b.done for b in batches)
    assert batches[-1].done == batches[-1].total == plain(folder).files
    ids = [a.id for b in batches for a in b.articles]
    assert sorted(ids) == sorted(a.id for a in plain(folder).articles)


def test_entries_are_sorted_by_path_then_line(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "corpus", count=12)  # listing.md holds several entries
    # Two names that differ only in Unicode normalization are shown under one path.
    (root / "cafe\u0301.md").write_text("# NFD\n\n第一\n", "utf-8")
    (root / "caf\u00e9.md").write_text("# NFC\n\n第二\n", "utf-8")
    articles = CorpusLoader(root, use_cache=False, workers=1).result().articles
    assert [(a.path, a.line) for a in articles] == sorted((a.path, a.line) for a in articles)
    assert sum(a.path == "listing.md" for a in articles) > 1
    assert sum(a.path == "caf\u00e9.md" for a in articles) == 2


def test_load_corpus_keeps_its_result_and_reports_progress(folder: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = load_corpus(folder, progress=lambda done, total: seen.append((done, total)))
    same(result, plain(folder))
    assert seen[-1] == (result.files, result.files)


# --- the articles cache -------------------------------------------------------------------------


def test_second_load_parses_nothing_and_gives_the_same_result(folder: Path) -> None:
    first = load_corpus(folder)
    again = CorpusLoader(folder)
    same(again.result(), first)
    assert again.parsed_files == 0
    assert again.cached_files == first.files


def test_a_file_changed_in_size_or_mtime_is_parsed_again(folder: Path) -> None:
    load_corpus(folder)
    grown = folder / "part0" / "n0.md"
    grown.write_text(grown.read_text("utf-8").replace("文章 0", "文章 零号"), "utf-8")
    touched = folder / "part1" / "n1.md"
    info = touched.stat()
    os.utime(touched, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    again = CorpusLoader(folder)
    result = again.result()
    assert again.parsed_files == 2
    assert "文章 零号" in {a.title for a in result.articles}
    same(result, plain(folder))


def test_same_size_and_mtime_but_replaced_file_is_parsed_again(folder: Path) -> None:
    load_corpus(folder)
    target = folder / "part2" / "n2.md"
    info = target.stat()
    text = target.read_text("utf-8").replace("文章 2", "文章 9")
    replacement = folder / "part2" / ".n2.tmp"
    replacement.write_text(text, "utf-8")
    os.utime(replacement, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.replace(replacement, target)  # same size and mtime, new inode and ctime
    again = CorpusLoader(folder)
    assert "文章 9" in {a.title for a in again.result().articles}
    assert again.parsed_files == 1


def test_added_and_removed_files_are_seen(folder: Path) -> None:
    load_corpus(folder)
    (folder / "part0" / "n0.md").unlink()
    (folder / "new.md").write_text("# 新文章\n\n正文\n", "utf-8")
    again = CorpusLoader(folder)
    result = again.result()
    assert again.parsed_files == 1
    titles = {a.title for a in result.articles}
    assert "新文章" in titles and "文章 0" not in titles
    same(result, plain(folder))
    again.save_cache()
    assert len(read_articles(folder)) == result.files


def damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) - 10] ^= 0xFF
    path.write_bytes(bytes(data))


def damage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF  # the metadata's place in the header
    path.write_bytes(bytes(data))


def damage_metadata(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-40] ^= 0xFF  # the metadata is at the end
    path.write_bytes(bytes(data))


def damage_data(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside the sections
    path.write_bytes(bytes(data))


def damage_garbage(path: Path) -> None:
    path.write_bytes(os.urandom(5000))


def damage_empty(path: Path) -> None:
    path.write_bytes(b"")


def damage_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize(
    "damage",
    [
        damage_truncate,
        damage_flip,
        damage_header,
        damage_metadata,
        damage_data,
        damage_garbage,
        damage_empty,
        damage_directory,
    ],
)
def test_a_damaged_articles_cache_is_ignored_and_rebuilt(folder: Path, damage: object) -> None:
    first = load_corpus(folder)
    path = cache_path(folder, "articles")
    assert path is not None and path.is_file()
    damage(path)  # type: ignore[operator]
    assert read_articles(folder) == {}
    again = CorpusLoader(folder)
    same(again.result(), first)
    assert again.parsed_files == first.files
    again.save_cache()
    if path.is_file():
        assert len(read_articles(folder)) == first.files


def test_another_tuireader_version_or_format_is_ignored(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_corpus(folder)
    with monkeypatch.context() as patch:
        patch.setattr(cache, "__version__", "999.0")
        assert read_articles(folder) == {}
    assert read_articles(folder)
    with monkeypatch.context() as patch:
        patch.setattr(cachefile, "FORMAT_VERSION", cachefile.FORMAT_VERSION + 1)
        assert read_articles(folder) == {}


def test_a_cache_of_another_folder_is_not_used(folder: Path, tmp_path: Path) -> None:
    load_corpus(folder)
    other = make_folder(tmp_path / "other", count=5)
    source, target = cache_path(folder, "articles"), cache_path(other, "articles")
    assert source is not None and target is not None
    target.write_bytes(source.read_bytes())
    assert read_articles(other) == {}


def test_a_cache_holding_a_class_is_refused_without_running_it(folder: Path) -> None:
    path = cache_path(folder, "articles")
    assert path is not None
    meta = {
        "version": tuireader.__version__,
        "kind": "articles",
        "root": os.path.realpath(folder),
        "evil": pickle.loads(pickle.dumps(Path("/"))),  # any class
    }
    cachefile.write_file(path, lambda writer: {**meta, "segments": [writer.add(b"")]})
    assert path.is_file()
    assert read_articles(folder) == {}


def test_the_cache_is_never_written_inside_the_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(folder / ".cache"))
    before = sorted(p for p in folder.rglob("*"))
    loaded = CorpusLoader(folder)
    result = loaded.result()
    loaded.save_cache(SearchIndex.build(result.articles))
    assert sorted(p for p in folder.rglob("*")) == before
    assert cache_path(folder, "articles") is None


def test_concurrent_writers_and_readers_never_see_a_torn_cache(folder: Path) -> None:
    first = CorpusLoader(folder)
    first.result()
    records = {
        p.relative: cache.CachedFile(p.stamp, p.articles, [(q.path, q.reason) for q in p.problems])
        for p in first._records.values()
        if p.stamp is not None
    }
    seen: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(15):
                cache.write_articles(folder, records)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def read() -> None:
        for _ in range(30):
            seen.append(len(read_articles(folder)))

    threads = [threading.Thread(target=write) for _ in range(3)] + [threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert set(seen) <= {0, len(records)}
    assert len(read_articles(folder)) == len(records)
    leftovers = [p for p in cache.cache_dir().iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def _killed_while_saving(folder: Path) -> None:
    """In a child process: start saving the folder's cache, and be killed (SIGKILL) mid-write."""
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from tuireader.corpus import cache\n"
        "from tuireader.corpus.loader import CorpusLoader\n"
        "loader = CorpusLoader(Path(sys.argv[1]))\n"
        "real = cache._write_texts\n"
        "def dying(writer, texts):\n"
        "    real(writer, texts)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "cache._write_texts = dying\n"
        "loader.save_cache()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(folder)], check=False)
    assert done.returncode == -9


def _temporaries() -> list[Path]:
    return sorted(p for p in cache.cache_dir().iterdir() if p.name.endswith(".tmp"))


def _age(path: Path, seconds: float) -> None:
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


def test_a_save_removes_what_a_killed_save_left(folder: Path, tmp_path: Path) -> None:
    # The terminal closed while a large cache was written: its temporary file stayed behind.
    _killed_while_saving(folder)
    (left,) = _temporaries()
    assert left.name.startswith(f".{cache_path(folder, 'articles').name}.")  # type: ignore[union-attr]
    _age(left, 3600)  # an hour
    # Any later save cleans it up, also one of another folder's cache.
    other = make_folder(tmp_path / "other", count=3)
    CorpusLoader(other).save_cache()
    assert _temporaries() == []
    assert read_articles(other)


def test_a_save_leaves_temporaries_that_may_still_be_written(folder: Path) -> None:
    directory = cache.cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = cache_path(folder, "index").name  # type: ignore[union-attr]
    recent = directory / f".{name}.recent00.tmp"  # a writer that is still writing
    held = directory / f".{name}.locked00.tmp"  # a writer that paused, alive (its lock held)
    foreign = directory / ".notes.txt.abcdefgh.tmp"  # not a cache file's: never ours to remove
    for path in (recent, held, foreign):
        path.write_bytes(b"partial")
    _age(held, 3600)  # an hour
    _age(foreign, 3600)  # an hour
    with open(held, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        CorpusLoader(folder).save_cache()
        assert _temporaries() == sorted([recent, held, foreign])
    assert read_articles(folder)


# --- the index cache ----------------------------------------------------------------------------


def hits(index: SearchIndex, query: str) -> list[tuple[str, float]]:
    return [(h.id, round(h.score, 9)) for h in index.search(query, limit=50).hits]


def test_an_unchanged_folder_reuses_the_index_with_identical_results(folder: Path) -> None:
    first = CorpusLoader(folder)
    built = SearchIndex.build(first.result().articles)
    first.save_cache(built)
    again = CorpusLoader(folder)
    reused = again.cached_index()
    assert reused is not None
    for query in ("模型", "训练 -文章", "title:文章", "x.com", "tag:t1", "第 2 篇", "中文"):
        assert hits(reused, query) == hits(built, query)
        assert reused.count(query) == built.count(query)
    # It stays a normal index: articles can be added and removed.
    article = again.result().articles[0]
    reused.remove(article.id)
    assert article.id not in {h.id for h in reused.search("模型", limit=100).hits}
    reused.add(article)
    assert reused.count("模型") == built.count("模型")


def test_a_changed_folder_does_not_reuse_the_index(folder: Path) -> None:
    first = CorpusLoader(folder)
    first.save_cache(SearchIndex.build(first.result().articles))
    (folder / "part0" / "n0.md").write_text("# 改过了\n\n新的正文\n", "utf-8")
    assert CorpusLoader(folder).cached_index() is None


@pytest.mark.parametrize(
    "damage", [damage_truncate, damage_flip, damage_metadata, damage_data, damage_garbage]
)
def test_a_damaged_index_cache_is_ignored(folder: Path, damage: object) -> None:
    first = CorpusLoader(folder)
    first.save_cache(SearchIndex.build(first.result().articles))
    path = cache_path(folder, "index")
    assert path is not None
    damage(path)  # type: ignore[operator]
    again = CorpusLoader(folder)
    assert again.cached_index() is None
    assert again.result().articles == first.result().articles


# --- segments: the top of the sidebar first ------------------------------------------------------


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "FIRST_SEGMENT_FILES", 5)
    monkeypatch.setattr(cache, "SEGMENT_FILES", 7)
    monkeypatch.setattr(cache, "TEXT_CHUNK", 9)


def test_a_warm_start_shows_the_newest_files_first(folder: Path, small_segments: None) -> None:
    first = load_corpus(folder)
    batches = iter(CorpusLoader(folder))
    top = next(batches)
    assert top.from_cache and top.done == 5 and top.total == first.files
    dated = sorted((a for a in first.articles if a.date), key=lambda a: a.date, reverse=True)  # type: ignore[arg-type, return-value]
    newest_files = list(dict.fromkeys(a.path for a in dated))[:5]
    assert sorted({a.path for a in top.articles}) == sorted(newest_files)
    rest = list(batches)
    ids = [a.id for b in [top, *rest] for a in b.articles]
    assert sorted(ids) == sorted(a.id for a in first.articles)


def test_a_file_changed_since_the_cache_is_not_shown_from_it(
    folder: Path, small_segments: None
) -> None:
    load_corpus(folder)
    loader_ = CorpusLoader(folder)
    top = next(iter(CorpusLoader(folder)))
    changed = top.articles[0]
    path = folder / changed.path
    path.write_text(path.read_text("utf-8").replace("模型", "模型改"), "utf-8")
    batches = list(loader_)
    assert changed.path not in {a.path for a in batches[0].articles}
    assert loader_.parsed_files == 1
    same(loader_.result(), plain(folder))


def test_a_damaged_later_segment_is_parsed_again(folder: Path, small_segments: None) -> None:
    first = load_corpus(folder)
    path = cache_path(folder, "articles")
    assert path is not None
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0xFF  # past the first segment
    path.write_bytes(bytes(data))
    again = CorpusLoader(folder)
    same(again.result(), first)
    assert 0 < again.parsed_files <= first.files
    again.save_cache()
    assert len(read_articles(folder)) == first.files


def test_a_cold_start_shows_the_first_files_before_the_walk_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus", count=60)
    monkeypatch.setattr(loader, "FIRST_FILES", 10)
    batches = list(CorpusLoader(root, use_cache=False, workers=1))
    assert not batches[0].from_cache and len(batches[0].articles) >= 10
    assert batches[0].total < plain(root).files  # the walk had not finished
    assert batches[-1].done == batches[-1].total == plain(root).files
    ids = [a.id for b in batches for a in b.articles]
    assert sorted(ids) == sorted(a.id for a in plain(root).articles)


def test_after_the_first_titles_a_cold_start_reports_each_folder_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app pauses at the batch after the first titles, so that they are drawn before the
    # walk takes the GIL again: that batch must come before the walk ends.
    root = make_folder(tmp_path / "corpus", count=60)  # the root, then part0, part1, part2
    monkeypatch.setattr(loader, "FIRST_FILES", 10)
    batches = list(CorpusLoader(root, use_cache=False, workers=1))
    first = next(i for i, b in enumerate(batches) if b.articles)
    after = batches[first + 1 :]
    walking = [b for b in after if not b.articles and b.done == batches[first].done]
    assert walking, [(len(b.articles), b.done, b.total) for b in batches]
    assert [b.total for b in walking] == sorted(b.total for b in walking)
    assert walking[0].total < plain(root).files  # the walk had not finished
    assert batches[-1].done == batches[-1].total == plain(root).files


def test_the_index_texts_are_decoded_on_demand_and_exact(
    folder: Path, small_segments: None
) -> None:
    first = CorpusLoader(folder)
    built = SearchIndex.build(first.result().articles)
    first.save_cache(built)
    parts = CorpusLoader(folder).cached_index()
    assert parts is not None
    built_parts, reused_parts = built.to_parts(), parts.to_parts()
    assert built_parts is not None and reused_parts is not None
    for name, texts in built_parts[1].items():
        column = reused_parts[1][name]
        assert isinstance(column, cache.TextColumn)
        assert len(column) == len(texts) and list(column) == list(texts[0 : len(texts)])
        assert column[3:12] == texts[3:12] and column[-1] == texts[-1]


def test_an_unchanged_folder_reuses_the_saved_fingerprint_a_changed_one_does_not(
    folder: Path, small_segments: None
) -> None:
    first = CorpusLoader(folder)
    first.save_cache(SearchIndex.build(first.result().articles))
    again = CorpusLoader(folder)
    again.result()
    records = again._records.values()
    computed = cache.fingerprint(
        (a.id for a in again.result().articles), ((p.relative, p.stamp) for p in records)
    )
    assert again.fingerprint() == computed and again.cached_index() is not None
    shown = next(iter(CorpusLoader(folder))).articles[0].path
    (folder / shown).unlink()  # a file of the first segment, shown before the walk
    third = CorpusLoader(folder)
    assert third.fingerprint() != computed
    assert third.cached_index() is None
    same(third.result(), plain(folder))


def test_a_large_cached_folder_is_walked_by_another_process(
    folder: Path, small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "elsewhere").symlink_to(folder / "part0", target_is_directory=True)
    first = load_corpus(folder)
    (folder / "part1" / "n1.md").write_text("# 新的\n\n正文\n", "utf-8")
    monkeypatch.setattr(loader, "WALK_ELSEWHERE_FILES", 1)
    walked: list[str] = []
    real = loader._WalkElsewhere.__init__

    def spy(self: loader._WalkElsewhere, root: Path, expected: str | None) -> None:
        walked.append(str(root))
        real(self, root, expected)

    monkeypatch.setattr(loader._WalkElsewhere, "__init__", spy)
    again = CorpusLoader(folder, workers=2)
    same(again.result(), plain(folder))
    assert walked == [str(folder)]
    assert again.parsed_files == 1 and again.cached_files == first.files - 1
    assert any("symlinked folder" in p.reason for p in again.result().problems)


def test_an_unchanged_large_folder_is_not_compared_file_by_file(
    folder: Path, small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "elsewhere").symlink_to(folder / "part0", target_is_directory=True)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(loader, "WALK_ELSEWHERE_FILES", 1)
    first = CorpusLoader(folder)
    first.save_cache(SearchIndex.build(first.result().articles))
    for started in (loader.head_start(folder), None):  # walked ahead, or by the loader
        again = CorpusLoader(folder, head_start=started)
        same(again.result(), first.result())
        walk = again._walk_elsewhere
        assert isinstance(walk, loader._WalkElsewhere) and walk.unchanged
        assert again.parsed_files == 0 and again.cached_files == first.result().files
        assert again.fingerprint() == first.fingerprint()
        assert again.cached_index() is not None
        assert any("symlinked folder" in p.reason for p in again.result().problems)


def test_a_walk_ahead_is_not_trusted_when_a_cache_segment_is_damaged(
    folder: Path, small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(loader, "WALK_ELSEWHERE_FILES", 1)
    first = load_corpus(folder)
    path = cache_path(folder, "articles")
    assert path is not None
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0xFF  # a later segment: the metadata and its digest are intact
    path.write_bytes(bytes(data))
    started = loader.head_start(folder)
    walk = started.walk
    assert walk is not None
    damaged = CorpusLoader(folder, head_start=started)
    same(damaged.result(), first)  # the segment's files are found by a walk here, and parsed
    assert 0 < damaged.parsed_files <= first.files
    assert not walk.unchanged  # closed unasked: the folder was walked here


def test_a_cached_index_decoded_in_the_background_gives_the_same_results(
    folder: Path, small_segments: None
) -> None:
    first = CorpusLoader(folder)
    built = SearchIndex.build(first.result().articles)
    first.save_cache(built)
    reused = CorpusLoader(folder).cached_index()
    assert reused is not None
    before = {q: hits(reused, q) for q in ("模型", '"模型 训练"', "title:文章", "-训练")}
    reused.keep_texts_decoded()
    for query, found in before.items():
        assert hits(reused, query) == found == hits(built, query)


def test_decoding_a_text_column_asks_whether_to_go_on_every_few_texts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The app's answer waits while keys are pressed: the decoding must ask often.
    import numpy as np

    monkeypatch.setattr(cache, "DECODE_STEP", 4)
    texts = [f"文本 {n}" for n in range(10)]
    encoded = [text.encode("utf-16-le") for text in texts]
    ends = np.cumsum([len(e) for e in encoded]).astype("<i8")
    chunk = (memoryview(b"".join(encoded)), ends.tolist(), "utf-16-le")
    column = cache.TextColumn([chunk, chunk])
    asked: list[int] = []

    def stop() -> bool:
        asked.append(len(asked))
        return len(asked) == 5  # in the second chunk

    column.decode_all(stop)
    assert len(asked) == 5  # three times for the first chunk's ten texts, twice in the second
    assert column._decoded[0] == texts and column._decoded[1] is None  # all of a chunk or none
    assert list(column) == texts * 2  # a chunk not kept is decoded text by text when read


def test_an_unchanged_folder_gets_its_date_order_from_the_cache(
    folder: Path, small_segments: None
) -> None:
    from tuireader.model.library import Library, newest_first

    first = CorpusLoader(folder)
    first.save_cache(SearchIndex.build(first.result().articles))
    again = CorpusLoader(folder)
    order = again.cached_date_order()
    expected = [a.id for a in newest_first(again.result().articles)]
    assert order == expected
    library = Library(again.result().articles)
    assert library.use_date_order(order)
    assert [a.id for a in library.ordered("date")] == expected
    assert not Library(again.result().articles[1:]).use_date_order(order)
    (folder / "part2" / "n2.md").write_text("# 改\n\n正文\n", "utf-8")
    assert CorpusLoader(folder).cached_date_order() is None


def test_workers_start_early_only_for_an_uncached_folder_that_needs_them(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    none = loader.head_start(folder)  # 45 files: parsed in this process
    assert none.workers is None and none.walk is None
    monkeypatch.setattr(loader, "POOL_MIN_FILES", 10)
    started = loader.head_start(folder)
    assert started.workers is not None and started.walk is None
    pids = {started.workers.submit(os.getpid).result() for _ in range(8)}
    assert os.getpid() not in pids
    early = CorpusLoader(folder, head_start=started)
    assert started.workers is None  # the loader's now
    same(early.result(), plain(folder))
    assert early.parsed_files == early.result().files
    early.save_cache()
    cached = loader.head_start(folder)  # cached now: its load decodes here, and walks here
    assert cached.workers is None and cached.walk is None


def test_a_large_cached_folder_is_walked_ahead_and_the_loader_uses_that_walk(
    folder: Path, small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    first = load_corpus(folder)
    (folder / "part1" / "n1.md").write_text("# 新的\n\n正文\n", "utf-8")
    monkeypatch.setattr(loader, "WALK_ELSEWHERE_FILES", 1)
    started = loader.head_start(folder)
    assert started.workers is None and started.walk is not None
    walks: list[object] = []
    monkeypatch.setattr(loader._WalkElsewhere, "__init__", lambda *args: walks.append(args))
    again = CorpusLoader(folder, workers=2, head_start=started)
    same(again.result(), plain(folder))
    assert walks == []  # no second walk was started
    assert again.parsed_files == 1 and again.cached_files == first.files - 1


def test_a_head_start_no_loader_took_is_closed(
    folder: Path, small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    load_corpus(folder)
    monkeypatch.setattr(loader, "WALK_ELSEWHERE_FILES", 1)
    started = loader.head_start(folder)
    walk = started.walk
    assert walk is not None and walk._pool is not None
    started.close()
    assert walk._pool is None and started.walk is None


def test_a_cached_index_takes_changes_like_a_built_one(folder: Path, small_segments: None) -> None:
    first = CorpusLoader(folder)
    articles = first.result().articles
    built = SearchIndex.build(articles)
    first.save_cache(built)
    reused = CorpusLoader(folder).cached_index()
    assert reused is not None
    edited = dataclasses.replace(articles[3], title="改過的標題", body="量子纠缠的新正文")
    added = dataclasses.replace(articles[0], id="new-one", title="新的一篇", body="量子纠缠")
    for index in (built, reused):
        index.add(edited)
        index.add(added)
        index.remove(articles[5].id)
        index.remove("no-such-id")
    for query in ("量子纠缠", "改过的标题", "模型", articles[5].title, "title:新的"):
        assert hits(reused, query) == hits(built, query)
    assert {h[0] for h in hits(reused, "量子纠缠")} == {edited.id, "new-one"}
    assert articles[5].id not in {h[0] for h in hits(reused, articles[5].title)}
