import time

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from tuireader.render.wrap import break_offsets, line_count, wrap_text


def lines_of(text: str, width: int) -> list[str]:
    return [line.plain for _, line in wrap_text(Text(text), width)]


def test_chinese_breaks_between_characters_not_before_the_run() -> None:
    lines = lines_of(
        "Lilian Weng 宣布推出名为 Tinker 的灵活API，旨在简化大型语言模型的微调过程。", 20
    )
    # A Chinese run fills the line it starts on instead of jumping whole to the next line.
    assert lines[0] == "Lilian Weng 宣布推出"
    assert all(cell_len(line) <= 20 for line in lines)


def test_closing_punctuation_never_starts_a_line() -> None:
    for width in range(4, 30):
        for line in lines_of("模型训练，数据处理。推理部署、评估（测试）完成！", width):
            assert line[0] not in "，。、）！"


def test_opening_punctuation_never_ends_a_line() -> None:
    for width in range(4, 30):
        for line in lines_of("他说（这是一个例子）而且「引号」也一样", width):
            assert line[-1] not in "（「"


def test_latin_words_stay_whole() -> None:
    lines = lines_of("the quick brown fox jumps over the lazy dog", 12)
    assert lines == ["the quick", "brown fox", "jumps over", "the lazy dog"]


def test_long_tokens_fold_and_explicit_newlines_break() -> None:
    lines = lines_of("see https://example.com/" + "a" * 40 + "\nnext", 16)
    assert lines[-1] == "next"
    assert all(cell_len(line) <= 16 for line in lines)


def test_line_offsets_point_into_the_text() -> None:
    text = "第一行的文字比较长，需要换行。\nsecond line here"
    for start, line in wrap_text(Text(text), 10):
        assert text[start : start + len(line.plain)] == line.plain


# Text reaching the wrapper has been cleaned of control characters by the loader.
CLEAN_TEXT = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cc", "Cs")), st.just("\n")),
    max_size=300,
)


@given(CLEAN_TEXT, st.integers(min_value=1, max_value=60))
def test_wrapping_never_loses_text(text: str, width: int) -> None:
    for paragraph in text.split("\n"):
        offsets = break_offsets(paragraph, width)
        assert offsets == sorted(set(offsets))
        assert all(0 < offset < len(paragraph) for offset in offsets)
    kept = "".join(line.plain for _, line in wrap_text(Text(text), width))
    assert "".join(kept.split()) == "".join(text.split())


def test_a_run_of_opening_marks_wraps_in_linear_time() -> None:
    # Each position used to scan the whole run of "[" and fail: 48 s for 50,000 of them.
    started = time.perf_counter()
    for run in ("[" * 50_000, "（" * 50_000, "<" * 50_000 + "x"):
        lines = wrap_text(Text(run), 80)
        assert "".join(line.plain for _, line in lines) == run
    assert time.perf_counter() - started < 10  # a hang guard, far above the ~0.2 s it takes


@given(
    st.lists(st.sampled_from([*list("ab c，。中文（）\n"), "word ", "x" * 30]), max_size=60).map(
        "".join
    ),
    st.integers(min_value=1, max_value=50),
)
def test_line_count_is_the_number_of_wrapped_lines(text: str, width: int) -> None:
    assert line_count(text, width) == len(wrap_text(Text(text), width))
