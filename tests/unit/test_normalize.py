"""Folding for search: NFKC, case, Traditional/Simplified, regional variants, spans."""

from __future__ import annotations

import itertools
import time

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tuireader.search import normalize
from tuireader.search.normalize import (
    find_spans,
    fold,
    match_spans_between,
    match_spans_in_folded,
    merge_spans,
    term_variants,
)


def test_fold_applies_nfkc_so_full_width_latin_is_plain() -> None:
    assert fold("ＧＰＴ－５") == "gpt-5"


def test_fold_casefolds() -> None:
    assert fold("Karpathy GPT") == "karpathy gpt"


def test_fold_maps_traditional_characters_to_simplified() -> None:
    assert fold("網絡") == fold("网络") == "网络"
    assert fold("強化學習") == "强化学习"


def test_fold_keeps_simplified_words_unchanged() -> None:
    # Character folding only: vocabulary such as 核心/内核 is never rewritten in documents.
    assert fold("核心 软件 人工智能") == "核心 软件 人工智能"


def test_fold_turns_every_whitespace_into_a_space() -> None:
    assert fold("a\tb\nc\u3000d") == "a b c d"


def test_fold_keeps_length_even_for_characters_that_would_expand() -> None:
    for text in ("…", "ß", "ﬁ", "İ", "㈱"):
        assert len(fold(text)) == len(text)


def test_fold_never_raises_on_lone_surrogates_or_astral_characters() -> None:
    assert len(fold("\ud800x\U0001d400\U00020000")) == 4
    assert fold("\U0001d400") == "a"  # mathematical bold capital A


@given(st.text())
def test_fold_preserves_length_and_commutes_with_concatenation(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    middle = len(text) // 2
    assert fold(text[:middle]) + fold(text[middle:]) == folded


def test_variants_add_taiwan_vocabulary_for_simplified_terms() -> None:
    assert fold("人工智慧") in term_variants("人工智能")
    assert fold("軟體") in term_variants("软件")


def test_variants_add_mainland_vocabulary_for_traditional_terms() -> None:
    assert "软件" in term_variants("軟體")


def test_variants_do_not_rewrite_common_simplified_words() -> None:
    assert term_variants("核心") == ("核心",)
    assert term_variants("GPT") == ("gpt",)


def test_find_spans_reports_offsets_in_the_original_text() -> None:
    text = "Ｋarpathy 说：強化學習 is 强化学习"
    assert find_spans(text, ["karpathy", "强化学习"]) == [(0, 8), (11, 15), (19, 23)]


def test_find_spans_merges_overlapping_and_touching_matches() -> None:
    assert find_spans("aaaa bc", ["aa", "b", "c"]) == [(0, 4), (5, 7)]


def test_find_spans_includes_regional_variants() -> None:
    assert find_spans("今天的人工智慧", ["人工智能"]) == [(3, 7)]


def test_find_spans_with_no_terms_is_empty() -> None:
    assert find_spans("text", []) == []


@given(st.text(alphabet="ab", max_size=60), st.lists(st.text(alphabet="ab", max_size=5)))
def test_match_spans_are_the_union_of_every_occurrence(text: str, needles: list[str]) -> None:
    occurrences: list[tuple[int, int]] = []
    for needle in needles:
        for start in range(len(text) - len(needle) + 1):
            if needle and text.startswith(needle, start):
                occurrences.append((start, start + len(needle)))
    assert match_spans_in_folded(text, needles) == merge_spans(occurrences)


@given(
    st.text(alphabet="ab", max_size=60),
    st.lists(st.text(alphabet="ab", max_size=5)),
    st.integers(0, 60),
    st.integers(0, 60),
)
def test_match_spans_between_are_the_spans_clipped_to_the_window(
    text: str, needles: list[str], low: int, high: int
) -> None:
    low, high = min(low, high), max(low, high) + 1  # snippets never ask for an empty window
    clipped = [
        (max(s, low), min(e, high))
        for s, e in match_spans_in_folded(text, needles)
        if s < high and e > low
    ]
    assert match_spans_between(text, needles, low, high) == clipped


def test_a_long_self_overlapping_needle_is_found_in_linear_time() -> None:
    started = time.perf_counter()
    spans = match_spans_in_folded("x " + "a" * 100_000 + " y", ["a" * 10_000])
    assert spans == [(2, 100_002)]
    assert time.perf_counter() - started < 5  # a hang guard: it was about a minute


def test_fold_table_entries_do_not_depend_on_when_they_are_filled() -> None:
    """Entries are filled as texts bring their characters: in any order, any batch size."""
    whole = normalize._FoldTable()
    every = [cp for cp in range(0x10000) if cp not in normalize._SURROGATES]
    every += list(range(0x1D400, 0x1D500)) + list(range(0x20000, 0x20100))
    whole._fill(every)  # every entry at once, as the table was built before
    lazy = normalize._FoldTable()
    order = np.random.default_rng(7).permutation(np.array(every, dtype=np.uint32))
    start = 0
    for size in itertools.cycle([1, 17, 300, 5000, 40000]):
        if start >= order.size:
            break
        piece = order[start : start + size]
        assert np.array_equal(lazy.fold(piece), whole.codes[piece])
        start += size
    codes = np.array(every, dtype=np.int64)
    assert np.array_equal(lazy.codes[codes], whole.codes[codes])
    surrogate = np.array([0xD800, 0xDFFF], dtype=np.uint32)
    assert np.array_equal(lazy.fold(surrogate), surrogate)
