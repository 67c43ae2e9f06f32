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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tuireader.normalize import code_points, fold_codes

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
    codes = fold_codes(code_points("\n".join(flat) + "\n"))
    lengths = np.fromiter((len(field) + 1 for field in flat), dtype=np.int64, count=len(flat))
    field_ends = np.cumsum(lengths) - 1
    # Folding turned the separators into spaces; put the boundaries back.
    codes[field_ends] = BOUNDARY
    starts = np.zeros(len(documents) + 1, dtype=np.int64)
    starts[1:] = field_ends[fields_per_document - 1 :: fields_per_document] + 1
    text = codes.tobytes().decode("utf-32-le", "surrogatepass")
    bounds = starts.tolist()
    texts = [text[start : end - 1] for start, end in itertools.pairwise(bounds)]
    return FoldedBatch(texts, codes, starts)


def fold_batch_from_folded(texts: Sequence[str]) -> FoldedBatch:
    """A batch of texts that are already folded (fields already joined by BOUNDARY)."""
    codes = code_points("\n".join(texts) + "\n")
    lengths = np.fromiter((len(text) + 1 for text in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return FoldedBatch(list(texts), codes, starts)


@dataclass(frozen=True, slots=True)
class _Postings:
    keys: npt.NDArray[np.uint64]
    starts: Int64s  # len(keys) + 1
    docs: UInt16s
    counts: UInt8s

    @classmethod
    def from_pairs(cls, pairs: npt.NDArray[np.uint64]) -> _Postings:
        pairs.sort()
        size = pairs.size
        if size == 0:
            return cls(
                np.zeros(0, np.uint64),
                np.zeros(1, np.int64),
                np.zeros(0, np.uint16),
                np.zeros(0, np.uint8),
            )
        new_pair = np.empty(size, dtype=np.bool_)
        new_pair[0] = True
        np.not_equal(pairs[1:], pairs[:-1], out=new_pair[1:])
        first = np.flatnonzero(new_pair)
        counts = np.diff(np.append(first, size))
        unique = pairs[first]
        del pairs, new_pair
        keys_of = unique >> np.uint64(_DOC_BITS)
        new_key = np.empty(unique.size, dtype=np.bool_)
        new_key[0] = True
        np.not_equal(keys_of[1:], keys_of[:-1], out=new_key[1:])
        key_starts = np.flatnonzero(new_key)
        return cls(
            keys=keys_of[key_starts],
            starts=np.append(key_starts, unique.size).astype(np.int64),
            docs=(unique & np.uint64(0xFFFF)).astype(np.uint16),
            counts=np.minimum(counts, MAX_COUNT).astype(np.uint8),
        )

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


def unigram_key(code: int) -> int:
    return code


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
        docs = np.repeat(np.arange(size, dtype=np.uint16), np.diff(batch.starts))
        is_char = (batch.codes != SPACE) & (batch.codes != BOUNDARY)
        # Compact in the narrow types first: the 64-bit passes below are the costly ones.
        chars = batch.codes[is_char].astype(np.uint64)
        unigrams = _Postings.from_pairs((chars << np.uint64(_DOC_BITS)) | docs[is_char])
        del chars
        both = is_char[:-1] & is_char[1:]
        first = batch.codes[:-1][both].astype(np.uint64)
        second = batch.codes[1:][both].astype(np.uint64)
        first <<= np.uint64(_CODE_BITS)
        first |= second
        del second
        first <<= np.uint64(_DOC_BITS)
        first |= docs[:-1][both]
        bigrams = _Postings.from_pairs(first)
        return cls(base, size, unigrams, bigrams)

    def lookup(self, keys: Sequence[int], bigram: bool) -> list[tuple[Int64s, UInt8s]]:
        """For each key: global document ids (sorted) and occurrence counts."""
        postings = self.bigrams if bigram else self.unigrams
        where = postings.find(np.asarray(keys, dtype=np.uint64))
        result: list[tuple[Int64s, UInt8s]] = []
        for index in where.tolist():
            if index < 0:
                result.append((np.zeros(0, np.int64), np.zeros(0, np.uint8)))
                continue
            start, end = postings.starts[index], postings.starts[index + 1]
            result.append(
                (postings.docs[start:end] + np.int64(self.base), postings.counts[start:end])
            )
        return result

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
                or (starts.size and (starts[0] != 0 or starts[-1] != docs.size))
                or (docs.size and int(docs.max()) >= size)
            ):
                raise ValueError("postings arrays do not fit together")
            parts.append(_Postings(keys, starts, docs, counts))
        return cls(base, size, parts[0], parts[1])


_POSTING_ARRAYS = ("keys", "starts", "docs", "counts")
