"""tuireader: a terminal reader for a folder of articles."""

# The one place the version is written: pyproject.toml reads it from here (hatch's version
# source). A constant, not `importlib.metadata.version()`: the load cache checks it before the
# first frame, and that import and lookup were a measurable part of every start.
__version__ = "0.1.0"
