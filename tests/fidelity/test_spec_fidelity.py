"""tuireader against the CommonMark and GFM spec examples (see `spec.py` for what passes).

Every example is a test that the reader renders it within the width and with no control
character; the pass counts per section must stay at or above `floors.json`, so that a change
that loses an example fails here. Raise the floors after a fix:
`uv run python -m tests.fidelity.report --only tuireader --write-floors`.
"""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len

from tests.fidelity.renderers import WIDTH, tuireader_lines
from tests.fidelity.report import FAILURES, FLOORS, cause, section_counts, tuireader_verdicts
from tests.fidelity.spec import Example, examples

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("example", examples(), ids=lambda example: example.id)
def test_example_is_drawn_within_the_width_and_without_control_characters(
    example: Example,
) -> None:
    lines = tuireader_lines(example.markdown)
    assert all(cell_len(line.plain) <= WIDTH for line in lines)
    assert not any(_CONTROL.search(line.plain) for line in lines)


def test_every_section_passes_at_least_its_floor() -> None:
    floors: dict[str, int] = json.loads(FLOORS.read_text(encoding="utf-8"))
    verdicts = tuireader_verdicts()
    counts = section_counts(verdicts)
    assert set(floors) == set(counts), "floors.json must name every section"
    below = []
    for section, (passed, total) in counts.items():
        if passed < floors[section]:
            failing = [
                f"    {verdict.example.id}: {'; '.join(verdict.problems)}"
                for verdict in verdicts
                if verdict.example.section == section and not verdict.passed
            ]
            below.append(f"{section}: {passed}/{total}, floor {floors[section]}")
            below.extend(failing)
    assert not below, "sections below their floor:\n" + "\n".join(below)


def test_the_suites_are_complete() -> None:
    suites = [example.suite for example in examples()]
    assert suites.count("commonmark") == 652
    assert suites.count("gfm") == 28


def test_every_failure_is_listed_and_explained_in_failures_md() -> None:
    listed = FAILURES.read_text(encoding="utf-8")
    for verdict in tuireader_verdicts():
        if not verdict.passed:
            example = verdict.example
            assert f"- {example.suite} {example.number} ({example.section})" in listed
            assert cause(verdict) != "unexplained", example.id
