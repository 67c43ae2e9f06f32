"""Startup, memory, sidebar and large-article benchmark of tuireader against plain Textual.

Run: uv run python bench/startup_bench.py [--sizes 10000,100000] [--runs 3] [--work DIR]

Every measurement runs in its own subprocess (so peak memory is its own, and start-up includes
the interpreter and the imports). Folders are generated once under --work (default: a folder
in the system temp dir, outside the repo) and reused; caches live there too, never in the
user's cache dir. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_gen import SEED, generate, markdown_file, seed_sentences

FILES_PER_FOLDER = 500
SCREEN = (120, 40)
TIMEOUT = 900.0


# --- synthetic folders ----------------------------------------------------------------------------


def generate_folder(root: Path, size: int) -> None:
    """Write `size` Markdown articles of about DOC_BYTES bytes under `root` (deterministic).

    The text is the search benchmark's (recombined seed sentences, a quarter Traditional), with
    YAML frontmatter (title, date, tags), 500 files per subfolder.
    """
    for article in generate(size):
        number = article.number
        folder = root / f"{number // FILES_PER_FOLDER:04d}"
        if number % FILES_PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{number:06d}.md").write_text(markdown_file(article), "utf-8")


def ensure_folder(work: Path, size: int) -> Path:
    root = work / f"corpus-{size}"
    done = root / ".complete"
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {size} articles in {root}", file=sys.stderr)
        generate_folder(root, size)
        done.write_text("ok")
    return root


LARGE_BYTES = 1_000_000


def large_articles() -> dict[str, str]:
    """Five 1 MB Markdown articles: many paragraphs, one giant paragraph, a 4,000-row table,
    a solutions page of highlighted code blocks, and HTML in Markdown (details, tables)."""
    rng = random.Random(SEED)
    sentences = seed_sentences()

    def text(size: int, joiner: str) -> str:
        parts, length = [], 0
        while length < size:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            length += len(sentence.encode()) + len(joiner)
        return joiner.join(parts)

    paragraphs = "\n\n".join(text(600, " ") for _ in range(LARGE_BYTES // 600))
    giant = text(LARGE_BYTES, " ").replace("\n", " ")
    rows = ["| # | 标题 | 说明 |", "|---|---|---|"]
    for number in range(4000):
        rows.append(f"| {number} | {text(60, ' ')[:30]} | {text(200, ' ')[:80]} |")
    code, html = [], []
    for number in range(LARGE_BYTES // 230):
        code.append(
            f"第 {number} 个解法：\n\n```python\ndef solve_{number}(nums: list[int]) -> int:\n"
            f"    seen = {{}}  # {text(40, ' ')[:20]}\n    for i, n in enumerate(nums):\n"
            "        if n in seen:\n            return seen[n]\n    return -1\n```\n"
        )
    for number in range(LARGE_BYTES // 200):
        html.append(
            f"<details>\n<summary>第 {number} 节</summary>\n\n{text(60, ' ')[:30]} <b>粗体</b> "
            f'<a href="https://h.example/{number}">链接</a><br>下一行\n\n</details>\n\n'
            f"<table><tr><td>{number}</td><td>值</td></tr></table>\n"
        )
    return {
        "paragraphs": "# 很多段落\n\n" + paragraphs + "\n",
        "giant": "# 一个巨大的段落\n\n" + giant + "\n",
        "table": "# 四千行的表格\n\n" + "\n".join(rows) + "\n",
        "code": "# 代码\n\n" + "\n".join(code),
        "html": "# HTML\n\n" + "\n".join(html),
    }


# --- children: each prints one JSON line ----------------------------------------------------------


class _DescendantMemory:
    """The largest peak RSS (VmHWM) of the helper processes under a process, sampled every 20 ms.

    Sampled from the benchmark's parent, not from the measured process: a sampling thread in the
    app took the GIL 50 times a second (~7 % of its samples under py-spy). `ru_maxrss` of the
    children would count the pages a child shared with its parent between vfork and exec (the
    folder watcher starts when the app holds ~2 GB), which it never used.
    """

    def __init__(self, pid: int) -> None:
        self.peak_kb = 0
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for pid in _descendants(self._pid):
                try:
                    # Only once it runs Python's multiprocessing: between vfork and exec a
                    # child still shares its parent's memory, and its VmHWM is the parent's.
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        if b"multiprocessing" not in cmdline.read():
                            continue
                    with open(f"/proc/{pid}/status") as status:
                        for line in status:
                            if line.startswith("VmHWM:"):
                                self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except (OSError, ValueError):
                    continue  # it ended meanwhile

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    parents = [pid]
    while parents:
        parent = parents.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as children:
                    kids = [int(kid) for kid in children.read().split()]
            except (OSError, ValueError):
                continue
            found += kids
            parents += kids
    return found


def _peaks() -> dict[str, float]:
    """Peak memory and CPU time of this process and of its children (the loader's workers).

    The workers' peak memory is sampled by the parent (`run_child`).
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "peak_mb": own.ru_maxrss / 1024,
        "cpu_s": own.ru_utime + own.ru_stime,
        "workers_cpu_s": children.ru_utime + children.ru_stime,
    }


