"""The `tuireader` command: opens the reader, or lists and searches a folder from the shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import tuireader
from tuireader.model.articles import Article
from tuireader.model.text import sanitize_line

if TYPE_CHECKING:
    from tuireader.session.loading import SingleSource
    from tuireader.ui.app import TuiReaderApp

SUBCOMMANDS = ("list", "search")
FRAMES_PER_SECOND = "120"
"""Textual draws a changed screen at the next tick of a clock of TEXTUAL_FPS ticks a second: at
its 60, a search's hits waited up to a tick for their frame (bench/README.md, typing). Frames
are only drawn when something changed, so an idle app costs nothing more."""


def _version_text() -> str:
    return f"tuireader {tuireader.__version__}"


def _main_parser() -> argparse.ArgumentParser:
    from tuireader.store.config import config_path
    from tuireader.store.state import state_dir

    parser = argparse.ArgumentParser(
        prog="tuireader",
        description="A terminal reader for a folder of articles (Markdown and text).",
        epilog=(
            "subcommands:\n"
            "  tuireader list [PATH] [--json] [--problems]   print the entries of a folder\n"
            "  tuireader search QUERY [--corpus PATH] [--limit N] [--json]\n"
            "                                                search a folder from the shell\n"
            "\nWith no PATH: the `corpus` of the config file, else the bundled sample corpus.\n"
            "tuireader FILE opens FILE's folder with FILE open (FILE alone if that folder is\n"
            "your home or /); `cmd | tuireader -` reads one article from stdin, read-only.\n"
            f"config file: {config_path()} (TUIREADER_CONFIG overrides)\n"
            f"reading state: {state_dir()} (TUIREADER_STATE_DIR overrides)\n"
            "Press ? in the reader for every key."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        help="folder of articles to open; a file opens its folder there; - reads stdin",
    )
    parser.add_argument("--corpus", type=Path, help="folder of articles (same as PATH)")
    parser.add_argument(
        "--no-watch", action="store_true", help="do not follow changes to the folder"
    )
    parser.add_argument("--version", action="version", version=_version_text())
    return parser


def _list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuireader list", description="Print the entries of a folder of articles."
    )
    parser.add_argument("path", nargs="?", type=Path, help="folder (default: bundled corpus)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of entries")
    parser.add_argument(
        "--order",
        choices=("date", "title", "folder"),
        help="newest first, by title, or as the folder holds the files (default: the order the "
        "sidebar shows for this folder)",
    )
    parser.add_argument(
        "--problems", action="store_true", help="print each skipped or degraded file and why"
    )
    return parser


def _search_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuireader search",
        description=(
            'Search a folder of articles. Terms are ANDed; "a phrase", -exclude, title:, tag:, '
            "author:, after:YYYY-MM-DD and before:YYYY-MM-DD are understood."
        ),
    )
    parser.add_argument("query", help="the search query")
    parser.add_argument("--corpus", type=Path, help="folder (default: bundled corpus)")
    parser.add_argument("--limit", type=int, default=20, help="how many hits to print")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tuireader` command; returns the process exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "list":
            return _run_list(_list_parser().parse_args(args[1:]))
        if args and args[0] == "search":
            return _run_search(_search_parser().parse_args(args[1:]))
        return _run_app(_main_parser().parse_args(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tuireader list | head` closes the pipe early; that is not an error.
        sys.stderr.close()
        return 0


def _resolve_folder(path: Path | None) -> Path:
    from tuireader.corpus.parse import bundled_corpus_path

    folder = path if path is not None else bundled_corpus_path()
    if not folder.is_dir():
        raise SystemExit(f"tuireader: not a folder: {sanitize_line(str(folder))}")
    return folder


def _run_app(args: argparse.Namespace) -> int:
    from tuireader.store.config import load_config

    config, notices = load_config()
    target = args.corpus or args.path or config.corpus
    options: dict[str, Any] = {
        "config": config,
        "config_notices": notices,
        "watch": not args.no_watch,
    }
    if target is not None and str(target) == STDIN_ARGUMENT:
        if sys.stdin.isatty():
            raise SystemExit(
                "tuireader -: reads an article from a pipe: cat notes.md | tuireader -"
            )
        app = open_stdin(sys.stdin.buffer, **options)
        _read_keys_from_the_terminal()
    else:
        app = open_target(target, **options)
    app.run()
    return 0


STDIN_ARGUMENT = "-"


def open_target(target: Path | None, **options: Any) -> TuiReaderApp:
    """The app for a folder, or for a file: its folder with the file open, or the file alone
    when its folder is too broad to load (home, /) or would not list it."""
    from tuireader.corpus.walk import display_path

    if target is None or target.is_dir():
        return open_app(_resolve_folder(target), **options)
    if not target.is_file():
        raise SystemExit(f"tuireader: not a file or folder: {sanitize_line(str(target))}")
    file = target.resolve() if target.is_symlink() else target
    folder = file.parent
    if _opens_alone(file):
        from tuireader.session.loading import SingleSource

        return open_single(SingleSource(file.name, folder=folder), **options)
    return open_app(folder, open_path=display_path(file.name), **options)


def _opens_alone(file: Path) -> bool:
    """A file the folder's load would not list, or whose folder is no folder of articles."""
    from tuireader.model.articles import ARTICLE_SUFFIXES

    if file.name.startswith(".") or file.suffix.lower() not in ARTICLE_SUFFIXES:
        return True
    folder = file.parent.resolve()
    # Walking all of a home folder or a whole file system for one file would take minutes.
    return folder == Path.home().resolve() or folder.parent == folder


