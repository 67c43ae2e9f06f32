"""Loading a folder in batches: cached files first, the others parsed on every core.

```
loader = CorpusLoader(root)
for batch in loader:          # LoadBatch: new entries and problems, files done / total
    show(batch.articles)
result = loader.result()      # the LoadResult, sorted as `load_corpus` sorts it
index = loader.cached_index() or SearchIndex.build(result.articles)
loader.save_cache(index)      # slow at 100k (seconds): call it after the UI is ready
```

Files whose stamp (size, mtime_ns, ctime_ns, inode) matches the cache are not read at all.
The others are read and parsed in worker processes (spawned, never forked: the app runs this
from a thread) in chunks, unless there are too few of them to pay for starting the processes.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from tuireader.corpus import cache
from tuireader.corpus.cache import CachedFile
from tuireader.corpus.cachefile import CacheFileError
from tuireader.corpus.parse import LoadResult, gc_paused, read_files
from tuireader.corpus.walk import FolderWalk, FoundFile, PackedWalk, Stamp, stamp_of, walk_folder
from tuireader.model.articles import Article, Problem
from tuireader.system.processes import quiet_worker, spawn_context

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex

POOL_MIN_FILES = 2000
"""Fewer files to parse than this are parsed in this process: a worker is slow to start next to
the cost of a file, so two workers only pay from about this many files on (bench/README.md)."""

CHUNK_FILES = 200
"""Files per task sent to a worker: small enough for steady progress, large enough to be cheap."""

WALK_ELSEWHERE_FILES = 20_000
"""From this many cached files on, the folder is walked by another process while this one
decodes the cache (on a thread they fought over the GIL and took longer than one after the
other; figures in bench/README.md)."""

FIRST_FILES = 100
"""On a cold start, this many files are parsed here as soon as the walk has found them, so that
the first titles show before a large folder is walked (a few tens of ms of parsing)."""


@dataclass(slots=True)
class LoadBatch:
    """Entries and problems that just became available, and how far loading is.

    `done` and `total` count article files; `from_cache` is true for the batch of files the
    cache answered. Entries of one batch are in no particular order.
    """

    articles: list[Article]
    problems: list[Problem]
    done: int
    total: int
    from_cache: bool = False


class _Parsed(NamedTuple):
    """One file's entries and problems. A tuple: a warm start at 100k makes 100k of them."""

    relative: str
    stamp: Stamp | None
    articles: list[Article]
    problems: list[Problem]


