"""The start-up load as events: the interface only consumes them.

    driver = LoadDriver(root)
    for event in driver.events(stopped=worker_is_cancelled, pause=wait_for_idle):
        post(event)   # LoadProgress, LoadDone, IndexReady

The driver runs in a thread of its own. Between events it does what belongs to no screen: it
keeps the cyclic GC out of the loading, imports the index's modules while the workers parse,
waits for the first titles to be drawn, builds the index (or maps it from the cache), saves the
cache, and decodes a cached index's texts while the user is not typing.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuireader.corpus.loader import CorpusLoader, HeadStart
from tuireader.corpus.parse import LoadResult, gc_paused, parse_stream_bytes, read_files
from tuireader.corpus.walk import FoundFile, Stamp
from tuireader.model.articles import Article
from tuireader.model.library import Library
from tuireader.search.normalize import load_dictionaries

if TYPE_CHECKING:
    from tuireader.search.index import SearchIndex  # numpy: imported while the workers parse

PROGRESS_EVERY = 0.25
"""Seconds between progress events while a big folder loads."""
FIRST_FRAME_WAIT = 0.3
"""At most this long (seconds), loading pauses after the first titles so that they are drawn:
the folder walk and the screen share the GIL, and the walk would take half of it."""


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """How far loading is; with `partial`, the first titles to list (sorted off the UI)."""

    done: int
    total: int
    partial: Library | None = None
    drawn: threading.Event | None = None
    """With `partial`: the consumer sets it once those titles are on screen."""


@dataclass(frozen=True, slots=True)
class LoadDone:
    """Every article, in a library already ordered by date."""

    result: LoadResult
    library: Library
    stamps: dict[str, Stamp | None]
    """The load's view of the folder (`CorpusLoader.file_stamps`): what differs from it once
    the watcher runs is a change the watcher did not see."""


@dataclass(frozen=True, slots=True)
class IndexReady:
    """The search index over every article of `LoadDone`."""

    index: SearchIndex


LoadEvent = LoadProgress | LoadDone | IndexReady

STDIN_NAME = "stdin"
"""What an article read from stdin is called (its path, for the status line and problems)."""


@dataclass(frozen=True, slots=True)
class SingleSource:
    """One article read on its own, without walking a folder: a file, or bytes from stdin."""

    name: str
    """The file's name in `folder`, or `STDIN_NAME`."""
    folder: Path | None = None
    """The file's folder (the file is read again at each load); None for `data`."""
    data: bytes = b""
    """What stdin held (read once, never written anywhere)."""
    truncated: bool = False
    """`data` was cut at the size limit."""

    @property
    def is_stdin(self) -> bool:
        return self.folder is None

    def load(self) -> LoadResult:
        """The article(s) of this source, with its problems, as a folder's load gives them."""
        if self.folder is None:
            articles, problems = parse_stream_bytes(self.name, self.data, truncated=self.truncated)
            return LoadResult(Path(self.name), articles, problems, 1, 0)
        ((_, articles, problems),) = read_files(str(self.folder), [FoundFile(self.name, None)])
        return LoadResult(self.folder, articles, problems, 1, 0)


