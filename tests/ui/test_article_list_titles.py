"""The sidebar's shortening of titles that begin like their neighbours'."""

from tuireader.ui.widgets.article_list import distinguishing_start


def test_a_shared_prefix_is_dropped_up_to_a_separator() -> None:
    titles = [
        "科技爱好者周刊（第 400 期）：AI",
        "科技爱好者周刊（第 401 期）：云",
        "科技爱好者周刊（第 402 期）",
    ]
    start = distinguishing_start(titles[1], [titles[0], titles[2]])
    assert titles[1][start:] == "第 401 期）：云"


def test_latin_titles_keep_their_last_word() -> None:
    start = distinguishing_start("This Week in Rust 401", ["This Week in Rust 402"])
    assert "This Week in Rust 401"[start:] == "401"


def test_short_or_no_shared_prefix_keeps_the_title() -> None:
    assert distinguishing_start("AI 日报", ["AI 周报"]) == 0
    assert distinguishing_start("OpenAI 联创访谈", ["OpenAI 研究主管"]) == 0
    assert distinguishing_start("完全不同", ["另一个标题"]) == 0
    assert distinguishing_start("same title", ["same title"]) == 0
