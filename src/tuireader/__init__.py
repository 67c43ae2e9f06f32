"""tuireader: a terminal reader for a folder of articles."""

import os

# The one place the version is written: pyproject.toml reads it from here (hatch's version
# source). A constant, not `importlib.metadata.version()`: the load cache checks it before the
# first frame, and that import and lookup cost 15-20 ms of every start.
__version__ = "0.1.0"

# Textual draws a changed screen at the next tick of a clock of TEXTUAL_FPS ticks a second: at
# its 60, a search's hits waited up to 16.7 ms for their frame (the median key typed at 100k
# articles, key to frame: 48 -> 34 ms at 120). Frames are only drawn when something changed,
# so an idle app costs nothing more. Set here, before any module of ours imports Textual.
os.environ.setdefault("TEXTUAL_FPS", "120")