class CorpusLoader:
    """Loads one folder; iterate it for batches, then call `result()`.

    Not thread-safe: use it from one thread (the app's loading worker). Iterating it again after
    it finished yields nothing. `close()` (or leaving the iteration early) stops the workers.
    """

    def __init__(
        self,
        root: Path,
        *,
        use_cache: bool = True,
        workers: int | None = None,
        head_start: HeadStart | None = None,
    ) -> None:
        """`head_start`: processes started for this folder (`head_start`), taken over."""
        self.root = Path(root)
        self.use_cache = use_cache
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self._started, self._walk_elsewhere = head_start.take() if head_start else (None, None)
        self._records: dict[str, _Parsed] = {}
        self._scan_problems: list[Problem] = []
        self._skipped_other = 0
        self._files = 0
        self._parsed_count = 0
        self._cached_count = 0
        self._done = False
        self._pool_owner: _Parsing | None = None
        self._fingerprint: str | None = None
        self._cached_fingerprint: str | None = None
        self._cached_date_order: Callable[[], list[str] | None] = lambda: None
        self._index_cache: cache.IndexCache | None = None
        self._result: LoadResult | None = None
        self._cache_stale = False
        self._index_from_cache: SearchIndex | None = None

    # -- loading -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[LoadBatch]:
        if self._done:
            return
        batches = self._load()
        try:
            while True:
                with gc_paused():
                    batch = next(batches, None)
                if batch is None:
                    break
                yield batch
        finally:
            batches.close()
            self.close()
        self._done = True

    def _load(self) -> Generator[LoadBatch, None, None]:
        root = self.root
        articles_cache = cache.open_articles(root) if self.use_cache else None
        # The index cache is checked on another core while the articles decode, from the second
        # segment on: checking it beside the first one (GBs at 100k) delayed the first frame.
        open_index = self.use_cache
        # A walk started ahead is used even if the cache turns out unusable: it is the same list.
        walk: FolderWalk | _WalkElsewhere = self._walk_elsewhere or FolderWalk(root)
        cached: dict[str, CachedFile] = {}
        shown: set[str] = set()
        if articles_cache is not None:
            self._cached_fingerprint = articles_cache.fingerprint
            self._cached_date_order = articles_cache.date_order
            try:
                for number in range(len(articles_cache)):
                    segment = articles_cache.segment(number)
                    cached.update(segment)
                    if number == 0:
                        # The top of the sidebar, before the folder is walked: each file is
                        # stat'ed and shown only if it is the very version that was parsed.
                        fresh = [
                            _Parsed(relative, record.stamp, record.articles, _problems(record))
                            for relative, record in segment.items()
                            if stamp_of(root, relative) == record.stamp
                        ]
                        shown = {parsed.relative for parsed in fresh}
                        if fresh:
                            yield _batch(fresh, len(fresh), articles_cache.files, from_cache=True)
                        if open_index:
                            self._index_cache, open_index = cache.open_index(root), False
                        if (
                            isinstance(walk, FolderWalk)
                            and articles_cache.files >= WALK_ELSEWHERE_FILES
                            and self.workers > 1
                        ):
                            walk = _WalkElsewhere(root, articles_cache.files_digest)
                            self._walk_elsewhere = walk
            except CacheFileError:
                self._cache_stale = True  # damaged from here on: those files are parsed again
            finally:
                articles_cache.close()
        if open_index:
            self._index_cache = cache.open_index(root)
        expected = articles_cache.files if articles_cache is not None else 0
        whole = articles_cache is not None and not self._cache_stale and len(cached) == expected
        if isinstance(walk, _WalkElsewhere) and not (
            whole and articles_cache is not None and walk.expected == articles_cache.files_digest
        ):
            # It may answer "unchanged" for files this cache lacks (a damaged segment, another
            # cache than the one it was started for): this list is needed whole.
            walk.close()
            walk = FolderWalk(root)
        total = 0
        hits: list[_Parsed] = []
        missing: list[FoundFile] = []
        parsing = _Parsing(str(root), self.workers, self._started)
        self._started = None  # parsing's now
        self._pool_owner = parsing
        early = not shown  # a cold start shows the first files parsed, before the walk ends
        walk_progress = False
        # The walk comes after the decoding, not beside it on a thread: both need the GIL, and
        # together they took longer than one after the other (measured: bench/README.md).
        for files in walk:
            total += len(files)
            for found in files:
                record = cached.get(found.relative)
                if record is not None and found.stamp is not None and record.stamp == found.stamp:
                    if found.relative in shown:
                        self._records[found.relative] = _Parsed(
                            found.relative, found.stamp, record.articles, _problems(record)
                        )
                    else:
                        hits.append(
                            _Parsed(found.relative, found.stamp, record.articles, _problems(record))
                        )
                else:
                    missing.append(found)
            if early and len(missing) >= FIRST_FILES:
                early = False
                chunk = _parsed(read_files(str(root), missing[:FIRST_FILES]))
                del missing[:FIRST_FILES]
                yield self._parsed_batch(chunk, max(total, expected))
                walk_progress = True
            parsing.submit_full_chunks(missing, queued=len(missing) + self._parsed_count)
            if walk_progress:
                # Once the first titles are out, a batch of no entries after each folder: the
                # walk holds the GIL, and this lets a caller pause it while those titles are
                # drawn (without a pause, a large folder's first frame came measurably later).
                done = self._cached_count + self._parsed_count
                yield LoadBatch([], [], done, max(total, expected))
        if isinstance(walk, _WalkElsewhere) and walk.unchanged:
            # Every file is the very one cached, and no other is there: nothing to compare.
            total = len(cached)
            for relative, record in cached.items():
                parsed = _Parsed(relative, record.stamp, record.articles, _problems(record))
                if relative in shown:
                    self._records[relative] = parsed
                else:
                    hits.append(parsed)
        self._scan_problems = walk.problems
        self._skipped_other = walk.skipped_other
        self._files = total
        confirmed = len(shown & self._records.keys())
        self._cache_stale = self._cache_stale or len(cached) != len(hits) + confirmed
        del cached
        self._cached_count = len(hits) + confirmed
        for parsed in hits:
            self._records[parsed.relative] = parsed
        yield LoadBatch(
            [a for p in hits for a in p.articles],
            [*walk.problems, *(q for p in hits for q in p.problems)],
            self._cached_count + self._parsed_count,
            total,
            from_cache=True,
        )
        for chunk in parsing.finish(missing):
            yield self._parsed_batch(chunk, total)

    def _parsed_batch(self, chunk: list[_Parsed], total: int) -> LoadBatch:
        for parsed in chunk:
            self._records[parsed.relative] = parsed
        self._parsed_count += len(chunk)
        done = self._cached_count + self._parsed_count
        return _batch(chunk, done, total)

    def close(self) -> None:
        """Stop the worker processes, if any (queued chunks are dropped)."""
        if self._pool_owner is not None:
            self._pool_owner.close()
        if self._walk_elsewhere is not None:
            self._walk_elsewhere.close()
        if self._started is not None:
            self._started.shutdown(wait=False, cancel_futures=True)

    # -- results -----------------------------------------------------------------------------

    def result(self) -> LoadResult:
        """Everything loaded, as `load_corpus` returns it (runs the loading if not done yet)."""
        if self._result is None:
            for _batch in self:
                pass
        if self._result is None:
            with gc_paused():
                self._result = self._collect()
        return self._result

    def _collect(self) -> LoadResult:
        articles = _by_path_and_line(self._records.values())
        problems = [*self._scan_problems, *(q for p in self._records.values() for q in p.problems)]
        problems.sort(key=attrgetter("path"))
        return LoadResult(self.root, articles, problems, self._files, self._skipped_other)

    def file_stamps(self) -> dict[str, Stamp | None]:
        """Each article file loaded, by its path relative to the root with `/` separators (as
        the watcher names it), with its stamp as the walk found it."""
        self.result()  # the records are complete once the loading ran
        records = self._records
        if os.sep == "/":
            return {relative: parsed.stamp for relative, parsed in records.items()}
        return {relative.replace(os.sep, "/"): parsed.stamp for relative, parsed in records.items()}

    @property
    def cached_files(self) -> int:
        """How many files the cache answered."""
        return self._cached_count

    @property
    def parsed_files(self) -> int:
        """How many files were read and parsed."""
        return self._parsed_count

    def fingerprint(self) -> str:
        """Identifies the loaded article list (ids in order and their files' stamps)."""
        result = self.result()
        if self._fingerprint is None:
            if not self._parsed_count and not self._cache_stale and self._cached_fingerprint:
                # Every file is the very one the cache holds, and nothing else is there: the
                # list is the one the cache was saved from (no hashing of every path again).
                self._fingerprint = self._cached_fingerprint
            else:
                self._fingerprint = cache.fingerprint(
                    (article.id for article in result.articles),
                    ((parsed.relative, parsed.stamp) for parsed in self._records.values()),
                )
        return self._fingerprint

    def cached_date_order(self) -> list[str] | None:
        """Ids of every entry in the sidebar's date order, if the cache knows it for this list.

        Known when every file is the very one the cache holds and nothing else is there.
        """
        self.result()
        if self._parsed_count or self._cache_stale:
            return None
        return self._cached_date_order()

    def cached_index(self) -> SearchIndex | None:
        """The search index from the cache, if it was built from exactly these articles."""
        if not self.use_cache:
            return None
        result = self.result()
        opened = self._index_cache
        if opened is None:
            return None
        with gc_paused():
            parts = opened.parts(self.fingerprint())
        if parts is None:
            return None
        from tuireader.search.index import SearchIndex  # numpy and OpenCC: not needed by workers

        try:
            self._index_from_cache = SearchIndex.from_parts(result.articles, *parts)
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        return self._index_from_cache

    def save_cache(self, index: SearchIndex | None = None) -> None:
        """Save the parsed files (if any was parsed) and `index` (built from `result()`).

        Best effort and silent: a cache that cannot be written is just not there next time.
        Takes seconds at 100k articles; call it from a worker, after the UI is ready.
        """
        if not self.use_cache:
            return
        self.result()
        if self._parsed_count or self._cache_stale:
            records = {
                p.relative: CachedFile(
                    p.stamp, p.articles, [(q.path, q.reason) for q in p.problems]
                )
                for p in self._records.values()
                if p.stamp is not None and _cacheable(p)
            }
            cache.write_articles(self.root, records, self.fingerprint())
        if index is not None and index is not self._index_from_cache:
            parts = index.to_parts()
            if parts is not None:
                cache.write_index_parts(self.root, self.fingerprint(), *parts)


