"""The load driver's early start: a cached folder's first titles before the interface exists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.test_loader import make_folder
from tuireader.corpus import cache, loader
from tuireader.session.loading import IndexReady, LoadDone, LoadDriver, LoadEvent, LoadProgress


def consume(driver: LoadDriver) -> list[LoadEvent]:
    return list(driver.events(stopped=lambda: False))


@pytest.fixture(autouse=True)
def small_first_segment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache's first segment is what is listed before the folder is walked: smaller than the
    # folder, so that the first titles are a part of it (as in a real folder of thousands).
    monkeypatch.setattr(cache, "FIRST_SEGMENT_FILES", 5)
    monkeypatch.setattr(cache, "SEGMENT_FILES", 10)


def cached_folder(tmp_path: Path) -> Path:
    folder = make_folder(tmp_path / "corpus")
    consume(LoadDriver(folder))  # writes the load cache
    return folder


def test_an_early_start_has_the_first_titles_ready_and_the_load_goes_on_from_there(
    tmp_path: Path,
) -> None:
    folder = cached_folder(tmp_path)
    started = loader.head_start(folder)
    assert started.cached
    driver = LoadDriver(folder, head_start=started)
    driver.start_early()
    first = driver.first_titles(wait=10)
    assert isinstance(first, LoadProgress) and first.partial is not None
    assert first.drawn is not None
    first.drawn.set()  # as the screen does once they are drawn
    assert driver.first_titles(wait=0) is None  # taken once
    events = consume(driver)
    # The titles already taken are not given again; the rest of the load follows as usual.
    assert not any(isinstance(e, LoadProgress) and e.partial is not None for e in events)
    done = [e for e in events if isinstance(e, LoadDone)]
    assert len(done) == 1 and isinstance(events[-1], IndexReady)
    assert set(first.partial.articles) <= set(done[0].library.articles)
    fresh = [e for e in consume_fresh(folder) if isinstance(e, LoadDone)]
    assert done[0].result.articles == fresh[0].result.articles


def test_a_small_cached_folder_is_ready_whole_after_an_early_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "FIRST_SEGMENT_FILES", 300)  # the whole folder in one segment
    folder = cached_folder(tmp_path)
    driver = LoadDriver(folder, head_start=loader.head_start(folder))
    driver.start_early()
    first = driver.first_titles(wait=10)
    assert isinstance(first, LoadDone)
    fresh = next(e for e in consume_fresh(folder) if isinstance(e, LoadDone))
    assert first.library.articles == fresh.library.articles
    events = consume(driver)
    assert [type(e) for e in events] == [IndexReady]


def consume_fresh(folder: Path) -> list[LoadEvent]:
    return consume(LoadDriver(folder))


def test_without_an_early_start_the_first_titles_come_as_the_first_event(tmp_path: Path) -> None:
    folder = cached_folder(tmp_path)
    driver = LoadDriver(folder)
    assert driver.first_titles(wait=0) is None
    events = consume(driver)
    assert isinstance(events[0], LoadProgress) and events[0].partial is not None


def test_an_error_in_the_early_start_reaches_the_consumer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = cached_folder(tmp_path)
    driver = LoadDriver(folder)

    def broken() -> Iterator[LoadEvent]:
        raise OSError("disk gone")
        yield  # a generator, as the real steps are

    monkeypatch.setattr(driver, "_run", broken)
    driver.start_early()
    assert driver.first_titles(wait=10) is None
    with pytest.raises(OSError, match="disk gone"):
        consume(driver)


def test_a_driver_nobody_consumed_is_closed_and_gives_nothing_after(tmp_path: Path) -> None:
    folder = cached_folder(tmp_path)
    driver = LoadDriver(folder, head_start=loader.head_start(folder))
    driver.start_early()
    driver.close()  # the app ended before its screen took the load over
    assert driver.first_titles(wait=0) is None
    assert consume(driver) == []
    driver.close()  # twice is harmless
