"""The loader: the bundled corpus, real folder layouts, and files that fight back."""

from __future__ import annotations

import errno
import os
import pickle
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.corpus import parse as corpus
from tuireader.corpus.loader import load_corpus
from tuireader.corpus.parse import bundled_corpus_path, parse_file
from tuireader.model.articles import Article, article_id
from tuireader.model.links import extract_links

SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX file system features")


def write(root: Path, relative: str, data: bytes | str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- the bundled corpus -------------------------------------------------------------------------


def test_bundled_corpus_has_the_22_entries() -> None:
    result = load_corpus(bundled_corpus_path())
    assert len(result.articles) == 22
    assert result.files == 4
    assert result.problems == []
    by_path: dict[str, list[Article]] = {}
    for article in result.articles:
        by_path.setdefault(article.path, []).append(article)
    counts = sorted(len(v) for v in by_path.values())
    assert counts == [1, 1, 10, 10]
    assert len({a.id for a in result.articles}) == 22


def test_bundled_digest_has_its_metadata_and_seven_links() -> None:
    (digest,) = [a for a in load_corpus(bundled_corpus_path()).articles if a.kind == "markdown"]
    assert digest.title == "2025.10.02.04 过去4小时全球AI发生了什么？"
    assert digest.date == datetime(2025, 10, 2, 4, 0, 14, tzinfo=timezone(timedelta(hours=8)))
    assert digest.tags == ("AI News", "AI Development", "LLMs", "AI Debate")
    assert len(digest.links) == 7
    assert digest.links[0].text == "Tinker API推出，简化大型语言模型微调流程-Lilian Weng"


def test_links_are_found_in_the_body_when_first_read_not_when_parsed() -> None:
    """Parsing (in a worker) leaves links out; reading them gives what the body holds, for a
    file and for each post of a listing page (whose body is the post's summary, read as text)."""
    data = (
        b"---\ntitle: T\n---\n\n[a](https://a.example/) `[no](https://code.example/)` "
        b"https://bare.example/x.\n"
    )
    (article,), _ = parse_file("a.md", data)
    assert article._links is None
    sent = pickle.loads(pickle.dumps(article))  # as a worker sends it
    assert sent._links is None
    assert sent.links == extract_links(sent.body, "markdown")
    assert [link.url for link in sent.links] == ["https://a.example/", "https://bare.example/x"]
    assert sent.links is sent.links  # found once
    assert sent == article  # links are not compared: they follow from the body
    for post in [a for a in load_corpus(bundled_corpus_path()).articles if a.kind == "text"]:
        assert post.links == extract_links(post.body, "text")


def test_bundled_traditional_article_is_one_text_entry_with_its_real_title() -> None:
    articles = load_corpus(bundled_corpus_path()).articles
    (article,) = [a for a in articles if "karpathy" in a.path]
    assert article.title == "2025 年六大人工智慧革命:Andrej Karpathy 的行業最大轉變指南"
    assert article.kind == "text"
    assert article.body.count("\n") > 30  # one line per paragraph, not a run-on block
    seed = (SEEDS / "001_411a0b900bf39162.txt").read_text(encoding="utf-8")
    assert article.body == seed


def test_bundled_listing_posts_point_back_to_their_lines() -> None:
    articles = load_corpus(bundled_corpus_path()).articles
    posts = [a for a in articles if a.path == "fisherdaddy-posts-august-october-2025.txt"]
    assert [p.line for p in posts] == list(range(1, 58, 6))
    assert all(p.id == article_id(p.path, p.line) for p in posts)
    assert all(p.kind == "text" and p.authors == ("fisherdaddy",) for p in posts)
    assert posts[1].title == "Heygen 创始人 Joshua Xu:在 AI 时代,HeyGen 的构建之道"
    assert posts[1].date == datetime(2025, 10, 17)
    assert posts[1].reading_minutes == 3


def test_raw_seeds_parse_without_problems() -> None:
    for seed in sorted(SEEDS.iterdir()):
        articles, problems = parse_file(seed.name, seed.read_bytes())
        assert articles and not problems


# --- layouts and formats ------------------------------------------------------------------------


def test_folder_layout_suffixes_hidden_and_other_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "# A\n")
    write(tmp_path, "nested/deeper/b.markdown", "# B\n")
    write(tmp_path, "空格 and 中文/文章 one.txt", "C title\n\nbody\n")
    write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n")
    write(tmp_path, "notes.html", "<p>x</p>")
    write(tmp_path, ".git/HEAD.md", "# hidden\n")
    write(tmp_path, ".hidden.md", "# hidden\n")
    result = load_corpus(tmp_path)
    assert [(a.path, a.title) for a in result.articles] == [
        ("a.md", "A"),
        ("nested/deeper/b.markdown", "B"),
        ("空格 and 中文/文章 one.txt", "C title"),
    ]
    assert (result.files, result.skipped_other, result.problems) == (3, 2, [])
    assert result.summary() == "3 entries from 3 files; 2 other files skipped"


