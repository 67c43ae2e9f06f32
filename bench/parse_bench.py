"""CPU per file of each stage of `parse_file` on the benchmarks' articles.

Run: uv run python bench/parse_bench.py [--files 2000] [--passes 5] [--baseline OTHER/src]

Columns: this checkout with YAML frontmatter read by `yaml.load` alone (the flat-YAML fast path
turned off), this checkout as it is, and optionally the `src` folder of another checkout
(`git worktree add /tmp/base main`, then `--baseline /tmp/base/src`). Each column's pass runs in
its own process (after an untimed pass over 200 files), the columns alternating pass by pass, so
that a busy machine slows them alike; the table shows the median of the passes. The articles
are the startup benchmark's (corpus_gen.py: ~4.2 KB, a title, a date and two tags in YAML
frontmatter), written once to a temporary file that every process reads.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_gen import generate, markdown_file

SRC = Path(__file__).resolve().parents[1] / "src"


def time_stages(files: list[tuple[str, bytes]], yaml_load: bool) -> dict[str, float]:
    """µs of CPU per file for each stage, each stage timed over all the files in turn."""
    from tuireader.corpus import metadata
    from tuireader.corpus.encoding import decode_bytes
    from tuireader.corpus.listings import split_listing
    from tuireader.corpus.parse import parse_file
    from tuireader.corpus.titles import markdown_heading, plain_title
    from tuireader.model.links import extract_links
    from tuireader.model.text import clean_text

    if yaml_load and hasattr(metadata, "_FLAT_YAML"):
        metadata._FLAT_YAML.load = lambda block: None  # every block goes to yaml.load

    times: dict[str, float] = {}

    def stage(name: str, function: Callable[[Any], Any], inputs: list[Any]) -> list[Any]:
        start = time.process_time()
        outputs = [function(item) for item in inputs]
        times[name] = (time.process_time() - start) / len(inputs) * 1e6
        return outputs

    decoded = stage("decode_bytes", lambda file: decode_bytes(file[1]), files)
    texts = stage(
        "clean_text + NFC",
        lambda d: unicodedata.normalize("NFC", clean_text(d.text)),
        decoded,
    )
    fronts = stage("split_frontmatter", metadata.split_frontmatter, texts)
    stage("read_metadata", lambda f: metadata.read_metadata(f.meta) if f.meta else None, fronts)
    bodies = [front.body for front in fronts]
    stage("split_listing", split_listing, bodies)
    stage("extract_links", extract_links, bodies)
    stage("body title (unused here)", lambda b: markdown_heading(b) or plain_title(b), bodies)
    stage("parse_file", lambda file: parse_file(*file), files)
    return times


def run_child(source: str, data: str, yaml_load: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", data]
    if yaml_load:
        command.append("--yaml-load")
    env = {**os.environ, "PYTHONPATH": source}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--baseline", help="the src folder of another checkout")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--yaml-load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        files = pickle.loads(Path(args.child).read_bytes())
        time_stages(files[:200], args.yaml_load)  # warm up, as a loader's long scan would be
        print(json.dumps(time_stages(files, args.yaml_load)))
        return

    columns = {"yaml.load": (str(SRC), True), "this checkout": (str(SRC), False)}
    if args.baseline:
        columns = {"baseline": (args.baseline, False), **columns}
    files = [
        (f"{a.number // 500:04d}/article-{a.number:06d}.md", markdown_file(a).encode("utf-8"))
        for a in generate(args.files)
    ]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in columns}
    with tempfile.NamedTemporaryFile(suffix=".pickle") as data:
        data.write(pickle.dumps(files))
        data.flush()
        for _ in range(args.passes):
            for name, (source, yaml_load) in columns.items():
                runs[name].append(run_child(source, data.name, yaml_load))

    print(f"µs of CPU per file, median of {args.passes} passes over {args.files} files\n")
    print("| stage | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for stage in runs["this checkout"][0]:
        cells = [f"{statistics.median(run[stage] for run in runs[name]):.1f}" for name in columns]
        print(f"| {stage} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