def open_stdin(stream: BinaryIO, **options: Any) -> TuiReaderApp:
    """The app for one article read from `stream` (up to the size a file may have)."""
    from tuireader.corpus.parse import read_limited
    from tuireader.session.loading import STDIN_NAME, SingleSource

    data, truncated = read_limited(stream)
    return open_single(SingleSource(STDIN_NAME, data=data, truncated=truncated), **options)


def open_single(source: SingleSource, **options: Any) -> TuiReaderApp:
    """The app for one `SingleSource`: no folder walk, no watching, no cache."""
    os.environ.setdefault("TEXTUAL_FPS", FRAMES_PER_SECOND)
    from tuireader.ui.app import TuiReaderApp

    options["watch"] = False
    return TuiReaderApp(source.folder or Path.cwd(), single=source, **options)


def _read_keys_from_the_terminal() -> None:
    """After stdin was read to its end: make the terminal the app's input (fd 0) instead."""
    try:
        terminal = os.open("/dev/tty", os.O_RDONLY)
    except OSError as error:
        raise SystemExit(f"tuireader -: no terminal to read keys from ({error.strerror})") from None
    os.dup2(terminal, 0)
    os.close(terminal)


def open_app(folder: Path, **options: Any) -> TuiReaderApp:
    """The app for `folder` (`TuiReaderApp` takes `options`). The processes its load needs
    start first, while Textual is imported (see `loader.head_start`); for a cached folder, the
    reading of its first titles starts once Textual is imported (`LoadDriver.start_early`)."""
    from tuireader.corpus.loader import head_start
    from tuireader.session.loading import LoadDriver

    started = head_start(folder)
    use_cache = options.get("use_cache", True)
    first_load = LoadDriver(folder, use_cache=use_cache, head_start=started)
    # Read by Textual when it is imported, just below; a value the user set wins.
    os.environ.setdefault("TEXTUAL_FPS", FRAMES_PER_SECOND)
    from tuireader.ui.app import TuiReaderApp

    if started.cached and use_cache:
        # Not before the import: beside it, this thread made the import ~0.1 s slower (GIL
        # hand-offs), more than it saved; beside the app's set-up it costs little.
        first_load.start_early()
    return TuiReaderApp(folder, first_load=first_load, **options)


def _article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "path": article.path,
        "line": article.line,
        "date": article.date.isoformat() if article.date else None,
        "authors": list(article.authors),
        "tags": list(article.tags),
        "source_url": article.source_url,
        "links": [{"text": link.text, "url": link.url} for link in article.links],
        "chars": article.chars,
        "reading_minutes": article.reading_minutes,
        "kind": article.kind,
        "problems": list(article.problems),
    }


def _run_list(args: argparse.Namespace) -> int:
    from tuireader.corpus.loader import load_corpus
    from tuireader.model.library import Library, SortOrder
    from tuireader.store.state import StateStore

    folder = _resolve_folder(args.path)
    result = load_corpus(folder)
    # The sidebar's order: the one chosen with `S` for this folder, unless asked otherwise.
    order: SortOrder = args.order or StateStore().open(folder)[0].order
    articles = Library(result.articles).ordered(order)
    if args.json:
        json.dump([_article_json(a) for a in articles], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for article in articles:
            date = article.date.date().isoformat() if article.date else "----------"
            location = article.path if article.line == 1 else f"{article.path}:{article.line}"
            print(f"{date}  {sanitize_line(article.title)}  {sanitize_line(location)}")
    if args.problems:
        for problem in result.problems:
            print(
                f"{sanitize_line(problem.path)}: {sanitize_line(problem.reason)}", file=sys.stderr
            )
    print(result.summary(), file=sys.stderr)
    return 0


def _prepare_search() -> None:
    from tuireader.search.normalize import load_dictionaries

    load_dictionaries()


def _run_search(args: argparse.Namespace) -> int:
    from tuireader.corpus.loader import CorpusLoader
    from tuireader.search.index import SearchIndex

    if args.limit < 1:
        print("tuireader search: --limit must be at least 1", file=sys.stderr)
        return 2
    # OpenCC's dictionaries (for the query's variants) open with the GIL free: while the
    # folder is checked against the cache.
    threading.Thread(target=_prepare_search, name="opencc", daemon=True).start()
    # Through the load cache, as the app loads: an unchanged folder answers from the cached
    # records and index (a search then costs the cache's reading, not a parse and a build).
    loader = CorpusLoader(_resolve_folder(args.corpus))
    result = loader.result()
    index = loader.cached_index()
    if index is None:
        index = SearchIndex.build(result.articles)
        loader.save_cache(index)
    results = index.search(args.query, limit=args.limit, exact_total=True)
    by_id = {a.id: a for a in result.articles}
    if args.json:
        payload = {
            "query": args.query,
            "total": results.total,
            "estimated": results.estimated,
            "hits": [
                {
                    "id": hit.id,
                    "title": by_id[hit.id].title,
                    "path": by_id[hit.id].path,
                    "line": by_id[hit.id].line,
                    "score": round(hit.score, 4),
                    "snippet": hit.snippet,
                    "spans": [list(span) for span in hit.spans],
                }
                for hit in results.hits
            ],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_hits(results, by_id)
    return 0 if results.hits else 1


def _print_hits(results: Any, by_id: dict[str, Article]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    for hit in results.hits:
        article = by_id[hit.id]
        title = Text(sanitize_line(article.title), style="bold")
        location = article.path if article.line == 1 else f"{article.path}:{article.line}"
        console.print(title, Text(f"  {sanitize_line(location)}", style="dim"))
        snippet = Text(hit.snippet)
        for start, end in hit.snippet_spans:
            snippet.stylize("bold reverse", start, end)
        console.print(Text("  ").append_text(snippet))
    more = "about " if results.estimated else ""
    console.print(Text(f"{len(results.hits)} shown of {more}{results.total} matching"), style="dim")
