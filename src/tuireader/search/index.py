"""The in-memory full-text index: exact substring search over folded text, ranked with BM25.

Every query term is a substring search: a document matches when its folded text contains the
folded term (or one of its regional variants). Postings of characters and character pairs
(`postings.py`) answer 1- and 2-character terms exactly, which covers most Chinese words. A
longer term is looked up through its pairs, which gives candidates and an upper bound on its
frequency; candidates are then checked with `str.count` on the folded text in order of their
best possible score, and the check stops as soon as no unchecked candidate can enter the top k
(Fagin's threshold algorithm). The total is then estimated from a sample of the unchecked
candidates, unless an exact total is asked for.

The index is searched from a worker thread while the main thread may add or remove articles:
every change builds a new `_Snapshot` and swaps it in with one assignment, and the lists shared
between snapshots are only appended to.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import UTC
from typing import Any, Protocol, overload

import numpy as np
import numpy.typing as npt

from tuireader.model.articles import Article
from tuireader.search.hits import BodySpans, Hit, SearchResults, Span
from tuireader.search.normalize import (
    code_points,
    load_dictionaries,
    match_spans_between,
    match_spans_in_folded,
    term_variants,
)
from tuireader.search.postings import (
    MAX_COUNT,
    MAX_SEGMENT_DOCS,
    SPACE,
    Directory,
    FoldedBatch,
    Int64s,
    Segment,
    TrigramFilter,
    bigram_key,
    fold_batch,
    fold_batch_from_folded,
)
from tuireader.search.query import Query, Term, parse_query
from tuireader.search.snippets import inside_url, snippet_around

K1 = 1.2
B = 0.75
# A term found in the title scores this many times its idf on top of its body score; the body
# part is at most (K1 + 1) times the idf, so a title match outranks any body-only match.
TITLE_WEIGHT = 3.0
FIELD_WEIGHT = {"tag": 1.0, "author": 1.0, "title": TITLE_WEIGHT}
SEGMENT_DOCS = 2048
SMALL_SEGMENT_DOCS = 512
SMALL_INDEX_SEGMENTS = 16
_FILTER_BATCH_DOCS = 256
# Candidates checked in order of their bound before the ranking may stop being exact: past
# this many, the best `limit` matches found so far are returned once there are `limit` of them.
VERIFY_BUDGET = 256
_ORDERED_BATCHES = (32, 32, 64, 128)  # adds up to VERIFY_BUDGET
_LATER_BATCH = 4096
# Candidates of a longer term checked to estimate how many documents contain it (its idf), and
# unchecked candidates checked to estimate the total. See `_document_frequency`.
SAMPLE = 64
# Most title candidates of a longer term checked up front, so that only titles that contain it
# add the title weight to the bounds: a title costs about a tenth of a body to check.
TITLE_CHECKS = 16 * VERIFY_BUDGET
# They are not checked when this share of a sample of them contains the term: the bounds are
# then nearly as tight without (`gpt-5`: every one of its 3,392 title candidates at 100k).
TITLE_SHARE = 0.9
_ANCHOR_TRIES = 16  # occurrences of a term tried as the snippet's anchor
_MAX_KEYS = 4  # pairs of a long term whose postings are intersected
_NO_DAY = np.iinfo(np.int32).min
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_FieldName = str  # "text" (title and body), "title", "tag" or "author"


class Texts(Protocol):
    """The folded texts of one field, by slot: a list, or texts decoded when read."""

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def append(self, text: str) -> None: ...


Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def _field_texts(article: Article) -> dict[_FieldName, tuple[str, ...]]:
    return {
        "text": (article.title, article.body),
        "title": (article.title,),
        "tag": ("\n".join(article.tags),),
        "author": ("\n".join(article.authors),),
    }


_FIELD_NAMES: tuple[_FieldName, ...] = ("text", "title", "tag", "author")
_SHORT_FIELDS: tuple[_FieldName, ...] = ("title", "tag", "author")


def _day_and_stamp(article: Article) -> tuple[int, float]:
    if article.date is None:
        return int(_NO_DAY), -math.inf
    moment = article.date
    # Naive dates are wall-clock times; reading them as UTC only serves to order them.
    stamp = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return moment.date().toordinal(), stamp


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """Everything a search reads. Documents are numbered by slot; removed slots are dead."""

    size: int
    articles: list[Article]
    folded: dict[_FieldName, Texts]
    segments: dict[_FieldName, tuple[Segment, ...]]
    delta_base: int  # slots from here on are in the last segment, rebuilt on every add
    alive: npt.NDArray[np.bool_]
    lengths: Floats
    days: npt.NDArray[np.int32]
    stamps: Floats
    live_count: int
    live_length: float
    trigrams: TrigramFilter  # of the "text" field, which holds the title too
    # Built on first use from `segments`: (field, bigram) -> Directory.
    directories: dict[tuple[_FieldName, bool], Directory] = dataclass_field(default_factory=dict)


@dataclass(slots=True)
class _TermMatch:
    """Where one query term may occur: candidate slots and an upper bound of its frequency."""

    term: Term
    field: _FieldName
    variants: tuple[str, ...]
    docs: Int64s
    counts: Floats
    exact: bool
    # The variants with candidates in this field (the others occur nowhere in it).
    found_variants: tuple[str, ...]


class SearchIndex:
    """An in-memory index of articles for exact, ranked full-text search."""

    def __init__(self, snapshot: _Snapshot) -> None:
        self._snapshot = snapshot
        self._slots_by_id: dict[str, int] | None = None

    @property
    def _slots(self) -> dict[str, int]:
        """The slot of each article by id: made on the first change (a start would otherwise
        spend it before search is ready), then kept up to date."""
        if self._slots_by_id is None:
            # Every slot is alive until the first change, which comes through here.
            articles = self._snapshot.articles
            self._slots_by_id = {article.id: slot for slot, article in enumerate(articles)}
        return self._slots_by_id

    @classmethod
    def build(cls, articles: Sequence[Article], *, finish_later: bool = False) -> SearchIndex:
        """Index `articles`; a later article with the same id replaces an earlier one.

        With `finish_later`, the index is usable before its trigram filter is made (it only
        saves work on phrases that cannot match) and before the dictionaries of query variants
        are loaded (the first search would wait for them): call `finish()` then, off the UI.
        """
        unique = list({article.id: article for article in articles}.values())
        # An even number of equal chunks keeps both build threads busy to the end. A smaller
        # folder is cut finer, down to SMALL_SEGMENT_DOCS: smaller arrays are cheaper to sort and
        # to fault in, and a search pays little for the extra segments of a small index.
        most = min(SEGMENT_DOCS, max(SMALL_SEGMENT_DOCS, len(unique) // SMALL_INDEX_SEGMENTS))
        pairs_of_chunks = max(1, -(-len(unique) // (2 * most)))
        chunk_size = max(1, -(-len(unique) // (2 * pairs_of_chunks)))
        bases = list(range(0, len(unique), chunk_size))
        chunks = [unique[base : base + chunk_size] for base in bases]
        chars = sum(len(a.title) + len(a.body) for a in unique)
        trigrams = TrigramFilter.for_chars(chars, complete=not finish_later)
        # numpy sorts release the GIL, so two threads keep both cores busy.
        with ThreadPoolExecutor(max_workers=2) as pool:
            filters = itertools.repeat(None if finish_later else trigrams)
            built = list(pool.map(_build_chunk, chunks, bases, filters))
        folded: dict[_FieldName, list[str]] = {name: [] for name in _FIELD_NAMES}
        segments: dict[_FieldName, list[Segment]] = {name: [] for name in _FIELD_NAMES}
        for chunk_texts, text_segment in built:
            for name in _FIELD_NAMES:
                folded[name].extend(chunk_texts[name])
            segments["text"].append(text_segment)
        # The short fields go in as few segments as possible: every segment costs each lookup.
        for name in _SHORT_FIELDS:
            for base in range(0, len(unique), MAX_SEGMENT_DOCS):
                batch = fold_batch_from_folded(folded[name][base : base + MAX_SEGMENT_DOCS])
                segments[name].append(Segment.build(batch, base))
        days_stamps = [_day_and_stamp(article) for article in unique]
        lengths = np.fromiter((len(t) for t in folded["text"]), np.float64, len(unique))
        snapshot = _Snapshot(
            size=len(unique),
            articles=unique,
            folded=dict(folded),
            segments={name: tuple(segments[name]) for name in _FIELD_NAMES},
            delta_base=len(unique),
            alive=np.ones(len(unique), dtype=np.bool_),
            lengths=lengths,
            days=np.array([d for d, _ in days_stamps], dtype=np.int32),
            stamps=np.array([s for _, s in days_stamps], dtype=np.float64),
            live_count=len(unique),
            live_length=float(lengths.sum()),
            trigrams=trigrams,
        )
        if not finish_later:
            load_dictionaries()  # for query variants: now, not on the first keystroke
        return cls(snapshot)

    def __len__(self) -> int:
        return self._snapshot.live_count

    def finish(self) -> None:
        """Make what `build(finish_later=True)` left out: the trigram filter and the dictionaries
        of query variants (which hold the GIL); then run one search, which pays what only a first
        search pays (numpy's and codecs' lazy imports, regular expressions), so that the first
        key typed does not wait for it."""
        self.complete_filter()
        load_dictionaries()
        self.search('"一 a"', limit=1)

    def complete_filter(self) -> None:
        """Fill the trigram filter of an index built with `finish_later`; until then, searches
        work without it. A no-op when it is complete."""
        snapshot = self._snapshot
        trigrams = snapshot.trigrams
        if trigrams.complete:
            return
        texts = snapshot.folded["text"]
        # In small batches: this runs beside the UI's handling of the new index and adds little
        # to the peak memory (batches of 2,048 articles added ~40 MB at 10k).
        for start in range(0, snapshot.size, _FILTER_BATCH_DOCS):
            batch = fold_batch_from_folded(texts[start : start + _FILTER_BATCH_DOCS])
            trigrams.add(batch.codes)
        trigrams.mark_complete()

    def keep_texts_decoded(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Decode once and for all the texts a cached index decodes when read (`from_parts`).

        Meant for a background thread once the index is in use: searches that check many
        candidates are then as fast as on a built index. A no-op for a built index. `stop` is
        called every few hundred texts: it may wait, and returns True to end early.
        """
        for texts in self._snapshot.folded.values():
            decode_all = getattr(texts, "decode_all", None)
            if decode_all is not None:
                decode_all(stop)

    # -- the load cache --------------------------------------------------------------------

    def to_parts(
        self,
    ) -> tuple[dict[str, Any], dict[str, Texts], dict[str, npt.NDArray[Any]]] | None:
        """(scalars, folded texts, arrays) to save, or None once articles were added or removed.

        Only a freshly built index is saved, so that `from_parts` gets it back from the same
        article list it was built from.
        """
        snapshot = self._snapshot
        slots = self._slots_by_id
        if snapshot.live_count != snapshot.size or (
            slots is not None and len(slots) != snapshot.size
        ):
            return None
        self.complete_filter()
        arrays: dict[str, npt.NDArray[Any]] = {
            "lengths": snapshot.lengths,
            "days": snapshot.days,
            "stamps": snapshot.stamps,
            "trigrams": snapshot.trigrams.flags,
        }
        bases: dict[str, list[tuple[int, int]]] = {}
        for name in _FIELD_NAMES:
            bases[name] = []
            for number, segment in enumerate(snapshot.segments[name]):
                bases[name].append((segment.base, segment.size))
                for key, array in segment.to_arrays().items():
                    arrays[f"{name}.{number}.{key}"] = array
        scalars = {"size": snapshot.size, "delta_base": snapshot.delta_base, "segments": bases}
        texts = {name: snapshot.folded[name] for name in _FIELD_NAMES}
        return scalars, texts, arrays

    @classmethod
    def from_parts(
        cls,
        articles: Sequence[Article],
        scalars: dict[str, Any],
        texts: Mapping[str, Texts],
        arrays: dict[str, npt.NDArray[Any]],
    ) -> SearchIndex:
        """The index `to_parts` saved, for the same `articles` it was built from.

        `texts` may decode each text when it is read (the load cache's `TextColumn`): a search
        reads only a few dozen, and decoding all of them would cost seconds at 100k articles.

        Raises ValueError (or KeyError, TypeError) when the parts do not fit the articles.
        """
        # Ids are unique in a loaded folder. Were two the same, `build` would have kept one, the
        # sizes would differ here, and the index would be built again. A copy: `add` appends.
        listed = list(articles)
        size = len(listed)
        if scalars["size"] != size or any(len(texts[name]) != size for name in _FIELD_NAMES):
            raise ValueError("the index was built from other articles")
        segments: dict[_FieldName, tuple[Segment, ...]] = {}
        for name in _FIELD_NAMES:
            found = []
            expected_base = 0
            for number, (base, count) in enumerate(scalars["segments"][name]):
                if base != expected_base:
                    raise ValueError("segments do not cover the articles")
                prefix = f"{name}.{number}."
                parts = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
                found.append(Segment.from_arrays(base, count, parts))
                expected_base = base + count
            if expected_base != size:
                raise ValueError("segments do not cover the articles")
            segments[name] = tuple(found)
        lengths = np.array(arrays["lengths"], dtype=np.float64)
        days = np.array(arrays["days"], dtype=np.int32)
        stamps = np.array(arrays["stamps"], dtype=np.float64)
        if not lengths.size == days.size == stamps.size == size:
            raise ValueError("per-article arrays do not fit the articles")
        snapshot = _Snapshot(
            size=size,
            articles=listed,
            folded={name: texts[name] for name in _FIELD_NAMES},
            segments=segments,
            delta_base=int(scalars["delta_base"]),
            alive=np.ones(size, dtype=np.bool_),
            lengths=lengths,
            days=days,
            stamps=stamps,
            live_count=size,
            live_length=float(lengths.sum()),
            trigrams=TrigramFilter.from_flags(arrays["trigrams"]),
        )
        # The dictionaries of query variants load on the first search, or with `finish()`.
        return cls(snapshot)

    # -- changes ---------------------------------------------------------------------------

    def add(self, article: Article) -> None:
        """Add an article, or replace the one with the same id, without rebuilding the index."""
        old = self._snapshot
        alive = old.alive.copy()
        live_count, live_length = old.live_count, old.live_length
        previous = self._slots.get(article.id)
        if previous is not None and alive[previous]:
            alive[previous] = False
            live_count -= 1
            live_length -= float(old.lengths[previous])
        slot = old.size
        fields = _field_texts(article).items()
        texts = {name: fold_batch([values]).texts[0] for name, values in fields}
        for name in _FIELD_NAMES:
            old.folded[name].append(texts[name])
        old.trigrams.add(code_points(texts["text"]))
        old.articles.append(article)
        delta_base = old.delta_base if slot - old.delta_base < SEGMENT_DOCS else slot
        segments = {
            name: _with_delta(old.segments[name], old.folded[name], delta_base, slot + 1)
            for name in _FIELD_NAMES
        }
        day, stamp = _day_and_stamp(article)
        length = float(len(texts["text"]))
        self._snapshot = replace(
            old,
            size=slot + 1,
            segments=segments,
            delta_base=delta_base,
            alive=np.append(alive, True),
            lengths=np.append(old.lengths, length),
            days=np.append(old.days, np.int32(day)),
            stamps=np.append(old.stamps, stamp),
            live_count=live_count + 1,
            live_length=live_length + length,
            directories={},
        )
        self._slots[article.id] = slot

    def remove(self, article_id: str) -> None:
        """Remove the article with this id; unknown ids are ignored."""
        old = self._snapshot
        slot = self._slots.pop(article_id, None)
        if slot is None or not old.alive[slot]:
            return
        alive = old.alive.copy()
        alive[slot] = False
        self._snapshot = replace(
            old,
            alive=alive,
            live_count=old.live_count - 1,
            live_length=old.live_length - float(old.lengths[slot]),
        )

    # -- queries ---------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20, exact_total: bool = False) -> SearchResults:
        """The best `limit` hits for `query`, best first, and how many articles match."""
        parsed = parse_query(query)
        return _Search(self._snapshot, parsed).run(max(0, limit), exact_total)

    def count(self, query: str) -> int:
        """The exact number of articles matching `query`."""
        return _Search(self._snapshot, parse_query(query)).count()


