"""The commands that hand the terminal to another program: the user's editor, a console
browser. Nothing here runs them: the interface suspends itself first."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path


def editor_command(path: Path, environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """`$VISUAL` or `$EDITOR` (which may carry arguments) with `path`; None when neither is set."""
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError:
                continue
            if words:
                return [*words, str(path)]
    return None


def browser_command(url: str, environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """The first entry of `$BROWSER` (entries are separated by the path separator) with `url`
    as its argument, or in place of its `%s`; None when `$BROWSER` is not set."""
    for entry in environ.get("BROWSER", "").split(os.pathsep):
        try:
            words = shlex.split(entry)
        except ValueError:
            continue
        if words:
            if any("%s" in word for word in words):
                return [word.replace("%s", url) for word in words]
            return [*words, url]
    return None
