"""Unigram and bigram postings over folded texts, built with numpy, looked up by code point.

A segment indexes a contiguous range of documents. Each posting is a (key, document) pair with
the number of times the key occurs in the document; keys are code points (unigrams) and pairs
of code points (bigrams). Postings are flat numpy arrays sorted by key, so a segment costs about
4 bytes per distinct key per document and no Python object per posting. Bigrams that contain a
space are left out: they are as common as the characters around them and never help.

Building sorts one uint64 per character: the key in the high bits and the document in the low
16, so sorting groups postings by key with documents in order, and counting equal neighbours
gives the term frequency.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tuireader.search.normalize import code_points, fold_codes

MAX_SEGMENT_DOCS = 1 << 16
_DOC_BITS = 16
_CODE_BITS = 21
SPACE = 0x20
# Separates the title from the body, and documents from each other, in the folded text. Folding
# turns every whitespace character into a space, so no folded query term can match across it.
BOUNDARY = 0x0A

Int64s = npt.NDArray[np.int64]
UInt16s = npt.NDArray[np.uint16]
UInt8s = npt.NDArray[np.uint8]
_SMALL_DOC_BITS = 32 - _CODE_BITS
# Occurrence counts are stored in one byte: BM25 saturates long before 255.
MAX_COUNT = 255


@dataclass(frozen=True, slots=True)
class FoldedBatch:
    """Folded searchable texts of some documents, and their code points.

    Each document is its fields joined by BOUNDARY, and is followed by a BOUNDARY in `codes`.
    """

    texts: list[str]
    codes: npt.NDArray[np.uint32]
    starts: Int64s  # where each document starts in `codes`; one more entry for the end


def fold_batch(documents: Sequence[Sequence[str]]) -> FoldedBatch:
    """Fold documents, each given as its fields (every document with the same number).

    The whole batch goes through the fold table at once.
    """
    fields_per_document = len(documents[0]) if documents else 1
    flat = [field for document in documents for field in document]
    # Fresh memory costs page faults (~30 % of this at 10k articles), so no copy of the whole
    # batch is made that can be avoided: the joined text ends with its separator, and each
    # document is decoded straight from the folded array.
    codes = fold_codes(code_points("\n".join([*flat, ""])))
    lengths = np.fromiter((len(field) + 1 for field in flat), dtype=np.int64, count=len(flat))
    field_ends = np.cumsum(lengths) - 1
    # Folding turned the separators into spaces; put the boundaries back.
    codes[field_ends] = BOUNDARY
    starts = np.zeros(len(documents) + 1, dtype=np.int64)
    starts[1:] = field_ends[fields_per_document - 1 :: fields_per_document] + 1
    view = codes.data  # a memoryview of the code points: slices are counted in them
    texts = [
        codecs.utf_32_le_decode(view[start : end - 1], "surrogatepass")[0]
        for start, end in itertools.pairwise(starts.tolist())
    ]
    return FoldedBatch(texts, codes, starts)


def fold_batch_from_folded(texts: Sequence[str]) -> FoldedBatch:
    """A batch of texts that are already folded (fields already joined by BOUNDARY)."""
    codes = code_points("\n".join([*texts, ""]))
    lengths = np.fromiter((len(text) + 1 for text in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return FoldedBatch(list(texts), codes, starts)


class TrigramFilter:
    """Which triples of consecutive folded characters occur somewhere in the indexed texts.

    A phrase that contains a triple no document has cannot match anything, and pairs of
    characters cannot tell: in a large corpus every pair of `模型的模型` occurs in most documents
    while `型的模` occurs in none. One flag per hash slot, so a triple can be reported present
    when it is not (a false positive only costs the check it would have saved), never the
    reverse. Flags are only ever set, so readers need no lock.

    A filter made `complete=False` is being filled: it answers "may contain" to everything
    until `mark_complete()`, since a triple of a text not added yet would be missing.
    """

    def __init__(self, bits: int, *, complete: bool = True) -> None:
        self._shift = np.uint32(32 - bits)
        self._flags = np.zeros(1 << bits, dtype=np.bool_)
        self.complete = complete

    def mark_complete(self) -> None:
        """Every indexed text was added: answers may now say "cannot contain"."""
        self.complete = True

    @classmethod
    def for_chars(cls, chars: int, *, complete: bool = True) -> TrigramFilter:
        """A filter sized for about `chars` characters of text (between 1 and 16 MB)."""
        bits = min(24, max(20, (max(chars, 1) // 4).bit_length()))
        return cls(bits, complete=complete)

    def add(self, codes: npt.NDArray[np.uint32]) -> None:
        """Record every triple of consecutive code points in `codes`."""
        if codes.size >= 3:
            self._flags[self._slots(codes)] = True

    def may_contain(self, text: str) -> bool:
        """False when `text` (folded) cannot occur in any indexed text."""
        if len(text) < 3 or not self.complete:
            return True
        return bool(self._flags[self._slots(code_points(text))].all())

    def _slots(self, codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        # Multiplicative hashing in wrapping 32-bit arithmetic; the top bits are the slot.
        slots = codes[:-2] * np.uint32(0x9E3779B1)
        mixed = codes[1:-1] * np.uint32(0x85EBCA77)
        slots ^= mixed
        np.multiply(codes[2:], np.uint32(0xC2B2AE3D), out=mixed)
        slots += mixed
        slots >>= self._shift
        return slots

    @property
    def nbytes(self) -> int:
        return self._flags.nbytes

    @property
    def flags(self) -> npt.NDArray[np.bool_]:
        """One flag per hash slot (for the load cache)."""
        return self._flags

    @classmethod
    def from_flags(cls, flags: npt.NDArray[np.bool_]) -> TrigramFilter:
        """The filter with these `flags`; raises ValueError if they cannot be one."""
        bits = flags.size.bit_length() - 1
        if flags.dtype != np.bool_ or flags.size != 1 << bits or not 1 <= bits <= 32:
            raise ValueError("not the flags of a trigram filter")
        restored = cls(bits)
        restored._flags = np.array(flags)  # a writable copy: adding articles sets more flags
        return restored


@dataclass(frozen=True, slots=True)
class _Postings:
    keys: npt.NDArray[np.uint64]
    starts: Int64s  # len(keys) + 1
    docs: UInt16s
    counts: UInt8s

    @classmethod
    def from_pairs(
        cls, pairs: npt.NDArray[np.uint64] | npt.NDArray[np.uint32], doc_bits: int = _DOC_BITS
    ) -> _Postings:
        """Postings from (key << doc_bits | document) pairs, one per occurrence."""
        pairs.sort()
        size = pairs.size
        if size == 0:
            return cls(
                np.zeros(0, np.uint64),
                np.zeros(1, np.int64),
                np.zeros(0, np.uint16),
                np.zeros(0, np.uint8),
            )
        # Fresh memory is costly (page faults), so few arrays are made and most work in place;
        # the caller passes `pairs` without keeping a reference, so it is freed here.
        new_pair = np.empty(size, dtype=np.bool_)
        new_pair[0] = True
        np.not_equal(pairs[1:], pairs[:-1], out=new_pair[1:])
        first = np.flatnonzero(new_pair)
        del new_pair
        unique = pairs[first]
        del pairs
        counts = np.empty(first.size, dtype=np.int64)
        np.subtract(first[1:], first[:-1], out=counts[:-1])
        counts[-1] = size - first[-1]
        del first
        np.minimum(counts, MAX_COUNT, out=counts)
        small_counts = counts.astype(np.uint8)
        del counts
        if doc_bits == 16:
            docs = unique.astype(np.uint16)  # the low 16 bits
        else:
            docs = (unique & unique.dtype.type((1 << doc_bits) - 1)).astype(np.uint16)
        unique >>= unique.dtype.type(doc_bits)
        new_key = np.empty(unique.size, dtype=np.bool_)
        new_key[0] = True
        np.not_equal(unique[1:], unique[:-1], out=new_key[1:])
        key_starts = np.flatnonzero(new_key)
        starts = np.empty(key_starts.size + 1, dtype=np.int64)
        starts[:-1] = key_starts
        starts[-1] = unique.size
        keys = unique[key_starts].astype(np.uint64)
        return cls(keys=keys, starts=starts, docs=docs, counts=small_counts)

    def find(self, keys: npt.NDArray[np.uint64]) -> Int64s:
        """Index of each key in `self.keys`, or -1."""
        where = np.searchsorted(self.keys, keys)
        where[where >= self.keys.size] = 0
        found = self.keys.size > 0
        hit = (self.keys[where] == keys) if found else np.zeros(keys.size, dtype=np.bool_)
        return np.where(hit, where, -1).astype(np.int64)

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.starts.nbytes + self.docs.nbytes + self.counts.nbytes


def bigram_key(first: int, second: int) -> int:
    return (first << _CODE_BITS) | second


@dataclass(frozen=True, slots=True)
class Segment:
    """Postings of documents `base` to `base + size - 1`."""

    base: int
    size: int
    unigrams: _Postings
    bigrams: _Postings

    @classmethod
    def build(cls, batch: FoldedBatch, base: int) -> Segment:
        """Index the documents of `batch` (at most MAX_SEGMENT_DOCS of them)."""
        size = len(batch.texts)
        assert size <= MAX_SEGMENT_DOCS
        codes = batch.codes
        # (code, document) for every character, computed in place: fresh memory is costly.
        keys = codes.astype(np.uint64)
        keys <<= np.uint64(_DOC_BITS)
        docs = np.repeat(np.arange(size, dtype=np.uint16), np.diff(batch.starts))
        keys |= docs
        is_char = codes != SPACE
        is_char &= codes != BOUNDARY
        if size <= 1 << _SMALL_DOC_BITS:
            # Code points take 21 bits, so with few documents a pair fits 32 bits, which sort
            # twice as fast as 64.
            small = codes[is_char]
            small <<= np.uint32(_SMALL_DOC_BITS)
            small |= docs[is_char]
            unigrams = _Postings.from_pairs(small, _SMALL_DOC_BITS)
            del small
        else:
            unigrams = _Postings.from_pairs(keys[is_char])
        del docs
        # (code, next code, document): both characters of a pair are in the same document.
        pairs = codes[:-1].astype(np.uint64)
        pairs <<= np.uint64(_CODE_BITS + _DOC_BITS)
        pairs |= keys[1:]
        del keys
        both = is_char[:-1]
        both &= is_char[1:]
        bigrams = _Postings.from_pairs(pairs[both])
        return cls(base, size, unigrams, bigrams)

    def document_frequency(self, keys: Sequence[int], bigram: bool) -> Int64s:
        postings = self.bigrams if bigram else self.unigrams
        where = postings.find(np.asarray(keys, dtype=np.uint64))
        frequency = postings.starts[where + 1] - postings.starts[where]
        return np.where(where >= 0, frequency, 0)

    @property
    def nbytes(self) -> int:
        return self.unigrams.nbytes + self.bigrams.nbytes

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The postings as named arrays (for the load cache)."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        for kind, postings in (("uni", self.unigrams), ("bi", self.bigrams)):
            for name in _POSTING_ARRAYS:
                arrays[f"{kind}.{name}"] = getattr(postings, name)
        return arrays

    @classmethod
    def from_arrays(cls, base: int, size: int, arrays: dict[str, npt.NDArray[Any]]) -> Segment:
        """The segment of `to_arrays`; raises ValueError if the arrays do not fit together."""
        parts = []
        for kind in ("uni", "bi"):
            keys, starts, docs, counts = (arrays[f"{kind}.{name}"] for name in _POSTING_ARRAYS)
            if (
                keys.dtype != np.uint64
                or starts.dtype != np.int64
                or docs.dtype != np.uint16
                or counts.dtype != np.uint8
                or starts.size != keys.size + 1
                or docs.size != counts.size
                or starts[0] != 0
                or starts[-1] != docs.size
            ):
                raise ValueError("postings arrays do not fit together")
            parts.append(_Postings(keys, starts, docs, counts))
        return cls(base, size, parts[0], parts[1])


_POSTING_ARRAYS = ("keys", "starts", "docs", "counts")


class Directory:
    """Where each key's postings are in every segment of a field, found with one search.

    Looking keys up segment by segment costs a few numpy calls per segment, which added up to
    milliseconds per query at 100k documents (26 segments). The directory holds every
    segment's keys tagged with the segment's number, in one sorted array.
    """

    def __init__(self, segments: Sequence[Segment], bigram: bool) -> None:
        postings = [segment.bigrams if bigram else segment.unigrams for segment in segments]
        self._docs = [p.docs for p in postings]
        self._counts = [p.counts for p in postings]
        self._bases = np.array([segment.base for segment in segments], dtype=np.int64)
        self._segments = len(segments)
        self._tags = np.arange(self._segments, dtype=np.uint64) << _TAG_SHIFT
        tagged = [p.keys | (np.uint64(number) << _TAG_SHIFT) for number, p in enumerate(postings)]
        self._keys = np.concatenate(tagged) if tagged else np.zeros(0, np.uint64)
        self._starts = np.concatenate([p.starts[:-1] for p in postings] or [np.zeros(0, np.int64)])
        self._ends = np.concatenate([p.starts[1:] for p in postings] or [np.zeros(0, np.int64)])

    def _find(self, keys: Sequence[int]) -> tuple[Int64s, npt.NDArray[np.bool_]]:
        wanted = (np.asarray(keys, dtype=np.uint64)[:, None] | self._tags[None, :]).ravel()
        where = np.searchsorted(self._keys, wanted)
        where[where >= self._keys.size] = 0
        return where, self._keys[where] == wanted

    def rarest(
        self, keys: Sequence[int], most: int
    ) -> tuple[list[int], list[int], list[tuple[Int64s, UInt8s]]]:
        """Each key's document frequency, then the `most` rarest keys (rarest first, equal
        frequencies by key) and their postings, from one search of the directory.
        """
        if self._keys.size == 0 or not keys:
            frequencies = [0 for _ in keys]
            chosen = sorted(keys)[:most]
            empty = (np.zeros(0, np.int64), np.zeros(0, np.uint8))
            return frequencies, chosen, [empty for _ in chosen]
        where, found = self._find(keys)
        sizes = np.where(found, self._ends[where] - self._starts[where], 0)
        frequencies = sizes.reshape(len(keys), self._segments).sum(axis=1).tolist()
        ranked = sorted(zip(frequencies, keys, range(len(keys)), strict=True))[:most]
        chosen = [key for _, key, _ in ranked]
        return frequencies, chosen, self._gather(where, found, [row for _, _, row in ranked])

    def _gather(
        self, where: Int64s, found: npt.NDArray[np.bool_], rows: list[int]
    ) -> list[tuple[Int64s, UInt8s]]:
        count = self._segments
        result: list[tuple[Int64s, UInt8s]] = []
        for index in rows:
            row = slice(index * count, (index + 1) * count)
            present = np.flatnonzero(found[row])
            if present.size == 0:
                result.append((np.zeros(0, np.int64), np.zeros(0, np.uint8)))
                continue
            chosen = present.tolist()
            first = self._starts[where[row][present]]
            last = self._ends[where[row][present]]
            spans = list(zip(chosen, first.tolist(), last.tolist(), strict=True))
            every_docs, every_counts = self._docs, self._counts
            docs = np.concatenate([every_docs[n][a:b] for n, a, b in spans], dtype=np.int64)
            docs += np.repeat(self._bases[present], last - first)
            counts = np.concatenate([every_counts[n][a:b] for n, a, b in spans])
            result.append((docs, counts))
        return result


# Keys are at most 42 bits (two 21-bit code points); the segment's number goes above them.
_TAG_SHIFT = np.uint64(2 * _CODE_BITS)
