"""tuireader: a terminal reader for a folder of articles."""

from typing import Any


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
