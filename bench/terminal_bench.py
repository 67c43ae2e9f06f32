"""Start-up as a user sees it: the installed `tuireader` command in a real terminal (tmux).

Times, from launching the command in a tmux window (120x36) until the screen shows it, by polling
`tmux capture-pane`: the first frame with titles (a sidebar row with its date) and search-ready
(the status line no longer says loading or indexing), then `q` and how long the process takes to
exit (a cold start writes its cache then). Cold = an empty tuireader cache, warm = the cache the
cold run left (checked: the benchmark stops if that run left none). Next to it, in the same run,
a plain Textual app that draws a list of the folder's file names (the floor: Python, Textual and
a terminal). Also `tuireader search` from the shell on an unchanged folder, next to `grep -r`.

    uv run python bench/terminal_bench.py                      # bundled corpus, 10k and 100k
    uv run python bench/terminal_bench.py --sizes 10000 --runs 3
    uv run python bench/terminal_bench.py --sizes none --before ../wt-before   # A/B, bundled

`--before DIR`: another checkout (with its own `.venv`, from `uv sync`) whose command runs beside
this one, alternated run by run, each with a cache of its own: rows "tuireader (before)".

Bytecode is cached outside the repo (as after the first start of an install) and the first
launch of each kind is discarded. Medians of `--runs`; the machine is shared, so compare rows of
one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup_bench import ensure_folder

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ROOT / ".venv" / "bin" / "tuireader"
PYTHON = ROOT / ".venv" / "bin" / "python"
SESSION = "tuireader-terminal-bench"
WIDTH, HEIGHT = 120, 36
TIMEOUT = 120.0
POLL = 0.01
# A sidebar row: a title, then its date, then the reader's left border.
_TITLE_ROW = re.compile(r"\d{4}-\d{2}-\d{2}\s*▕")
PLAIN_APP = """
import os, sys
from textual.app import App
from textual.widgets import OptionList

class Plain(App[None]):
    def compose(self):
        names = sorted(e.name for e in os.scandir(sys.argv[1]))[:1000]
        yield OptionList(*[f"plain-row {name}" for name in names])

Plain().run()
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", f"{SESSION}:run")


def launch(command: list[str], env: dict[str, str]) -> float:
    """Open `command` in a new window of the benchmark's tmux session; the time it was asked."""
    tmux("kill-window", "-t", f"{SESSION}:run")  # one left by a run that timed out
    exports = " ".join(f"{key}={_quote(value)}" for key, value in env.items())
    started = time.perf_counter()
    # Not the tmux server's environment: this shell's may say not to write bytecode.
    shell = f"env -u PYTHONDONTWRITEBYTECODE {exports} {_join(command)}"
    tmux("new-window", "-d", "-t", SESSION, "-n", "run", shell)
    return started


def wait_for(condition: Callable[[str], bool]) -> float:
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        if condition(screen()):
            return time.perf_counter()
        time.sleep(POLL)
    raise TimeoutError(screen())


def titles_shown(text: str) -> bool:
    return bool(_TITLE_ROW.search(text))


def search_ready(text: str) -> bool:
    top = text.splitlines()[0] if text else ""
    return " articles" in top and "loading" not in top and "indexing" not in top


def run_app(
    folder: Path, env: dict[str, str], command: Path = COMMAND
) -> tuple[float, float, float]:
    """First frame and search-ready (seconds from launch), and how long the process took to
    exit after `q`: a cold start saves the cache then (the screen is gone by then)."""
    started = launch([str(command), str(folder)], env)
    first = wait_for(titles_shown) - started
    ready = wait_for(search_ready) - started
    quit_at = time.perf_counter()
    tmux("send-keys", "-t", f"{SESSION}:run", "q")
    # Not until the screen is cleared: the cache is written after search-ready, and at 100k it
    # was still being written seconds after the screen was gone; the next launch's kill-window
    # then killed the writer, and every "warm" run was cold again.
    exited = wait_for_exit() - quit_at
    return first, ready, exited


def run_plain(folder: Path, env: dict[str, str], script: Path) -> float:
    started = launch([str(PYTHON), str(script), str(folder)], env)
    first = wait_for(lambda text: "plain-row" in text) - started
    tmux("send-keys", "-t", f"{SESSION}:run", "C-q")
    wait_for_exit()
    return first


def wait_for_exit() -> float:
    """Wait until the benchmark's window has closed (its command exited); the time it had."""
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        windows = tmux("list-windows", "-t", SESSION, "-F", "#{window_name}").split()
        if "run" not in windows:
            return time.perf_counter()
        time.sleep(POLL)
    raise TimeoutError("the command did not exit")


