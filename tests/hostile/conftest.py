"""Fixtures for the hostile corpus: built once per module, and guards against hangs."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.hostile.corpus import HostileCorpus, build_hostile_corpus, restore_permissions
from tuireader.model.articles import Article
from tuireader.render.document import build_document
from tuireader.render.wrap import wrap_text

T = TypeVar("T")

# What must never reach output: C0 controls but tab and newline, DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe(text: str) -> list[str]:
    """The unsafe characters in `text` (empty when clean)."""
    return UNSAFE.findall(text)


def bounded(seconds: float, function: Callable[[], T], what: str = "") -> T:
    """Run `function` in a thread and fail (instead of hanging the suite) if it overruns."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = function()
        except BaseException as error:  # re-raised in the test's thread
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{what or function!r} did not finish within {seconds} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCorpus]:
    corpus = build_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    yield corpus
    restore_permissions(corpus)


@pytest.fixture(autouse=True, scope="module")
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # State, config and cache of the runs go to a folder of the test's own.
    home = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUIREADER_STATE_DIR", str(home / "state"))
        patch.setenv("TUIREADER_CONFIG", str(home / "config.toml"))
        patch.setenv("TUIREADER_CACHE_DIR", str(home / "cache"))
        yield home


def render(article: Article, width: int) -> list[str]:
    """Every line the reader would show for an article, table cells included (headless)."""
    document = build_document(article)
    lines: list[str] = []
    for block in document.blocks:
        for row in block.rows:
            lines.extend(cell.plain for cell in row)
        lines.extend(line.plain for _, line in wrap_text(block.text, width))
    return lines
