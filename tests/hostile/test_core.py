"""The hostile corpus through the pure core: load, index, search, build and wrap documents."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.hostile.conftest import bounded, render, unsafe
from tests.hostile.corpus import (
    ALL_ESCAPES,
    MARKUP,
    HostileCorpus,
    simulated_failures,
)
from tuireader.corpus.loader import load_corpus
from tuireader.corpus.parse import LoadResult
from tuireader.model.articles import Article
from tuireader.render.document import MAX_DISPLAY_CHARS, build_document
from tuireader.search.index import SearchIndex
from tuireader.system.browser import is_openable

PER_ARTICLE_SECONDS = 20  # a hang guard: the slowest article takes about 2 s on 2 cores


@pytest.fixture(scope="module")
def loaded(hostile: HostileCorpus) -> LoadResult:
    with simulated_failures(hostile):
        return bounded(120, lambda: load_corpus(hostile.root, use_cache=False), "loading")


@pytest.fixture(scope="module")
def index(loaded: LoadResult) -> SearchIndex:
    return bounded(120, lambda: SearchIndex.build(loaded.articles), "indexing")


def test_each_case_loads_as_expected_and_is_reported_once(
    hostile: HostileCorpus, loaded: LoadResult
) -> None:
    counts = Counter(p.path for p in loaded.problems)
    assert [path for path, n in counts.items() if n > 1] == []
    reasons = {p.path: p.reason for p in loaded.problems}
    entries = {a.path for a in loaded.articles}
    wrong = []
    for case in hostile.cases:
        shown = case.shown
        has_entry, reason = shown in entries, reasons.get(shown)
        expected = {
            "entry": has_entry and reason is None,
            "problem": not has_entry and reason is not None,
            "entry+problem": has_entry and reason is not None,
            "ignored": not has_entry and reason is None,
        }[case.outcome]
        if not expected or (reason is not None and case.reason not in reason):
            wrong.append((case.name, shown, case.outcome, has_entry, reason))
    assert wrong == []
    # Nothing is reported that is not a case, and every reason is one clean line.
    assert set(reasons) <= {c.shown for c in hostile.cases}
    for problem in loaded.problems:
        assert not unsafe(problem.path + problem.reason)
        assert "\n" not in problem.path + problem.reason


def test_no_control_character_reaches_a_record(loaded: LoadResult) -> None:
    for article in loaded.articles:
        one_line = [
            article.title,
            article.path,
            *article.tags,
            *article.authors,
            article.source_url or "",
            *(link.text for link in article.links),
            *(link.url for link in article.links),
            *article.problems,
        ]
        for text in one_line:
            assert not unsafe(text) and "\n" not in text, (article.path, text[:80])
        assert not unsafe(article.body), article.path
        assert article.title.strip()


def test_escape_payloads_keep_their_printable_text(loaded: LoadResult) -> None:
    (article,) = [a for a in loaded.articles if a.path == "escapes/frontmatter.md"]
    assert article.title.startswith("Title [2J[H]52;c;")
    assert all(not unsafe(tag) for tag in article.tags) and len(article.tags) == 7
    assert article.authors == ("Author ]52;c;UFdORUQtQkVM",)


def test_markup_in_every_field_is_kept_literally(loaded: LoadResult) -> None:
    by_path = {a.path: a for a in loaded.articles}
    for number, markup in enumerate(MARKUP):
        article = by_path[f"markup/frontmatter-{number}.md"]
        assert article.title == markup
        assert article.authors == (markup,)
        assert markup in article.body
        assert any(link.text == markup for link in article.links)
        assert f"markup-names/{markup}.md" in by_path
    # Tags are split at commas only; markup survives.
    assert by_path["markup/frontmatter-0.md"].tags == MARKUP
    assert by_path["markup/heading.md"].title == "[AI] 新闻"


def test_dangerous_links_are_never_openable(loaded: LoadResult) -> None:
    (article,) = [a for a in loaded.articles if a.path == "links/links.md"]
    assert article.source_url is None  # javascript: is not a source URL
    urls = [link.url for link in article.links]
    assert not any(u.lower().startswith(("javascript:", "data:")) for u in urls)
    for url in urls:
        assert is_openable(url) == url.startswith(("http://", "https://", "mailto:"))
    assert any(len(u) > 100_000 for u in urls)  # the long URL is kept, not cut mid-way
    for article in loaded.articles:
        for link in article.links:
            if not link.url.startswith(("https://", "http://", "mailto:")):
                assert not is_openable(link.url)


def test_python_tags_in_yaml_are_never_run(hostile: HostileCorpus, loaded: LoadResult) -> None:
    assert not (hostile.root.parent / "python-object-ran").exists()


def test_search_finds_hostile_text_and_returns_clean_snippets(
    loaded: LoadResult, index: SearchIndex
) -> None:
    queries = [
        *MARKUP,
        ALL_ESCAPES,
        "\x1b[2J",
        "52;c;",
        "新闻",
        "Paragraph 99999",  # the last of 100,000 paragraphs
        "LONGLINEEND",  # after 5 MB on one line: past the display cut, still searchable
        "title:[AI]",
        "tag:[bold",
        '"标题[/]尾"',
        "-x [",
        "[" * 1000,
        "after:9999-99-99",
    ]
    by_id = {a.id: a for a in loaded.articles}
    for query in queries:
        started = time.perf_counter()
        results = index.search(query, limit=50, exact_total=True)
        assert time.perf_counter() - started < PER_ARTICLE_SECONDS, query
        for hit in results.hits:
            assert not unsafe(hit.snippet) and "\n" not in hit.snippet
            for start, end in hit.snippet_spans:
                assert 0 <= start <= end <= len(hit.snippet)
            assert hit.id in by_id
    paths = {by_id[h.id].path for h in index.search("LONGLINEEND", limit=5).hits}
    assert paths == {"sizes/long-line.md"}
    paths = {by_id[h.id].path for h in index.search("Paragraph 99999", limit=5).hits}
    assert "sizes/many-paragraphs.txt" in paths
    titles = {by_id[h.id].title for h in index.search("title:[AI]", limit=50).hits}
    assert "[AI] 新闻" in titles


def test_every_article_renders_in_bounded_time_without_controls(loaded: LoadResult) -> None:
    # `bounded` is a hang guard (a generous timeout), not a speed check: speed is measured in
    # bench/, never asserted here.
    def lines_of(article: Article) -> list[str]:
        return bounded(PER_ARTICLE_SECONDS, lambda: render(article, 76), article.path)

    for article in loaded.articles:
        lines = lines_of(article)
        for line in lines:
            assert not unsafe(line), (article.path, line[:80])
            assert "\n" not in line


def test_markup_renders_literally(loaded: LoadResult) -> None:
    by_path = {a.path: a for a in loaded.articles}
    for number, markup in enumerate(MARKUP):
        text = "\n".join(render(by_path[f"markup/frontmatter-{number}.md"], 200))
        assert f"Body {markup} tail." in text
        assert text.count(markup) >= 4  # paragraph, bold, link, heading, list item, code
    # HTML is read by an HTML parser: tags are gone and their text kept, and a script (which
    # GFM filters) reads as the text it is.
    html = "\n".join(render(by_path["markup/html.md"], 200))
    assert html.splitlines()[-1] == "bold <script>alert(1)</script>"


def test_oversized_articles_are_cut_for_display_with_a_note(loaded: LoadResult) -> None:
    by_path = {a.path: a for a in loaded.articles}
    oversized = [a for a in loaded.articles if a.chars > MAX_DISPLAY_CHARS]
    assert "sizes/long-line.md" in {a.path for a in oversized}
    for article in oversized:
        document = build_document(article)
        assert document.blocks[0].kind == "meta"
        assert "Long article: showing the first" in document.blocks[0].text.plain
        assert document.blocks[-1].text.plain.startswith("⚠ End of what is shown")
    # Below the cut, everything is shown: the 10,000 links and the 200-level list.
    links = build_document(by_path["sizes/many-links.md"])
    assert len(links.links) == 10_000
    nested = "\n".join(render(by_path["sizes/nested-list.md"], 200))
    assert "level 199" in nested


def test_a_repetitive_query_in_a_long_url_is_not_quadratic() -> None:
    # Quadratic snippet anchoring took 35-45 s here; linear takes milliseconds. The guard is a
    # hang guard far above either noise or a slow machine, not a speed assertion.
    url = "https://x.example/" + "a" * 100_000
    index = SearchIndex.build([Article("1", "1.md", "t", f"see {url} end")])
    results = bounded(20, lambda: index.search("a" * 300, limit=5), "a long query")
    assert [hit.id for hit in results.hits] == ["1"]


def test_attribute_lists_that_never_close_are_not_exponential() -> None:
    # A heading's `{.a.a.a…` that splits many ways took seconds at 22 parts and doubled with
    # each one; kramdown's `{: #aaa…` lines were quadratic. A hang guard, not a speed check.
    body = "## x {" + ".a" * 5_000 + " !}\n\n## y\n{: #" + "a" * 200_000 + "\n\n## z {#kept .c}\n"
    document = bounded(20, lambda: build_document(Article("1", "1.md", "t", body)), "attributes")
    assert [block.anchor for _, block in document.headings] == ["", "", "kept"]
    assert document.headings[0][1].text.plain.endswith(" !}")  # not an attribute list: text