def check_cache(cache: Path) -> None:
    """Fail unless a start left a whole articles cache and index, and no temporary file."""
    names = sorted(path.name for path in cache.iterdir()) if cache.exists() else []
    kinds = {name.rsplit(".", 1)[-1] for name in names if not name.startswith(".")}
    if kinds != {"articles", "index"} or any(name.endswith(".tmp") for name in names):
        raise SystemExit(f"the cold start did not leave a cache in {cache}: {names}")


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _join(command: list[str]) -> str:
    return " ".join(_quote(part) for part in command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "tuireader-bench"
    )
    parser.add_argument("--query", default="强化学习")
    parser.add_argument("--before", type=Path, help="a checkout to run beside this one (A/B)")
    options = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed")
    work: Path = options.work
    work.mkdir(parents=True, exist_ok=True)
    script = work / "plain_list_app.py"
    script.write_text(PLAIN_APP, encoding="utf-8")
    base_env = {
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        "TUIREADER_STATE_DIR": str(work / "state"),
        "TUIREADER_CONFIG": str(work / "no-config.toml"),
        "TERM": "xterm-256color",
    }
    folders: list[tuple[str, Path]] = [("bundled", ROOT / "corpus")]
    sizes = [] if options.sizes == "none" else options.sizes.split(",")
    folders += [(f"{int(size):,}", ensure_folder(work, int(size))) for size in sizes]
    versions = [("tuireader", COMMAND, "")]
    if options.before is not None:
        before = options.before.resolve() / ".venv" / "bin" / "tuireader"
        if not before.exists():
            raise SystemExit(f"no {before}: run `uv sync` in {options.before}")
        versions.append(("tuireader (before)", before, "-before"))
    tmux("kill-session", "-t", SESSION)
    tmux("new-session", "-d", "-s", SESSION, "-x", str(WIDTH), "-y", str(HEIGHT), "-n", "idle")
    shell_env = {**os.environ, **base_env}
    shell_env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows: list[str] = []
    try:
        for name, folder in folders:
            caches = {
                label: work / f"terminal-cache-{name.replace(',', '')}{suffix}"
                for label, _, suffix in versions
            }
            env = {**base_env, "TUIREADER_CACHE_DIR": str(caches["tuireader"])}
            run_plain(folder, env, script)  # discarded: writes the bytecode
            for label, command, _ in versions:
                run_app(folder, {**base_env, "TUIREADER_CACHE_DIR": str(caches[label])}, command)
            plain = [run_plain(folder, env, script) for _ in range(options.runs)]
            cold: dict[str, list[tuple[float, float, float]]] = {
                label: [] for label, *_ in versions
            }
            warm: dict[str, list[tuple[float, float, float]]] = {
                label: [] for label, *_ in versions
            }
            for _ in range(options.runs):
                for label, command, _ in versions:  # alternated: the same window for each
                    cache = caches[label]
                    version_env = {**base_env, "TUIREADER_CACHE_DIR": str(cache)}
                    shutil.rmtree(cache, ignore_errors=True)
                    cold[label].append(run_app(folder, version_env, command))
                    check_cache(cache)
                    warm[label].append(run_app(folder, version_env, command))
            plain_first = statistics.median(plain)
            rows.append(f"| {name} | plain Textual list | — | {plain_first:.2f} | — | — |")
            for label, *_ in versions:
                for kind, runs in (("cold", cold[label]), ("warm", warm[label])):
                    first, ready, exited = (
                        statistics.median(run[i] for run in runs) for i in range(3)
                    )
                    rows.append(
                        f"| {name} | {label} | {kind} | {first:.2f} | {ready:.2f} | {exited:.2f} |"
                    )
            print(rows[-1 - 2 * len(versions) :], file=sys.stderr)
            if name == "bundled":
                continue
            search_env = {**shell_env, "TUIREADER_CACHE_DIR": str(caches["tuireader"])}
            search = [str(COMMAND), "search", options.query, "--corpus", str(folder)]
            timed(search, search_env)  # the cache is warm after the app's runs; bytecode too
            ours = statistics.median(timed(search, search_env) for _ in range(options.runs))
            grep = ["grep", "-rl", options.query, str(folder)]
            theirs = statistics.median(timed(grep, shell_env) for _ in range(options.runs))
            rows.append(f"| {name} | `tuireader search` (warm cache) | — | {ours:.2f} | — | — |")
            rows.append(f"| {name} | `grep -rl` (same files) | — | {theirs:.2f} | — | — |")
    finally:
        tmux("kill-session", "-t", SESSION)
    load = os.getloadavg()[0]
    print(f"\nMachine: {os.cpu_count()} CPUs, 1-minute load average at the end {load:.2f}; ")
    print(f"medians of {options.runs} runs; times in seconds from launch.\n")
    print("| folder | what | cache | first frame with titles s | search-ready s | q → exit s |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