def _run(run: Callable[[], Any], marks: dict[str, Any]) -> None:
    """Run a headless app; an error while it shuts down is noted, not fatal (figures are in)."""
    try:
        asyncio.run(run())
    except Exception as error:
        if "search_ready" not in marks and "open_s" not in marks and "fill_s" not in marks:
            raise
        marks["exit_error"] = f"{type(error).__name__}: {error}"


async def _wait(condition: Callable[[], bool], interval: float = 0.005, app: Any = None) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        if app is not None and not app.is_running:
            raise RuntimeError(f"the app stopped (return code {app.return_code})")
        await asyncio.sleep(interval)


def _first_paint(widget: type[Any], has_titles: Callable[[Any], bool]) -> dict[str, float]:
    """Record when `widget` first draws a line while it holds titles: the first frame.

    The compositor calls `render_line` to build each frame, so this is when the titles are on
    screen (a real terminal gets the frame right after). Waiting with `pilot.pause()` instead
    measured the Pilot: it waits until the process is idle, up to 1 s, and a loading thread
    keeps it busy.
    """
    painted: dict[str, float] = {}
    original = widget.render_line

    def render_line(self: Any, y: int) -> Any:
        if "at" not in painted and has_titles(self):
            painted["at"] = time.time()
        return original(self, y)

    widget.render_line = render_line
    return painted


def child_app(folder: str) -> dict[str, Any]:
    """The real app, headless: launch → first frame with titles → the index is ready."""
    from tuireader.cli import open_app  # as the command opens it (workers may start first)

    app = open_app(Path(folder))
    imported = time.time()
    from tuireader.ui.widgets.article_list import ArticleList

    marks: dict[str, Any] = {"imported": imported}
    painted = _first_paint(ArticleList, lambda sidebar: bool(sidebar.rows))

    beat = _Heartbeat()

    async def run() -> None:
        async with app.run_test(size=SCREEN):
            sidebar = app.query_one(ArticleList)
            await _wait(lambda: "at" in painted, app=app)
            marks["first_frame"] = painted["at"]
            marks["rows_at_first_frame"] = len(sidebar.rows)
            # From the first frame on, keys must work: the longest event-loop stall until
            # search-ready (a 10 ms timer, as for the large articles).
            app.set_interval(0.01, beat.tick)
            beat.reset()
            await _wait(lambda: app.session.load_result is not None, 0.01, app)
            marks["loaded"] = time.time()
            await _wait(lambda: app.session.index is not None, 0.01, app)
            marks["search_ready"] = time.time()
            marks["loading_stall_ms"] = beat.longest * 1000
            marks["rows"] = len(sidebar.rows)
            # What the loading thread does after (finishing the index, saving the cache) counts
            # for memory and for stalls, not for time.
            beat.reset()
            await _wait(lambda: not any(w.group == "load" for w in app.workers), 0.01)
            marks["after_ready_stall_ms"] = beat.longest * 1000

    _run(run, marks)
    return {**marks, **_peaks()}


