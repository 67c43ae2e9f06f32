"""Per-folder reading state: read marks, bookmarks, positions and sidebar preferences.

State lives as one JSON file per corpus folder in the user's state directory (never in the corpus
itself), named by a hash of the folder's resolved path and keyed inside by each article's stable
id, so it survives restarts and live reloads.

Typical use from the UI::

    store = StateStore()
    state, notices = store.open(corpus_root)   # show `notices`, never raises
    state.mark_read(article.id)
    ...
    if state.dirty:                            # at most every second, and on exit
        notices = state.save()

Every change is stamped with the time it was made. `save()` re-reads the file under a lock and
merges: for each article (and each folder preference) the most recent change wins, so two
tuireader processes on the same folder keep each other's work.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

from tuireader.store.atomicfile import atomic_write_text, exclusive_lock, move_aside

SidebarFilter = Literal["all", "unread", "bookmarked"]
SortOrder = Literal["date", "title", "folder"]  # as `model.library.SortOrder`
Clock = Callable[[], float]

STATE_DIR_ENV = "TUIREADER_STATE_DIR"
FORMAT_VERSION = 1
# Entries of articles missing from the folder are kept this long: a branch checkout or a file
# moved away and back should not cost the reader their marks.
PRUNE_GRACE_SECONDS = 30 * 24 * 3600.0
# A state file this large is not one we wrote; refuse to parse it rather than stall the start.
_MAX_STATE_BYTES = 64 * 1024 * 1024
_FOLDER_FIELDS = ("selected_id", "filter", "tag", "order", "theme", "sidebar_width")


def state_dir() -> Path:
    """The directory holding state files: `$TUIREADER_STATE_DIR` or the platform's state dir."""
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_state_dir("tuireader"))


