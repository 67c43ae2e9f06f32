"""Starting helper processes from inside the app: loader workers, the folder walk, the watcher.

Processes are spawned, never forked: the app starts them from a thread of a process that has
others, and a forked child could inherit a lock some other thread held.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from multiprocessing import resource_tracker
from multiprocessing.context import SpawnContext

PARENT_CHECK_SECONDS = 0.5


def spawn_context() -> SpawnContext:
    """The spawn context, with multiprocessing's resource tracker running (see below)."""
    _start_resource_tracker()
    return multiprocessing.get_context("spawn")


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr.

    It passes `sys.stderr.fileno()` to its process; inside a Textual app `sys.stderr` is a
    capture object whose fileno is -1, and starting a process would fail with "bad value(s) in
    fds_to_keep". The tracker gets the null device instead (it only writes warnings, which
    must not reach the terminal the app draws on).
    """
    try:
        usable = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        resource_tracker.ensure_running()
        return
    saved = sys.stderr
    with open(os.devnull, "w") as null:
        sys.stderr = null
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def quiet_worker(app_pid: int) -> None:
    """Set up a helper process of the app whose pid is `app_pid`: quiet, and ending with it.

    Helpers inherit the terminal the app draws on; a stray warning would scribble over it, so
    their stdout and stderr go to the null device. The app's pid is passed, not read here: an
    app that died before its helper got this far would otherwise leave it an orphan for good.
    """
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    _end_with_parent(app_pid)


def _end_with_parent(parent: int) -> None:
    """End this process soon after its parent (the app) is gone, however the app ended.

    A pool worker holds both ends of its result pipe: if the app is killed while the worker
    sends a large result (the walk of a big folder), the send would wait forever.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