def child_core(folder: str) -> dict[str, Any]:
    """The core alone, as the app is meant to call it: batches, then the index, then the cache."""
    from tuireader.corpus.loader import CorpusLoader
    from tuireader.search.index import SearchIndex

    marks: dict[str, Any] = {"imported": time.time()}
    loader = CorpusLoader(Path(folder))
    for batch in loader:
        if batch.articles and "first_frame" not in marks:
            marks["first_frame"] = time.time()  # the first titles the UI could show
    result = loader.result()
    marks["loaded"] = time.time()
    index = loader.cached_index()
    marks["index_from_cache"] = index is not None
    if index is None:
        index = SearchIndex.build(result.articles)
    marks["search_ready"] = time.time()
    marks["parsed_files"] = loader.parsed_files
    marks["rows"] = len(result.articles)
    loader.save_cache(index)
    marks["cache_saved_s"] = time.time() - marks["search_ready"]
    return {**marks, **_peaks()}


def child_baseline(folder: str) -> dict[str, Any]:
    """Plain Textual: an OptionList of titles filled after a plain load, then the index built.

    The load is the loader as it was before the cache and the workers: one process, no cache.
    """
    from textual import work
    from textual.app import App, ComposeResult
    from textual.content import Content
    from textual.widgets import OptionList
    from textual.widgets.option_list import Option

    from tuireader.corpus.loader import load_corpus
    from tuireader.search.index import SearchIndex

    marks: dict[str, Any] = {"imported": time.time()}

    class Baseline(App[None]):
        CSS = "OptionList { text-wrap: nowrap; text-overflow: ellipsis; }"
        index: SearchIndex | None = None

        def compose(self) -> ComposeResult:
            yield OptionList()

        def on_mount(self) -> None:
            self.load()

        @work(thread=True)
        def load(self) -> None:
            result = load_corpus(Path(folder), use_cache=False, workers=1)
            options = [Option(Content(a.title), id=a.id) for a in result.articles]
            self.call_from_thread(self.query_one(OptionList).add_options, options)
            self.index = SearchIndex.build(result.articles)

    app = Baseline()
    painted = _first_paint(OptionList, lambda options: options.option_count > 0)

    async def run() -> None:
        async with app.run_test(size=SCREEN):
            options = app.query_one(OptionList)
            await _wait(lambda: "at" in painted)
            marks["first_frame"] = painted["at"]
            await _wait(lambda: app.index is not None, 0.01)
            marks["search_ready"] = time.time()
            marks["rows"] = options.option_count

    _run(run, marks)
    return {**marks, **_peaks()}


KEYS = (("j/down", "down", 20), ("pagedown", "pagedown", 10), ("G/end", "end", 3))
KEYS += (("g/home", "home", 3),)