def test_bom_crlf_and_blank_line_before_frontmatter(tmp_path: Path) -> None:
    text = "\ufeff\r\n---\r\ntitle: CRLF post\r\ntags: [x]\r\n---\r\nLine one\r\nLine two\r\n"
    write(tmp_path, "p.md", text)
    (article,) = load_corpus(tmp_path).articles
    assert article.title == "CRLF post"
    assert article.tags == ("x",)
    assert article.body == "Line one\nLine two\n"


def test_invalid_frontmatter_keeps_the_article_with_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "bad.md", '+++\ntitle = "T"\ndate = 2024-1-01\n+++\n# Heading\n\nText\n')
    result = load_corpus(tmp_path)
    (article,) = result.articles
    # The frontmatter's valid title is kept; the bad date line is read as text (#19.1).
    assert article.title == "T"
    assert article.date == datetime(2024, 1, 1)
    assert "Text" in article.body
    assert article.problems and "invalid TOML frontmatter line 3" in article.problems[0]
    assert [p.path for p in result.problems] == ["bad.md"]
    assert "1 problem (1 degraded)" in result.summary()


def test_title_rules_fall_back_to_the_file_name(tmp_path: Path) -> None:
    write(tmp_path, "only-urls.txt", "https://a.example\n\n")
    (article,) = load_corpus(tmp_path).articles
    assert article.title == "only urls"


def test_control_characters_never_reach_a_record(tmp_path: Path) -> None:
    text = (
        '---\ntitle: "Evil\\e[2J\u202e title"\nauthor: "x\\x07y"\n---\n'
        "Body \x1b]0;pwn\x07 \x9b31m text\r\n"
    )
    write(tmp_path, "evil\x1bname.md", text)
    (article,) = load_corpus(tmp_path).articles
    for value in (article.title, article.body, article.path, *article.authors):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in value), value
        assert "\x9b" not in value and "\u202e" not in value
    assert article.title == "Evil[2J title"


def test_zola_date_from_the_path_field(tmp_path: Path) -> None:
    write(
        tmp_path, "Rust-1.88.0.md", '+++\npath = "2025/06/26/Rust-1.88.0"\ntitle = "Rust"\n+++\nx'
    )
    (article,) = load_corpus(tmp_path).articles
    assert article.date == datetime(2025, 6, 26)


def test_gb18030_big5_and_utf16_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "gb.txt",
        ("简体中文标题\n\n这是一个用简体中文写的段落，我们来测试编码。\n" * 3).encode("gb18030"),
    )
    write(
        tmp_path,
        "big5.txt",
        ("繁體中文標題\n\n這是一個用繁體中文寫的段落，我們來測試編碼。\n" * 3).encode("big5"),
    )
    write(tmp_path, "u16.md", "# 标题 UTF-16\n\n正文\n".encode("utf-16"))
    titles = {a.path: a.title for a in load_corpus(tmp_path).articles}
    assert titles == {"big5.txt": "繁體中文標題", "gb.txt": "简体中文标题", "u16.md": "标题 UTF-16"}


# --- hostile files ------------------------------------------------------------------------------


def test_binary_file_named_md_is_skipped_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path, "photo.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    write(tmp_path, "archive.txt", b"PK\x03\x04" + bytes(300))
    result = load_corpus(tmp_path)
    assert result.articles == []
    reasons = {p.path: p.reason for p in result.problems}
    assert reasons == {
        "archive.txt": "skipped: binary file (ZIP archive)",
        "photo.md": "skipped: binary file (PNG image)",
    }
    assert result.summary() == "0 entries from 2 files; 2 problems (2 binary)"


@POSIX_ONLY
def test_fifo_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    write(tmp_path, "ok.md", "# OK\n")
    result = load_corpus(tmp_path)
    assert [a.title for a in result.articles] == ["OK"]
    assert result.problems[0].reason == "skipped: not a regular file (FIFO)"


def _as_non_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Root (as in CI) may read a mode-000 file: make such files and folders refuse, as for
    any other user, so the test runs everywhere instead of being skipped."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    real_open, real_scandir = os.open, os.scandir

    def refuse_if_locked(path: object) -> None:
        if isinstance(path, (str, bytes, os.PathLike)) and os.stat(path).st_mode & 0o777 == 0:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    def guarded_open(path: str, flags: int, *args: int, **kwargs: object) -> int:
        refuse_if_locked(path)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_scandir(path: str = ".") -> object:
        refuse_if_locked(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "scandir", guarded_scandir)


