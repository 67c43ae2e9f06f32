"""Helper processes: quiet, and never outliving the app."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tuireader.system.processes import quiet_worker, spawn_context


def _app_with_a_busy_worker(pid_file: str) -> None:
    """Stands for the app: starts a pool worker that stays busy, says its pid, then waits."""
    pool = ProcessPoolExecutor(
        1, mp_context=spawn_context(), initializer=quiet_worker, initargs=(os.getpid(),)
    )
    worker = pool.submit(os.getpid).result()
    pool.submit(time.sleep, 120)
    Path(pid_file).write_text(str(worker))
    time.sleep(120)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:\tZ") for line in status)
    except FileNotFoundError:
        return False


def test_a_worker_ends_when_the_app_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "worker.pid"
    app = spawn_context().Process(target=_app_with_a_busy_worker, args=(str(pid_file),))
    app.start()
    deadline = time.monotonic() + 30
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker = int(pid_file.read_text())
    assert _running(worker)
    assert app.pid is not None
    os.kill(app.pid, signal.SIGKILL)  # no clean shutdown: as if the app crashed
    app.join(timeout=5)
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)


def _helper_of_an_app_already_gone() -> None:
    quiet_worker(app_pid=os.getppid() + 1)  # not this process's parent: that app has died
    time.sleep(60)


def test_a_helper_whose_app_died_before_it_started_ends() -> None:
    helper = spawn_context().Process(target=_helper_of_an_app_already_gone)
    helper.start()
    deadline = time.monotonic() + 20
    while helper.exitcode is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert helper.exitcode == 1