def child_sidebar(widget: str, size: int) -> dict[str, Any]:
    """Keypress latency in a sidebar of `size` entries: press, then wait until processed."""
    from textual.app import App, ComposeResult
    from textual.content import Content
    from textual.widgets import Label, ListItem, ListView, OptionList
    from textual.widgets.option_list import Option

    from tuireader.model.articles import Article
    from tuireader.ui.widgets.article_list import ArticleList, Row

    start = datetime(2023, 1, 1, tzinfo=UTC)
    articles = [
        Article(
            id=f"a{n}",
            path=f"{n // 500:04d}/article-{n:06d}.md",
            title=f"第 {n} 篇：模型发布与强化学习的新进展 {n}",
            body="",
            date=start + timedelta(minutes=n),
        )
        for n in range(size)
    ]

    class Sidebar(App[None]):
        CSS = "OptionList { text-wrap: nowrap; text-overflow: ellipsis; }"

        def compose(self) -> ComposeResult:
            if widget == "ArticleList":
                yield ArticleList()
            elif widget == "OptionList":
                yield OptionList()
            else:
                yield ListView()

    app = Sidebar()
    result: dict[str, Any] = {"widget": widget, "size": size}

    async def run() -> None:
        async with app.run_test(size=SCREEN) as pilot:
            started = time.perf_counter()
            if widget == "ArticleList":
                sidebar = app.query_one(ArticleList)
                sidebar.set_rows([Row(a) for a in articles])
                sidebar.focus()
            elif widget == "OptionList":
                options = app.query_one(OptionList)
                options.add_options([Option(Content(a.title), id=a.id) for a in articles])
                options.focus()
                options.highlighted = 0
            else:
                view = app.query_one(ListView)
                await view.extend([ListItem(Label(Content(a.title))) for a in articles])
                view.focus()
                view.index = 0
            await pilot.pause()
            result["fill_s"] = time.perf_counter() - started
            for label, key, times in (*KEYS, ("no-op key", "f12", 5)):
                latencies = []
                for _ in range(times):
                    # Process CPU time, not wall time: the Pilot's wait for idle sleeps for a
                    # fixed ~80 ms whatever the widget does, which would hide the difference.
                    started = time.process_time()
                    await pilot.press(key)
                    await pilot.pause()
                    latencies.append((time.process_time() - started) * 1000)
                result[label] = {"median": statistics.median(latencies), "max": max(latencies)}

    _run(run, result)
    return {**result, **_peaks()}


