"""The flat YAML fast path: it either declines or gives exactly what PyYAML gives."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.corpus.flatyaml import FlatYaml
from tuireader.corpus.metadata import safe_loader, split_frontmatter

_SafeLoader = safe_loader()
FLAT = FlatYaml(_SafeLoader)


def pyyaml(block: str) -> Any:
    return yaml.load(block, Loader=_SafeLoader)


def same(fast: Any, slow: Any) -> bool:
    # repr tells True from 1, 1.0 from 1 and "1" from 1, keeps dict order and equates nan.
    return repr(fast) == repr(slow)


def assert_declines_or_agrees(block: str) -> None:
    fast = FLAT.load(block)
    if fast is None:
        return
    try:
        slow = pyyaml(block)
    except Exception as error:  # the fast path accepted what PyYAML refuses
        raise AssertionError(f"{block!r}: fast {fast!r}, PyYAML raised {error!r}") from None
    assert same(fast, slow), f"{block!r}: fast {fast!r}, PyYAML {slow!r}"


# --- what the fast path reads ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("title: Hello\n", {"title": "Hello"}),
        ('title: "你好，世界 # not a comment"\n', {"title": "你好，世界 # not a comment"}),
        ("title: 'it''s'\n", {"title": "it's"}),
        ('title: ""\n', {"title": ""}),
        ("title:\n", {"title": None}),
        ("title:   \n", {"title": None}),
        ("a: x\n\nb: y\n", {"a": "x", "b": "y"}),
        ("tags: [bench, t0]\n", {"tags": ["bench", "t0"]}),
        ("tags: []\n", {"tags": []}),
        ("tags: [\"a, b\", 'c', d e]\n", {"tags": ["a, b", "c", "d e"]}),
        ("tags: [c#, f#]\n", {"tags": ["c#", "f#"]}),
        ("url: https://a.example/p?q=1#top\n", {"url": "https://a.example/p?q=1#top"}),
        ("title: a, b]\n", {"title": "a, b]"}),
        ("title: x#y  \n", {"title": "x#y"}),
        ("标题: 值\n", {"标题": "值"}),
        ("emoji: 😀\n", {"emoji": "😀"}),
        ("space: \u3000x\u3000\n", {"space": "\u3000x\u3000"}),
        ("og.title-x: t\n", {"og.title-x": "t"}),
        # YAML 1.1 plain scalars are typed by PyYAML's own resolver and constructors.
        ("draft: yes\n", {"draft": True}),
        ("draft: Off\n", {"draft": False}),
        ("x: ~\n", {"x": None}),
        ("x: null\n", {"x": None}),
        ("n: 017\n", {"n": 15}),
        ("n: 0x1F\n", {"n": 31}),
        ("n: 1_000\n", {"n": 1000}),
        ("n: 1:20\n", {"n": 80}),
        ("n: 0o17\n", {"n": "0o17"}),
        ("f: 3.14\n", {"f": 3.14}),
        ("tags: [1, yes, null]\n", {"tags": [1, True, None]}),
        # Timestamps stay text: `parse_date` reads them like every other date.
        ("date: 2024-02-30\n", {"date": "2024-02-30"}),
        ("date: 2023-05-15T09:24:00+00:00\n", {"date": "2023-05-15T09:24:00+00:00"}),
        ("date: 2024-01-03 10:00:00 +8\n", {"date": "2024-01-03 10:00:00 +8"}),
        # A repeated key keeps its first place and its last value, as PyYAML's dict does.
        ("a: 1\nb: 2\na: 3\n", {"a": 3, "b": 2}),
    ],
)
def test_reads_flat_yaml_as_pyyaml_does(block: str, expected: dict[str, Any]) -> None:
    fast = FLAT.load(block)
    assert same(fast, expected)
    assert same(fast, pyyaml(block))


def test_the_bench_corpus_frontmatter_takes_the_fast_path() -> None:
    block = '---\ntitle: "因此,他“知"\ndate: 2023-05-15T09:24:00+00:00\ntags: [bench, t0]\n---\n'
    assert FLAT.load(block.removeprefix("---\n").removesuffix("---\n")) == {
        "title": "因此,他“知",
        "date": "2023-05-15T09:24:00+00:00",
        "tags": ["bench", "t0"],
    }
    assert split_frontmatter(block + "body").meta == {
        "title": "因此,他“知",
        "date": "2023-05-15T09:24:00+00:00",
        "tags": ["bench", "t0"],
    }


# --- what it leaves to PyYAML ---------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        "",
        "\n\n",
        "# only a comment\n",
        "title: x # comment\n",
        "title: x #\n",
        "# comment\ntitle: x\n",
        "title: &a x\nother: *a\n",
        "title: !!str 1\n",
        "title: !custom x\n",
        "title: |\n  block\n",
        "title: >\n  folded\n",
        "title: a\n  continued\n",
        "extra:\n  title: nested\n",
        "tags:\n- a\n- b\n",
        "tags:\n  - a\n",
        "meta: {a: b}\n",
        "tags: [a, [b]]\n",
        "tags: [a, ]\n",
        "tags: [a,\n  b]\n",
        "tags: [a #b]\n",
        "tags: [a:b]\n",
        "tags: [it's]\n",
        'title: "say \\"hi\\""\n',
        'title: "tab\\there"\n',
        "title: 'a' b\n",
        'title: "a" # c\n',
        "title: a: b\n",
        "title: a:\n",
        "title:x\n",
        "title : x\n",
        "key with spaces: x\n",
        "? complex\n: key\n",
        "- a\n",
        "just a string\n",
        "title: x\tand tab\n",
        "\ttitle: x\n",
        "title: x\r\n",
        "title: x\rnext: y\n",
        "\ufefftitle: x\n",
        "title: x\ufeff\n",
        "title: x\u2028y\n",
        "title: x\x85y\n",
        " title: x\n",
        "title: x\n \n",
        "n: -1\n",
        "x: =\n",
        "x: <<\n",
        "<<: {a: 1}\n",
        "1: one\n",
        "yes: true\n",
        "null: x\n",
        "~: x\n",
        "2024-01-01: x\n",
        "title: @at\n",
        "title: `tick`\n",
        "title: %pct\n",
        "%YAML 1.1\n---\ntitle: x\n",
        "n: " + "9" * 5000 + "\n",
        "k" * 101 + ": x\n",
    ],
)
def test_declines_anything_else(block: str) -> None:
    assert FLAT.load(block) is None


def test_a_loader_with_path_resolvers_is_refused() -> None:
    class PathLoader(yaml.SafeLoader):
        pass

    PathLoader.add_path_resolver("tag:yaml.org,2002:str", ["title"], yaml.ScalarNode)
    with pytest.raises(ValueError, match="path resolvers"):
        FlatYaml(PathLoader)


def test_a_declined_block_still_gets_pyyaml_s_answer() -> None:
    front = split_frontmatter("---\ntitle: x # comment\ndraft: on\nextra:\n  k: v\n---\nbody")
    assert front.meta == {"title": "x", "draft": True, "extra": {"k": "v"}}
    broken = split_frontmatter("---\nn: " + "9" * 5000 + "\n---\nbody")
    assert broken.meta is None
    assert broken.problems and "invalid YAML frontmatter" in broken.problems[0]


# --- generated blocks -----------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["title", "Title", "date", "tags", "author", "url", "lang", "标题", "a.b", "x-y", "_k"]
)
_SIMPLE_VALUES = st.one_of(
    st.sampled_from(
        [
            *("hello", "你好，世界", "yes", "no", "null", "~", "", "1", "017", "1:20", "3.14"),
            *("0x1F", "2024-01-02", "2024-02-30", "2023-05-15T09:24:00+00:00", "x#y", "a, b]"),
            *("😀", '"quoted"', '""', "'it''s'", "[a, b]", "[]", "[1, yes, null]", '["a, b", c]'),
        ]
    ),
    st.from_regex(r"[a-z\u4e00-\u4e10][a-z0-9 .,\u4e00-\u4e10]{0,20}", fullmatch=True),
)
# Characters that mean something to YAML, and ones YAML does not take as ordinary text.
_TRICKY = st.text(
    alphabet=st.sampled_from(
        [
            *" -?:,[]{}#&*!|>'\"%@`\\~.=<019eEoxyesnoTF_",
            *("\t", "\r", "\u3000", "\u00a0", "\ufeff", "\u2028", "\x85", "é", "汉", "😀"),
        ]
    ),
    max_size=16,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_KEYS, _SIMPLE_VALUES), min_size=1, max_size=6))
def test_simple_blocks_take_the_fast_path(pairs: list[tuple[str, str]]) -> None:
    block = "".join(f"{key}: {value.rstrip()}\n" for key, value in pairs)
    fast = FLAT.load(block)
    assert fast is not None, block
    assert same(fast, pyyaml(block)), block


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(st.one_of(_KEYS, _TRICKY), _TRICKY), min_size=1, max_size=4))
def test_tricky_values_are_declined_or_read_as_pyyaml_does(pairs: list[tuple[str, str]]) -> None:
    assert_declines_or_agrees("".join(f"{key}: {value}\n" for key, value in pairs))


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_TRICKY, st.tuples(_KEYS, _TRICKY).map(": ".join)), max_size=5))
def test_tricky_lines_are_declined_or_read_as_pyyaml_does(lines: list[str]) -> None:
    assert_declines_or_agrees("\n".join(lines))


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_SIMPLE_VALUES, _TRICKY), max_size=4))
def test_tricky_flow_lists_are_declined_or_read_as_pyyaml_does(items: list[str]) -> None:
    assert_declines_or_agrees(f"tags: [{', '.join(items)}]\n")
    assert_declines_or_agrees(f"tags: [{','.join(items)} ]  \n")
