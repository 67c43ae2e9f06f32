"""GitHub's autolinks: bare URLs, `www.` hosts and email addresses become links.

mdit-py-plugins' `gfm_autolink` finds them by the GFM spec's rules (a file name such as
`README.md` is not a link; trailing punctuation and unbalanced brackets stay out). The reader
is mostly for Chinese, where a URL is often followed by a sentence with no space between:
GFM runs the link on to the next space (`https://a.example/路径。下一句`), here it ends at the
first full-width punctuation mark.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

AUTOLINK_MARKUP = "autolink"  # the markup of a `link_open` that no `[text](url)` wrote
_FULL_WIDTH_STOP = re.compile(r"[）」』】，。、；：！？《》（「『【]")


# The end of a text that an email address's local part may have started in, and what may
# stand before that part (GFM: start, whitespace, `*`, `_`, `~`, `(`).
_LOCAL_PART_TAIL = re.compile(r"[A-Za-z0-9.+\-_]+$")
_BEFORE_AN_AUTOLINK = frozenset(" \t\n*_~(")

_PROTOCOL_RULE = "gfm_autolink_protocol"
_SCHEMES = ("http", "https", "mailto", "xmpp")  # the names the plugin's rule looks back for


def enable_autolinks(parser: MarkdownIt) -> None:
    """Turn on GFM's extended autolinks in `parser`."""
    parser.use(gfm_autolink_plugin)
    # The plugin's rule for `http:` and the like runs at every ":" and searches, with a
    # regex, all the text since the last markup for a scheme name just before it, after
    # copying the rest of the paragraph: quadratic in a long paragraph (a 400k-character
    # one took 0.34 s to parse instead of 0.09). A scheme name ending the pending text is
    # what it looks for: checking that first is cheap.
    ruler = parser.inline.ruler
    protocol_rule = next(rule.fn for rule in ruler.__rules__ if rule.name == _PROTOCOL_RULE)

    def after_a_scheme(state: StateInline, silent: bool) -> bool:
        return state.pending.endswith(_SCHEMES) and protocol_rule(state, silent)

    ruler.at(_PROTOCOL_RULE, after_a_scheme)
    parser.core.ruler.push("email_local_part", _whole_email_local_parts)


def _whole_email_local_parts(state: StateCore) -> None:
    """Give back to bare email links the part of their name before a `_`.

    The plugin's email rule looks back only over the text since the last inline token,
    and `_` (an emphasis delimiter) ends that text: `a.b-c_d@a.b` would link only
    `d@a.b`. When an intraword `_` stayed plain text, the text before the link still
    ends with the rest of the local part: move it into the link.
    """
    for block in state.tokens:
        if block.type == "inline" and block.children:
            _extend_email_links(block.children)


def _extend_email_links(children: list[Token]) -> None:
    for position in range(1, len(children) - 1):
        link = children[position]
        before = children[position - 1]
        if (
            link.type != "link_open"
            or link.markup != AUTOLINK_MARKUP
            or before.type != "text"
            or "_" not in before.content
            or not str(link.attrs.get("href", "")).startswith("mailto:")
            or children[position + 1].type != "text"
        ):
            continue
        tail = _LOCAL_PART_TAIL.search(before.content)
        if tail is None:
            continue
        start = tail.start()
        # The local part runs back over `_` too: it starts after the last character
        # that cannot be in it, which must be one an autolink may follow.
        if start > 0 and before.content[start - 1] not in _BEFORE_AN_AUTOLINK:
            continue
        local = tail.group()
        shown = children[position + 1]
        if shown.content.startswith("mailto:"):
            continue  # `mailto:` links were matched whole, from their scheme
        before.content = before.content[:start]
        shown.content = local + shown.content
        link.attrs["href"] = "mailto:" + shown.content


def split_at_full_width_stop(shown: str) -> tuple[str, str]:
    """An autolink's text cut where a Chinese sentence goes on: (link, rest)."""
    stop = _FULL_WIDTH_STOP.search(shown)
    if stop is None or stop.start() == 0:
        return shown, ""
    return shown[: stop.start()], shown[stop.start() :]