class _Heartbeat:
    """A 10 ms interval timer on the event loop; the longest gap between ticks is the stall."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0


async def _measure(
    pilot: Any, beat: _Heartbeat, action: Callable[[], Any], done: Callable[[], bool]
) -> tuple[float, float]:
    """(seconds until `done` and the loop idles, longest stall in ms) around `action`."""
    await pilot.pause(0.05)
    beat.reset()
    started = time.perf_counter()
    outcome = action()
    if asyncio.iscoroutine(outcome):
        await outcome
    await _wait(done, 0.01)
    await pilot.pause()
    elapsed = time.perf_counter() - started
    await pilot.pause(0.05)
    return elapsed, beat.longest * 1000


def child_article(widget: str, case: str, folder: str) -> dict[str, Any]:
    """Open one 1 MB article, then resize the terminal; time both and the longest stall."""
    text = (Path(folder) / f"{case}.md").read_text("utf-8")
    result: dict[str, Any] = {"widget": widget, "case": case}
    beat = _Heartbeat()
    if widget == "ArticleView":
        from tuireader.ui.app import TuiReaderApp
        from tuireader.ui.widgets.article_list import ArticleList
        from tuireader.ui.widgets.article_view import ArticleView

        app: Any = TuiReaderApp(Path(folder), watch=False)

        async def run() -> None:
            async with app.run_test(size=SCREEN) as pilot:
                app.set_interval(0.01, beat.tick)
                sidebar = app.query_one(ArticleList)
                reader = app.query_one(ArticleView)
                count = len(list(Path(folder).glob("*.md")))
                await _wait(lambda: len(sidebar.rows) == count and app.session.index is not None)
                target = next(i for i, r in enumerate(sidebar.rows) if case in r.article.path)
                other = (target + 1) % count
                sidebar.cursor = other
                other_id = sidebar.rows[other].article.id
                await _wait(
                    lambda: (
                        reader.article is not None
                        and reader.article.id == other_id
                        and reader.laid_out
                    )  # its layout slices must not share the GIL either
                )
                # The load's last steps (finishing the index, saving the cache) run on after
                # search-ready: they must not share the GIL with the opening measured here.
                await _wait(
                    lambda: not any(w.group == "load" and not w.is_finished for w in app.workers)
                )
                target_id = sidebar.rows[target].article.id

                opened = [0.0]

                def choose() -> None:
                    opened[0] = time.perf_counter()
                    sidebar.cursor = target

                def shown() -> bool:
                    if reader.article is None or reader.article.id != target_id:
                        return False
                    if "top_s" not in result:  # the first slice is on screen
                        result["top_s"] = time.perf_counter() - opened[0]
                    return reader.laid_out  # the progressive layout has finished

                result["open_s"], result["open_stall_ms"] = await _measure(
                    pilot, beat, choose, shown
                )
                generation = reader._generation
                resized = time.perf_counter()

                def relaid() -> bool:
                    if not reader.laid_out:
                        return False
                    if reader._generation != generation:
                        return True
                    # No new layout yet: only done if the width did not change at all.
                    late = time.perf_counter() - resized > 2.0
                    return late and reader._laid_out_width == reader._text_width()

                result["resize_s"], result["resize_stall_ms"] = await _measure(
                    pilot, beat, lambda: pilot.resize_terminal(80, 40), relaid
                )

    else:
        from textual.app import App, ComposeResult
        from textual.containers import VerticalScroll
        from textual.widgets import Markdown

        class Stock(App[None]):
            def compose(self) -> ComposeResult:
                with VerticalScroll():
                    yield Markdown(open_links=False)

        app = Stock()

        async def run() -> None:
            async with app.run_test(size=SCREEN) as pilot:
                app.set_interval(0.01, beat.tick)
                markdown = app.query_one(Markdown)
                result["open_s"], result["open_stall_ms"] = await _measure(
                    pilot, beat, lambda: markdown.update(text), lambda: True
                )
                result["resize_s"], result["resize_stall_ms"] = await _measure(
                    pilot, beat, lambda: pilot.resize_terminal(80, 40), lambda: True
                )

    _run(run, result)
    return {**result, **_peaks()}


# --- the parent ---------------------------------------------------------------------------------


def run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    launched = time.time()
    command = [sys.executable, __file__, "--child", *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as child:
        workers = _DescendantMemory(child.pid)
        try:
            stdout, stderr = child.communicate(timeout=TIMEOUT)
        finally:
            child.kill()
            worker_peak_mb = workers.stop()
    if child.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["worker_peak_mb"] = worker_peak_mb
    result["wall_s"] = time.time() - launched
    for mark in ("imported", "first_frame", "loaded", "search_ready"):
        if mark in result:
            result[mark + "_s"] = result[mark] - launched
    return result


def child_env(work: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["TUIREADER_CACHE_DIR"] = str(cache)
    env["TUIREADER_STATE_DIR"] = str(work / "state")
    env["TUIREADER_CONFIG"] = str(work / "no-config.toml")
    # Imports as after the first launch of an install: bytecode cached (outside the repo).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    # What the command sets (`cli.FRAMES_PER_SECOND`), for every row alike.
    env.setdefault("TEXTUAL_FPS", "120")
    return env


def startup_rows(
    work: Path, sizes: list[int], runs: int, large_runs: int, kinds: list[str]
) -> list[dict[str, Any]]:
    """Cold runs start with an empty cache dir; warm runs reuse the last cold run's cache.

    At 100k the plain Textual baseline (which does not change) runs once, the rest
    `large_runs` times.
    """
    rows = []
    folders: list[tuple[str, Path, int]] = [("bundled", _bundled(), runs)]
    for size in sizes:
        count = large_runs if size >= 100_000 else runs
        folders.append((str(size), ensure_folder(work, size), count))
    # One discarded launch of each kind fills the bytecode cache.
    for kind in ("baseline", "app"):
        run_child([kind, str(folders[0][1])], child_env(work, work / "cache-warmup"))
    for label, folder, count in folders:
        for kind in kinds:
            if label == "bundled" and kind == "core":
                continue
            times = (
                1 if kind == "baseline" and label != "bundled" and int(label) >= 100_000 else count
            )
            cache = work / f"cache-{kind}-{label}"
            for temperature in ("cold",) if kind == "baseline" else ("cold", "warm"):
                measured = []
                for _ in range(times):
                    if temperature == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    measured.append(run_child([kind, str(folder)], child_env(work, cache)))
                    print(f"done: startup {kind} {label} {temperature}", file=sys.stderr)
                rows.append(_summarize(label, kind, temperature, measured))
    return rows


def _bundled() -> Path:
    from tuireader.corpus.parse import bundled_corpus_path

    return bundled_corpus_path()


def _summarize(
    label: str, kind: str, temperature: str, runs: list[dict[str, Any]]
) -> dict[str, Any]:
    def median(key: str) -> float | None:
        values = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    return {
        "folder": label,
        "kind": kind,
        "temperature": temperature,
        "runs": len(runs),
        "first_frame_s": median("first_frame_s"),
        "search_ready_s": median("search_ready_s"),
        "loaded_s": median("loaded_s"),
        "loading_stall_ms": median("loading_stall_ms"),
        "after_ready_stall_ms": median("after_ready_stall_ms"),
        "rows_at_first_frame": runs[-1].get("rows_at_first_frame"),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "worker_peak_mb": max(r["worker_peak_mb"] for r in runs),
        "rows": runs[-1].get("rows"),
        "index_from_cache": runs[-1].get("index_from_cache"),
        "cache_saved_s": median("cache_saved_s"),
        "cpu_s": median("cpu_s"),
        "workers_cpu_s": median("workers_cpu_s"),
    }


def sidebar_rows(work: Path, size: int, listview_size: int) -> list[dict[str, Any]]:
    env = child_env(work, work / "cache-sidebar")
    rows = []
    for widget, count in (
        ("ArticleList", size),
        ("OptionList", size),
        ("ListView", min(size, listview_size)),
    ):
        rows.append(run_child(["sidebar", widget, str(count)], env))
        print(f"done: sidebar {widget} {count}", file=sys.stderr)
    return rows


def article_rows(work: Path, runs: int) -> list[dict[str, Any]]:
    folder = work / "large-articles"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in large_articles().items():
        path = folder / f"{name}.md"
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
    env = child_env(work, work / "cache-large")
    rows = []
    for case in large_articles():
        for widget in ("ArticleView", "Markdown"):
            measured = [
                run_child(["article", widget, case, str(folder)], env)
                for _ in range(runs if widget == "ArticleView" else 1)
            ]
            print(f"done: article {widget} {case}", file=sys.stderr)
            rows.append(
                {
                    "widget": widget,
                    "case": case,
                    "runs": len(measured),
                    **{
                        key: statistics.median(r[key] for r in measured)
                        for key in ("open_s", "open_stall_ms")
                    },
                    # The stock widget can take longer to resize than the Pilot waits: "—".
                    **{
                        key: statistics.median(values)
                        if (values := [r[key] for r in measured if key in r])
                        else None
                        for key in ("resize_s", "resize_stall_ms")
                    },
                    "top_s": statistics.median(r.get("top_s", r["open_s"]) for r in measured),
                    "stalls": [round(r["open_stall_ms"]) for r in measured],
                }
            )
    return rows


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _stalls(row: dict[str, Any]) -> str:
    """Longest stall from the first frame to search-ready, and (after) until loading ends."""
    during = _fmt(row["loading_stall_ms"], 0)
    after = row.get("after_ready_stall_ms")
    return during if after is None else f"{during} ({after:.0f})"


def print_tables(
    startup: list[dict[str, Any]], sidebar: list[dict[str, Any]], articles: list[dict[str, Any]]
) -> None:
    load = os.getloadavg()[0]
    print(f"\nMachine: {os.cpu_count()} CPUs, 1-minute load average at the end {load:.2f}\n")
    if startup:
        base = {r["folder"]: r for r in startup if r["kind"] == "baseline"}
        print(
            "| folder | what | cache | runs | first frame s | search-ready s "
            "| all titles s | vs baseline | longest stall ms (after) | peak RSS MB | workers MB "
            "| CPU s (+ workers) | entries (at first frame) |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in startup:
            baseline = base.get(r["folder"])
            ratio = "—"
            if baseline and r["search_ready_s"] and baseline["search_ready_s"]:
                ratio = f"{r['search_ready_s'] / baseline['search_ready_s']:.2f}×"
            what = {"baseline": "plain Textual", "app": "tuireader app", "core": "core loader"}
            cache = r["temperature"] + (" (index cached)" if r.get("index_from_cache") else "")
            print(
                f"| {r['folder']} | {what[r['kind']]} | {cache} | {r['runs']} "
                f"| {_fmt(r['first_frame_s'])} | {_fmt(r['search_ready_s'])} "
                f"| {_fmt(r['loaded_s'])} | {ratio} | {_stalls(r)} "
                f"| {r['peak_mb']:.0f} | {r['worker_peak_mb']:.0f} "
                f"| {_fmt(r['cpu_s'], 1)} (+ {_fmt(r['workers_cpu_s'], 1)}) "
                f"| {r['rows']} ({r['rows_at_first_frame'] or r['rows']}) |"
            )
    if sidebar:
        keys = [k for k, _, _ in KEYS] + ["no-op key"]
        print("\n| sidebar | entries | fill s | " + " | ".join(keys) + " |")
        print("|---|---|---|" + "---|" * len(keys))
        for r in sidebar:
            cells = " | ".join(f"{r[k]['median']:.1f} (max {r[k]['max']:.1f})" for k in keys)
            print(f"| {r['widget']} | {r['size']} | {r['fill_s']:.2f} | {cells} |")
        print("(ms of process CPU per keypress, press until processed and drawn: median (max))")
    if articles:
        print(
            "\n| 1 MB article | widget | runs | top shown s | open s (all laid out) "
            "| longest stall ms (each run) | resize s | resize stall ms |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in articles:
            print(
                f"| {r['case']} | {r['widget']} | {r['runs']} | {r['top_s']:.2f} "
                f"| {r['open_s']:.2f} | {r['open_stall_ms']:.0f} {r['stalls']} "
                f"| {_fmt(r['resize_s'])} | {_fmt(r['resize_stall_ms'], 0)} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-runs", type=int, default=1, help="runs at the largest size")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "tuireader-bench"
    )
    parser.add_argument("--sidebar-size", type=int, default=100_000)
    parser.add_argument("--listview-size", type=int, default=10_000)
    parser.add_argument("--only", default="startup,sidebar,article")
    parser.add_argument("--kinds", default="baseline,app,core", help="start-up rows to run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        children: dict[str, Callable[..., dict[str, Any]]] = {
            "app": child_app,
            "core": child_core,
            "baseline": child_baseline,
            "sidebar": lambda w, n: child_sidebar(w, int(n)),
            "article": child_article,
        }
        print(json.dumps(children[kind](*rest)))
        return
    work = args.work.resolve()
    if work.is_relative_to(Path(__file__).resolve().parents[1]):
        raise SystemExit("--work must be outside the repository")
    work.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(","))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    startup: list[dict[str, Any]] = []
    if "startup" in only:
        kinds = args.kinds.split(",")
        startup = startup_rows(work, sizes, args.runs, args.large_runs, kinds)
    sidebar = sidebar_rows(work, args.sidebar_size, args.listview_size) if "sidebar" in only else []
    articles = article_rows(work, args.runs) if "article" in only else []
    print_tables(startup, sidebar, articles)


if __name__ == "__main__":
    main()
