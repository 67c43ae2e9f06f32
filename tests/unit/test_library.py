from datetime import datetime, timedelta, timezone

from tuireader.model.articles import Article
from tuireader.model.library import Library, by_title, make_filter, natural_key, newest_first


def make(id: str, title: str, path: str = "a.md", **kwargs: object) -> Article:
    return Article(id=id, path=path, title=title, body="", **kwargs)  # type: ignore[arg-type]


def test_newest_first_uses_wall_clock_dates_then_undated_naturally() -> None:
    east = timezone(timedelta(hours=8))
    articles = [
        make("a", "old", date=datetime(2025, 1, 1)),
        make("b", "new, in +08:00", date=datetime(2025, 10, 2, 4, 0, tzinfo=east)),
        make("c", "mid, naive", date=datetime(2025, 10, 1, 23, 0)),
        make("d", "第 9 期"),
        make("e", "第 10 期"),
    ]
    assert [a.id for a in newest_first(articles)] == ["b", "c", "a", "e", "d"]


def test_natural_key_and_title_order() -> None:
    assert natural_key("第 9 期") < natural_key("第 10 期")
    titles = [a.title for a in by_title([make("1", "b 10"), make("2", "B 9"), make("3", "a")])]
    assert titles == ["a", "B 9", "b 10"]


def test_replace_file_swaps_entries_of_one_file() -> None:
    library = Library([make("1", "x", "list.txt"), make("2", "y", "list.txt"), make("3", "z")])
    removed, added = library.replace_file("list.txt", [make("4", "w", "list.txt")])
    assert sorted(removed) == ["1", "2"] and added == ["4"]
    assert sorted(library.articles) == ["3", "4"]
    assert [a.id for a in library.ordered("title")] == ["4", "3"]
    removed, _ = library.replace_file("list.txt", [])
    assert removed == ["4"] and "4" not in library


def test_filters_combine_read_state_bookmarks_and_tags() -> None:
    articles = [make("1", "a", tags=("AI",)), make("2", "b"), make("3", "c", tags=("AI",))]
    read = {"1"}
    marked = {"3"}
    keep = make_filter("unread", "AI", read.__contains__, marked.__contains__)
    assert [a.id for a in articles if keep(a)] == ["3"]
    keep = make_filter("bookmarked", None, read.__contains__, marked.__contains__)
    assert [a.id for a in articles if keep(a)] == ["3"]
    assert Library(articles).tags() == {"AI": 2}


def test_newest_first_takes_a_generator_and_keeps_the_undated() -> None:
    dated = make("a", "A", date=datetime(2025, 1, 2))
    undated = make("b", "B")
    assert newest_first(a for a in [undated, dated]) == [dated, undated]


def test_an_undated_series_is_ordered_by_its_numbers_though_its_titles_changed() -> None:
    articles = [
        make("old", "科技爱好者周刊：第 108 期"),
        make("new", "科技爱好者周刊（第 407 期）：国家为什么需要开源软件？"),
        make("mid", "科技爱好者周刊（第 200 期）：低期望，多尝试"),
        make("none", "关于"),
    ]
    assert [a.id for a in newest_first(articles)] == ["new", "mid", "old", "none"]


def test_the_folder_order_reads_a_docs_tree_like_a_book() -> None:
    paths = [
        "guide/10-advanced.md",
        "guide/2-setup.md",
        "README.md",
        "guide/index.md",
        "api/zeta.md",
        "guide/2-setup.md#2",
        "api/README.md",
        "changelog.md",
    ]
    articles = [
        Article(id=p, path=p.split("#")[0], title=f"t{i}", body="", line=3 if "#" in p else 1)
        for i, p in enumerate(paths)
    ]
    order = [a.id for a in Library(articles).ordered("folder")]
    assert order == [
        "README.md",  # the folder's own index first
        "api/README.md",
        "api/zeta.md",
        "changelog.md",
        "guide/index.md",
        "guide/2-setup.md",  # numbers as numbers: 2 before 10
        "guide/2-setup.md#2",  # a file's entries in line order
        "guide/10-advanced.md",
    ]
