"""A private tmux session per end-to-end test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import TmuxSession


@pytest.fixture
def session(tmp_path: Path) -> Iterator[TmuxSession]:
    session = TmuxSession(tmp_path)
    yield session
    session.kill()
