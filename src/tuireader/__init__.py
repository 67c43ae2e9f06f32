"""tuireader: a terminal reader for a folder of articles."""

import os
from typing import Any

# Textual draws a changed screen at the next tick of a clock of TEXTUAL_FPS ticks a second: at
# its 60, a search's hits waited up to 16.7 ms for their frame (the median key typed at 100k
# articles, key to frame: 48 -> 34 ms at 120). Frames are only drawn when something changed,
# so an idle app costs nothing more. Set here, before any module of ours imports Textual.
os.environ.setdefault("TEXTUAL_FPS", "120")


def __getattr__(name: str) -> Any:
    # `__version__` is looked up on first use: importing `importlib.metadata` costs ~40 ms, which
    # every loader worker process would pay at start for nothing.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("tuireader")
        except PackageNotFoundError:  # running from a source tree that was never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
