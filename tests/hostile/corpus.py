"""A corpus built to break a reader, generated into a folder at test time (nothing binary is
committed).

`build_hostile_corpus` writes every case of issue 7 that is cheap enough to run on every test
run; `build_bulk_corpus` writes the two expensive shapes (a 50 MB file, 20,000 files in one
folder). Each written path is described by a `Case`: what the loader must make of it (entries,
one problem, or nothing at all) and, for problems, words its reason must contain.

Permission errors cannot be produced with `chmod` when the tests run as root (CI does), so
`simulated_failures` returns the `os` calls to patch for the files that must fail to open or
read; `chmod` is applied as well, which is what a non-root run sees.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import json
import os
import stat
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from tuireader.corpus.walk import display_path


def _osc52(secret: str, terminator: str) -> str:
    return "\x1b]52;c;" + base64.b64encode(secret.encode()).decode() + terminator


# Secrets carried by the OSC 52 payloads: if one ever reaches a terminal's clipboard (tmux's
# paste buffer), the end-to-end test finds it there.
CLIPBOARD_SECRETS = ("PWNED-BEL", "PWNED-ST")

ESCAPES: dict[str, str] = {
    "clear": "\x1b[2J\x1b[H",
    "osc52-bel": _osc52(CLIPBOARD_SECRETS[0], "\x07"),
    "osc52-st": _osc52(CLIPBOARD_SECRETS[1], "\x1b\\"),
    "osc8": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "c1-csi": "\x9b2J\x9b31m",
    "bidi": "\u202egnp.exe",
    "nul": "nul\x00byte",
}
ALL_ESCAPES = "".join(ESCAPES.values())

MARKUP: tuple[str, ...] = (
    "[bold red]x[/]",
    "标题[/]尾",
    "[@click=app.quit]x",
    "[link=javascript:alert(1)]x[/link]",
    "[AI] 新闻",
)

DANGEROUS_URLS: tuple[str, ...] = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "file:///etc/passwd",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ssh://attacker.example/",
)
LONG_URL = "https://long.example/" + "a" * 100_000

# Sizes, real where affordable (see build_bulk_corpus for the two expensive ones).
LONG_LINE_BYTES = 5 * 1024 * 1024
MANY_PARAGRAPHS = 100_000
MANY_LINKS = 10_000
LIST_DEPTH = 200
FOLDER_DEPTH = 100
HUGE_FILE_BYTES = 50 * 1024 * 1024
MANY_FILES = 20_000
BIG_FRONTMATTER_BYTES = 5 * 1024 * 1024
# README, Safety: "at most 16 MiB of a file is read"; the 50 MB file has a marker on each side.
READ_LIMIT_BYTES = 16 * 1024 * 1024
NEAR_LIMIT_MARKER = "NEARLIMITMARKER"
PAST_LIMIT_MARKER = "PASTLIMITMARKER"

Outcome = Literal["entry", "problem", "entry+problem", "ignored"]


@dataclass(frozen=True)
class Case:
    """One path of the corpus and what loading it must give.

    `entry`: at least one entry, no problem. `problem`: a problem and no entry (skipped).
    `entry+problem`: entries and one problem (degraded). `ignored`: neither (not an article
    file, or hidden). `reason` holds words the problem's reason must contain.
    """

    name: str
    path: bytes
    outcome: Outcome
    reason: str = ""

    @property
    def shown(self) -> str:
        """The path as the loader reports it."""
        return display_path(os.fsdecode(self.path))


@dataclass
class HostileCorpus:
    root: Path
    cases: list[Case] = field(default_factory=list)
    # Files that must be denied (permission) or fail while read, for `simulated_failures`.
    deny_open: set[bytes] = field(default_factory=set)
    deny_folders: set[bytes] = field(default_factory=set)
    vanish: set[bytes] = field(default_factory=set)
    shrink: set[bytes] = field(default_factory=set)
    io_error: set[bytes] = field(default_factory=set)
    outside: Path | None = None

    def case(self, name: str) -> Case:
        return next(c for c in self.cases if c.name == name)

    def write(
        self,
        name: str,
        relative: str | bytes,
        data: bytes | str,
        outcome: Outcome = "entry",
        reason: str = "",
    ) -> Path:
        raw = os.fsencode(relative)
        target = os.path.join(os.fsencode(self.root), raw)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        self.cases.append(Case(name, raw, outcome, reason))
        return Path(os.fsdecode(target))

    def add(self, name: str, relative: str | bytes, outcome: Outcome, reason: str = "") -> None:
        self.cases.append(Case(name, os.fsencode(relative), outcome, reason))


# --- the cheap corpus -------------------------------------------------------------------------


def build_hostile_corpus(root: Path) -> HostileCorpus:
    """Write every affordable hostile case under `root` (created) and describe them."""
    root.mkdir(parents=True)
    corpus = HostileCorpus(root)
    _escapes(corpus)
    _markup(corpus)
    _frontmatter(corpus)
    _sizes(corpus)
    _links(corpus)
    _file_system(corpus)
    return corpus


def _escapes(c: HostileCorpus) -> None:
    tags = json.dumps([f"tag{k}{v}" for k, v in ESCAPES.items()])
    c.write(
        "escapes-frontmatter",
        "escapes/frontmatter.md",
        f"---\ntitle: {json.dumps('Title ' + ALL_ESCAPES)}\n"
        f"author: {json.dumps('Author ' + ESCAPES['osc52-bel'])}\n"
        f"tags: {tags}\n"
        f"source: {json.dumps('https://src.example/' + ESCAPES['clear'])}\n---\n\n"
        + "\n\n".join(f"Body {k}: {v} end." for k, v in ESCAPES.items())
        + f"\n\n[link {ALL_ESCAPES}](https://ok.example/escapes)\n",
    )
    c.write(
        "escapes-heading",
        "escapes/heading.md",
        f"# Heading {ALL_ESCAPES}\n\n"
        + "\n".join(f"- item {v}" for v in ESCAPES.values())
        + f"\n\n```\ncode {ALL_ESCAPES}\n```\n\n| h{ESCAPES['clear']} | x |\n|---|---|\n"
        f"| {ESCAPES['osc52-st']} | y |\n\n> quote {ESCAPES['osc8']}\n",
    )
    c.write("escapes-text", "escapes/plain.txt", f"Plain {ALL_ESCAPES}\n" * 3)
    # The same bytes in other encodings: decoded first, cleaned after.
    c.write("escapes-utf16", "escapes/utf16.md", ("# UTF16 " + ALL_ESCAPES + "\n").encode("utf-16"))
    c.write(
        "escapes-gb18030",
        "escapes/gb18030.md",
        ("# 中文标题 " + ALL_ESCAPES + "\n\n正文内容。\n" * 20).encode("gb18030"),
    )
    # A raw 0x9b byte (C1 CSI in 8-bit terminals) in a file that is otherwise ASCII: UTF-8 with
    # two bad bytes, shown as U+FFFD and reported (#19.2), not a code page's letters.
    c.write(
        "escapes-raw-c1",
        "escapes/raw-c1.md",
        b"# Raw C1 \x9b2J title\n\nbody \x9b31m red\n",
        "entry+problem",
        "invalid utf-8 bytes shown as",
    )
    c.write("escapes-crlf", "escapes/cr.md", "# CR\r\n\rline\x1b[1A\x1b[2K overwritten\r\n")
    for key, payload in ESCAPES.items():
        if "\x00" in payload:
            continue  # NUL cannot be in a file name
        name = f"names/{key}-{payload}.md".replace("/", "_").replace("names_", "names/", 1)
        c.write(f"name-{key}", name, f"# Name {key}\n")


def _markup(c: HostileCorpus) -> None:
    for number, markup in enumerate(MARKUP):
        c.write(
            f"markup-{number}",
            f"markup/frontmatter-{number}.md",
            f"---\ntitle: {json.dumps(markup)}\nauthor: {json.dumps(markup)}\n"
            f"tags: {json.dumps(list(MARKUP))}\n---\n\n"
            f"Body {markup} tail.\n\n**{markup}** and [{markup}](https://ok.example/{number})\n\n"
            f"## {markup}\n\n- {markup}\n\n`{markup}`\n",
        )
    c.write("markup-heading", "markup/heading.md", "# [AI] 新闻\n\n标题[/]尾 [@click=app.quit]x\n")
    c.write("markup-text", "markup/plain.txt", "\n".join(MARKUP) + "\n")
    c.write("markup-html", "markup/html.md", "# HTML\n\n<b>bold</b> <script>alert(1)</script>\n")
    # Markup in paths: "/" inside the markup makes a folder, which is still one path.
    for number, markup in enumerate(MARKUP):
        c.write(f"markup-name-{number}", f"markup-names/{markup}.md", "no title line at all\n")


def _frontmatter(c: HostileCorpus) -> None:
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 30):
        prev = chr(ord("a") + (level - 1) % 26) * (1 + (level - 1) // 26)
        name = chr(ord("a") + level % 26) * (1 + level // 26)
        laughs.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    laughs.append("title: *" + name)
    laughs.append("tags: *" + name)
    c.write("billion-laughs", "frontmatter/laughs.md", "---\n" + "\n".join(laughs) + "\n---\nok\n")
    marker = c.root.parent / "python-object-ran"
    c.write(
        "python-object",
        "frontmatter/python-object.md",
        f"---\ntitle: !!python/object/apply:os.system [\"touch '{marker}'\"]\n"
        "date: !!python/object/new:datetime.datetime [2020, 1, 1]\n---\nbody\n",
        "entry+problem",
        "invalid YAML frontmatter",
    )
    big = "---\ntitle: Big\n" + "".join(
        f"k{n}: {'x' * 100}\n" for n in range(BIG_FRONTMATTER_BYTES // 106)
    )
    c.write(
        "big-frontmatter",
        "frontmatter/big.md",
        big + "---\nbody after a big frontmatter\n",
        "entry+problem",
        "larger than",
    )
    c.write(
        "unclosed-big-frontmatter",
        "frontmatter/unclosed.md",
        "---\ntitle: x\n" + "key: value\n" * 200_000,
    )
    c.write(
        "list-frontmatter",
        "frontmatter/list.md",
        "---\n- a\n- b\n---\nbody\n",
        "entry+problem",
        "not a mapping",
    )
    c.write(
        "string-frontmatter",
        "frontmatter/string.md",
        "---\njust a string\n---\nbody\n",
        "entry+problem",
        "not a mapping",
    )
    for number, value in enumerate(
        ("yesterday", "2024-02-30", "99999-01-01", "[1, 2]", "{a: b}", "1e400", "-1")
    ):
        # A mapping has no text to complain about; everything else is an unrecognised date.
        outcome: Outcome = "entry" if value.startswith("{") else "entry+problem"
        c.write(
            f"bad-date-{number}",
            f"frontmatter/date-{number}.md",
            f"---\ntitle: Date {number}\ndate: {value}\n---\nbody\n",
            outcome,
            "date" if outcome != "entry" else "",
        )
    for number, value in enumerate(("42", "3.14", "[a, [b, [c]]]", "{x: 1}", "null", "true")):
        c.write(
            f"odd-title-{number}",
            f"frontmatter/title-{number}.md",
            f"---\ntitle: {value}\n---\nt\n",
        )
    c.write(
        "toml-bad-date",
        "frontmatter/toml.md",
        '+++\ntitle = "T"\ndate = 2024-13-45\n+++\nbody\n',
        "entry+problem",
        "invalid TOML",
    )
    c.write(
        "json-deep",
        "frontmatter/json-deep.md",
        '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}\nbody\n",
        "entry+problem",
        "JSON",
    )
    c.write(
        "yaml-deep",
        "frontmatter/yaml-deep.md",
        "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nbody\n",
    )
    c.write(
        "toml-deep",
        "frontmatter/toml-deep.md",
        "+++\ntitle = " + "[" * 5000 + "]" * 5000 + "\n+++\nbody\n",
        "entry+problem",
        "TOML",
    )


def _sizes(c: HostileCorpus) -> None:
    c.write("empty", "sizes/empty.md", b"")
    c.write("whitespace", "sizes/whitespace.md", " \n\t\n\u3000\n   \r\n\n")
    sentence = "The quick brown fox 敏捷的棕色狐狸 jumps over the lazy dog. "
    line = (sentence * (LONG_LINE_BYTES // len(sentence.encode()) + 1)).encode()[:LONG_LINE_BYTES]
    line = line.decode("utf-8", "ignore").encode() + b" LONGLINEEND\n"
    c.write("long-line", "sizes/long-line.md", b"# Long line\n\n" + line)
    c.write(
        "many-paragraphs",
        "sizes/many-paragraphs.txt",
        "".join(f"Paragraph {n} 第{n}段\n" for n in range(MANY_PARAGRAPHS)),
    )
    c.write(
        "many-paragraphs-md",
        "sizes/many-paragraphs.md",
        "# Many\n\n" + "".join(f"Paragraph {n}.\n\n" for n in range(MANY_PARAGRAPHS)),
    )
    c.write(
        "many-links",
        "sizes/many-links.md",
        "# Links\n\n"
        + "".join(f"- [link {n}](https://many.example/{n})\n" for n in range(MANY_LINKS)),
    )
    c.write(
        "nested-list",
        "sizes/nested-list.md",
        "# Nested\n\n" + "".join("  " * d + f"- level {d}\n" for d in range(LIST_DEPTH)),
    )
    c.write(
        "nested-quote",
        "sizes/nested-quote.md",
        "# Quotes\n\n" + "".join(">" * d + f" depth {d}\n" for d in range(1, LIST_DEPTH)),
    )
    c.write(
        "nested-emphasis",
        "sizes/nested-emphasis.md",
        "# Emphasis\n\n" + "*_" * 5000 + "x" + "_*" * 5000 + "\n\n" + "[" * 5000 + "\n",
    )
    deep = "/".join(["d"] * FOLDER_DEPTH)
    c.write("deep-folder", f"sizes/{deep}/deep.md", "# Deep\n")


def _links(c: HostileCorpus) -> None:
    lines = [f"- [{url}]({url})" for url in DANGEROUS_URLS]
    lines += [f"- <{url}>" for url in DANGEROUS_URLS if ":" in url]
    lines += [f'- <a href="{url}">html {n}</a>' for n, url in enumerate(DANGEROUS_URLS)]
    lines += [
        f"- [long]({LONG_URL})",
        f"- [ctl](https://ctl.example/{ESCAPES['clear']}x)",
        f"- [bel](https://bel.example/{ESCAPES['osc52-bel']})",
        "- [ref][bad]",
        f"- [{MARKUP[3]}](https://ok.example/markup)",
        f"- ![img {ESCAPES['clear']}](javascript:alert(1))",
        "",
        "[bad]: javascript:alert(2)",
        "",
        f"Bare {LONG_URL} and https://bare.example/{ESCAPES['clear']}tail",
    ]
    c.write(
        "links",
        "links/links.md",
        f"---\ntitle: Links\nsource: {json.dumps('javascript:alert(3)')}\n---\n\n"
        + "\n".join(lines)
        + "\n",
    )
    c.write(
        "links-text",
        "links/links.txt",
        "\n".join(f"see {url} now" for url in (*DANGEROUS_URLS, LONG_URL)) + "\n",
    )


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.md", "# inside a zip " + ALL_ESCAPES)
    return buffer.getvalue()


def _file_system(c: HostileCorpus) -> None:
    fs = "fs"
    os.makedirs(c.root / fs)
    c.write("png", "fs/image.md", _png(), "problem", "binary file (PNG image)")
    c.write("zip", "fs/archive.md", _zip(), "problem", "binary file (ZIP archive)")
    c.write("random-binary", "fs/random.txt", bytes(range(256)) * 64, "problem", "binary")
    c.write("ok-neighbour", "fs/ok.md", "# OK neighbour\n")
    c.write("not-an-article", "fs/readme.rst", "not an article", "ignored")
    c.write("hidden", "fs/.hidden.md", "# hidden\n", "ignored")
    c.write("hidden-folder", "fs/.git/config.md", "# hidden folder\n", "ignored")
    # Names: newlines, controls, invalid UTF-8, a lone C1 byte.
    for key, name in {
        "name-newline": "fs/new\nline.md",
        "name-tab": "fs/tab\there.md",
        "name-bell": "fs/bell\x07.md",
        "name-del": "fs/del\x7f.md",
    }.items():
        c.write(key, name, f"# {key}\n")
    c.write("name-invalid-utf8", b"fs/bad\xff\xfe.md", "# Invalid UTF-8 name\n")
    c.write("name-raw-c1", b"fs/c1\x9b2J.md", "# Raw C1 name\n")
    # Permission denied (chmod for non-root runs, simulated for root).
    c.write("denied-file", "fs/denied.md", "# secret\n", "problem", "permission denied")
    os.chmod(c.root / "fs/denied.md", 0)
    c.deny_open.add(b"fs/denied.md")
    c.write("denied-folder-file", "fs/locked/inside.md", "# locked\n", "ignored")
    c.add("denied-folder", "fs/locked", "problem", "folder unreadable (permission denied)")
    os.chmod(c.root / "fs/locked", 0)
    c.deny_folders.add(b"fs/locked")
    # Races: deleted, truncated and failing between listing and reading (simulated).
    c.write("vanished", "fs/vanished.md", "# gone\n", "problem", "vanished")
    c.vanish.add(b"fs/vanished.md")
    c.write(
        "shrunk",
        "fs/shrunk.md",
        "# 截断的文件\n\n" + "内容" * 1000 + "\n",
        "entry+problem",
        "cut off",
    )
    c.shrink.add(b"fs/shrunk.md")
    c.write("io-error", "fs/io-error.md", "# io\n", "problem", "input/output error")
    c.io_error.add(b"fs/io-error.md")
    # Symlinks: loops, outside the folder, devices, a folder.
    outside = c.root.parent / f"{c.root.name}-outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# OUTSIDE SECRET\n")
    c.outside = outside
    links: dict[str, tuple[str, str, Outcome, str]] = {
        "symlink-loop": ("fs/loop.md", "loop.md", "problem", "symlink loop"),
        "symlink-loop2-a": ("fs/loop-a.md", "loop-b.md", "problem", "symlink loop"),
        "symlink-loop2-b": ("fs/loop-b.md", "loop-a.md", "problem", "symlink loop"),
        "symlink-outside": (
            "fs/escape.md",
            str(outside / "secret.md"),
            "problem",
            "outside the folder",
        ),
        "symlink-relative-outside": (
            "fs/escape-rel.md",
            f"../../{outside.name}/secret.md",
            "problem",
            "outside the folder",
        ),
        "symlink-passwd": ("fs/passwd.md", "/etc/passwd", "problem", "outside the folder"),
        "symlink-zero": ("fs/zero.md", "/dev/zero", "problem", "outside the folder"),
        "symlink-dangling": ("fs/dangling.md", "missing.md", "problem", "broken symlink"),
        "symlink-inside": ("fs/alias.md", "ok.md", "entry", ""),
        "symlink-folder-loop": ("fs/selfdir", ".", "problem", "symlinked folder"),
        "symlink-folder-outside": ("fs/outdir", str(outside), "problem", "symlinked folder"),
    }
    for name, (path, target, outcome, reason) in links.items():
        os.symlink(target, c.root / path)
        c.add(name, path, outcome, reason)
    if hasattr(os, "mkfifo"):
        os.mkfifo(c.root / "fs/pipe.md")
        c.add("fifo", "fs/pipe.md", "problem", "not a regular file (FIFO)")


# --- the expensive corpus ---------------------------------------------------------------------


def build_bulk_corpus(root: Path) -> HostileCorpus:
    """A 50 MB article and a folder of 20,000 files (mostly tiny, some hostile)."""
    root.mkdir(parents=True)
    corpus = HostileCorpus(root)
    paragraph = ("大文件段落 huge file paragraph with some words. " * 20 + "\n\n").encode()
    with open(root / "huge.md", "wb") as file:

        def fill_to(offset: int) -> None:
            # Whole paragraphs up to (at most one paragraph past) `offset`.
            file.write(paragraph * max(0, -(-(offset - file.tell()) // len(paragraph))))

        file.write(b"# Huge\n\nHUGESTART marker\n\n")
        fill_to(READ_LIMIT_BYTES - 64 * 1024)
        file.write(f"{NEAR_LIMIT_MARKER} among the last of what is read\n\n".encode())
        fill_to(READ_LIMIT_BYTES)
        file.write(f"{PAST_LIMIT_MARKER} just after the read limit\n\n".encode())
        fill_to(HUGE_FILE_BYTES // 2)
        file.write(b"MIDDLEMARKER in the middle\n\n")
        fill_to(HUGE_FILE_BYTES)
        file.write(b"HUGEEND after 50 MB\n")
    corpus.add("huge", "huge.md", "entry+problem", "truncated to the first 16 MiB")
    many = root / "many"
    many.mkdir()
    for number in range(MANY_FILES):
        payload = MARKUP[number % len(MARKUP)] if number % 100 == 0 else f"note {number}"
        (many / f"{number:05d}.md").write_text(f"# {payload}\n\nentry {number} body\n")
    corpus.add("many", "many", "entry")
    return corpus


# --- simulation and proof ---------------------------------------------------------------------


@contextlib.contextmanager
def simulated_failures(corpus: HostileCorpus) -> Iterator[None]:
    """Make the marked files fail as they would for a non-root user or in a race.

    Patches `os.open`, `os.read` and `os.scandir` (what the loader calls) for those paths only.
    """
    root = os.fsencode(corpus.root)

    def relative(path: object) -> bytes | None:
        if isinstance(path, int):
            return None
        try:
            return os.path.relpath(os.fsencode(path), root)  # type: ignore[arg-type]
        except ValueError:
            return None

    real_open, real_read, real_scandir = os.open, os.read, os.scandir
    shrinking: dict[int, int] = {}
    failing: set[int] = set()

    def fake_open(path: object, flags: int, *args: int, **kwargs: int) -> int:
        where = relative(path)
        if where in corpus.deny_open:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        if where in corpus.vanish:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        fd = real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]
        shrinking.pop(fd, None)  # a reused descriptor number
        failing.discard(fd)
        if where in corpus.shrink:
            shrinking[fd] = 0
        if where in corpus.io_error:
            failing.add(fd)
        return fd

    def fake_read(fd: int, size: int) -> bytes:
        if fd in failing:
            raise OSError(errno.EIO, "Input/output error")
        if fd in shrinking:
            # Truncated while being read: the first read ends inside a UTF-8 character, and
            # the file then ends.
            shrinking[fd] += 1
            return real_read(fd, size)[:20] if shrinking[fd] == 1 else b""
        return real_read(fd, size)

    def fake_scandir(path: object = ".") -> object:
        if relative(path) in corpus.deny_folders:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_scandir(path)  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", fake_open)
        patch.setattr(os, "read", fake_read)
        patch.setattr(os, "scandir", fake_scandir)
        yield


def folder_digest(root: Path) -> dict[bytes, tuple[int, int, int, str]]:
    """Every name under `root` (hidden ones too) with its mode, size, mtime and content hash.

    Symlinks are not followed (their target is recorded); unreadable files record their mode
    only. Access times are left out: reading may update them, and reading is allowed.
    """
    digest: dict[bytes, tuple[int, int, int, str]] = {}
    base = os.fsencode(root)
    for folder, dirnames, filenames in os.walk(base, followlinks=False):
        for name in dirnames + filenames:
            full = os.path.join(folder, name)
            info = os.lstat(full)
            content = ""
            if stat.S_ISLNK(info.st_mode):
                content = os.fsdecode(os.readlink(full))
            elif stat.S_ISREG(info.st_mode):
                try:
                    with open(full, "rb") as file:
                        content = hashlib.sha256(file.read()).hexdigest()
                except PermissionError:
                    content = "unreadable"
            digest[os.path.relpath(full, base)] = (
                info.st_mode,
                info.st_size,
                info.st_mtime_ns,
                content,
            )
    return digest


def restore_permissions(corpus: HostileCorpus) -> None:
    """Undo the chmods so that the folder can be removed."""
    for raw in (*corpus.deny_open, *corpus.deny_folders):
        path = os.path.join(os.fsencode(corpus.root), raw)
        if os.path.lexists(path):
            os.chmod(path, 0o755)