def _build_chunk(
    articles: list[Article], base: int, trigrams: TrigramFilter | None
) -> tuple[dict[_FieldName, list[str]], Segment]:
    """Folded texts of every field, and the segment of the "text" field."""
    batch = fold_batch([(article.title, article.body) for article in articles])
    if trigrams is not None:
        trigrams.add(batch.codes)
    segment = Segment.build(batch, base)
    # Folding keeps lengths, so the folded title starts the folded text.
    texts: dict[_FieldName, list[str]] = {
        "text": batch.texts,
        "title": [text[: len(a.title)] for text, a in zip(batch.texts, articles, strict=True)],
    }
    texts["tag"] = fold_batch([("\n".join(article.tags),) for article in articles]).texts
    texts["author"] = fold_batch([("\n".join(article.authors),) for article in articles]).texts
    return texts, segment


def _with_delta(
    segments: tuple[Segment, ...], folded: Texts, delta_base: int, end: int
) -> tuple[Segment, ...]:
    """The segments with the last one (slots from `delta_base` to `end`) rebuilt."""
    kept = tuple(segment for segment in segments if segment.base < delta_base)
    batch: FoldedBatch = fold_batch_from_folded(folded[delta_base:end])
    return (*kept, Segment.build(batch, delta_base))


def _bm25(counts: Floats, lengths: Floats, idf: float, average: float) -> Floats:
    norm = K1 * (1.0 - B + B * lengths / average)
    result: Floats = idf * counts * (K1 + 1.0) / (counts + norm)
    return result


