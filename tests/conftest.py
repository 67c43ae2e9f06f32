"""Every test gets its own cache dir, so no test reads or writes the user's real cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
