"""Per-section fidelity of tuireader, Rich's `Markdown` and Textual's `Markdown` widget.

    uv run python -m tests.fidelity.report             # the table, as Markdown
    uv run python -m tests.fidelity.report --failures  # and tuireader's failures, one a line
    uv run python -m tests.fidelity.report --only tuireader
    uv run python -m tests.fidelity.report --only tuireader --write-floors  # after a fix
    uv run python -m tests.fidelity.report --only tuireader --write-failures

Every example of the vendored CommonMark 0.31.2 and GFM 0.29 extension suites is rendered
at `WIDTH` cells by each renderer and judged by `tests.fidelity.spec.judge`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from rich.text import Text

from tests.fidelity.renderers import (
    TEXTUAL_HEIGHT,
    WIDTH,
    TextualMarkdownApp,
    rich_lines,
    tuireader_lines,
)
from tests.fidelity.spec import Verdict, examples, judge

RENDERERS = ("tuireader", "rich", "textual")
FLOORS = Path(__file__).parent / "floors.json"
FAILURES = Path(__file__).parent / "FAILURES.md"


def judged(render: Callable[[str], list[Text]]) -> list[Verdict]:
    """Every example rendered by a plain function and judged."""
    return [judge(example, render(example.markdown), WIDTH) for example in examples()]


@cache
def tuireader_verdicts() -> tuple[Verdict, ...]:
    """tuireader's verdicts (cached: the test of each example and the floors share them)."""
    return tuple(judged(tuireader_lines))


async def textual_verdicts() -> list[Verdict]:
    """Every example through one headless app whose Markdown widget is updated in place."""
    app = TextualMarkdownApp()
    verdicts = []
    async with app.run_test(size=(WIDTH, TEXTUAL_HEIGHT)):
        base = None
        for example in examples():
            lines = await app.lines_for(example.markdown)
            base = base or app.background_style()
            verdicts.append(judge(example, lines, WIDTH, base))
    return verdicts


def section_counts(verdicts: Sequence[Verdict]) -> dict[str, tuple[int, int]]:
    """(passed, total) per section, in the order of the suites."""
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for verdict in verdicts:
        total[verdict.example.section] += 1
        passed[verdict.example.section] += verdict.passed
    return {section: (passed[section], total[section]) for section in total}