class _WalkElsewhere:
    """A `FolderWalk` run by a worker process; iterate it for its result (or a walk here).

    `expected`: the `files_digest` of the cache. When the folder holds exactly those files, the
    iteration yields nothing and sets `unchanged`.
    """

    def __init__(self, root: Path, expected: str | None) -> None:
        self.root = root
        self.expected = expected
        self.problems: list[Problem] = []
        self.skipped_other = 0
        self.unchanged = False
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[PackedWalk] | None
        try:
            self._pool = ProcessPoolExecutor(
                1, mp_context=spawn_context(), initializer=quiet_worker, initargs=(os.getpid(),)
            )
            self._future = self._pool.submit(walk_folder, str(root), expected)
        except (OSError, ValueError, RuntimeError):
            self._future = None

    def __iter__(self) -> Iterator[list[FoundFile]]:
        try:
            if self._future is None:
                raise RuntimeError("no worker")
            packed = self._future.result()
            files = packed.files()
            self.problems, self.skipped_other = packed.problems, packed.skipped_other
            self.unchanged = packed.unchanged
            if files:
                yield files
        except Exception:  # the worker could not start or died: walk here
            walk = FolderWalk(self.root)
            yield from walk
            self.problems, self.skipped_other = walk.problems, walk.skipped_other
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class _Parsing:
    """Parses the files the cache could not answer: here, or on worker processes.

    Workers are started once enough files to parse have been found to pay for them (a worker
    takes 0.2-0.3 s to start), while the folder is still being walked, so that they are busy by
    the time the walk ends.
    """

    def __init__(self, root: str, workers: int, started: ProcessPoolExecutor | None) -> None:
        self.root = root
        self.workers = workers
        self.pool = started
        self.submitted: dict[Future[_Results], list[FoundFile]] = {}
        self._no_pool = workers < 2

    def submit_full_chunks(self, missing: list[FoundFile], queued: int) -> None:
        """Hand full chunks of `missing` to workers (taking them out of it), once `queued`, the
        number of files to parse seen so far, says workers are worth starting."""
        if self.pool is None and (self._no_pool or queued < POOL_MIN_FILES or not self._start()):
            return
        assert self.pool is not None
        while len(missing) >= CHUNK_FILES:
            chunk = missing[:CHUNK_FILES]
            del missing[:CHUNK_FILES]
            self.submitted[self.pool.submit(read_files, self.root, chunk)] = chunk

    def finish(self, missing: list[FoundFile]) -> Iterator[list[_Parsed]]:
        """Parse the rest: `missing` and the chunks handed to workers, yielded as they are done."""
        chunks = [missing[i : i + CHUNK_FILES] for i in range(0, len(missing), CHUNK_FILES)]
        started_now = self.pool is None and len(missing) >= POOL_MIN_FILES and chunks
        if self.pool is None and not (started_now and not self._no_pool and self._start()):
            for chunk in chunks:
                yield _parsed(read_files(self.root, chunk))
            chunks = []
        if started_now and chunks:
            # Workers need a moment to start: this process parses the first chunk meanwhile.
            first = chunks.pop(0)
            self._submit(chunks)
            yield _parsed(read_files(self.root, first))
        else:
            self._submit(chunks)
        pending = set(self.submitted)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    results = future.result()
                except Exception:
                    # A worker died (killed, out of memory, or a script without the
                    # `if __name__ == "__main__":` guard that spawned workers need): parse here.
                    results = read_files(self.root, self.submitted[future])
                yield _parsed(results)

    def _submit(self, chunks: list[list[FoundFile]]) -> None:
        if self.pool is not None:
            for chunk in chunks:
                self.submitted[self.pool.submit(read_files, self.root, chunk)] = chunk

    def _start(self) -> bool:
        """Start the worker processes; False (and parsing stays here) if that is not possible."""
        self.pool = _worker_pool(self.workers)
        self._no_pool = self.pool is None
        return self.pool is not None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


