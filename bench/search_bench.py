"""Benchmark of tuireader's search index against a plain scan and SQLite FTS5 (trigram).

Run: uv run python bench/search_bench.py [--sizes 1000,10000,100000] [--skip-fts-above 10000]

Each (engine, size) runs in its own subprocess so that peak memory (ru_maxrss) is its own. The
corpus is `corpus_gen.py`'s (deterministic, recombined from the seed articles in
../shared/seeds/ when they exist, else from a built-in word list). Recall is checked against a
plain scan of the folded text for every query.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time

from corpus_gen import generate

from tuireader.model.articles import Article
from tuireader.search.index import SearchIndex
from tuireader.search.normalize import fold, term_variants
from tuireader.search.query import parse_query

ENGINES = ("index", "scan", "fts5")
LIMIT = 20

# (kind, query). The worst cases: common Latin fragments, and phrases whose pairs all occur.
QUERIES: list[tuple[str, str]] = [
    ("han-1", "模"),
    ("han-1", "的"),
    ("han-1", "龍"),
    ("han-2", "模型"),
    ("han-2", "发布"),
    ("han-2", "网络"),
    ("han-2", "智能"),
    ("phrase", "大型语言模型"),
    ("phrase", "强化学习"),
    ("phrase", "开源模型"),
    ("phrase", '"AI 模型"'),
    ("latin", "karpathy"),
    ("latin", "claude"),
    ("latin", "model"),
    ("prefix", "kar"),
    ("prefix", "anth"),
    ("punct", "gpt-5"),
    ("punct", "x.com"),
    ("mixed", "GPT-5 发布"),
    ("mixed", "Claude 模型"),
    ("trad", "強化學習"),
    ("trad", "網絡"),
    ("fullwidth", "ＧＰＴ"),
    ("variant", "人工智能"),
    ("variant", "软件"),
    ("multi", "模型 训练 数据"),
    ("no-hit", "量子纠缠"),
    ("no-hit", "zxqv"),
    ("worst", "e"),
    ("worst", "th"),
    ("worst", "the"),
    ("worst", "in"),
    ("worst", "模型的模型"),
    ("worst", "的是的"),
    ("worst", "ai ai ai"),
    ("worst", '"the model the"'),
]


def make_corpus(size: int) -> list[Article]:
    """`size` articles of about DOC_BYTES UTF-8 bytes, a quarter in Traditional script."""
    return [
        Article(id=f"a{g.number}", path=f"a{g.number}.md", title=g.title, body=g.body, date=g.date)
        for g in generate(size)
    ]


def _query_terms(query: str) -> list[tuple[tuple[str, ...], bool]]:
    return [(term_variants(t.text), t.negated) for t in parse_query(query).terms]


def _matches(text: str, terms: list[tuple[tuple[str, ...], bool]]) -> bool:
    return all(any(v in text for v in variants) != negated for variants, negated in terms)


def _scan_matches(folded: list[str], query: str) -> list[int]:
    """Documents containing every positive term (any variant) and no negative one."""
    terms = _query_terms(query)
    return [i for i, text in enumerate(folded) if _matches(text, terms)]


def reference(articles: list[Article]) -> dict[str, set[int]]:
    """The plain-scan answer to every query, folding one document at a time (little memory)."""
    parsed = {query: _query_terms(query) for _, query in QUERIES}
    expected: dict[str, set[int]] = {query: set() for query in parsed}
    for number, doc in enumerate(articles):
        text = fold(doc.title) + "\n" + fold(doc.body)
        for query, terms in parsed.items():
            if _matches(text, terms):
                expected[query].add(number)
    return expected


class ScanEngine:
    def __init__(self, articles: list[Article]) -> None:
        self.folded = [fold(a.title) + "\n" + fold(a.body) for a in articles]
        self.stamps = [a.date.timestamp() if a.date else 0.0 for a in articles]

    def search(self, query: str) -> tuple[list[int], int]:
        matches = _scan_matches(self.folded, query)
        # Ranked simply: by term frequency, then newest.
        parsed = parse_query(query)
        needles = [v for t in parsed.positive_terms for v in term_variants(t.text)]
        ranked = sorted(
            matches,
            key=lambda i: (-sum(self.folded[i].count(n) for n in needles), -self.stamps[i]),
        )
        return ranked[:LIMIT], len(matches)


class IndexEngine:
    def __init__(self, articles: list[Article]) -> None:
        self.index = SearchIndex.build(articles)
        self.slot = {a.id: i for i, a in enumerate(articles)}

    def search(self, query: str) -> tuple[list[int], int]:
        results = self.index.search(query, limit=LIMIT)
        return [self.slot[h.id] for h in results.hits], results.total


class Fts5Engine:
    def __init__(self, articles: list[Article]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='trigram')")
        self.db.executemany(
            "INSERT INTO docs(rowid, body) VALUES (?, ?)",
            ((i, fold(a.title) + "\n" + fold(a.body)) for i, a in enumerate(articles)),
        )
        self.db.commit()

    def search(self, query: str) -> tuple[list[int], int]:
        parsed = parse_query(query)
        clauses, params = [], []
        for term in parsed.terms:
            ors = []
            for variant in term_variants(term.text):
                if len(variant) >= 3:
                    ors.append("rowid IN (SELECT rowid FROM docs WHERE docs MATCH ?)")
                    params.append('"' + variant.replace('"', '""') + '"')
                else:
                    ors.append("instr(body, ?) > 0")
                    params.append(variant)
            clause = "(" + " OR ".join(ors) + ")"
            clauses.append(("NOT " if term.negated else "") + clause)
        where = " AND ".join(clauses) or "1"
        rows = self.db.execute(f"SELECT rowid FROM docs WHERE {where}", params).fetchall()
        # FTS5's bm25() only works on MATCH queries; rank the matches by rowid like a scan.
        ids = [r[0] for r in rows]
        return ids[:LIMIT], len(ids)


def run_engine(engine: str, size: int) -> dict[str, object]:
    articles = make_corpus(size)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    built = {"index": IndexEngine, "scan": ScanEngine, "fts5": Fts5Engine}[engine](articles)
    build_seconds = time.perf_counter() - started
    built.search("warm-up 软件 軟體")  # loads the OpenCC dictionaries used for variants
    times: list[float] = []
    cpu_times: list[float] = []  # the thread's own CPU time: what a query costs on a free core
    answers: dict[str, tuple[list[int], int]] = {}
    for _, query in QUERIES:
        for _repeat in range(3):
            cpu_started = time.thread_time()
            started = time.perf_counter()
            answers[query] = built.search(query)
            times.append(time.perf_counter() - started)
            cpu_times.append(time.thread_time() - cpu_started)
        if isinstance(built, IndexEngine):
            answers[query] = (answers[query][0], built.index.count(query))
    # Peak memory is taken before the reference scan below, which holds folded copies.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    expected = reference(articles)
    recall_ok = all(
        set(top) <= expected[query]
        and len(top) == min(LIMIT, len(expected[query]))
        and total == len(expected[query])
        for query, (top, total) in answers.items()
    )
    worst = max(
        (statistics.median(times[i * 3 : i * 3 + 3]), q) for i, (_, q) in enumerate(QUERIES)
    )
    times.sort()
    cpu_times.sort()
    return {
        "engine": engine,
        "size": size,
        "mb": round(sum(len(a.body.encode()) for a in articles) / 1e6),
        "build": build_seconds,
        "peak_mb": peak_mb,
        "rss_before_mb": rss_before / 1024,
        "p50": statistics.median(times) * 1000,
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        "p99_cpu": cpu_times[min(len(cpu_times) - 1, int(len(cpu_times) * 0.99))] * 1000,
        "recall": recall_ok,
        "worst": worst[1],
    }


def per_query(size: int) -> None:
    """Print each query's latency and total for the index (for finding slow queries)."""
    engine = IndexEngine(make_corpus(size))
    for kind, query in QUERIES:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            results = engine.index.search(query, limit=LIMIT)
            runs.append(time.perf_counter() - started)
        print(
            f"{kind:9} {query:22} {min(runs) * 1000:7.2f} ms  total {results.total}"
            f"{'~' if results.estimated else ''}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--skip-fts-above", type=int, default=10000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--per-query", type=int, metavar="SIZE", help="latency of each query")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each engine and size; medians are shown"
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_engine(args.child[0], int(args.child[1]))))
        return
    if args.per_query:
        per_query(args.per_query)
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for engine in args.engines.split(","):
            if engine == "fts5" and size > args.skip_fts_above:
                continue
            runs = []
            for _ in range(max(1, args.repeat)):
                command = [sys.executable, __file__, "--child", engine, str(size)]
                output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                runs.append(json.loads(output.strip().splitlines()[-1]))
                print(f"done: {json.dumps(runs[-1])}", file=sys.stderr)
            rows.append(_median_row(runs))
    print_table(rows)