def _idf(document_frequency: float, documents: int) -> float:
    return math.log(1.0 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def _lookup(
    docs: Int64s, members: Int64s, values: Floats | None, size: int
) -> tuple[npt.NDArray[np.bool_], Floats]:
    """Which of `docs` are in the sorted `members`, and the `values` of members at those docs.

    Large sets go through a dense array over all slots, which costs a few linear passes;
    small ones through a binary search, which would be slower on large sets by a log factor.
    """
    if members.size == 0 or docs.size == 0:
        return np.zeros(docs.size, dtype=np.bool_), np.zeros(docs.size, dtype=np.float64)
    if docs.size * 16 < size:
        where = np.searchsorted(members, docs)
        where[where >= members.size] = 0
        present = members[where] == docs
        found = values[where] if values is not None else present.astype(np.float64)
        return present, np.where(present, found, 0.0)
    if values is None:
        flags = np.zeros(size, dtype=np.bool_)
        flags[members] = True
        present = flags[docs]
        return present, present.astype(np.float64)
    dense = np.zeros(size, dtype=np.float64)
    dense[members] = values
    found = dense[docs]
    return found > 0, found


class _Search:
    """One query run against one snapshot."""

    def __init__(self, snapshot: _Snapshot, query: Query) -> None:
        self.snapshot = snapshot
        self.query = query
        self.live = max(snapshot.live_count, 1)
        self.average_length = snapshot.live_length / self.live if snapshot.live_count else 1.0
        self._found: dict[tuple[_FieldName, tuple[str, ...]], _TermMatch] = {}
        self._dense: dict[int, tuple[Int64s, Floats]] = {}
        self._trigram_checks: dict[str, bool] = {}
        # By id(match.docs), shared by a term repeated in the query.
        self._frequencies: dict[int, float] = {}
        self._samples: dict[int, tuple[Int64s, Bools]] = {}  # the slots checked for it, found
        self._titles: dict[int, tuple[Int64s, bool]] = {}

    def _counts_at(self, match: _TermMatch, docs: Int64s) -> Floats:
        """The term's frequency bound at each of `docs` (0 where it cannot occur)."""
        if match.docs is docs:
            return match.counts
        size = self.snapshot.size
        if docs.size * 16 < size:
            return _lookup(docs, match.docs, match.counts, size)[1]
        # Large sets: one array over all slots per term, shared by every use in the query.
        known = self._dense.get(id(match.docs))
        if known is None:
            dense = np.zeros(size, dtype=np.float64)
            dense[match.docs] = match.counts
            known = self._dense[id(match.docs)] = (match.docs, dense)
        return known[1][docs]

    # -- finding candidates ----------------------------------------------------------------

    def _postings(self, field: _FieldName, variant: str) -> tuple[Int64s, Floats, bool]:
        snapshot = self.snapshot
        if field in ("text", "title") and not self._may_contain(variant):
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, dtype=np.float64), True
        return _variant_postings(self._directory, field, variant, snapshot.size)

    def _may_contain(self, variant: str) -> bool:
        # Asked for the text and again for the title of the same term: hashed once.
        known = self._trigram_checks.get(variant)
        if known is None:
            known = self._trigram_checks[variant] = self.snapshot.trigrams.may_contain(variant)
        return known

    def _directory(self, field: _FieldName, bigram: bool) -> Directory:
        directories = self.snapshot.directories
        found = directories.get((field, bigram))
        if found is None:
            found = directories[field, bigram] = Directory(self.snapshot.segments[field], bigram)
        return found

    def _match_term(self, term: Term) -> _TermMatch | None:
        variants = term_variants(term.text)
        if not variants:
            return None
        field: _FieldName = term.field or "text"
        known = self._found.get((field, variants))
        if known is not None:  # the same term twice ("ai ai"): look it up once
            return replace(known, term=term)
        parts = [self._postings(field, v) for v in variants]
        if len(parts) == 1:
            docs, counts, exact = parts[0]
        else:
            docs, counts = _union([(p[0], p[1]) for p in parts], self.snapshot.size)
            exact = all(p[2] for p in parts)
        found = tuple(v for v, part in zip(variants, parts, strict=True) if part[0].size)
        match = _TermMatch(term, field, variants, docs, counts, exact, found)
        self._found[field, variants] = match
        return match

    def _candidates(self) -> tuple[Int64s, list[_TermMatch], list[_TermMatch]] | None:
        """Slots that may match, the positive term matches, and the negative ones to check."""
        snapshot = self.snapshot
        positives: list[_TermMatch] = []
        negatives: list[_TermMatch] = []
        for term in self.query.terms:
            match = self._match_term(term)
            if match is not None:
                (negatives if term.negated else positives).append(match)
        if (
            not positives
            and not negatives
            and self.query.after is None
            and self.query.before is None
        ):
            return None
        if positives:
            positives.sort(key=lambda m: m.docs.size)
            docs = positives[0].docs
            for other in positives[1:]:
                docs = docs[self._counts_at(other, docs) > 0]
        else:
            docs = np.arange(snapshot.size, dtype=np.int64)
        keep = snapshot.alive[docs]
        if self.query.after is not None:
            keep &= snapshot.days[docs] >= self.query.after.toordinal()
        if self.query.before is not None:
            keep &= snapshot.days[docs] < self.query.before.toordinal()
            keep &= snapshot.days[docs] != _NO_DAY
        for negative in negatives:
            if negative.exact:
                keep &= ~_lookup(docs, negative.docs, None, snapshot.size)[0]
        if not keep.all():
            docs = docs[keep]
        return docs, positives, [n for n in negatives if not n.exact]

    # -- scoring -----------------------------------------------------------------------------

    def _upper_bounds(
        self, docs: Int64s, positives: list[_TermMatch]
    ) -> tuple[Floats, Floats, list[float]]:
        """Score upper bounds, the part of them that is exact (from exact terms), each idf."""
        snapshot = self.snapshot
        fixed = np.zeros(docs.size, dtype=np.float64)
        bounds = np.zeros(docs.size, dtype=np.float64)
        idfs: list[float] = []
        norm: Floats | None = None
        done: dict[int, tuple[Floats, Floats]] = {}  # a term repeated in the query: same part
        for match in positives:
            idf = _idf(self._document_frequency(match), self.live)
            idfs.append(idf)
            target = fixed if match.exact else bounds
            if match.field != "text":
                target += FIELD_WEIGHT[match.field] * idf
                continue
            if id(match.docs) in done and done[id(match.docs)][0] is target:
                target += done[id(match.docs)][1]
                continue
            if norm is None:
                norm = snapshot.lengths[docs] * (K1 * B / self.average_length)
                norm += K1 * (1.0 - B)
            counts = self._counts_at(match, docs)
            part = counts + norm
            np.divide(counts, part, out=part)
            part *= idf * (K1 + 1.0)
            in_title = self._titles_with(match)[0]
            if in_title.size:
                present = _lookup(docs, in_title, None, snapshot.size)[0]
                np.add(part, TITLE_WEIGHT * idf, out=part, where=present)
            target += part
            done[id(match.docs)] = (target, part)
        bounds += fixed
        return bounds, fixed, idfs

    def _document_frequency(self, match: _TermMatch) -> float:
        """How many live documents contain the term: exact when its postings are, otherwise
        counted, or estimated from a sample, among its candidates.

        The candidates of a longer term are the documents that have all its pairs, which may be
        nearly all of them (`"AI 模型"`: 9,999 of 10k, while 2,479 have the phrase); an idf from
        them made such a term weigh nothing next to the other terms of a query.

        An estimate is good enough: idf is a logarithm, so a share of matches off by a factor f
        moves it by log f, and only the weights of a query's terms against each other depend on
        it (one term's idf scales every score alike). With SAMPLE = 64 the standard error of the
        share is at most 1/16 of the candidates (±20 % of `"AI 模型"`'s 25 %, ±0.2 on an idf of
        1.4). The sample is spread over the candidates in slot order (`_spread_sample`), not
        taken from those the ranking checks first: they have the highest bounds and match far
        more often (their share put `"AI 模型"` in 4,101 documents).
        """
        known = self._frequencies.get(id(match.docs))
        if known is not None:
            return known
        snapshot = self.snapshot
        docs = match.docs
        if snapshot.live_count != snapshot.size:
            docs = docs[snapshot.alive[docs]]  # replaced or removed articles keep their postings
        if match.exact or docs.size == 0:
            frequency = float(docs.size)
        else:
            sample = _spread_sample(docs, SAMPLE)
            present = self._contain(sample, match.variants, match.field)
            self._samples[id(match.docs)] = (sample, present)
            found = int(np.count_nonzero(present))
            if sample.size == docs.size:
                frequency = float(found)
            else:
                # Half a match when none was seen: fewer than about 1 in SAMPLE, but not none.
                frequency = docs.size * (found + 0.5) / (sample.size + 1)
        self._frequencies[id(match.docs)] = frequency
        return frequency

    def _contain(self, slots: Int64s, variants: tuple[str, ...], field: _FieldName) -> Bools:
        """Whether each slot's text of `field` contains any of `variants`."""
        texts = self.snapshot.folded[field]
        # A comprehension per variant, each over the slots still missing: any() over a
        # generator for each slot costs more than checking a title.
        found = np.array([variants[0] in texts[s] for s in slots.tolist()], dtype=np.bool_)
        for variant in variants[1:]:
            missing = np.flatnonzero(~found)
            if missing.size:
                found[missing] = [variant in texts[s] for s in slots[missing].tolist()]
        return found

    def _titles_with(self, match: _TermMatch) -> tuple[Int64s, bool]:
        """Slots whose title may contain the term, and whether each of them surely does.

        A longer term's title candidates are checked unless there are too many or nearly all
        of a sample contain it: otherwise every title with its pairs adds the title weight to
        the bound, and those candidates are checked before the articles whose title really has
        the phrase (`"AI 模型"`: 2,901 title candidates at 100k, 545 with the phrase; with them
        all in the bounds, 2 of the true top 20 were among the best 256 bounds, now 16).
        """
        known = self._titles.get(id(match.docs))
        if known is not None:
            return known
        # The "text" field holds the title: a variant found nowhere there is in no title.
        found = [self._postings("title", v)[0] for v in match.found_variants]
        if not found:
            candidates = np.zeros(0, dtype=np.int64)
        else:
            candidates = found[0] if len(found) == 1 else np.unique(np.concatenate(found))
        result = (candidates, match.exact)
        if not match.exact and candidates.size <= TITLE_CHECKS:
            sample = _spread_sample(candidates, SAMPLE)
            present = self._contain(sample, match.variants, "title")
            if sample.size == candidates.size:
                result = (candidates[present], True)
            elif np.count_nonzero(present) < TITLE_SHARE * sample.size:
                present = self._contain(candidates, match.variants, "title")
                result = (candidates[present], True)
        self._titles[id(match.docs)] = result
        return result

    def _verify(
        self,
        slots: Int64s,
        base: Floats,
        checks: list[tuple[_TermMatch, float]],
        negatives: list[_TermMatch],
    ) -> tuple[Int64s, Floats]:
        """The slots that match after checking their text, and their exact scores.

        `base` is the exact score of each slot from the terms that need no check.
        """
        folded = self.snapshot.folded
        keep = np.arange(slots.size)
        scores = base.copy()
        for match, idf in checks:
            chosen = slots[keep].tolist()
            texts = folded[match.field]
            if match.field != "text":
                found = np.fromiter(
                    (any(v in texts[s] for v in match.variants) for s in chosen), np.bool_
                )
                keep = keep[found]
                scores[keep] += FIELD_WEIGHT[match.field] * idf
                continue
            variants = match.variants
            counts = np.zeros(len(chosen), dtype=np.float64)
            for variant in variants:
                counts += np.fromiter((texts[s].count(variant) for s in chosen), np.float64)
            found = counts > 0
            keep = keep[found]
            # Clipped like the counts in the postings, so that bounds stay bounds.
            counts = np.minimum(counts[found], MAX_COUNT)
            lengths = self.snapshot.lengths[slots[keep]]
            scores[keep] += _bm25(counts, lengths, idf, self.average_length)
            with_title, certain = self._titles_with(match)
            if certain:
                in_title = _lookup(slots[keep], with_title, None, self.snapshot.size)[0]
            else:
                titles = folded["title"]
                in_title = np.zeros(keep.size, dtype=np.bool_)
                for variant in variants:
                    in_title |= np.fromiter(
                        (variant in titles[s] for s in slots[keep].tolist()), np.bool_
                    )
            scores[keep[in_title]] += TITLE_WEIGHT * idf
        for negative in negatives:
            texts = folded[negative.field]
            absent = np.fromiter(
                (not any(v in texts[s] for v in negative.variants) for s in slots[keep].tolist()),
                np.bool_,
            )
            keep = keep[absent]
        return slots[keep], scores[keep]

    def _matching(self, slots: Int64s, checks: list[_TermMatch]) -> int:
        """How many of `slots` pass every check (positive terms present, negative ones absent)."""
        folded = self.snapshot.folded
        remaining = slots.tolist()
        for match in checks:
            texts = folded[match.field]
            variants, negated = match.variants, match.term.negated
            remaining = [s for s in remaining if any(v in texts[s] for v in variants) != negated]
        return len(remaining)

    def _estimated_matching(self, slots: Int64s, checks: list[_TermMatch]) -> int:
        """About how many of `slots` pass every check, from a sample spread over them.

        Not from the share of the checked candidates that matched: those had the highest bounds
        and match far more often than the rest (it put `"AI 模型"` in 9,843 of 10k documents,
        not 2,479). The standard error is at most 1/16 of `slots` (see SAMPLE).
        """
        if len(checks) == 1 and not checks[0].term.negated:
            # One term: its idf sample, less the slots checked or filtered out since, is spread
            # over `slots` too.
            known = self._samples.get(id(checks[0].docs))
            if known is not None:
                sample, present = known
                inside = _lookup(sample, slots, None, self.snapshot.size)[0]
                if np.count_nonzero(inside) >= SAMPLE // 2:
                    return round(slots.size * float(present[inside].mean()))
        sample = _spread_sample(slots, SAMPLE)
        if sample.size == 0:
            return 0
        return round(slots.size * self._matching(sample, checks) / sample.size)

    # -- running -----------------------------------------------------------------------------

    def count(self) -> int:
        found = self._candidates()
        if found is None:
            return 0
        docs, positives, negatives = found
        checks = [m for m in positives if not m.exact] + negatives
        if not checks:
            return int(docs.size)
        return self._matching(docs, checks)

    def run(self, limit: int, exact_total: bool) -> SearchResults:
        found = self._candidates()
        if found is None:
            return SearchResults(self.query, [], 0, False)
        docs, positives, negatives = found
        bounds, fixed, idfs = self._upper_bounds(docs, positives)
        if all(m.exact for m in positives) and not negatives:
            order = _top_k(bounds, docs, self.snapshot.stamps, limit)
            ranked = [(float(bounds[i]), int(docs[i])) for i in order]
            return self._results(ranked, int(docs.size), False, positives, idfs)
        checks = [(m, idf) for m, idf in zip(positives, idfs, strict=True) if not m.exact]
        # The rarest term first: it rules out the most candidates before the others are counted.
        checks.sort(key=lambda pair: -pair[1])
        top_scores = np.zeros(0, dtype=np.float64)
        top_stamps = np.zeros(0, dtype=np.float64)
        top_slots = np.zeros(0, dtype=np.int64)
        checked = np.zeros(docs.size, dtype=np.bool_)
        done = matched = 0
        stopped = False
        for batch in _batches_by_bound(bounds):
            if limit == 0:
                stopped = True
                break
            if top_slots.size >= limit:
                kth = top_scores[-1]
                if kth > bounds[batch].max() or done >= VERIFY_BUDGET:
                    stopped = True
                    break
            checked[batch] = True
            done += batch.size
            slots, scores = self._verify(docs[batch], fixed[batch], checks, negatives)
            matched += slots.size
            if slots.size:
                top_scores = np.concatenate((top_scores, scores))
                top_stamps = np.concatenate((top_stamps, self.snapshot.stamps[slots]))
                top_slots = np.concatenate((top_slots, slots))
                best = np.lexsort((-top_stamps, -top_scores))[:limit]
                top_scores, top_stamps, top_slots = (
                    top_scores[best],
                    top_stamps[best],
                    top_slots[best],
                )
        ranked = list(zip(top_scores.tolist(), top_slots.tolist(), strict=True))
        total, estimated = matched, False
        if stopped:
            unchecked = docs[~checked]
            if exact_total:
                total += self._matching(unchecked, [m for m, _ in checks] + negatives)
            else:
                total += self._estimated_matching(unchecked, [m for m, _ in checks] + negatives)
                estimated = True
        return self._results(ranked, total, estimated, positives, idfs)

    def _results(
        self,
        ranked: list[tuple[float, int]],
        total: int,
        estimated: bool,
        positives: list[_TermMatch],
        idfs: list[float],
    ) -> SearchResults:
        weighted = sorted(zip(idfs, positives, strict=True), key=lambda pair: -pair[0])
        body_terms = [match for _, match in weighted if match.field == "text"]
        body_needles = list(dict.fromkeys(v for m in body_terms for v in m.variants))
        title_needles = list(
            dict.fromkeys(
                v for _, m in weighted if m.field in ("text", "title") for v in m.variants
            )
        )
        hits = [
            self._hit(slot, score, body_terms, body_needles, title_needles)
            for score, slot in ranked
        ]
        return SearchResults(self.query, hits, total, estimated)

    def _hit(
        self,
        slot: int,
        score: float,
        body_terms: list[_TermMatch],
        body_needles: list[str],
        title_needles: list[str],
    ) -> Hit:
        article = self.snapshot.articles[slot]
        folded_title = self.snapshot.folded["title"][slot]
        folded = self.snapshot.folded["text"][slot]
        # Folding keeps lengths, so the body is what follows the title and its boundary:
        # offset o of the body is offset o + skip of the folded text.
        skip = len(folded_title) + 1
        title_spans = match_spans_in_folded(folded_title, title_needles)
        anchor = _anchor(article.body, folded, skip, body_terms)

        def spans_in(low: int, high: int) -> list[Span]:
            found = match_spans_between(folded, body_needles, low + skip, high + skip)
            return [(s - skip, e - skip) for s, e in found]

        snippet, snippet_spans = snippet_around(article.body, anchor, spans_in)
        body_spans = BodySpans(folded, skip, body_needles)
        return Hit(article.id, score, snippet, snippet_spans, tuple(title_spans), body_spans)


