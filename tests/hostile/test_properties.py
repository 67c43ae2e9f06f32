"""Property tests: random bytes, random text and mutated real articles through the whole
headless pipeline (parse, index, search, build, wrap) with no exception and no control
character in anything shown."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import unsafe
from tests.hostile.corpus import ESCAPES, MARKUP
from tuireader.corpus.parse import parse_file
from tuireader.render.document import build_document
from tuireader.render.wrap import wrap_text
from tuireader.search.index import SearchIndex

BUNDLED = sorted((Path(__file__).parents[2] / "corpus").iterdir())
SEED_BYTES = [path.read_bytes()[:6000] for path in BUNDLED]
NAMES = st.sampled_from(["a.md", "b.txt", "c.markdown", "[AI] 新闻.md", "x\x1b[2J.md"])
INSERTS = st.sampled_from([*ESCAPES.values(), *MARKUP, "\x00", "\x9b", "\r", "---\n", "\n"])


def run_pipeline(name: str, data: bytes, query: str) -> None:
    articles, problems = parse_file(name, data)
    for problem in problems:
        assert not unsafe(problem.path + problem.reason)
    index = SearchIndex.build(articles)
    for hit in index.search(query, limit=5).hits:
        assert not unsafe(hit.snippet) and "\n" not in hit.snippet
    for article in articles:
        assert not unsafe(article.title + article.path + "".join(article.tags))
        assert not unsafe(article.body)
        for link in article.links:
            assert not unsafe(link.text + link.url)
        for block in build_document(article).blocks:
            for row in block.rows:
                assert not any(unsafe(cell.plain) for cell in row)
            for _, line in wrap_text(block.text, 40):
                assert not unsafe(line.plain) and "\n" not in line.plain


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=4000), NAMES, st.text(max_size=20))
def test_random_bytes(data: bytes, name: str, query: str) -> None:
    run_pipeline(name, data, query)


@FAST
@given(st.text(max_size=3000), NAMES, st.text(max_size=20))
def test_random_unicode(text: str, name: str, query: str) -> None:
    run_pipeline(name, text.encode("utf-8", "surrogatepass"), query)


@FAST
@given(
    st.sampled_from(range(len(SEED_BYTES))),
    st.lists(
        st.tuples(
            st.floats(0, 1), st.one_of(INSERTS.map(str.encode), st.binary(min_size=1, max_size=3))
        ),
        max_size=12,
    ),
    st.lists(st.floats(0, 1), max_size=8),
    NAMES,
    st.sampled_from(["模型", "AI", "[AI]", "the", "\x1b[2J"]),
)
def test_mutated_real_articles(
    seed: int,
    inserts: list[tuple[float, bytes]],
    flips: list[float],
    name: str,
    query: str,
) -> None:
    data = bytearray(SEED_BYTES[seed])
    for where, piece in inserts:
        at = int(where * len(data))
        data[at:at] = piece
    for where in flips:
        at = min(int(where * len(data)), len(data) - 1)
        data[at] ^= 0x80
    run_pipeline(name, bytes(data), query)