@POSIX_ONLY
def test_permission_denied_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _as_non_root(monkeypatch)
    write(tmp_path, "secret.md", "# S\n").chmod(0)
    locked = tmp_path / "locked"
    write(tmp_path, "locked/x.md", "# X\n")
    locked.chmod(0)
    try:
        result = load_corpus(tmp_path)
    finally:
        locked.chmod(0o755)
    reasons = {p.path: p.reason for p in result.problems}
    assert reasons["secret.md"] == "skipped: permission denied"
    assert reasons["locked"].startswith("skipped: folder unreadable")


@POSIX_ONLY
def test_unreadable_file_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root can read any file, so the permission error is simulated at the os.open boundary.
    write(tmp_path, "secret.md", "# S\n")
    real_open = os.open

    def deny(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("secret.md"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    result = load_corpus(tmp_path)
    assert [(p.path, p.reason) for p in result.problems] == [
        ("secret.md", "skipped: permission denied")
    ]


@POSIX_ONLY
def test_symlinks_loops_outside_and_inside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    write(outside, "secret.md", "# Outside\n")
    write(root, "real.md", "# Real\n")
    (root / "loop.md").symlink_to("loop.md")
    (root / "escape.md").symlink_to(outside / "secret.md")
    (root / "alias.md").symlink_to("real.md")
    (root / "dangling.md").symlink_to("missing.md")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    result = load_corpus(root)
    assert sorted(a.path for a in result.articles) == ["alias.md", "real.md"]
    reasons = {p.path: p.reason for p in result.problems}
    assert reasons == {
        "dangling.md": "skipped: broken symlink",
        "escape.md": "skipped: symlink points outside the folder",
        "linkdir": "skipped: symlinked folder (not followed)",
        "loop.md": "skipped: symlink loop",
    }


@POSIX_ONLY
def test_undecodable_file_name_is_shown_safely(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9\x07.md")
    (tmp_path / name).write_text("# Cafe\n", encoding="utf-8")
    (article,) = load_corpus(tmp_path).articles
    assert article.path == "caf\\xe9.md"
    assert article.title == "Cafe"


def test_vanished_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "gone.md", "# Gone\n")
    real_open = os.open

    def vanish(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("gone.md"):
            raise FileNotFoundError(2, "No such file", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", vanish)
    result = load_corpus(tmp_path)
    assert result.problems[0].reason == "skipped: vanished during the scan"


def test_huge_file_is_truncated_with_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 1000)
    write(tmp_path, "big.md", "# Big\n" + "line of text\n" * 200)
    result = load_corpus(tmp_path)
    (article,) = result.articles
    assert len(article.body) < 1000
    assert article.body.endswith("\n")
    assert any("truncated" in p for p in article.problems)
    assert "truncated" in result.problems[0].reason


def test_loader_never_writes(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "# A\n")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    load_corpus(tmp_path)
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    assert before == after


def test_ids_are_stable_across_runs(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "# A\n")
    assert (
        load_corpus(tmp_path).articles[0].id
        == load_corpus(tmp_path).articles[0].id
        == article_id("a.md")
    )


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys, tuireader.corpus.parse, tuireader.corpus.encoding, tuireader.corpus.metadata, "
        "tuireader.model.links, tuireader.corpus.listings, tuireader.corpus.titles; "
        "print(any(m.startswith('textual') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["a.md", "b.txt", "c.markdown"]))
def test_random_bytes_never_raise(data: bytes, name: str) -> None:
    articles, problems = parse_file(name, data)
    assert articles or problems
    for article in articles:
        assert not any(ord(c) < 32 and c not in "\n\t" for c in article.body + article.title)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1500), st.sampled_from(["a.md", "b.txt"]))
def test_random_text_never_raises(text: str, name: str) -> None:
    articles, _ = parse_file(name, text.encode("utf-8", "surrogatepass"))
    for article in articles:
        assert article.title and "\n" not in article.title


def test_unreadable_folder_is_reported_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "locked/x.md", "# X\n")
    write(tmp_path, "open/y.md", "# Y\n")
    real_scandir = os.scandir

    def deny(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    result = load_corpus(tmp_path)
    assert [a.path for a in result.articles] == ["open/y.md"]
    assert [(p.path, p.reason) for p in result.problems] == [
        ("locked", "skipped: folder unreadable (permission denied)")
    ]


@pytest.mark.parametrize("batch_bytes", [1, 64, corpus.BATCH_BYTES])
def test_files_parsed_in_batches_give_what_each_file_gives_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_bytes: int
) -> None:
    """Files are parsed a batch at a time, one step over the whole batch at a time: every file
    still gets exactly its own entries and problems, whatever it holds and wherever it falls."""
    from tuireader.corpus.walk import FoundFile

    files: dict[str, str | bytes] = {
        "a.md": "---\ntitle: A\ndate: 2024-02-30\n---\n\nbody [x](https://x.example/)",
        "empty.md": "",
        "binary.md": b"\x89PNG\r\n\x1a\n" + bytes(100),
        "bom.txt": b"\xef\xbb\xbfline one\r\nline two",
        "gbk.md": "# 标题\n\n正文".encode("gbk"),
        "broken.md": "---\ntitle: [unclosed\n---\n\ntext",
        "listing.md": "".join(
            f"# Post {n}\n\n2024-01-0{n} · Ann\n\nSummary {n}.\n\n" for n in range(1, 5)
        ),
        "sub/z.markdown": '+++\ntitle = "Z"\n+++\n\nzed',
    }
    for relative, data in files.items():
        write(tmp_path, relative, data)
    found = [FoundFile(relative, None) for relative in [*files, "vanished.md"]]
    monkeypatch.setattr(corpus, "BATCH_BYTES", batch_bytes)
    results = corpus.read_files(str(tmp_path), found)
    assert [f.relative for f, _, _ in results] == [f.relative for f in found]
    for one, (_, articles, problems) in zip(found, results, strict=True):
        (alone,) = corpus.read_files(str(tmp_path), [one])
        assert (articles, problems) == (alone[1], alone[2])
        assert [a.problems for a in articles] == [a.problems for a in alone[1]]
    by_path = {f.relative: (articles, problems) for f, articles, problems in results}
    assert [a.title for a in by_path["a.md"][0]] == ["A"]
    assert len(by_path["listing.md"][0]) == 4
    assert by_path["binary.md"][0] == [] and "binary" in by_path["binary.md"][1][0].reason
    assert by_path["vanished.md"][0] == [] and by_path["vanished.md"][1][0].reason.startswith(
        "skipped:"
    )


