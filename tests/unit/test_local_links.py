"""Relative links between the articles of a folder, as docs trees and site generators write them."""

from __future__ import annotations

import pytest

from tuireader.model.local_links import LocalTarget, heading_slug, local_target

FILES = {
    "README.md",
    "guide/setup.md",
    "guide/index.md",
    "guide/deep/notes.markdown",
    "blog/_index.md",
    "blog/post-one/index.md",
    "issue-24.md",
    "en/news/_posts/2020-09-29-http-request-smuggling.md",
    "docs/api.md",
    "notes/日记 一.md",
    "posts/2021-01-01-hello.md",
}


def target(url: str, from_path: str = "guide/setup.md") -> LocalTarget | None:
    return local_target(url, from_path, FILES.__contains__)


@pytest.mark.parametrize(
    ("url", "from_path", "path"),
    [
        ("./index.md", "guide/setup.md", "guide/index.md"),  # beside the file
        ("setup", "guide/index.md", "guide/setup.md"),  # no suffix
        ("../README.md", "guide/setup.md", "README.md"),
        ("deep/notes", "guide/setup.md", "guide/deep/notes.markdown"),
        ("../guide/", "docs/api.md", "guide/index.md"),  # a folder: its index
        ("/docs/api.md", "guide/deep/notes.markdown", "docs/api.md"),  # site-absolute
        ("@/blog/post-one/index.md", "blog/_index.md", "blog/post-one/index.md"),  # Zola
        ("@/blog/", "README.md", "blog/_index.md"),
        ("issue-24.md", "issue-24.md", "issue-24.md"),  # ruanyf's weekly: its own folder
        ("docs/api.md", "guide/setup.md", "docs/api.md"),  # Jekyll's {% link %}: from the root
        ("setup.html", "guide/index.md", "guide/setup.md"),  # the page made from it
        (
            "/en/news/2020/09/29/http-request-smuggling/",
            "README.md",
            "en/news/_posts/2020-09-29-http-request-smuggling.md",
        ),  # Jekyll's permalink
        (
            "/en/news/2021/01/01/hello/",
            "posts/2020-12-25-other.md",
            "posts/2021-01-01-hello.md",
        ),  # the same, in a folder of posts opened alone
        ("../notes/%E6%97%A5%E8%AE%B0%20%E4%B8%80.md", "guide/setup.md", "notes/日记 一.md"),
        ("setup.md?plain=1#install", "guide/index.md", "guide/setup.md"),
    ],
)
def test_a_link_inside_the_folder_leads_to_its_file(url: str, from_path: str, path: str) -> None:
    assert target(url, from_path) == LocalTarget(path, "install" if "#" in url else "")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/guide/setup.md",  # the web, even where the path exists here
        "mailto:a@example.com",
        "//cdn.example.com/x.md",
        "#install",  # an anchor of this page
        "../../etc/passwd",  # outside the folder
        "../../README.md",
        "missing.md",
        "guide/setup.txt",  # not a file the library lists
        "",
        "?q=1",
    ],
)
def test_what_is_not_an_article_of_this_folder_is_not_followed(url: str) -> None:
    assert target(url) is None


def test_the_fragment_is_kept_unquoted() -> None:
    found = target("index.md#%E5%AE%89%E8%A3%85")
    assert found == LocalTarget("guide/index.md", "安装")


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Getting Started", "getting-started"),
        ("安装 Setup!", "安装-setup"),
        ("What's new in 1.28?", "whats-new-in-128"),
        ("  C++ & Rust_FFI  ", "c--rust_ffi"),
    ],
)
def test_headings_have_the_anchors_site_generators_give_them(heading: str, slug: str) -> None:
    assert heading_slug(heading) == slug