def _anchor(body: str, folded: str, skip: int, terms_by_weight: list[_TermMatch]) -> int | None:
    """Where the snippet should show: the first match of the rarest term found in the body,
    unless it is inside a URL (which the snippet does not show) and another match is not.

    `folded` is the folded title and body; the body starts at `skip`.
    """
    first: int | None = None
    for match in terms_by_weight:
        for variant in match.variants:
            found = folded.find(variant, skip)
            # A few occurrences are enough to find one outside a URL; a term repeated
            # throughout a long URL must not make this quadratic.
            for _ in range(_ANCHOR_TRIES):
                if found < 0:
                    break
                position = found - skip
                if first is None:
                    first = position
                if not inside_url(body, position):
                    return position
                found = folded.find(variant, found + len(variant))
    return first


def _variant_postings(
    directory: Callable[[_FieldName, bool], Directory], field: _FieldName, variant: str, size: int
) -> tuple[Int64s, Floats, bool]:
    """Candidate slots for one folded term, with frequency upper bounds; exact if certain."""
    codes = [ord(char) for char in variant]
    pairs = list(
        dict.fromkeys(bigram_key(a, b) for a, b in itertools.pairwise(codes) if SPACE not in (a, b))
    )
    if pairs:
        use_bigrams, keys = True, pairs
    else:
        use_bigrams, keys = False, list(dict.fromkeys(c for c in codes if c != SPACE))
    if not keys:
        # Only spaces: every document is a candidate.
        return np.arange(size, dtype=np.int64), np.ones(size, dtype=np.float64), False
    exact = len(codes) == (2 if use_bigrams else 1)
    # The rarest pairs rule out nearly all a phrase's pairs can; candidates are checked.
    frequencies, keys, per_key = directory(field, use_bigrams).rarest(keys, _MAX_KEYS)
    if len(keys) > 1 and min(frequencies) * 16 >= size:
        # Every pair is in many documents: counts over all slots, one byte each, cost less
        # than gathering and intersecting lists of global ids.
        smallest = np.zeros(size, dtype=np.uint8)
        smallest[per_key[0][0]] = per_key[0][1]
        other = np.empty(size, dtype=np.uint8)
        for key_docs, key_counts in per_key[1:]:
            other.fill(0)
            other[key_docs] = key_counts
            np.minimum(smallest, other, out=smallest)
        # nonzero() is several times faster on booleans than on bytes.
        docs = np.flatnonzero(smallest > 0)
        return docs, smallest[docs].astype(np.float64), exact
    docs, small_counts = per_key[0]
    counts = small_counts.astype(np.float64)
    for other_docs, other_counts in per_key[1:]:
        if docs.size == 0:
            break
        present, found = _lookup(docs, other_docs, other_counts.astype(np.float64), size)
        docs = docs[present]
        counts = np.minimum(counts[present], found[present])
    return docs, counts, exact


