"""Doc-site markup (Hugo shortcodes, Liquid tags, MDX components) reads as the site shows it."""

from rich.style import Style

from tuireader.model.articles import Article
from tuireader.render.blocks import Document
from tuireader.render.docsite import desugar
from tuireader.render.document import build_document
from tuireader.render.styles import LABEL_STYLE


def document(body: str) -> Document:
    return build_document(Article(id="x", path="x.md", title="t", body=body, kind="markdown"))


def shown(doc: Document) -> list[str]:
    return [b.text.plain for b in doc.blocks]


def test_a_hugo_shortcode_is_a_dim_label_and_its_content_stays() -> None:
    doc = document('{{< tip >}}\n这是提示 **加粗**。\n{{< /tip >}}\n\n{{% note title="注意" %}}\n')
    assert shown(doc) == ["tip\n这是提示 加粗。", "note: 注意"]
    tip = doc.blocks[0].text
    assert tip.spans[0].style == LABEL_STYLE and (tip.spans[0].start, tip.spans[0].end) == (0, 3)
    assert any(span.style == Style(bold=True) for span in tip.spans)


def test_liquid_highlight_is_a_code_block_and_other_tags_go() -> None:
    body = (
        "See [guide]({% link docs/guide.md %}).{% include foo.html %}\n\n"
        '{% highlight ruby %}\nputs "{{ not a shortcode }}"\n{% endhighlight %}\n'
    )
    doc = document(body)
    assert [b.kind for b in doc.blocks] == ["paragraph", "code"]
    assert doc.blocks[0].text.plain == "See guide[1]."
    assert [link.url for link in doc.links] == ["docs/guide.md"]
    assert doc.blocks[1].text.plain == 'puts "{{ not a shortcode }}"'


def test_markup_inside_fenced_code_is_left_as_written() -> None:
    body = "```md\n{{< tip >}}\n{% highlight ruby %}\n```\n"
    assert desugar(body) == body
    assert shown(document(body)) == ["{{< tip >}}\n{% highlight ruby %}"]


def test_every_line_stays_one_line() -> None:
    body = "a\n{{< tip >}}\nb\n{{< /tip >}}\n{% highlight go %}\nx\n{% endhighlight %}\n{% if x %}"
    assert desugar(body).count("\n") == body.count("\n")


def test_mdx_components_show_their_panel_labels_and_keep_the_markdown_inside() -> None:
    body = (
        '<SimpleTab>\n<div label="AWS KMS">\n\nKMS **内容**\n\n</div>\n'
        '<div label="GCP">\n\nGCP 内容\n\n</div>\n</SimpleTab>\n'
    )
    doc = document(body)
    assert shown(doc) == ["▸ AWS KMS", "KMS 内容", "▸ GCP", "GCP 内容"]
    assert doc.blocks[0].text.spans[0].style == LABEL_STYLE
    assert any(span.style == Style(bold=True) for span in doc.blocks[1].text.spans)


def test_hostile_shortcode_text_is_escaped_into_the_label() -> None:
    doc = document('{{< x title="<script>&#27;[2J" >}}\n')
    text = doc.blocks[0].text.plain
    assert text == "x: <script>&#27;[2J"
    assert "\x1b" not in text


def test_kramdown_attribute_lines_go_and_a_heading_keeps_its_id_as_anchor() -> None:
    body = (
        "So, where do you start?\n{: .summary}\n\n"
        "### Using Git to Track Ruby\n{: #following-ruby}\n\nThe repository.\n"
    )
    assert desugar(body).count("\n") == body.count("\n")  # line for line
    doc = document(body)
    assert shown(doc) == ["So, where do you start?", "Using Git to Track Ruby", "The repository."]
    assert doc.blocks[1].anchor == "following-ruby"
    assert doc.heading_block("following-ruby") == 1


def test_a_heading_s_attribute_list_is_its_anchor_not_text() -> None:
    doc = document(
        "## Terminology {#terminology}\n\n## A [link](https://e.example) {#lk .note key=v}\n\n"
        "## JSON {}\n\n```\n## not {#a heading}\n```\n"
    )
    headings = [(b.text.plain, b.anchor) for _, b in doc.headings]
    assert headings == [("Terminology", "terminology"), ("A link[1]", "lk"), ("JSON {}", "")]
    assert doc.heading_block("lk") == 1
    assert doc.heading_block("terminology") == 0  # by its id (which is also its slug here)
    assert doc.heading_block("json-") == 2  # by its slug
    assert "## not {#a heading}" in shown(doc)[-1]  # code is code