class LoadDriver:
    """Loads one folder once: `events()` yields what the interface shows, in order."""

    def __init__(
        self, root: Path, *, use_cache: bool = True, head_start: HeadStart | None = None
    ) -> None:
        """`head_start`: processes already started for this folder (`loader.head_start`)."""
        self.root = root
        self._loader = CorpusLoader(root, use_cache=use_cache, head_start=head_start)
        self.loaded: list[Article] = []
        """What is loaded so far, for a plain scan until the index is ready: only appended to,
        so a reader that takes its length first may read up to it from another thread."""
        self._stopped: Callable[[], bool] = lambda: False
        self._pause: Callable[[], bool] | None = None
        self._steps: Generator[LoadEvent, None, None] | None = None
        self._early: threading.Thread | None = None
        self._early_event: LoadEvent | None = None
        self._early_error: BaseException | None = None

    def start_early(self) -> None:
        """Run the load up to its first event now, on a thread: for a command setting up its
        interface, so that the first titles of a cached folder are ready when its screen mounts
        and are in the first frame it draws (`first_titles`)."""
        if self._steps is not None:
            return
        self._steps = self._run()

        def first_step() -> None:
            assert self._steps is not None
            try:
                self._early_event = next(self._steps, None)
            except BaseException as error:  # raised again by `events`, in its consumer
                self._early_error = error

        self._early = threading.Thread(target=first_step, name="first-titles", daemon=True)
        self._early.start()

    def first_titles(self, wait: float) -> LoadProgress | LoadDone | None:
        """The first titles `start_early` read, if they are ready within `wait` seconds: a
        part of the folder (`LoadProgress` with `partial`), or all of a small one (`LoadDone`).
        Taken: `events` will not yield them again. None if not started or not ready."""
        if self._early is None:
            return None
        self._early.join(wait)
        event = self._early_event
        if self._early.is_alive() or not isinstance(event, LoadProgress | LoadDone):
            return None
        if isinstance(event, LoadProgress) and event.partial is None:
            return None
        self._early_event = None
        return event

    def events(
        self, stopped: Callable[[], bool], pause: Callable[[], bool] | None = None
    ) -> Iterator[LoadEvent]:
        """Load, index and cache the folder, yielding each step for the interface (from where
        `start_early` and `first_titles` left it).

        `stopped()` is asked between batches (the consumer was cancelled: stop quietly).
        `pause()`, for the background decoding after the index is ready, waits until the user is
        idle and returns True to stop. The cache is closed whatever happens.
        """
        self._stopped, self._pause = stopped, pause
        # On a thread of its own: OpenCC's dictionaries load on the other core (its C API leaves
        # the GIL free; see `opencc_native`), and the first search needs them. Started here,
        # once the screen takes the load over, not in `start_early`: the first frame comes first.
        threading.Thread(target=load_dictionaries, name="opencc", daemon=True).start()
        if self._steps is None:
            self._steps = self._run()
        steps = self._steps
        try:
            if self._early is not None:
                self._early.join()
                if self._early_error is not None:
                    raise self._early_error
                if self._early_event is not None:
                    yield self._early_event
                    self._early_event = None
            yield from steps
        finally:
            steps.close()

    def close(self) -> None:
        """Stop a load whose events nobody consumed (a head start no screen took over)."""
        self._stopped = lambda: True  # an early start still loading stops at its next batch
        if self._early is not None:
            self._early.join()
        self._early_event = None
        if self._steps is not None:
            self._steps.close()
        self._loader.close()

    def _run(self) -> Generator[LoadEvent, None, None]:

        def stopped() -> bool:  # the consumer's, once it has one (`start_early` has none)
            return self._stopped()

        loader = self._loader
        # The cyclic GC would walk every article loaded so far on each full pass; the records
        # hold no cycles, so it waits until loading is done.
        with gc_paused():
            try:
                result = yield from self._batches(loader, stopped)
                if result is None:
                    return
                library = Library(result.articles)
                if (order := loader.cached_date_order()) is not None:
                    library.use_date_order(order)
                yield LoadDone(result, library, loader.file_stamps())
                from tuireader.search.index import SearchIndex  # numpy: not for the first frame

                index = loader.cached_index() or SearchIndex.build(
                    result.articles, finish_later=True
                )
                if stopped():
                    return
                yield IndexReady(index)
                index.finish()
                # Articles and postings live as long as the app: keep the cyclic GC from walking
                # them again on every full collection.
                gc.freeze()
                loader.save_cache(index)
                index.keep_texts_decoded(self._pause or stopped)
            finally:
                loader.close()

    def _batches(
        self, loader: CorpusLoader, stopped: Callable[[], bool]
    ) -> Generator[LoadProgress, None, LoadResult | None]:
        """The loader's batches as progress; returns everything loaded (None if stopped).

        The first titles come once, from the first batch; later batches only move the progress
        (listing everything loaded so far each time would be quadratic).
        """
        loaded = self.loaded
        shown_at = 0.0
        titles_shown = False
        drawn: threading.Event | None = None
        for batch in loader:
            if stopped():
                return None
            if drawn is not None:  # the first titles are being drawn: let them be
                drawn.wait(FIRST_FRAME_WAIT)
                drawn = None
                if not batch.from_cache:
                    # The index will be built: its modules (numpy among them) are imported now,
                    # while this thread mostly waits for the workers, rather than after the
                    # loading, when nothing else runs beside that import.
                    threading.Thread(
                        target=importlib.import_module,
                        args=("tuireader.search.index",),
                        name="import-search",
                        daemon=True,
                    ).start()
            loaded.extend(batch.articles)
            if batch.done == batch.total:
                continue  # the full list follows at once, built a single time
            if not titles_shown and loaded:
                titles_shown = True
                partial = Library(loaded)
                partial.ordered("date")  # sorted here, off the event loop
                drawn = threading.Event()
                yield LoadProgress(batch.done, batch.total, partial, drawn)
            elif time.monotonic() - shown_at > PROGRESS_EVERY:
                shown_at = time.monotonic()
                yield LoadProgress(batch.done, batch.total)
        return loader.result()


class SingleDriver:
    """`LoadDriver`'s events for one `SingleSource`: no walk, no cache, no progress."""

    def __init__(self, source: SingleSource) -> None:
        self.source = source
        self.loaded: list[Article] = []

    def events(
        self, stopped: Callable[[], bool], pause: Callable[[], bool] | None = None
    ) -> Iterator[LoadEvent]:
        """Read and parse the source, then index it; `stopped` as for `LoadDriver.events`."""
        result = self.source.load()
        self.loaded.extend(result.articles)
        yield LoadDone(result, Library(result.articles), {})
        from tuireader.search.index import SearchIndex  # numpy: not for the first frame

        if not stopped():
            yield IndexReady(SearchIndex.build(result.articles))
