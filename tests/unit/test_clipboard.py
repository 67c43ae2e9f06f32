import base64
import sys
from pathlib import Path

import pytest

from tuireader.model.articles import Article
from tuireader.model.links import Link
from tuireader.system.browser import is_openable, open_in_browser
from tuireader.system.clipboard import (
    article_link,
    copy_native,
    markdown_link,
    osc52_sequence,
    shortened,
)


def make(body: str = "", **kwargs: object) -> Article:
    return Article(id="x", path="dir/a b.md", title="T", body=body, **kwargs)  # type: ignore[arg-type]


def test_article_link_is_the_source_else_the_file_never_a_body_link(tmp_path: Path) -> None:
    body = "See [t](https://first.example/) and [u](https://second.example/)."
    assert make(body).links == (
        Link("t", "https://first.example/"),
        Link("u", "https://second.example/"),
    )
    assert article_link(make(body, source_url="https://src.example/"), tmp_path).url == (
        "https://src.example/"
    )
    assert article_link(make(body), tmp_path) == article_link(make(), tmp_path)
    target = article_link(make(body), tmp_path)
    assert target.origin == "file"
    assert target.url == (tmp_path / "dir" / "a b.md").resolve().as_uri()
    assert "%20" in target.url


def test_shortened_keeps_one_short_line() -> None:
    assert shortened("a\nb  c") == "a b c"
    assert shortened("x" * 100, 10) == "x" * 9 + "…"


def test_markdown_link_escapes_brackets_and_awkward_urls() -> None:
    assert (
        markdown_link("[AI] 新闻", "https://a.example/x") == r"[\[AI\] 新闻](https://a.example/x)"
    )
    assert markdown_link("t", "https://a.example/a (b)") == "[t](<https://a.example/a (b)>)"


def test_osc52_payload_is_base64_of_utf8() -> None:
    sequence = osc52_sequence("模型 https://a.example")
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\a")
    assert base64.b64decode(sequence[7:-1]).decode() == "模型 https://a.example"


def test_native_copy_without_display_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert "no native clipboard" in (copy_native("x") or "")


def test_native_copy_with_a_broken_tool_fails_cleanly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # An xclip that prints to stderr and copies nothing, as with a dead DISPLAY.
    fake = tmp_path / "xclip"
    fake.write_text('#!/bin/sh\necho "Error: Can\'t open display" >&2\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}")
    monkeypatch.setenv("DISPLAY", ":99")
    error = copy_native("hello", timeout=10)
    assert error is not None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.example", True),
        ("http://a.example", True),
        ("mailto:a@b.example", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("data:text/html,x", False),
        ("https://a.example/\x1b]52;c;x", False),
        ("relative/path.md", False),
        ("#anchor", False),
    ],
)
def test_only_web_and_mail_links_open(url: str, ok: bool) -> None:
    assert is_openable(url) is ok


def test_refused_scheme_is_explained() -> None:
    assert "refused" in (open_in_browser("javascript:alert(1)") or "")