def _median_row(runs: list[dict[str, object]]) -> dict[str, object]:
    """One row from repeated runs: the median of each measure; exact only if every run was."""
    row = dict(runs[0])
    for key in ("build", "peak_mb", "p50", "p99", "p99_cpu"):
        row[key] = statistics.median(float(run[key]) for run in runs)  # type: ignore[arg-type]
    row["recall"] = all(run["recall"] for run in runs)
    row["worst"] = statistics.mode(str(run["worst"]) for run in runs)
    row["runs"] = len(runs)
    return row


def print_table(rows: list[dict[str, object]]) -> None:
    scans = {r["size"]: r for r in rows if r["engine"] == "scan"}
    print(
        "| engine | docs | text MB | build s | peak RSS MB | p50 ms | p99 ms | p99 CPU ms "
        "| p99 vs scan | recall | slowest query |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        scan = scans.get(row["size"])
        ratio = f"{float(row['p99']) / float(scan['p99']):.3f}×" if scan else "—"  # type: ignore[arg-type]
        print(
            f"| {row['engine']} | {row['size']} | {row['mb']} | {float(row['build']):.2f} "  # type: ignore[arg-type]
            f"| {float(row['peak_mb']):.0f} | {float(row['p50']):.2f} "  # type: ignore[arg-type]
            f"| {float(row['p99']):.2f} | {float(row['p99_cpu']):.2f} | {ratio} "  # type: ignore[arg-type]
            f"| {'exact' if row['recall'] else 'WRONG'} | `{row['worst']}` |"
        )


if __name__ == "__main__":
    main()
