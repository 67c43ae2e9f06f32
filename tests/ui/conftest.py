"""Helpers for driving the app headless with a Pilot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tuireader.ui.app import TuiReaderApp
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.article_view import ArticleView

DIGEST = """---
title: "AI 日报：模型发布"
date: 2025-10-02T04:00:14+08:00
categories: ["AI News", "LLMs"]
source: https://news.example/digest
---

# 今日要闻

1. [**Tinker API 推出**-Lilian Weng](https://x.com/lilianweng/status/1)

   Tinker 让大型语言模型微调更简单。模型训练变得便宜。

2. [Droid 平台](https://x.com/bentossell/status/2)

   Droid 支持更多代理，模型部署更灵活。

{filler}

## 评论

更多模型，更多讨论。
"""

KARPATHY = """---
title: Andrej Karpathy 谈智能体
date: 2025-10-20
author: fisherdaddy
---

Andrej Karpathy 认为智能体还需要十年。强化学习很糟糕。

See also [the podcast](https://podcast.example/karpathy) and [notes](https://notes.example/k).
"""

TRADITIONAL = """---
title: 人工智慧的六大轉變
date: 2025-09-01
---

強化學習的崛起。網絡與軟體都在改變。
"""


DIGEST = DIGEST.replace("{filler}", "\n\n".join(f"其他新闻第 {n} 条。" for n in range(40)))


def write_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "digest.md").write_text(DIGEST, encoding="utf-8")
    (root / "karpathy.md").write_text(KARPATHY, encoding="utf-8")
    (root / "traditional.md").write_text(TRADITIONAL, encoding="utf-8")
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def no_native_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """No system clipboard, as over SSH: copies go through OSC 52 only."""
    from tuireader.ui import sharing as links_flow

    monkeypatch.setattr(
        links_flow, "copy_native", lambda text, timeout=2.0: "no native clipboard here"
    )


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read or write the real user's state and config from tests.
    monkeypatch.setenv("TUIREADER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TUIREADER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path / "cache"))
    # Nor start the user's browser or editor in the terminal the tests run in.
    for name in ("BROWSER", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)


async def wait_until_ready(pilot: Pilot[None], timeout: float = 20.0) -> None:
    """Wait until the corpus is loaded and indexed and the first article is shown."""
    app = pilot.app
    assert isinstance(app, TuiReaderApp)
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        # The harness may start before the main screen has finished composing.
        readers = app.screen.query(ArticleView)
        if (
            readers
            and app.session.index is not None
            and (readers.first().article is not None or not app.session.ordered())
        ):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not become ready")


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10.0
) -> None:
    """Wait until `condition()` holds (checked every 0.1 s)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition never held")
        await pilot.pause(0.1)


async def settle(pilot: Pilot[None], seconds: float = 0.3) -> None:
    """Let debounce timers and workers finish."""
    await pilot.pause(seconds)
    # The folder watcher runs for the app's lifetime; wait for everything else.
    for worker in [w for w in pilot.app.workers if w.group != "watch"]:
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()  # a cancelled one was replaced by a newer one: fine
    await pilot.pause()


def sidebar_lines(app: TuiReaderApp) -> list[str]:
    sidebar = app.query_one(ArticleList)
    height = sidebar.scrollable_content_region.height
    return [sidebar.render_line(y).text.rstrip() for y in range(height)]


def reader_text(app: TuiReaderApp) -> str:
    reader = app.query_one(ArticleView)
    return "\n".join(strip.text.rstrip() for strip in reader.rendered_lines())