def table(results: dict[str, Sequence[Verdict]]) -> str:
    """A Markdown table: a row per section, a column per renderer, then the totals."""
    counts = {name: section_counts(verdicts) for name, verdicts in results.items()}
    sections = list(next(iter(counts.values())))
    lines = [
        "| section | " + " | ".join(results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    for section in sections:
        cells = [f"{counts[name][section][0]}/{counts[name][section][1]}" for name in results]
        lines.append(f"| {section} | " + " | ".join(cells) + " |")
    for suite, label in (("commonmark", "CommonMark total"), ("gfm", "GFM extensions total")):
        cells = []
        for verdicts in results.values():
            mine = [verdict for verdict in verdicts if verdict.example.suite == suite]
            passed = sum(verdict.passed for verdict in mine)
            cells.append(f"**{passed}/{len(mine)}** ({100 * passed / len(mine):.1f} %)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failure_lines(verdicts: Sequence[Verdict]) -> list[str]:
    """One line per failing example: its id, what failed, what was shown and expected."""
    return [
        f"- `{verdict.example.id}`: {'; '.join(verdict.problems)}"
        f" (shown {_short(verdict.shown)!r}, expected {_short(verdict.expected)!r})"
        for verdict in verdicts
        if not verdict.passed
    ]


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Why tuireader fails what it fails, found from the example; each is explained in FAILURES.md.
CAUSES = {
    "raw HTML": (
        "HTML is read by an HTML parser (`render/html.py`). Chosen differences: `<script>`,"
        " `<style>`, `<textarea>` and the other tags GFM's tag filter names are shown as"
        " text, as GitHub shows them (CommonMark's examples expect them hidden; GFM's 657"
        " expects them shown, and text you can read beats text that silently disappears);"
        " a lone `<td>` or `<tr>` outside a `<table>` is text, not a grid (190, 191); and"
        " `<!-->` is read by Python's HTMLParser as the start of a comment that the next"
        " `-->` ends, where CommonMark 0.31 calls it a whole comment (626)."
    ),
    "task list": (
        "Task list items show `[ ]`/`[x]` instead of ☐/☑ (branch `render` enables"
        " markdown-it's task lists)."
    ),
    "autolink after `_`": (
        "mdit-py-plugins' `gfm_autolink` finds an email's local part by looking back over"
        " the text since the last inline token; `_` is an emphasis delimiter and ends that"
        " text, so `a.b-c_d@a.b` links only `d@a.b` (a limitation its docs describe)."
    ),
    "unexplained": "Not yet looked into.",
}


def cause(verdict: Verdict) -> str:
    """Which of CAUSES made an example fail."""
    example = verdict.example
    html_sections = ("HTML blocks", "Raw HTML", "GFM disallowed raw html")
    if (
        example.section in html_sections
        or "leaks <" in verdict.problems
        or "<!--" in example.markdown
        or re.search(r"<[a-z]+>", example.markdown)
    ):
        return "raw HTML"
    if example.section == "GFM task list items":
        return "task list"
    if example.section == "GFM autolinks" and re.search(r"_[\w.-]*@", example.markdown):
        return "autolink after `_`"
    return "unexplained"


def failures_markdown(verdicts: Sequence[Verdict]) -> str:
    """FAILURES.md: every example tuireader fails, grouped by why, one line each."""
    failed = [verdict for verdict in verdicts if not verdict.passed]
    lines = [
        "# Spec examples tuireader fails",
        "",
        f"{len(failed)} of {len(verdicts)} examples, at {WIDTH} columns. Written by"
        " `uv run python -m tests.fidelity.report --only tuireader --write-failures`;"
        " what passes is defined in `spec.py`.",
    ]
    for name, explanation in CAUSES.items():
        mine = [verdict for verdict in failed if cause(verdict) == name]
        if not mine:
            continue
        lines += ["", f"## {name} ({len(mine)})", "", explanation, ""]
        lines += [
            f"- {verdict.example.suite} {verdict.example.number} ({verdict.example.section}):"
            f" {'; '.join(verdict.problems)}: shown {_short(verdict.shown)!r},"
            f" expected {_short(verdict.expected)!r}"
            for verdict in mine
        ]
    return "\n".join(lines) + "\n"


def write_floors(verdicts: Sequence[Verdict]) -> None:
    """Store today's tuireader pass counts as the floors the test holds the renderer to."""
    floors = {section: passed for section, (passed, _) in section_counts(verdicts).items()}
    FLOORS.write_text(json.dumps(floors, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=RENDERERS, action="append")
    parser.add_argument("--failures", action="store_true", help="list tuireader's failures")
    parser.add_argument("--write-floors", action="store_true", help="raise floors.json")
    parser.add_argument("--write-failures", action="store_true", help="rewrite FAILURES.md")
    options = parser.parse_args()
    chosen = options.only or list(RENDERERS)
    results: dict[str, Sequence[Verdict]] = {}
    timings = {}
    for name in chosen:
        started = time.perf_counter()
        if name == "tuireader":
            results[name] = tuireader_verdicts()
        elif name == "rich":
            results[name] = judged(rich_lines)
        else:
            results[name] = asyncio.run(textual_verdicts())
        timings[name] = time.perf_counter() - started
    print(table(results))
    print()
    print(", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
    if options.failures and "tuireader" in results:
        print()
        print("\n".join(failure_lines(results["tuireader"])))
    if options.write_floors and "tuireader" in results:
        write_floors(results["tuireader"])
    if options.write_failures and "tuireader" in results:
        FAILURES.write_text(failures_markdown(results["tuireader"]), encoding="utf-8")


if __name__ == "__main__":
    main()
