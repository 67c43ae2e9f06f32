"""Copying text: what to copy for an article, OSC 52, and the native clipboard done safely.

OSC 52 is written by the terminal layer (Textual's `App.copy_to_clipboard`) and works over SSH
and in tmux (`set -g set-clipboard on`). The native clipboard goes through pyperclip in a child
process: xclip and friends print to stderr (where Textual draws the screen), may hang on a dead
display, and may "succeed" without copying anything, so the child checks its work, its stderr is
discarded and it is killed after a timeout.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tuireader.model.articles import Article

_NATIVE_TOOLS = ("wl-copy", "xclip", "xsel")
_CHILD = (
    "import sys, pyperclip\n"
    "text = sys.stdin.buffer.read().decode('utf-8')\n"
    "pyperclip.copy(text)\n"
    "sys.exit(0 if pyperclip.paste() == text else 3)\n"
)


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """The link `y` copies for an article, and where it came from."""

    url: str
    origin: str  # "source" or "file"


def article_link(article: Article, corpus_root: Path) -> LinkTarget:
    """The article's source URL, else a file:// URI of its file.

    Never a link from the body: the first link of a digest is some tweet it quotes, and
    `[title](that link)` would pair the digest's title with someone else's page.
    """
    if article.source_url:
        return LinkTarget(article.source_url, "source")
    return LinkTarget((corpus_root / article.path).resolve().as_uri(), "file")


def shortened(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters with "…": a notification stays short."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def markdown_link(title: str, url: str) -> str:
    """`[title](url)` with the title's brackets escaped and an awkward URL wrapped in <>."""
    safe_title = title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    safe_title = " ".join(safe_title.split())
    if any(c in url for c in " ()<>"):
        url = "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return f"[{safe_title}]({url})"


def osc52_sequence(text: str) -> str:
    """The OSC 52 escape sequence that asks the terminal to put `text` on its clipboard."""
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\a"


def native_clipboard_available() -> bool:
    """True when a native clipboard is plausibly there: a display and a tool, or macOS/Windows."""
    if sys.platform in ("darwin", "win32"):
        return True
    has_display = bool(os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY"))
    return has_display and any(shutil.which(tool) for tool in _NATIVE_TOOLS)


def copy_native(text: str, timeout: float = 2.0) -> str | None:
    """Copy with pyperclip in a child process; None on success, else a one-line reason.

    Blocks for up to `timeout` seconds: call it from a worker thread.
    """
    if not native_clipboard_available():
        return "no native clipboard here (no display or no clipboard tool)"
    try:
        completed = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"native clipboard did not answer within {timeout:g} s"
    except OSError as error:
        return f"native clipboard failed: {error.strerror or error}"
    if completed.returncode == 3:
        return "native clipboard did not keep the text (is the display alive?)"
    if completed.returncode != 0:
        return "native clipboard is not available"
    return None
