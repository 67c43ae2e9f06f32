"""OpenCC through its C API: the same conversions as the `opencc` package's class."""

from __future__ import annotations

import opencc
import pytest

from tuireader.search import opencc_native
from tuireader.search.opencc_native import open_converter

TEXTS = [
    "软件 人工智能 核心 鼠标 信息",
    "軟體 人工智慧 資訊 臺灣 裡 著",
    "𠮷野家 ＧＰＴ－５ Karpathy",
    "多行\n文本\n",
    "",
]


@pytest.mark.parametrize("config", ["t2s", "s2twp", "tw2sp"])
def test_conversions_match_the_opencc_class(config: str) -> None:
    native, reference = open_converter(config), opencc.OpenCC(config)
    for text in TEXTS:
        assert native.convert(text) == reference.convert(text)


def test_the_c_api_is_used_where_the_extension_exports_it() -> None:
    # The Linux wheels export it; were it missing, loading would hold the GIL again.
    assert opencc_native._library() is not None
    assert isinstance(open_converter("t2s"), opencc_native._NativeConverter)


def test_text_the_c_api_cannot_take_comes_back_whole() -> None:
    converter = open_converter("t2s")
    assert converter.convert("軟體\0資訊") == "软体\0资讯"  # NUL ends a C string
    assert converter.convert("\ud800軟體") == "\ud800軟體"  # not UTF-8: left as it is


def test_without_the_c_api_the_class_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opencc_native, "_library", lambda: None)
    converter = open_converter("s2twp")
    assert not isinstance(converter, opencc_native._NativeConverter)
    assert converter.convert("软件") == "軟體"


def test_an_unknown_configuration_is_an_error_as_with_the_class() -> None:
    with pytest.raises(Exception):  # noqa: B017  (the class raises its own error type)
        open_converter("no-such-config")