def test_read_files_pauses_the_cyclic_gc_and_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from tuireader.corpus.walk import FoundFile

    write(tmp_path, "a.md", "# A\n\nbody")
    seen: list[bool] = []
    parse_files = corpus.parse_files

    def spy(files: list[tuple[str, bytes]]) -> object:
        seen.append(gc.isenabled())
        return parse_files(files)

    monkeypatch.setattr(corpus, "parse_files", spy)
    assert gc.isenabled()
    results = corpus.read_files(str(tmp_path), [FoundFile("a.md", None)])
    assert [article.title for article in results[0][1]] == ["A"]
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that paused it already (the app's loading thread) finds it still paused
        corpus.read_files(str(tmp_path), [FoundFile("a.md", None)])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_runs_again_only_when_the_last_thread_is_done() -> None:
    import gc
    import threading

    from tuireader.corpus.parse import gc_paused

    inside, leave = threading.Event(), threading.Event()

    def loading() -> None:  # the loading thread, paused from start to end
        with gc_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=loading)
    thread.start()
    assert inside.wait(5)
    try:
        with gc_paused():  # an article built meanwhile, done first
            assert not gc.isenabled()
        assert not gc.isenabled()  # the loading thread still has it paused
    finally:
        leave.set()
        thread.join(5)
    assert gc.isenabled()


def test_a_built_document_is_frozen_and_the_collector_left_running() -> None:
    import gc

    from tuireader.model.articles import Article
    from tuireader.session.reader import ReaderSession

    body = "\n\n".join(f"第 {n} 段 [链接](https://a.example/{n})" for n in range(2000))
    before = gc.get_freeze_count()
    try:
        document = ReaderSession.build_document(Article(id="x", path="x.md", title="t", body=body))
        assert len(document.blocks) == 2000
        assert gc.get_freeze_count() > before  # its objects are skipped by later collections
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_a_utf8_file_with_bad_bytes_keeps_its_title_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, "bad.md", b"---\ntitle: bad \xff\xfe utf8\n---\n# Heading\n\nText\n")
    result = load_corpus(tmp_path)
    (article,) = result.articles
    assert article.title == "bad \ufffd\ufffd utf8"
    assert article.problems == ("invalid utf-8 bytes shown as \ufffd",)
    assert [p.path for p in result.problems] == ["bad.md"]
