"""Time to turn a large article into the reader's blocks, measure them and draw one screen.

Runs this checkout and a baseline checkout (`--baseline DIR`, another worktree) in separate
processes on the same synthetic ~1 MB articles, alternating, and prints medians and ratios:

    uv run python bench/render_bench.py --baseline ../wt-old --repeat 5

- build: `build_document` (Markdown parse, HTML, doc-site pre-pass, link numbers).
- measure: `measure_block` of every block at 100 columns (what the reader does, in slices
  between events, before the scrollbar is right).
- build+measure: both; a full garbage collection (~0.2 s with the ~470k objects a 1 MB
  article makes) lands in one stage or the other depending on what ran before, so compare
  this sum rather than the two parts.
- screen: `block_lines` of the blocks of the first 40 lines (highlighting happens here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ARTICLES = {
    "links": (
        "这是一个测试段落，包含[链接](https://example.com/{n})和 https://b.example/{n} 以及"
        "**粗体**文字。\n\n- 列表项 [x](https://c.example/{n})\n- 第二项\n\n",
        7000,
    ),
    "code": (
        "第 {n} 个解法：\n\n```python\ndef solve_{n}(nums: list[int], target: int) -> int:\n"
        "    seen = {{}}  # value -> index\n    for i, n in enumerate(nums):\n"
        "        if target - n in seen:\n            return seen[target - n]\n"
        "    return -1\n```\n\n",
        4500,
    ),
    "html": (
        '<details>\n<summary>第 {n} 节</summary>\n\n内容 <b>粗体</b> 与 <a href="https://h.example/{n}">'
        "链接</a><br>下一行\n\n</details>\n\n<table><tr><td>{n}</td><td>值</td></tr></table>\n\n",
        5000,
    ),
}

CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
from tuireader.model.articles import Article
from tuireader.render.document import build_document
from tuireader.render.lines import block_lines, measure_block
gc.collect()
gc.freeze()  # as the app does after loading: what is already there is never scanned again
body = sys.stdin.read()
article = Article(id="x", path="x.md", title="t", body=body)
t0 = time.perf_counter()
document = build_document(article)
t1 = time.perf_counter()
heights = [measure_block(block, 100)[0] for block in document.blocks]
t2 = time.perf_counter()
lines = 0
for block in document.blocks:
    lines += len(block_lines(block, 100))
    if lines >= 40:
        break
t3 = time.perf_counter()
print(json.dumps({"build": t1 - t0, "measure": t2 - t1, "build+measure": t2 - t0,
                  "screen": t3 - t2, "lines": sum(heights)}))
"""


def run(src: Path, body: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(src)], input=body, text=True, capture_output=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent / "src"
    there = args.baseline.resolve() / "src"
    print("| article | chars | stage | baseline (s) | this (s) | ratio |")
    print("|---|---:|---|---:|---:|---:|")
    for name, (paragraph, count) in ARTICLES.items():
        body = "".join(paragraph.format(n=n) for n in range(count))
        runs: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
        for _ in range(args.repeat):  # alternate, so both see the same noise
            runs["base"].append(run(there, body))
            runs["this"].append(run(here, body))
        for stage in ("build", "measure", "build+measure", "screen"):
            base = statistics.median(r[stage] for r in runs["base"])
            this = statistics.median(r[stage] for r in runs["this"])
            print(
                f"| {name} | {len(body):,} | {stage} | {base:.3f} | {this:.3f} |"
                f" {this / base:.2f} |"
            )


if __name__ == "__main__":
    main()
