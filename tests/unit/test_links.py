"""Link extraction: every Markdown link form, in order, once, never from code; plain-text URLs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.model.links import (
    _MARKDOWN,
    _MARKDOWN_STARTS,
    _PLAIN,
    _PLAIN_STARTS,
    Link,
    _matches,
    extract_links,
    plain_inline,
)


def urls(text: str, kind: str = "markdown") -> list[str]:
    return [link.url for link in extract_links(text, kind)]


def test_inline_links_with_emphasis_in_their_text() -> None:
    text = "1. [**Tinker API推出**-Lilian Weng](https://x.com/lilianweng/status/1)\n"
    assert extract_links(text) == (
        Link("Tinker API推出-Lilian Weng", "https://x.com/lilianweng/status/1"),
    )


def test_reference_links_full_collapsed_and_shortcut() -> None:
    text = (
        "See [下载][1], [the docs][] and [Ruby].\n\n"
        "[1]: https://example.com/download\n"
        '[the docs]: <https://example.com/docs> "Docs"\n'
        "[ruby]: https://ruby-lang.org\n"
    )
    assert extract_links(text) == (
        Link("下载", "https://example.com/download"),
        Link("the docs", "https://example.com/docs"),
        Link("Ruby", "https://ruby-lang.org"),
    )


def test_autolinks_bare_urls_and_html_anchors_in_document_order() -> None:
    text = (
        "Start <https://a.example/1> then https://b.example/2, and "
        '<a href="https://c.example/3?x=1&amp;y=2">C <b>site</b></a>. End www.d.example.'
    )
    assert extract_links(text) == (
        Link("https://a.example/1", "https://a.example/1"),
        Link("https://b.example/2", "https://b.example/2"),
        Link("C site", "https://c.example/3?x=1&y=2"),
        Link("https://www.d.example", "https://www.d.example"),
    )


def test_duplicates_keep_the_first_occurrence() -> None:
    text = "[one](https://x.example) and [two](https://x.example) and https://x.example"
    assert extract_links(text) == (Link("one", "https://x.example"),)


def test_nothing_is_taken_from_code() -> None:
    text = (
        "Use `curl https://inline.example` here.\n\n"
        "```sh\ncurl https://fenced.example\n[x](https://fenced2.example)\n```\n\n"
        "~~~\nhttps://tilde.example\n~~~\n"
        "After [real](https://real.example).\n"
    )
    assert urls(text) == ["https://real.example"]


def test_unclosed_fence_runs_to_the_end() -> None:
    assert urls("[a](https://a.example)\n```\nhttps://hidden.example\n") == ["https://a.example"]


def test_images_and_media_tags_are_not_links() -> None:
    text = '![logo](https://img.example/x.png) <img src="https://img.example/y.png"> [t](https://t.example)'
    assert urls(text) == ["https://t.example"]


def test_urls_with_parentheses_and_trailing_punctuation() -> None:
    text = "[Film](https://en.wikipedia.org/wiki/Heat_(1995_film)) and see https://a.example/x)."
    assert urls(text) == ["https://en.wikipedia.org/wiki/Heat_(1995_film)", "https://a.example/x"]


def test_bare_url_ends_at_chinese_text() -> None:
    assert urls("立即報名:https://www.gate.com/questionnaire/7159豪華代幣", "text") == [
        "https://www.gate.com/questionnaire/7159"
    ]


def test_plain_text_only_takes_urls() -> None:
    text = "[not markdown](https://a.example) and https://b.example."
    assert urls(text, "text") == ["https://a.example", "https://b.example"]


def test_javascript_and_a_bare_hash_are_skipped_anchors_are_listed() -> None:
    # An anchor is listed: the link list is the keyboard's way to a page's own headings.
    found = urls("[top](#top) [x](javascript:alert(1)) [y](/relative/page) [z](#) [d](data:,x)")
    assert found == ["#top", "/relative/page"]


def test_link_texts_and_urls_are_clean() -> None:
    (link,) = extract_links("[evil\u202etxt](https://a.example/\x1b[31m)")
    assert link.text == "eviltxt"
    assert "\x1b" not in link.url


def test_plain_inline() -> None:
    assert (
        plain_inline("[**Bold** link](https://x) and `code` ![alt](i.png)")
        == "Bold link and code alt"
    )
    assert plain_inline("<em>Tom &amp; Jerry</em>") == "Tom & Jerry"
    assert plain_inline("snake_case_name stays") == "snake_case_name stays"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*"[]()<>`~!*_ \nhtps:/w.x中", "http://", "```", "]: "]), max_size=80)
)
def test_any_text_gives_links_without_raising(pieces: list[str]) -> None:
    text = "".join(pieces)
    for kind in ("markdown", "text"):
        found = extract_links(text, kind)
        assert len({link.url for link in found}) == len(found)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"[]()<>`~!*_ \nhtps:/w.x中", "http://", "https://", "www.", "![", "<a "]),
        max_size=60,
    ),
    st.integers(0, 40),
)
def test_matches_are_finditer_s(pieces: list[str], padding: int) -> None:
    # Padding lets more places where a match may begin be looked up with `str.find` before
    # `_matches` hands over to `finditer` (one per 512 characters).
    filler = "中" * 256 * padding
    text = filler + "".join(pieces) + filler
    for pattern, starts in ((_MARKDOWN, _MARKDOWN_STARTS), (_PLAIN, _PLAIN_STARTS)):
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in _matches(pattern, text, starts)] == expected
