"""The harness's own judge: it must fail what a reader gets wrong, not only pass what is right."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from tests.fidelity.spec import Example, judge, reference

MARKER = Style(bold=True)


def example(markdown: str, html: str) -> Example:
    return Example("commonmark", "Test", 1, markdown, html)


def line(*pieces: tuple[str, Style | None]) -> Text:
    text = Text()
    for piece, style in pieces:
        text.append(piece, style)
    return text


def problems(html: str, lines: list[Text]) -> tuple[str, ...]:
    return judge(example("", html), lines, 80).problems


LIST = "<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>three</li>\n</ul>\n</li>\n</ul>\n"


def test_the_reference_text_is_what_a_browser_shows() -> None:
    found = reference(
        '<p>a &amp; b<br />\nc <img src="x.png" alt="pic" /></p>\n<!-- hidden -->\n'
        '<ul>\n<li><input type="checkbox" checked="" disabled="" /> done</li>\n</ul>\n'
        "<style>p { color: red }</style>\n"
    )
    assert found.text == "a & b c pic ☑ done"
    assert (found.list_items, found.list_depth) == (1, 1)


def test_a_list_drawn_with_markers_and_nesting_passes() -> None:
    lines = [
        line(("• ", MARKER), ("one", None)),
        line(("• ", MARKER), ("two", None)),
        line(("  • ", MARKER), ("three", None)),
    ]
    assert problems(LIST, lines) == ()


def test_a_list_without_markers_or_nesting_fails() -> None:
    flat = [line(("one", None)), line(("two", None)), line(("three", None))]
    assert problems(LIST, flat) == ("0 list markers for 3 items", "nested list not indented")


def test_a_number_styled_as_the_content_is_content_not_a_marker() -> None:
    assert problems("<p>1. not a list</p>\n", [line(("1. not a list", None))]) == ()
    ordered = "<ol>\n<li>one</li>\n</ol>\n"
    assert problems(ordered, [line(("1. ", MARKER), ("one", None))]) == ()
    assert problems(ordered, [line(("1. one", None))]) == (
        "text differs",
        "0 list markers for 1 items",
    )


def test_leaked_syntax_is_named() -> None:
    found = problems("<p><strong>bold</strong> <em>x</em></p>\n", [line(("**bold** x", None))])
    assert found == ("text differs", "leaks **")


def test_quotes_need_their_bars_and_code_its_own_style() -> None:
    html = "<blockquote>\n<pre><code>code here\n</code></pre>\n</blockquote>\n"
    bare = [line(("code here", None))]
    assert problems(html, bare) == (
        "0 quote bars for 1 nested quotes",
        "code not boxed or marked",
    )
    drawn = [line(("▌ ", Style(dim=True)), ("code here", Style(color="cyan")))]
    assert problems(html, drawn) == ()


def test_links_tables_and_rules_must_be_drawn() -> None:
    html = (
        '<p><a href="/u">link</a></p>\n<hr />\n'
        "<table>\n<thead>\n<tr>\n<th>h</th>\n</tr>\n</thead>\n</table>\n"
    )
    plain = [line(("link", None)), line(("h", None))]
    assert problems(html, plain) == (
        "link not marked",
        "table without a grid",
        "no rule line for <hr>",
    )
    drawn = [
        line(("link", Style(underline=True))),
        line(("─" * 40, None)),
        line((" h", None)),
        line((" ─", None)),
    ]
    assert problems(html, drawn) == ()


def test_a_folded_long_word_joins_without_a_space() -> None:
    word = "x" * 100
    lines = [line((word[:80], None)), line((word[80:], None))]
    assert problems(f"<p>{word}</p>\n", lines) == ()


def test_a_task_box_is_the_items_marker_and_stays_in_the_text() -> None:
    html = '<ul>\n<li><input type="checkbox" disabled="" /> todo</li>\n</ul>\n'
    assert problems(html, [line(("☐ ", MARKER), ("todo", None))]) == ()
    assert problems(html, [line(("todo", None))]) != ()


def test_link_numbers_are_taken_off_but_other_brackets_are_text() -> None:
    html = '<p><a href="https://a.example">a</a>[2]</p>\n'
    link = Style(underline=True) + Style.from_meta({"url": "https://a.example"})
    number = Style(dim=True) + Style.from_meta({"link": 1})
    assert problems(html, [line(("a", link), ("[1]", number), ("[2]", None))]) == ()
    assert problems(html, [line(("a", link), ("[1]", None), ("[2]", None))]) != ()


def test_a_code_box_language_label_is_taken_off_but_code_is_text() -> None:
    html = '<pre><code class="language-ruby">puts 1\n</code></pre>\n'
    label = Style(dim=True) + Style.from_meta({"code_label": True})
    code = Style(color="bright_cyan")
    top = line(("╭─", None), (" ruby ", label), ("─────╮", None))
    assert problems(html, [top, line(("│ ", None), ("puts 1", code), (" │", None))]) == ()
    top_as_text = line(("╭─", None), (" ruby ", None), ("─────╮", None))
    assert problems(html, [top_as_text, line(("│ ", None), ("puts 1", code), (" │", None))]) != ()
