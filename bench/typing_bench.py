"""Search as you type: each keystroke until its hits are on screen, at 10k and 100k articles.

Issue 6 asks that each keystroke's result be on screen within 50 ms at 100k articles. The real
app (headless, 120×40) on the startup benchmark's generated folder, started warm (its cache is
made by a first, discarded run) and waited until it can search; then a query is typed one key at
a time with the Pilot. For each key: from the press until the first frame in which the sidebar
draws the hits of what the search bar now holds has been built and handed to the terminal
(`App._display`); the start of that frame (the sidebar's first `render_line`) is reported too.

Engines, side by side in the same run:
- `index`: the app as it is (debounce, search worker, results drawn);
- `scan`: the same app answering every keystroke with a plain scan of all the articles
  (`PlainScan` without its time budget, in place of the index), the baseline.

```
uv run python bench/typing_bench.py                       # 10k and 100k, both engines
uv run python bench/typing_bench.py --sizes 100000 --engines index
```
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from startup_bench import TIMEOUT, child_env, ensure_folder

QUERY = "强化学习 模型 agent"
SCREEN = (120, 40)


def child(engine: str, folder: str) -> dict[str, Any]:
    os.environ.setdefault("TEXTUAL_FPS", "120")  # as the command sets it
    from tuireader.corpus.loader import CorpusLoader
    from tuireader.search.index import SearchIndex
    from tuireader.search.plain_scan import PlainScan
    from tuireader.ui import app as app_module
    from tuireader.ui.widgets.article_list import ArticleList

    done_typing = threading.Event()
    if engine == "scan":
        # No index while typing: every keystroke is a full plain scan (no time budget). The
        # loading thread then gets an empty index, so that the app can end.
        empty = SearchIndex.build([])
        SearchIndex.build = staticmethod(  # type: ignore[method-assign]
            lambda articles: (done_typing.wait(TIMEOUT), empty)[1]
        )
        CorpusLoader.cached_index = lambda self: None  # type: ignore[method-assign]
        PlainScan.search.__defaults__ = (20, float("inf"))
    app = app_module.TuiReaderApp(Path(folder), watch=False)
    drawn: dict[str, float] = {}  # when the frame with the query's hits began
    shown: dict[str, float] = {}  # when that frame was handed to the terminal
    original = ArticleList.render_line
    original_display = app_module.TuiReaderApp._display

    def render_line(self: ArticleList, y: int) -> Any:
        state = app.session.search_state
        if state is not None and state.query not in drawn:
            drawn[state.query] = time.perf_counter()
        return original(self, y)

    def display(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original_display(self, *args, **kwargs)
        now = time.perf_counter()
        for query in drawn.keys() - shown.keys():
            shown[query] = now
        return result

    ArticleList.render_line = render_line  # type: ignore[method-assign]
    app_module.TuiReaderApp._display = display  # type: ignore[method-assign]
    latencies: list[float] = []
    frame_starts: list[float] = []

    async def run() -> None:
        async with app.run_test(size=SCREEN) as pilot:
            ready = (
                (lambda: app.session.index is not None) if engine == "index" else _all_loaded(app)
            )
            await _until(ready)
            await pilot.pause(0.5)
            await pilot.press("slash")
            typed = ""
            for char in QUERY:
                typed += char
                started = time.perf_counter()
                await pilot.press("space" if char == " " else char)
                await _until(lambda text=typed: text in shown)
                latencies.append((shown[typed] - started) * 1000)
                frame_starts.append((drawn[typed] - started) * 1000)
            done_typing.set()

    asyncio.run(run())
    return {
        "latencies_ms": latencies,
        "frame_start_ms": frame_starts,
        "hits": app.session.search_state.results.total if app.session.search_state else 0,
    }


def _all_loaded(app: Any) -> Any:
    return lambda: app.session.load_result is not None


async def _until(condition: Any) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.001)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engines", default="index,scan")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "tuireader-bench"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    work = args.work.resolve()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        folder = ensure_folder(work, size)
        env = child_env(work, work / f"cache-typing-{size}")
        for engine in args.engines.split(","):
            command = [sys.executable, __file__, "--child", engine, str(folder)]
            if engine == "index":  # a first run makes the cache: the measured one starts warm
                subprocess.run(command, capture_output=True, env=env, timeout=TIMEOUT, check=True)
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((size, engine, result))
            print(f"done: {engine} {size}", file=sys.stderr)
    print(f"\nquery typed: {QUERY!r} ({len(QUERY)} keys)\n")
    print(
        "| docs | engine | hits | median ms | p90 ms | max ms | each key ms "
        "| frame began: median ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size, engine, result in rows:
        values = result["latencies_ms"]
        ordered = sorted(values)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        each = " ".join(f"{v:.0f}" for v in values)
        began = statistics.median(result["frame_start_ms"])
        print(
            f"| {size} | {engine} | {result['hits']} | {statistics.median(values):.1f} "
            f"| {p90:.1f} | {max(values):.1f} | {each} | {began:.1f} |"
        )


if __name__ == "__main__":
    main()
