"""Frontmatter in every format site generators use, field spellings, and dates as written."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.corpus.metadata import (
    MAX_FRONTMATTER_BYTES,
    date_from_path,
    parse_date,
    read_metadata,
    split_frontmatter,
)

CST = timezone(timedelta(hours=8))


def test_yaml_frontmatter() -> None:
    front = split_frontmatter('---\ntitle: "Hello"\ndate: 2025-10-02T04:00:14+08:00\n---\nBody\n')
    assert front.meta is not None
    assert front.body == "Body\n"
    assert front.body_line == 5
    meta = read_metadata(front.meta)
    assert meta.title == "Hello"
    assert meta.date == datetime(2025, 10, 2, 4, 0, 14, tzinfo=CST)


def test_blank_lines_before_the_fence_and_yaml_end_marker() -> None:
    front = split_frontmatter("\n\n---\ntitle: x\n...\nBody")
    assert front.meta == {"title": "x"}
    assert front.body == "Body"
    assert front.body_line == 6


def test_toml_frontmatter_with_zola_sections() -> None:
    text = (
        '+++\npath = "2025/06/26/Rust-1.88.0"\ntitle = "Announcing Rust 1.88.0"\n'
        'authors = ["The Rust Release Team"]\n\n[taxonomies]\ntags = ["release"]\n'
        "[extra]\nrelease = true\n+++\n\nText"
    )
    front = split_frontmatter(text)
    assert front.meta is not None
    meta = read_metadata(front.meta)
    assert meta.title == "Announcing Rust 1.88.0"
    assert meta.authors == ("The Rust Release Team",)
    assert meta.tags == ("release",)
    assert front.body == "\nText"


def test_json_frontmatter_forms() -> None:
    top = split_frontmatter('{\n  "title": "J",\n  "tags": ["a", "b"]\n}\nBody')
    assert top.meta == {"title": "J", "tags": ["a", "b"]}
    assert top.body == "Body"
    fenced = split_frontmatter(';;;\n{"title": "K"}\n;;;\nBody')
    assert fenced.meta == {"title": "K"}
    hexo = split_frontmatter('"title": "Hexo",\n"date": "2013/7/13 20:46:25"\n;;;\nBody')
    assert hexo.meta is not None
    assert read_metadata(hexo.meta).date == datetime(2013, 7, 13, 20, 46, 25)
    assert hexo.body == "Body"


def test_liquid_at_the_top_is_not_json_frontmatter() -> None:
    front = split_frontmatter("{% include note.html %}\nBody")
    assert front.meta is None
    assert front.problems == []


def test_invalid_toml_keeps_the_body_the_valid_keys_and_reports() -> None:
    front = split_frontmatter('+++\ntitle = "T"\ndate = 2024-01-1\n+++\nStill readable\n')
    assert front.meta == {"title": "T", "date": "2024-01-1"}  # the bad value is kept as text
    assert front.body == "Still readable\n"
    assert front.problems and "invalid TOML frontmatter line 3" in front.problems[0]


def test_toml_leading_zero_integers_are_read_as_hugo_reads_them() -> None:
    text = (
        '+++\ntitle = "KubeCon + CloudNativeCon 2023"\ndate = 2023-11-08\ndateday = 08\n'
        'levels = [01, -02, 3]\ntime = 08:30:00\n[params]\nauthor = "Volcano"\n+++\nBody\n'
    )
    front = split_frontmatter(text)
    assert front.meta is not None
    assert front.meta["dateday"] == 8
    assert front.meta["levels"] == [1, -2, 3]
    assert front.meta["time"] == time(8, 30)
    meta = read_metadata(front.meta)
    assert meta.title == "KubeCon + CloudNativeCon 2023"
    assert meta.date == datetime(2023, 11, 8)
    assert meta.authors == ("Volcano",)
    assert [p.split(" (")[0] for p in front.problems] == [
        "invalid TOML frontmatter line 4 read as '8'",
        "invalid TOML frontmatter line 5 read as '[1, -2, 3]'",
    ]


def test_toml_line_that_cannot_be_repaired_is_dropped() -> None:
    front = split_frontmatter('+++\ntitle = "T"\ntags = ["a", b]\nno equals sign\n+++\nB')
    assert front.meta == {"title": "T"}
    assert [p.split(" (")[0] for p in front.problems] == [
        "invalid TOML frontmatter line 3 dropped",
        "invalid TOML frontmatter line 4 dropped",
    ]


def test_toml_broken_at_its_end_is_ignored_with_a_problem() -> None:
    front = split_frontmatter('+++\ntitle = "T"\ntags = [\n  "a",\n+++\nBody')
    assert front.meta is None
    assert front.body == "Body"
    assert front.problems and "invalid TOML frontmatter ignored" in front.problems[0]


def test_yaml_with_one_bad_line_keeps_its_other_keys() -> None:
    text = (
        '---\ntitle: Volcano: a batch system\ndate: 2024-05-01\nsummary: "unterminated\n'
        "tags:\n- a\n- b\n---\nBody\n"
    )
    front = split_frontmatter(text)
    assert front.meta is not None
    meta = read_metadata(front.meta)
    assert meta.title == "Volcano: a batch system"
    assert meta.date == datetime(2024, 5, 1)
    assert meta.tags == ("a", "b")
    assert "summary" not in front.meta
    assert [p.split(" (")[0] for p in front.problems] == [
        "invalid YAML frontmatter line 2 read as text",
        "invalid YAML frontmatter line 4 dropped",
    ]


def test_yaml_badly_indented_line_loses_only_its_own_entry() -> None:
    front = split_frontmatter("---\ntitle: x\n\tdate: 2024-01-01\nauthor: me\n---\nB")
    assert front.meta == {"title": "x", "author": "me"}
    assert front.problems[0].startswith("invalid YAML frontmatter line 3 dropped")


def test_invalid_yaml_keeps_the_body_and_reports() -> None:
    front = split_frontmatter("---\ntitle: [unclosed\n---\nBody\n")
    assert front.meta is None
    assert front.body == "Body\n"
    assert "invalid YAML frontmatter" in front.problems[0]


@pytest.mark.parametrize(
    ("block", "kind"), [("- a\n- b", "list"), ("just text", "string"), ("42", "number")]
)
def test_frontmatter_that_is_not_a_mapping(block: str, kind: str) -> None:
    front = split_frontmatter(f"---\n{block}\n---\nBody")
    assert front.meta is None
    assert front.body == "Body"
    assert front.problems == [f"frontmatter is a {kind}, not a mapping: ignored"]


def test_yaml_is_safe() -> None:
    front = split_frontmatter("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\nB")
    assert front.meta is None
    assert front.problems


def test_yaml_alias_bomb_stays_small() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [{','.join(['*' + prev] * 9)}]\n"
    bomb += "tags: *i\ntitle: *i\n"
    front = split_frontmatter(f"---\n{bomb}---\nBody")
    assert front.meta is not None
    meta = read_metadata(front.meta)  # must return quickly with bounded output
    assert len(meta.tags) <= 50
    assert meta.title is None or len(meta.title) <= 300


def test_huge_frontmatter_is_ignored_with_a_problem() -> None:
    block = "title: x\n" + "k: " + "v" * MAX_FRONTMATTER_BYTES + "\n"
    front = split_frontmatter(f"---\n{block}---\nBody")
    assert front.meta is None
    assert front.body == "Body"
    assert "larger than" in front.problems[0]


def test_the_frontmatter_limit_counts_utf8_bytes_not_characters() -> None:
    # 3 bytes a character: a third of the limit in characters is just over it in bytes.
    over = "title: " + "标" * (MAX_FRONTMATTER_BYTES // 3) + "\n"
    assert "larger than" in split_frontmatter(f"---\n{over}---\nBody").problems[0]
    # 4 bytes a character: a quarter of the limit in characters is just under it.
    under = "t: " + "😀" * (MAX_FRONTMATTER_BYTES // 4 - 2) + "\n"
    assert split_frontmatter(f"---\n{under}---\nBody").problems == []


def test_thematic_break_at_the_top_is_not_frontmatter() -> None:
    front = split_frontmatter("---\n\nJust a rule and text.\n")
    assert front.meta is None
    assert front.problems == []
    assert front.body == "---\n\nJust a rule and text.\n"


def test_field_spellings_and_coercion() -> None:
    meta = read_metadata(
        {
            "title": 2025,
            "pubdate": "2024-02-03",
            "authors": [{"name": "Ada"}, "Linus", 7],
            "categories": ["AI News", "LLMs"],
            "keywords": "rust, tui",
            "canonical_url": "https://example.com/post",
        }
    )
    assert meta.title == "2025"
    assert meta.date == datetime(2024, 2, 3)
    assert meta.authors == ("Ada", "Linus", "7")
    assert meta.tags == ("AI News", "LLMs", "rust", "tui")
    assert meta.source_url == "https://example.com/post"


def test_title_list_and_control_characters_become_one_clean_line() -> None:
    meta = read_metadata({"title": ["Part\x1b[31m", "two\nlines"], "author": "A\u202eB"})
    assert meta.title == "Part[31m two lines"
    assert meta.authors == ("AB",)


def test_relative_permalink_is_not_a_source_url() -> None:
    assert read_metadata({"permalink": "/news/x/"}).source_url is None
    assert read_metadata({"link": "https://a.example/x"}).source_url == "https://a.example/x"


def test_unparseable_date_is_none_with_a_problem() -> None:
    meta = read_metadata({"date": "someday soon"})
    assert meta.date is None
    assert meta.problems == ["unrecognised date 'someday soon'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-02", datetime(2025, 10, 2)),
        ("2025-10-02T04:00:14+08:00", datetime(2025, 10, 2, 4, 0, 14, tzinfo=CST)),
        ("2020-10-02 11:00:00 +0000", datetime(2020, 10, 2, 11, tzinfo=UTC)),
        ("2020-10-02T11:00:00Z", datetime(2020, 10, 2, 11, tzinfo=UTC)),
        ("2013/7/13 20:46:25", datetime(2013, 7, 13, 20, 46, 25)),
        ("August 18, 2025", datetime(2025, 8, 18)),
        ("Sep 6, 2025", datetime(2025, 9, 6)),
        ("18 August 2025", datetime(2025, 8, 18)),
        ("2025年8月18日", datetime(2025, 8, 18)),
        (
            "Mon, 18 Aug 2025 10:00:00 +0200",
            datetime(2025, 8, 18, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_dates_keep_their_wall_clock(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text", ["2024-02-30", "not a date", "Smarch 3, 2020", "", "2024-01-01 25:00"]
)
def test_impossible_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


def test_date_from_path() -> None:
    assert date_from_path("zh_cn/news/_posts/2008-01-28-ruby-logo.md") == datetime(2008, 1, 28)
    assert date_from_path("content/x.md", "2025/06/26/Rust-1.88.0") == datetime(2025, 6, 26)
    assert date_from_path("docs/issue-178.md") is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_splits_without_raising(text: str) -> None:
    front = split_frontmatter(text)
    if front.meta is not None:
        read_metadata(front.meta)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.integers(), st.none(), st.lists(st.text(max_size=10))))
def test_any_value_is_a_date_or_none(value: object) -> None:
    result = parse_date(value)
    assert result is None or isinstance(result, datetime)
