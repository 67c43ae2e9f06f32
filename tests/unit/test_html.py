"""HTML inside Markdown is read by an HTML parser: text and blocks, never tags or escapes."""

from rich.style import Style

from tuireader.model.articles import Article
from tuireader.render.blocks import Document
from tuireader.render.document import build_document
from tuireader.render.styles import CODE_STYLE


def document(body: str) -> Document:
    return build_document(Article(id="x", path="x.md", title="t", body=body, kind="markdown"))


def shown(doc: Document) -> list[str]:
    return [(b.first_prefix.plain + b.text.plain) for b in doc.blocks]


def test_details_show_the_summary_as_a_label_and_the_inner_markdown() -> None:
    doc = document("<details>\n<summary>点击展开</summary>\n\n内容 **加粗**\n\n</details>\n")
    assert shown(doc) == ["▸ 点击展开", "内容 加粗"]
    assert doc.blocks[0].text.spans and doc.blocks[0].text.spans[-1].style == Style(bold=True)


def test_inline_tags_style_their_text_and_br_breaks_the_line() -> None:
    doc = document("a <b>粗</b> <em>斜</em> <code>x()</code> <del>删</del><br>下一行\n")
    text = doc.blocks[0].text
    assert text.plain == "a 粗 斜 x() 删\n下一行"
    styles = {text.plain[s.start : s.end]: s.style for s in text.spans}
    assert styles["粗"] == Style(bold=True)
    assert styles["斜"] == Style(italic=True)
    assert styles["x()"] == CODE_STYLE
    assert styles["删"] == Style(strike=True)
    # A browser starts the line after <br> with the word, not the space before it.
    assert document("一 <br> 二\n").blocks[0].text.plain == "一 \n二"


def test_anchors_and_images_are_numbered_links_in_the_link_list() -> None:
    doc = document(
        '见 <a href="https://a.example/x">文章</a> 与 '
        '<img src="https://a.example/p.png" alt="图">\n'
    )
    assert doc.blocks[0].text.plain == "见 文章[1] 与 [image: 图][2]"
    assert [(link.text, link.url) for link in doc.links] == [
        ("文章", "https://a.example/x"),
        ("image: 图", "https://a.example/p.png"),
    ]
    # A click on the text reads the URL from the style.
    metas = [s.style.meta for s in doc.blocks[0].text.spans if isinstance(s.style, Style)]
    assert {"url": "https://a.example/x"} in [
        {k: v for k, v in m.items() if k == "url"} for m in metas
    ]


def test_a_javascript_href_is_not_a_link() -> None:
    doc = document('<a href="javascript:alert(1)">点我</a>\n')
    assert doc.links == []
    assert doc.blocks[0].text.plain == "点我"


def test_html_tables_become_tables() -> None:
    doc = document(
        '<table>\n<tr><th>名称</th><th align="right">数</th></tr>\n'
        "<tr><td>甲</td><td>1</td></tr>\n</table>\n"
    )
    [table] = doc.blocks
    assert table.kind == "table"
    assert [[cell.plain for cell in row] for row in table.rows] == [["名称", "数"], ["甲", "1"]]
    assert table.aligns == ["left", "right"]


def test_pre_becomes_code_and_lists_and_quotes_keep_their_structure() -> None:
    doc = document(
        "<pre>\nline 1\n  line 2\n</pre>\n\n<ul><li>one</li><li>two</li></ul>\n\n"
        '<blockquote><p>引用</p></blockquote>\n\n<ol start="3"><li>三</li></ol>\n'
    )
    assert [b.kind for b in doc.blocks] == [
        "code",
        "paragraph",
        "paragraph",
        "paragraph",
        "paragraph",
    ]
    assert doc.blocks[0].text.plain == "line 1\n  line 2"
    assert shown(doc)[1:] == ["• one", "• two", "▌ 引用", "3. 三"]


def test_comments_and_unknown_tags_go_and_their_text_stays() -> None:
    doc = document(
        "<div>\n<!-- note --><template>hidden</template>"
        "<custom-box>kept</custom-box>\n</div>\n\nVec<String> stays, <span>span</span> goes\n"
    )
    assert shown(doc) == ["kept", "Vec<String> stays, span goes"]


def test_scripts_and_styles_read_as_text_as_gfm_filters_them() -> None:
    doc = document("<script>alert(1)</script>\n\nsee <style>p{}</style> and <title>x</title>\n")
    assert shown(doc) == [
        "<script>alert(1)</script>",
        "see <style>p{}</style> and <title>x</title>",
    ]


def test_entities_and_escapes_in_html_never_reach_the_terminal() -> None:
    doc = document("<p>&#27;[31mred &#x9b;2J &amp; &lt;b&gt;</p>\n\n<b>x&#7;y</b>\n")
    text = "".join(shown(doc))
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "&" in text and "<b>" in text  # decoded, shown as text
