"""GitHub's autolinks: bare URLs, `www.` hosts and email addresses become links.

markdown-it's linkify (linkify-it-py, the library markdown-it-py's own `linkify` extra uses)
finds them, configured to GFM's rules rather than its fuzzy defaults: a bare `README.md` or
`config.py` is a file name in an article, not a link, so only a scheme, `www.` or an `@`
makes one. The reader is mostly for Chinese: a URL written straight into a Chinese sentence
ends at the first full-width punctuation mark (`见https://a.example/路径。下一句`), where
linkify-it, following GFM, would run on to the next space.
"""

from __future__ import annotations

import re
import types

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

# Any top-level domain: GFM does not check them against a list (`foo@bar.baz` links).
_ANY_TLD = "[a-z][a-z0-9-]{0,62}"
_XMPP = r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?:/[\w.-]*[\w-])?"
_FULL_WIDTH_STOP = re.compile(r"[）」』】，。、；：！？《》（「『【]")
WWW = "www."


def enable_autolinks(parser: MarkdownIt) -> None:
    """Turn on GFM's extended autolinks in `parser`."""
    parser.options["linkify"] = True
    parser.enable("linkify")
    linkify: LinkifyIt = parser.linkify
    linkify.set({"fuzzy_link": False, "fuzzy_email": True})
    linkify.tlds(_ANY_TLD, False)
    linkify.add(WWW, {"validate": types.MethodType(_www_tail, linkify)})
    linkify.add("xmpp:", {"validate": _XMPP})
    # linkify-it's pretest, a regex over each paragraph for anything that may be a link,
    # doubled the time to build a 1 MB article. Without fuzzy links every link has `//`
    # (http, https, ftp), `@` (mail, xmpp) or `www.`: looking for those is a plain scan.
    linkify.pretest = _may_link


def _may_link(text: str) -> bool:
    """False only when `text` cannot hold an autolink (linkify-it's `pretest` contract)."""
    return "//" in text or "@" in text or WWW in text or "WWW." in text


def _www_tail(linkify: LinkifyIt, text: str, position: int) -> int:
    """Length of the host and path after `www.`, by linkify-it's own rules for http links
    (trailing punctuation and unbalanced brackets stay out)."""
    length: int = linkify.test_schema_at("//" + WWW + text[position:], "http:", 0)
    return max(0, length - len("//" + WWW))


def autolink_href(href: str) -> str:
    """Where an autolink goes: a `www.` host is on the web."""
    return "http://" + href if href.startswith(WWW) else href


def split_at_full_width_stop(shown: str) -> tuple[str, str]:
    """An autolink's text cut where a Chinese sentence goes on: (link, rest)."""
    stop = _FULL_WIDTH_STOP.search(shown)
    if stop is None or stop.start() == 0:
        return shown, ""
    return shown[: stop.start()], shown[stop.start() :]
