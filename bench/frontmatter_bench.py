"""python-frontmatter against tuireader's own frontmatter splitting, per 10k files.

Run: uv run python bench/frontmatter_bench.py [--files 10000] [--passes 5]

The files are the startup benchmark's (corpus_gen.py: YAML frontmatter with a title, a date and
two tags, ~4.2 KB of Chinese text). Three ways of splitting them are timed in CPU seconds for the
whole set, alternating pass by pass so that a busy machine slows them alike; the table shows the
median: `frontmatter.parse` (python-frontmatter 1.x, PyYAML's C safe loader), tuireader's
`split_frontmatter` with every block sent to `yaml.load` (the same parser), and as it is (flat
blocks through `flatyaml.py`). A second table says which of a few real-world frontmatter shapes
each keeps the title of.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frontmatter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_gen import generate, markdown_file

from tuireader.corpus import metadata

SHAPES = {
    "flat YAML": '---\ntitle: "T"\ndate: 2025-01-02\n---\nbody\n',
    "YAML, impossible date": "---\ntitle: T\ndate: 2024-02-30\n---\nbody\n",
    "YAML, one bad line": "---\ntitle: T\nsummary: a: b\n---\nbody\n",
    "blank line before ---": '\n---\ntitle: "T"\n---\nbody\n',
    "TOML (+++), Zola/Hugo": '+++\ntitle = "T"\ndate = 2025-01-02\n+++\nbody\n',
    "TOML, Hugo's `day = 08`": '+++\ntitle = "T"\nday = 08\n+++\nbody\n',
    "JSON object at the top": '{\n  "title": "T"\n}\nbody\n',
    "Hexo `;;;` JSON": '"title": "T"\n;;;\nbody\n',
}


def with_python_frontmatter(text: str) -> Any:
    return frontmatter.parse(text)[0].get("title")


def with_tuireader(text: str) -> Any:
    front = metadata.split_frontmatter(text)
    return front.meta.get("title") if front.meta else None


def timed(function: Callable[[str], Any], texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        function(text)
    return time.process_time() - start


def keeps_title(function: Callable[[str], Any], text: str) -> str:
    try:
        return "yes" if function(text) == "T" else "no"
    except Exception as error:  # python-frontmatter raises on what it cannot read
        return f"raises {type(error).__name__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    texts = [markdown_file(article) for article in generate(args.files)]
    flat_load = metadata._FLAT_YAML.load
    yaml_only = lambda block: None  # noqa: E731  every block goes to yaml.load

    def tuireader_yaml_load(text: str) -> Any:
        metadata._FLAT_YAML.load = yaml_only  # type: ignore[method-assign]
        try:
            return metadata.split_frontmatter(text)
        finally:
            metadata._FLAT_YAML.load = flat_load  # type: ignore[method-assign]

    ways: dict[str, Callable[[str], Any]] = {
        "python-frontmatter": frontmatter.parse,
        "tuireader, yaml.load": tuireader_yaml_load,
        "tuireader (flatyaml)": metadata.split_frontmatter,
    }
    for function in ways.values():
        timed(function, texts[:200])  # warm up
    runs: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.passes):
        for name, function in ways.items():
            runs[name].append(timed(function, texts))
    scale = 10_000 / args.files
    print(f"CPU seconds per 10k files, median of {args.passes} passes over {args.files} files\n")
    print("| splitting | s per 10k | µs a file |")
    print("|---|---:|---:|")
    for name, seconds in runs.items():
        median = statistics.median(seconds)
        print(f"| {name} | {median * scale:.2f} | {median / args.files * 1e6:.0f} |")
    print("\nWhich keeps the title `T`\n")
    print("| frontmatter | python-frontmatter | tuireader |")
    print("|---|---|---|")
    for shape, text in SHAPES.items():
        ours = keeps_title(with_tuireader, text)
        print(f"| {shape} | {keeps_title(with_python_frontmatter, text)} | {ours} |")


if __name__ == "__main__":
    main()