def _spread_sample(docs: Int64s, size: int) -> Int64s:
    """About `size` of `docs` (all of them if there are no more), spread over them.

    They are at the fractions of a golden-ratio sequence, which cover [0, 1) about as evenly as
    equal steps without having a stride: a corpus whose slots repeat a pattern (every 10th
    article from one source) would make an evenly strided sample see only one part of it.
    The same candidates give the same sample, so a query's scores do not change between runs.
    """
    if docs.size <= size:
        return docs
    fractions = np.arange(1, size + 1) * _GOLDEN % 1.0
    return docs[np.unique((fractions * docs.size).astype(np.int64))]


def _batches_by_bound(bounds: Floats) -> Iterator[Int64s]:
    """Positions in batches: the first VERIFY_BUDGET by descending bound, then the rest as is.

    The first batches are small, since a query with many matches usually settles its top k
    within them. Only VERIFY_BUDGET positions are sorted (a partition picks them): past the
    budget the order no longer decides when to stop, and sorting every bound would cost more
    than the checks.
    """
    size = bounds.size
    best = (
        np.argpartition(-bounds, VERIFY_BUDGET - 1)[:VERIFY_BUDGET]
        if size > VERIFY_BUDGET
        else np.arange(size)
    )
    ordered = best[np.argsort(-bounds[best], kind="stable")]
    start = 0
    for batch_size in _ORDERED_BATCHES:
        if start < ordered.size:
            yield ordered[start : start + batch_size]
        start += batch_size
    if size > VERIFY_BUDGET:
        rest = np.ones(size, dtype=np.bool_)
        rest[best] = False
        remaining = np.flatnonzero(rest)
        for start in range(0, remaining.size, _LATER_BATCH):
            yield remaining[start : start + _LATER_BATCH]


