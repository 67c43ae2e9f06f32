"""GFM autolinks in Markdown articles: URLs, www. hosts and emails link; file names do not."""

from rich.text import Text

from tuireader.model.articles import Article
from tuireader.render.autolinks import split_at_full_width_stop
from tuireader.render.document import build_document


def linked(body: str) -> list[tuple[str, str]]:
    """(shown text, url) of each link in the first block."""
    document = build_document(Article(id="x", path="x.md", title="t", body=body))
    text: Text = document.blocks[0].text
    return [
        (text.plain[span.start : span.end], str(span.style.meta["url"]))
        for span in text.spans
        if not isinstance(span.style, str) and span.style.meta.get("url")
    ]


def test_bare_urls_www_hosts_and_emails_become_links() -> None:
    links = linked("See https://a.example/x, www.commonmark.org/help. Mail foo@bar.baz.")
    assert links == [
        ("https://a.example/x", "https://a.example/x"),
        ("www.commonmark.org/help", "http://www.commonmark.org/help"),
        ("foo@bar.baz", "mailto:foo@bar.baz"),
    ]


def test_an_email_with_an_underscore_links_whole() -> None:
    # `_` is an emphasis delimiter, so the plugin alone linked only `d@a.b` (GFM 632).
    assert linked("Mail a.b-c_d@a.b or *x_y@q.io*, not a.b-c_d@a.b_") == [
        ("a.b-c_d@a.b", "mailto:a.b-c_d@a.b"),
        ("x_y@q.io", "mailto:x_y@q.io"),
    ]
    assert linked("mailto:a_b@c.de") == [("mailto:a_b@c.de", "mailto:a_b@c.de")]


def test_file_names_are_not_links() -> None:
    assert linked("改 README.md 和 config.py，见 a.io") == []


def test_a_url_run_into_a_chinese_sentence_ends_at_its_punctuation() -> None:
    body = "详见 https://a.example/路径。下一句"
    document = build_document(Article(id="x", path="x.md", title="t", body=body))
    # Nothing is dropped; the link's number follows the link, before the full stop.
    assert document.blocks[0].text.plain == "详见 https://a.example/路径[1]。下一句"
    assert linked(body) == [("https://a.example/路径", "https://a.example/%E8%B7%AF%E5%BE%84")]
    assert [link.url for link in document.links] == ["https://a.example/%E8%B7%AF%E5%BE%84"]


def test_links_written_as_markdown_are_left_alone() -> None:
    assert linked("[文档](https://docs.example/a) 与 <https://b.example>") == [
        ("文档", "https://docs.example/a"),
        ("https://b.example", "https://b.example"),
    ]


def test_splitting_keeps_every_character() -> None:
    assert split_at_full_width_stop("https://x.example/a，b") == ("https://x.example/a", "，b")
    assert split_at_full_width_stop("https://x.example/a") == ("https://x.example/a", "")
