"""Titles from the body: headings, HTML titles, a plain-text rule, the file name."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.corpus.titles import (
    _first_heading,
    html_title,
    markdown_heading,
    plain_title,
    title_from_filename,
)


def test_first_h1_with_link_markup_reduced() -> None:
    body = "Intro line\n\n# [科技爱好者周刊](https://x.example)：第 **89** 期\n\n## Later\n"
    assert markdown_heading(body) == "科技爱好者周刊：第 89 期"


def test_setext_heading_and_closing_hashes() -> None:
    assert markdown_heading("Ruby News\n=========\n\ntext") == "Ruby News"
    assert markdown_heading("# Title ##\n") == "Title"


def test_headings_in_code_are_ignored() -> None:
    assert markdown_heading("```\n# not a title\n```\n\n# Real\n") == "Real"


def test_early_h2_is_used_when_there_is_no_h1() -> None:
    assert markdown_heading("## Section title\n\nText") == "Section title"
    assert markdown_heading("Paragraph first.\n\n## Section\n") is None


def test_plain_title_skips_urls_rules_numbers_and_long_lines() -> None:
    body = (
        "https://banner.example\n=====\n1\n00:00:06,500 --> 00:00:09,000\n"
        + "x" * 300
        + "\nThe title\n"
    )
    assert plain_title(body) == "The title"


def test_html_title_and_tag_soup() -> None:
    assert html_title("<html><head><title>Tom &amp; Jerry</title></head>") == "Tom & Jerry"
    soup = "<table\n  height=22 >\n<td class=cn\n height=22 >\n<b>搜狐在线</b></td>"
    assert html_title(soup) == "搜狐在线"
    assert html_title("no markup here") is None


def test_title_from_filename() -> None:
    assert title_from_filename("docs/free-music.md") == "free music"
    assert (
        title_from_filename("content/GATs-stabilization-push/index.md") == "GATs stabilization push"
    )
    assert title_from_filename("a/my_notes.txt") == "my notes"


def test_brackets_without_a_link_destination_are_kept() -> None:
    # A heading such as `# [AI] 新闻` means its brackets; only `[text](url)` is a link.
    for title in ("[AI] 新闻", "标题[/]尾", "[bold red]x[/]", "[@click=app.quit]x"):
        assert markdown_heading(f"# {title}\n\nbody\n") == title
    assert markdown_heading("# [AI](https://ai.example) 新闻\n") == "AI 新闻"


def test_a_setext_h2_is_found_after_the_line_it_underlines() -> None:
    assert markdown_heading("Section\n  ---\n\ntext") == "Section"
    assert markdown_heading("Section\n\t-\ntext") == "Section"
    assert markdown_heading("no heading - here\n\n    - not an underline") is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"#=- \t\n`~x中", "```", "Title", "\n---", "\n==="]), max_size=40))
def test_skipping_bodies_without_heading_marks_changes_nothing(pieces: list[str]) -> None:
    body = "".join(pieces)
    assert markdown_heading(body) == _first_heading(body)