def folder_key(corpus_root: Path | str) -> str:
    """A stable file-name-safe key for a corpus folder, from its resolved absolute path."""
    resolved = str(Path(corpus_root).expanduser().resolve())
    return hashlib.blake2b(resolved.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


@dataclass(frozen=True, slots=True)
class Position:
    """Where the reader stopped in an article: a line offset and the scroll fraction (0..1)."""

    line: int = 0
    fraction: float = 0.0


@dataclass(frozen=True, slots=True)
class ArticleState:
    """What is remembered about one article.

    `updated` is when the user last changed it (the merge key between processes); `seen` is when
    the article was last known to exist in the folder (the prune key).
    """

    read: bool = False
    bookmarked: bool = False
    line: int = 0
    fraction: float = 0.0
    updated: float = 0.0
    seen: float = 0.0


@dataclass(frozen=True, slots=True)
class FolderPrefs:
    """Sidebar and display preferences remembered per folder."""

    selected_id: str | None = None
    filter: SidebarFilter = "all"
    tag: str | None = None
    order: SortOrder = "date"
    theme: str | None = None
    sidebar_width: int | None = None  # in cells; None: the stylesheet's share of the screen


@dataclass(slots=True)
class _Document:
    """The file's content, in memory."""

    prefs: FolderPrefs = field(default_factory=FolderPrefs)
    prefs_updated: dict[str, float] = field(default_factory=dict)
    articles: dict[str, ArticleState] = field(default_factory=dict)


class StateError(Exception):
    """A state file that cannot be used; the message says why, for the user."""


class StateStore:
    """Opens the reading state of corpus folders, stored under one state directory."""

    def __init__(self, directory: Path | None = None, *, clock: Clock = time.time) -> None:
        """Use `directory` for state files (default: `state_dir()`); `clock` stamps changes."""
        self.directory = directory if directory is not None else state_dir()
        self.clock = clock

    def path_for(self, corpus_root: Path | str) -> Path:
        """The state file of a corpus folder (it may not exist yet)."""
        return self.directory / f"{folder_key(corpus_root)}.json"

    def open(self, corpus_root: Path | str) -> tuple[FolderState, list[str]]:
        """Load the state of `corpus_root`, returning it with notices for the user.

        Never raises: a missing file gives a clean state; a corrupt or unreadable one is moved
        aside as `<name>.corrupt-<timestamp>` (and a notice says where), then the state starts
        clean. If it cannot even be moved aside, the state still works in memory but is never
        saved, so the old file is not overwritten.
        """
        root = Path(corpus_root).expanduser().resolve()
        path = self.path_for(root)
        try:
            document = _read_document(path)
        except StateError as error:
            notice, moved = _set_aside(path, str(error))
            return FolderState(root, path, self.clock, can_save=moved), [notice]
        return FolderState(root, path, self.clock, document), []

    def in_memory(self, corpus_root: Path | str) -> FolderState:
        """A clean state that is never saved: for an article read from stdin."""
        root = Path(corpus_root).expanduser().resolve()
        return FolderState(root, self.path_for(root), self.clock, can_save=False)


class FolderState:
    """The reading state of one corpus folder. Get one from `StateStore.open()`.

    Changes are made in memory and set `dirty`; `save()` writes them. Reads of unknown ids return
    the defaults (unread, not bookmarked, position 0).
    """

    def __init__(
        self,
        root: Path,
        path: Path,
        clock: Clock = time.time,
        document: _Document | None = None,
        *,
        can_save: bool = True,
    ) -> None:
        self.root = root
        self.path = path
        self.dirty = False
        self._clock = clock
        self._document = document if document is not None else _Document()
        # What this process changed since the last save: only these may override the disk.
        self._touched_articles: set[str] = set()
        self._touched_prefs: set[str] = set()
        self._pruned: dict[str, float] = {}
        self._can_save = can_save
        self._last_save_error: str | None = None

    # -- articles ---------------------------------------------------------------------------

    def article(self, article_id: str) -> ArticleState | None:
        """The stored entry of an article, or None if nothing is remembered about it."""
        return self._document.articles.get(article_id)

    def is_read(self, article_id: str) -> bool:
        """Whether the article has been read."""
        entry = self.article(article_id)
        return entry is not None and entry.read

    def is_bookmarked(self, article_id: str) -> bool:
        """Whether the article is bookmarked."""
        entry = self.article(article_id)
        return entry is not None and entry.bookmarked

    def mark_read(self, article_id: str, read: bool = True) -> None:
        """Mark the article read (or unread with `read=False`)."""
        self._update(article_id, read=read)

    def toggle_read(self, article_id: str) -> bool:
        """Flip the read mark and return the new value."""
        read = not self.is_read(article_id)
        self._update(article_id, read=read)
        return read

    def mark_all_read(self, article_ids: Iterable[str]) -> int:
        """Mark every one of `article_ids` read; return how many were unread."""
        newly_read = 0
        for article_id in article_ids:
            if not self.is_read(article_id):
                self._update(article_id, read=True)
                newly_read += 1
        return newly_read

    def set_bookmark(self, article_id: str, bookmarked: bool = True) -> None:
        """Bookmark the article (or remove the bookmark with `bookmarked=False`)."""
        self._update(article_id, bookmarked=bookmarked)

    def toggle_bookmark(self, article_id: str) -> bool:
        """Flip the bookmark and return the new value."""
        bookmarked = not self.is_bookmarked(article_id)
        self._update(article_id, bookmarked=bookmarked)
        return bookmarked

    def position(self, article_id: str) -> Position:
        """Where the reader stopped in the article; `Position()` (the top) if unknown."""
        entry = self.article(article_id)
        return Position() if entry is None else Position(entry.line, entry.fraction)

    def set_position(self, article_id: str, line: int, fraction: float | None = None) -> None:
        """Remember the top visible line (and optionally the scroll fraction, clamped to 0..1)."""
        changes: dict[str, Any] = {"line": max(0, int(line))}
        if fraction is not None:
            changes["fraction"] = min(1.0, max(0.0, float(fraction)))
        self._update(article_id, **changes)

    def unread_count(self, article_ids: Collection[str]) -> int:
        """How many of `article_ids` (distinct ids) are unread.

        Counts the remembered read entries, not the ids: the status line asks on every
        keystroke, and walking 100k ids took 20-40 ms.
        """
        entries = self._document.articles
        read = sum(1 for key, entry in entries.items() if entry.read and key in article_ids)
        return len(article_ids) - read

    def bookmarked_ids(self) -> set[str]:
        """Ids of all bookmarked articles (including ones not currently in the folder)."""
        return {key for key, entry in self._document.articles.items() if entry.bookmarked}

    def _update(self, article_id: str, **changes: Any) -> None:
        old = self._document.articles.get(article_id, ArticleState())
        new = replace(old, **changes)
        if new == old and article_id in self._document.articles:
            return
        now = self._clock()
        self._document.articles[article_id] = replace(new, updated=now, seen=now)
        self._pruned.pop(article_id, None)
        self._touched_articles.add(article_id)
        self.dirty = True

    def prune(
        self,
        existing_ids: Iterable[str],
        *,
        grace_seconds: float = PRUNE_GRACE_SECONDS,
        now: float | None = None,
    ) -> int:
        """Record which articles exist; drop entries missing for longer than `grace_seconds`.

        Call it after each full load with every id in the folder. Returns how many entries were
        dropped. Refreshing the "last seen" time alone does not make the state dirty.
        """
        now = self._clock() if now is None else now
        existing = set(existing_ids)
        articles = self._document.articles
        dropped = 0
        for article_id, entry in list(articles.items()):
            if article_id in existing:
                articles[article_id] = replace(entry, seen=now)
            elif now - entry.seen > grace_seconds:
                del articles[article_id]
                self._pruned[article_id] = now
                self._touched_articles.discard(article_id)
                dropped += 1
        if dropped:
            self.dirty = True
        return dropped

    # -- folder preferences -----------------------------------------------------------------

    @property
    def prefs(self) -> FolderPrefs:
        """All folder preferences at once."""
        return self._document.prefs

    @property
    def selected_id(self) -> str | None:
        """The article selected when the folder was last used."""
        return self._document.prefs.selected_id

    @selected_id.setter
    def selected_id(self, value: str | None) -> None:
        self._set_pref("selected_id", value)

    @property
    def filter(self) -> SidebarFilter:
        """The sidebar filter: all, unread or bookmarked articles."""
        return self._document.prefs.filter

    @filter.setter
    def filter(self, value: SidebarFilter) -> None:
        if value not in get_args(SidebarFilter):
            raise ValueError(f"unknown sidebar filter {value!r}")
        self._set_pref("filter", value)

    @property
    def tag(self) -> str | None:
        """The tag the sidebar is filtered by, or None for every tag."""
        return self._document.prefs.tag

    @tag.setter
    def tag(self, value: str | None) -> None:
        self._set_pref("tag", value)

    @property
    def order(self) -> SortOrder:
        """The sidebar order: by date, by title, or as the folder's tree holds the files."""
        return self._document.prefs.order

    @order.setter
    def order(self, value: SortOrder) -> None:
        if value not in get_args(SortOrder):
            raise ValueError(f"unknown sort order {value!r}")
        self._set_pref("order", value)

    @property
    def theme(self) -> str | None:
        """The theme last chosen in the app for this folder, or None."""
        return self._document.prefs.theme

    @theme.setter
    def theme(self, value: str | None) -> None:
        self._set_pref("theme", value)

    @property
    def sidebar_width(self) -> int | None:
        """The sidebar's width in cells as last set by the user, or None for the default."""
        return self._document.prefs.sidebar_width

    @sidebar_width.setter
    def sidebar_width(self, value: int | None) -> None:
        self._set_pref("sidebar_width", value)

    def _set_pref(self, name: str, value: Any) -> None:
        if getattr(self._document.prefs, name) == value:
            return
        self._document.prefs = replace(self._document.prefs, **{name: value})
        self._document.prefs_updated[name] = self._clock()
        self._touched_prefs.add(name)
        self.dirty = True

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> list[str]:
        """Merge with the file on disk and write it atomically; return notices for the user.

        Safe to call often (the UI calls it at most every second while `dirty`, and on exit).
        Never raises: a failure leaves `dirty` set and is reported once per distinct error.
        After a successful save this state also holds the other processes' latest changes.
        """
        if not self._can_save:
            return []
        notices: list[str] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with exclusive_lock(self.path.with_suffix(".lock")):
                merged = self._merge_with_disk(notices)
                atomic_write_text(self.path, _dump_document(merged, self.root))
        except OSError as error:
            message = f"Could not save reading state to {self.path}: {error.strerror or error}"
            if message != self._last_save_error:
                notices.append(message)
            self._last_save_error = message
            return notices
        self._document = merged
        self._touched_articles.clear()
        self._touched_prefs.clear()
        self._pruned.clear()
        self._last_save_error = None
        self.dirty = False
        return notices

    def _merge_with_disk(self, notices: list[str]) -> _Document:
        try:
            disk = _read_document(self.path)
        except StateError as error:
            notice, moved = _set_aside(self.path, str(error))
            notices.append(notice)
            if not moved:
                raise OSError(f"{self.path} is unusable and could not be moved aside") from error
            disk = None
        if disk is None:
            # Nothing (valid) on disk: everything we hold is the truth.
            return _Document(
                self._document.prefs,
                dict(self._document.prefs_updated),
                dict(self._document.articles),
            )
        return _merge_documents(
            disk, self._document, self._touched_articles, self._touched_prefs, self._pruned
        )


def _merge_documents(
    disk: _Document,
    local: _Document,
    touched_articles: set[str],
    touched_prefs: set[str],
    pruned: dict[str, float],
) -> _Document:
    """Combine the file on disk with local changes: per article and per preference, newest wins.

    Entries this process did not change follow the disk (another process may have changed or
    pruned them). Entries pruned here are dropped unless changed on disk after the prune.
    """
    articles = dict(disk.articles)
    for article_id, pruned_at in pruned.items():
        entry = articles.get(article_id)
        if entry is not None and entry.updated <= pruned_at:
            del articles[article_id]
    for article_id in touched_articles:
        mine = local.articles.get(article_id)
        theirs = articles.get(article_id)
        if mine is not None and (theirs is None or mine.updated >= theirs.updated):
            articles[article_id] = mine
    for article_id, entry in articles.items():
        # "Last seen" is not a user change: the latest sighting from either side counts.
        known = local.articles.get(article_id)
        if known is not None and known.seen > entry.seen:
            articles[article_id] = replace(entry, seen=known.seen)

    prefs = disk.prefs
    prefs_updated = dict(disk.prefs_updated)
    for name in touched_prefs:
        mine_at = local.prefs_updated.get(name, 0.0)
        if mine_at >= prefs_updated.get(name, 0.0):
            prefs = replace(prefs, **{name: getattr(local.prefs, name)})
            prefs_updated[name] = mine_at
    return _Document(prefs, prefs_updated, articles)


def _set_aside(path: Path, reason: str) -> tuple[str, bool]:
    """Move a damaged state file aside; return a notice and whether it moved."""
    try:
        moved = move_aside(path)
    except OSError as error:
        notice = (
            f"Reading state {path} is unusable ({reason}) and could not be moved aside "
            f"({error.strerror or error}); it is left as is and this session will not save."
        )
        return notice, False
    return f"Reading state was unusable ({reason}); moved it to {moved} and started clean.", True


# -- the file format ----------------------------------------------------------------------------


def _read_document(path: Path) -> _Document | None:
    """Read a state file: None if it does not exist; `StateError` if it is unusable."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StateError(f"cannot read it: {error.strerror or error}") from error
    if len(raw) > _MAX_STATE_BYTES:
        raise StateError("it is too large to be a state file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise StateError("it is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise StateError(f"invalid JSON at line {error.lineno}: {error.msg}") from error
    return _parse_document(data)


def _parse_document(data: object) -> _Document:
    """Validate decoded JSON; raises `StateError` naming the first problem."""
    if not isinstance(data, dict):
        raise StateError("expected a JSON object")
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise StateError(f"unsupported format version {version!r}")
    return _Document(
        _parse_prefs(data.get("folder", {})),
        _parse_stamps(data.get("folder_updated", {})),
        _parse_articles(data.get("articles", {})),
    )


def _parse_prefs(data: object) -> FolderPrefs:
    if not isinstance(data, dict):
        raise StateError("`folder` must be an object")
    for name in ("selected_id", "tag", "theme"):
        if not _is_optional_str(data.get(name)):
            raise StateError(f"`folder.{name}` must be a string")
    filter_ = data.get("filter", "all")
    order = data.get("order", "date")
    if filter_ not in get_args(SidebarFilter):
        raise StateError(f"unknown sidebar filter {filter_!r}")
    if order not in get_args(SortOrder):
        raise StateError(f"unknown sort order {order!r}")
    width = data.get("sidebar_width")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 1):
        raise StateError("`folder.sidebar_width` must be a positive whole number")
    return FolderPrefs(
        data.get("selected_id"), filter_, data.get("tag"), order, data.get("theme"), width
    )


def _parse_stamps(data: object) -> dict[str, float]:
    if not isinstance(data, dict) or not all(_is_number(value) for value in data.values()):
        raise StateError("`folder_updated` must map names to numbers")
    return {name: float(value) for name, value in data.items() if name in _FOLDER_FIELDS}


def _parse_articles(data: object) -> dict[str, ArticleState]:
    if not isinstance(data, dict):
        raise StateError("`articles` must be an object")
    return {article_id: _parse_article(article_id, entry) for article_id, entry in data.items()}


def _parse_article(article_id: str, entry: object) -> ArticleState:
    if not isinstance(entry, dict):
        raise StateError(f"article {article_id!r} must be an object")
    read, bookmarked = entry.get("read", False), entry.get("bookmarked", False)
    line, fraction = entry.get("line", 0), entry.get("fraction", 0.0)
    updated, seen = entry.get("updated", 0.0), entry.get("seen", 0.0)
    well_typed = (
        isinstance(read, bool)
        and isinstance(bookmarked, bool)
        and isinstance(line, int)
        and not isinstance(line, bool)
        and line >= 0
        and all(_is_number(value) for value in (fraction, updated, seen))
    )
    if not well_typed:
        raise StateError(f"article {article_id!r} has a field of the wrong type")
    return ArticleState(
        read, bookmarked, line, min(1.0, max(0.0, float(fraction))), float(updated), float(seen)
    )


def _dump_document(document: _Document, root: Path) -> str:
    """Serialize a document; `root` is recorded only so a human can tell the files apart."""
    prefs = document.prefs
    data = {
        "version": FORMAT_VERSION,
        "root": str(root),
        "folder": {name: getattr(prefs, name) for name in _FOLDER_FIELDS},
        "folder_updated": document.prefs_updated,
        "articles": {
            article_id: {
                "read": entry.read,
                "bookmarked": entry.bookmarked,
                "line": entry.line,
                "fraction": entry.fraction,
                "updated": entry.updated,
                "seen": entry.seen,
            }
            for article_id, entry in sorted(document.articles.items())
        },
    }
    # ensure_ascii keeps the file valid even if a surrogate-escaped path sneaks into `root`.
    return json.dumps(data, indent=1, ensure_ascii=True) + "\n"


def _is_optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