_Results = list[tuple[FoundFile, list[Article], list[Problem]]]


def _worker_pool(workers: int) -> ProcessPoolExecutor | None:
    try:
        # Workers import only `tuireader.corpus.parse` (and what it needs) to start fast.
        return ProcessPoolExecutor(
            workers, mp_context=spawn_context(), initializer=quiet_worker, initargs=(os.getpid(),)
        )
    except (OSError, ValueError, RuntimeError):
        return None


def load_corpus(
    root: Path,
    *,
    use_cache: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load every article file under `root` (hidden folders and files are left out).

    Entries are sorted by (path, line). Never raises for a problem with a file or subfolder, and
    never writes inside `root`. With `use_cache`, parsed files are reused from (and saved to) the
    cache in the user's cache directory (`cache`); files that missed it are parsed by `workers`
    processes (default: one per core) when there are enough of them to be worth it.
    `progress(done, total)` is called as files are loaded. See `CorpusLoader` for
    loading in batches.
    """
    loader = CorpusLoader(root, use_cache=use_cache, workers=workers)
    for batch in loader:
        if progress is not None:
            progress(batch.done, batch.total)
    result = loader.result()
    if use_cache:
        loader.save_cache()
    return result


@dataclass(slots=True)
class HeadStart:
    """Processes started for loading a folder before its `CorpusLoader` exists: see `head_start`.

    Hand it to that loader, which takes them over; `close()` stops them if no loader ever does.
    """

    workers: ProcessPoolExecutor | None = None
    walk: _WalkElsewhere | None = None
    cached: bool = False
    """The folder has a load cache: its first titles can be read before the interface exists."""

    def take(self) -> tuple[ProcessPoolExecutor | None, _WalkElsewhere | None]:
        """The processes, for the loader (they are no longer this one's to close)."""
        taken = self.workers, self.walk
        self.workers = self.walk = None
        return taken

    def close(self) -> None:
        workers, walk = self.take()
        if workers is not None:
            workers.shutdown(wait=False, cancel_futures=True)
        if walk is not None:
            walk.close()


def head_start(root: Path) -> HeadStart:
    """Start now the processes that loading `root` will need, if any.

    For a command that has yet to import its UI: a process takes 0.2-0.3 s to start, and Textual's
    import leaves the other core idle for about as long. A large cached folder needs its walk
    (WALK_ELSEWHERE_FILES), which then runs during the import; a folder with no cache needs
    parsing workers if it holds at least POOL_MIN_FILES article files (the walk that counts them
    stops there, ~15 ms).
    """
    if (os.cpu_count() or 1) < 2:
        return HeadStart()
    cached = cache.articles_cached(root)
    if cached is not None:
        large = cached.files >= WALK_ELSEWHERE_FILES
        walk = _WalkElsewhere(root, cached.digest) if large else None
        return HeadStart(walk=walk, cached=True)
    found = 0
    for files in FolderWalk(root):
        found += len(files)
        if found >= POOL_MIN_FILES:
            break
    else:
        return HeadStart()
    workers = os.cpu_count() or 1
    pool = _worker_pool(workers)
    if pool is not None:
        for _ in range(workers):
            pool.submit(os.getpid)  # the processes start on demand: one each
    return HeadStart(workers=pool)


def _by_path_and_line(parsed: Iterable[_Parsed]) -> list[Article]:
    """Every entry, sorted by (path, line): by file where it can (a file's entries share its
    path, in line order), since sorting every entry held the GIL long enough to stall the UI."""
    records = [p.articles for p in parsed if p.articles]
    paths = [articles[0].path for articles in records]
    order = sorted(range(len(paths)), key=paths.__getitem__)  # C comparisons of strings only
    result = list(itertools.chain.from_iterable(map(records.__getitem__, order)))
    several = [articles for articles in records if len(articles) > 1]  # listings
    if len(set(paths)) < len(paths) or not all(map(_lines_ascend, several)):
        # Two files shown under one path (their names differ in normalization or controls
        # only), or a file's entries out of order: the entries themselves are sorted.
        result.sort(key=attrgetter("path", "line"))
    return result


def _lines_ascend(articles: list[Article]) -> bool:
    return all(a.line < b.line for a, b in itertools.pairwise(articles))


def _problems(record: CachedFile) -> list[Problem]:
    if not record.problems:  # most files: no call to the comprehension
        return []
    return [Problem(path, reason) for path, reason in record.problems]


def _batch(chunk: list[_Parsed], done: int, total: int, *, from_cache: bool = False) -> LoadBatch:
    return LoadBatch(
        [a for p in chunk for a in p.articles],
        [q for p in chunk for q in p.problems],
        done,
        total,
        from_cache=from_cache,
    )


def _cacheable(parsed: _Parsed) -> bool:
    # A read failure (permission, vanished, FIFO) may be gone next time without the stamp
    # changing much; only parses of files that were actually read are kept.
    return bool(parsed.articles) or all(
        q.reason.startswith("skipped: binary") or not q.reason.startswith("skipped:")
        for q in parsed.problems
    )


def _parsed(results: list[tuple[FoundFile, list[Article], list[Problem]]]) -> list[_Parsed]:
    return [
        _Parsed(found.relative, found.stamp, articles, problems)
        for found, articles, problems in results
    ]
