"""`tuireader list --problems` reports every skipped or degraded file of the hostile corpus
exactly once, with its path and reason, and nothing else (the cases of tests/hostile/corpus.py
say which files those are)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.hostile.conftest import unsafe
from tests.hostile.corpus import Case, HostileCorpus, simulated_failures
from tuireader import cli

TUIREADER = Path(sys.executable).with_name("tuireader")


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A simulated failure must not reach the cache another run reads (its stamp is unchanged).
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path / "cache"))


def problem_cases(corpus: HostileCorpus, *, simulated: bool) -> list[Case]:
    """The cases that must be reported: without the simulation, the races and I/O errors do not
    happen, and permission is never denied to root."""
    unreal = corpus.vanish | corpus.shrink | corpus.io_error
    if os.geteuid() == 0:
        unreal |= corpus.deny_open | corpus.deny_folders
    return [
        case
        for case in corpus.cases
        if case.outcome in ("problem", "entry+problem") and (simulated or case.path not in unreal)
    ]


def check_listing(stderr: str, expected: list[Case]) -> None:
    *lines, summary = stderr.splitlines()
    assert f"; {len(expected)} problems (" in summary
    assert not any(unsafe(line) for line in lines)
    shown = {case.shown: case for case in expected}
    assert not any(": " in path for path in shown)  # so that a line splits at its first ": "
    reported = Counter(line.split(": ", 1)[0] for line in lines)
    assert [path for path, count in reported.items() if count != 1] == []  # each one once
    assert sorted(reported) == sorted(shown)  # every case, and nothing else
    for line in lines:
        path, reason = line.split(": ", 1)
        assert shown[path].reason in reason, line


def test_the_command_lists_each_problem_once(hostile: HostileCorpus, fresh_cache: None) -> None:
    expected = problem_cases(hostile, simulated=False)
    assert len(expected) > 20  # the filter above leaves most cases in
    for run in ("cold", "warm"):  # the warm run answers from the cache the cold one wrote
        listed = subprocess.run(
            [str(TUIREADER), "list", "--problems", str(hostile.root)],
            capture_output=True,
            timeout=300,
            check=False,
            env=os.environ,
        )
        assert listed.returncode == 0, (run, listed.stderr[-2000:])
        check_listing(listed.stderr.decode("utf-8"), expected)


def test_with_failures_simulated_every_problem_case_is_listed_once(
    hostile: HostileCorpus, fresh_cache: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # In process, so that denied permissions, vanished, shrunk and failing files happen too.
    with simulated_failures(hostile):
        assert cli.main(["list", "--problems", str(hostile.root)]) == 0
    check_listing(capsys.readouterr().err, problem_cases(hostile, simulated=True))