def _union(parts: list[tuple[Int64s, Floats]], size: int) -> tuple[Int64s, Floats]:
    """Documents in any of the sorted `parts`, with the sum of their counts."""
    total = sum(docs.size for docs, _ in parts)
    if total * 16 < size:
        docs, inverse = np.unique(np.concatenate([d for d, _ in parts]), return_inverse=True)
        weights = np.concatenate([c for _, c in parts])
        return docs, np.bincount(inverse, weights, docs.size).astype(np.float64)
    dense = np.zeros(size, dtype=np.float64)
    for docs, counts in parts:
        dense[docs] += counts  # each part lists a document once
    found = np.flatnonzero(dense > 0)  # nonzero() is slow on floats, fast on booleans
    return found, dense[found]


def _top_k(scores: Floats, docs: Int64s, stamps: Floats, limit: int) -> list[int]:
    """Positions of the `limit` best scores, best first, newer first among equal scores.

    `stamps` are indexed by slot, `docs` gives the slot at each position.
    """
    if limit <= 0 or scores.size == 0:
        return []
    if scores.size > limit:
        kth = np.partition(scores, scores.size - limit)[scores.size - limit]
        pool = np.flatnonzero(scores >= kth)
    else:
        pool = np.arange(scores.size)
    order = np.lexsort((-stamps[docs[pool]], -scores[pool]))
    return [int(p) for p in pool[order[:limit]]]
