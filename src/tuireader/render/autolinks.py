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
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

AUTOLINK_MARKUP = "autolink"  # the markup of a `link_open` that no `[text](url)` wrote
_FULL_WIDTH_STOP = re.compile(r"[）」』】，。、；：！？《》（「『【]")


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


def split_at_full_width_stop(shown: str) -> tuple[str, str]:
    """An autolink's text cut where a Chinese sentence goes on: (link, rest)."""
    stop = _FULL_WIDTH_STOP.search(shown)
    if stop is None or stop.start() == 0:
        return shown, ""
    return shown[: stop.start()], shown[stop.start() :]
