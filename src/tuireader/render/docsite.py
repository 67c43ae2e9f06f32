"""Doc-site template markup, turned into Markdown before the Markdown parser sees it.

Static site generators leave their own syntax in the articles they build from: Hugo
shortcodes (`{{< tip >}}…{{< /tip >}}`, `{{% note %}}`) and Liquid tags (`{% highlight ruby %}`,
`{% link x.md %}`, `{% include … %}`). A reader shows what the site would show, as far as it can
know without the site: a shortcode becomes a dim label (its closing tag goes) with the content
between kept, a `{% highlight lang %}` block becomes a fenced code block in that language, a
`{% link path %}` becomes the path, and other Liquid statements go. A kramdown attribute line
(`{: .summary}`, `{: #following-ruby}` under a heading) goes, an id given to a heading becoming
its `{#id}` (the anchor links name: `render/document.py`). MDX/JSX components such as
`<SimpleTab>` or `<div label="…">` are HTML to the Markdown parser and read in `render/html.py`.

Fenced code is left alone (an article about Hugo quotes shortcodes in its code), and every line
stays one line, so block positions keep pointing at their source lines.
"""

from __future__ import annotations

import re
from html import escape

LABEL_TAG = "tuireader-label"  # an element `render/html.py` draws in the dim label style

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)((?:[^}]|\}(?!\}))*?)\s*[>%]\}\}")
_SHORTCODE_VALUE = re.compile(r"""(?:(\w+)\s*=\s*)?(?:"([^"]*)"|'([^']*)'|([^\s"'=]+))""")
_LABEL_KEYS = ("title", "caption", "label", "name", "alt", "text")
_LIQUID = re.compile(r"\{%-?\s*(\w+)((?:[^%]|%(?!\}))*?)-?%\}")
_HIGHLIGHT_LANGUAGE = re.compile(r"[\w+#.-]+")
_BLOCK_ATTRIBUTES = re.compile(r"\{:([^}]*)\}")  # kramdown's IAL or ALD line
_ATTRIBUTE_ID = re.compile(r"(?:^|\s)#([\w:.-]+)")
_ATX_HEADING = re.compile(r" {0,3}#{1,6}\s")


def has_site_markup(body: str) -> bool:
    """Whether a body could hold any of it (the fast path: most articles do not)."""
    return "{{<" in body or "{{%" in body or "{%" in body or "{:" in body


def desugar(body: str) -> str:
    """The body with its doc-site markup turned into Markdown, line for line."""
    if not has_site_markup(body):
        return body
    lines = body.split("\n")
    fence = ""  # the open fence's marker, "" outside code
    in_highlight = False
    for number, line in enumerate(lines):
        if in_highlight:
            if _is_liquid(line, "endhighlight"):
                lines[number], in_highlight = "```", False
            continue
        match = _FENCE.match(line)
        if fence:
            if match and _closes(match.group(1), fence) and not line[match.end() :].strip():
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        if line.lstrip().startswith("{:") and (
            attributes := _BLOCK_ATTRIBUTES.fullmatch(line.strip())
        ):
            previous = lines[number - 1] if number else ""
            given = _ATTRIBUTE_ID.search(attributes.group(1))
            if given and _ATX_HEADING.match(previous):
                lines[number - 1] = f"{previous.rstrip()} {{#{given.group(1)}}}"
            lines[number] = ""  # it ends the block above, as in kramdown
            continue
        highlight = _highlight_language(line)
        if highlight is not None:
            lines[number], in_highlight = "```" + highlight, True
            continue
        if "{{" in line:
            alone = _SHORTCODE.fullmatch(line.strip())
            line = _SHORTCODE.sub(_shortcode, line)
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if alone and line.strip() and following.strip():
                line += "<br>"  # a label on its own line: the content starts below it
        if "{%" in line:
            line = _LIQUID.sub(_liquid, line)
        lines[number] = line
    return "\n".join(lines)


def _closes(marker: str, fence: str) -> bool:
    return marker[0] == fence[0] and len(marker) >= len(fence)


def _is_liquid(line: str, name: str) -> bool:
    match = _LIQUID.fullmatch(line.strip())
    return match is not None and match.group(1) == name


def _highlight_language(line: str) -> str | None:
    """For a `{% highlight ruby %}` line, its language ("" for none); None for other lines."""
    match = _LIQUID.fullmatch(line.strip())
    if match is None or match.group(1) != "highlight":
        return None
    words = match.group(2).split()
    language = words[0] if words else ""
    return language if _HIGHLIGHT_LANGUAGE.fullmatch(language) else ""


def _shortcode(match: re.Match[str]) -> str:
    closing, name, arguments = match.group(2), match.group(3), match.group(4)
    if closing:
        return ""
    label = name
    values: dict[str, str] = {}
    positional: list[str] = []
    for value in _SHORTCODE_VALUE.finditer(arguments):
        key = value.group(1)
        text = next((v for v in value.group(2, 3, 4) if v is not None), "")
        if key:
            values[key.lower()] = text
        elif text:
            positional.append(text)
    detail = next((values[key] for key in _LABEL_KEYS if values.get(key)), "")
    if not detail and positional and not values:
        detail = positional[0]
    if detail:
        label = f"{name}: {detail}"
    return f"<{LABEL_TAG}>{escape(label, quote=False)}</{LABEL_TAG}>"


def _liquid(match: re.Match[str]) -> str:
    name, arguments = match.group(1), match.group(2).split()
    if name == "link" and arguments:
        return arguments[0]  # `[text]({% link x.md %})` links to x.md
    return ""
