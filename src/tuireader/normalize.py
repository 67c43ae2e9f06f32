"""Folding text for search: the same normalization is applied to documents and to queries.

`fold` maps every character on its own (NFKC, case folding, Traditional→Simplified by character,
any whitespace to a space), so folding commutes with concatenation: a term is a substring of a
text exactly when the folded term is a substring of the folded text. Almost every character
folds to exactly one character, which keeps offsets in the folded text equal to offsets in the
original, so match spans can be reported on the text the reader displays. Regional vocabulary
(软件 / 軟體, 人工智能 / 人工智慧) cannot be folded per character; it is handled by expanding a
query term into variants (`term_variants`), never by rewriting documents.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import opencc

# A table entry with this value means "folds to something other than one character".
_EXPANDS = np.uint32(0xFFFFFFFF)
_MAX_CODE = 0x110000
_SURROGATES = range(0xD800, 0xE000)


def _fold_char(char: str) -> str:
    if char.isspace():
        return " "
    # NFKC again after casefold: casefold can produce sequences that NFKC composes.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", char).casefold())


class _FoldTable:
    """Per-code-point fold, built for the BMP at first use and for astral planes on demand."""

    def __init__(self) -> None:
        self.codes: npt.NDArray[np.uint32] = np.arange(_MAX_CODE, dtype=np.uint32)
        self.expansions: dict[int, str] = {}
        self._done = np.zeros(_MAX_CODE, dtype=np.bool_)
        self._done[_SURROGATES.start : _SURROGATES.stop] = True
        self._lock = threading.Lock()
        self._t2s = opencc.OpenCC("t2s")
        self._fill([cp for cp in range(0x10000) if cp not in _SURROGATES])

    def ensure(self, codes: npt.NDArray[np.uint32]) -> None:
        """Make sure every code point in `codes` has its table entry."""
        if codes.size and int(codes.max()) >= 0x10000:
            astral = np.unique(codes[codes >= 0x10000])
            missing = astral[~self._done[astral]]
            if missing.size:
                self._fill([int(cp) for cp in missing])

    def _fill(self, code_points: list[int]) -> None:
        folded = [_fold_char(chr(cp)) for cp in code_points]
        # One OpenCC call for all characters; newlines keep its phrase table from spanning them.
        singles = [s for s in folded if len(s) == 1 and s != "\n"]
        converted = self._t2s.convert("\n".join(singles)).split("\n")
        simplified = (
            dict(zip(singles, converted, strict=True)) if len(converted) == len(singles) else {}
        )
        with self._lock:
            for cp, value in zip(code_points, folded, strict=True):
                value = simplified.get(value, value) if len(value) == 1 else value
                if len(value) == 1:
                    self.codes[cp] = ord(value)
                else:
                    self.codes[cp] = _EXPANDS
                    self.expansions[cp] = value
                self._done[cp] = True


_table: _FoldTable | None = None
_table_lock = threading.Lock()


def _fold_table() -> _FoldTable:
    global _table
    if _table is None:
        with _table_lock:
            if _table is None:
                _table = _FoldTable()
    return _table


def code_points(text: str) -> npt.NDArray[np.uint32]:
    """The code points of `text` as an array (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def fold_codes(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Fold an array of code points; entries equal to `EXPANDS` need `fold` instead."""
    table = _fold_table()
    table.ensure(codes)
    return table.codes[codes]


EXPANDS = int(_EXPANDS)


def _codes_to_text(codes: npt.NDArray[np.uint32]) -> str:
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def fold_with_offsets(text: str) -> tuple[str, npt.NDArray[np.int64] | None]:
    """Fold `text`; also return, for each folded character, the index of its source character.

    The offsets are None when folding kept the length, which is the common case: offsets are
    then the identity.
    """
    codes = code_points(text)
    folded = fold_codes(codes)
    if not (folded == _EXPANDS).any():
        return _codes_to_text(folded), None
    expansions = _fold_table().expansions
    parts: list[str] = []
    sources: list[int] = []
    for index, (source, target) in enumerate(zip(codes.tolist(), folded.tolist(), strict=True)):
        piece = expansions[source] if target == EXPANDS else chr(target)
        parts.append(piece)
        sources.extend([index] * len(piece))
    return "".join(parts), np.asarray(sources, dtype=np.int64)


def fold(text: str) -> str:
    """Normalize text for search: NFKC, case folding, Traditional→Simplified characters.

    Every whitespace character becomes a plain space. Applied to documents and queries alike.
    """
    return fold_with_offsets(text)[0]


_converters: dict[str, opencc.OpenCC] = {}


def _convert(config: str, text: str) -> str:
    converter = _converters.get(config)
    if converter is None:
        converter = _converters.setdefault(config, opencc.OpenCC(config))
    return str(converter.convert(text))


@lru_cache(maxsize=4096)
def term_variants(term: str) -> tuple[str, ...]:
    """The folded forms a term can take in documents, the term's own fold first.

    Besides character folding, regional vocabulary is tried: a term written in Simplified
    characters also matches its Taiwan wording (软件 → 軟體, 人工智能 → 人工智慧), one with
    Traditional characters also matches the mainland wording (軟體 → 软件). The direction follows
    the script of the term, because converting Simplified text with tw2sp rewrites ordinary words
    (核心 → 内核) and would find documents the user did not ask for.
    """
    folded = fold(term)
    variants = [folded] if folded else []
    if any("\u3400" <= char <= "\U0003134f" for char in term):
        config = "tw2sp" if _convert("t2s", term) != term else "s2twp"
        variant = fold(_convert(config, term))
        if variant and variant not in variants:
            variants.append(variant)
    return tuple(variants)


def match_spans_in_folded(folded: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Every occurrence (overlapping ones too) of any needle in `folded`, sorted and merged."""
    spans: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        size = len(needle)
        position = folded.find(needle)
        while position >= 0:
            spans.append((position, position + size))
            position = folded.find(needle, position + 1)
    return merge_spans(spans)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and merge the ones that overlap or touch."""
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def map_spans(
    spans: list[tuple[int, int]], offsets: npt.NDArray[np.int64] | None
) -> list[tuple[int, int]]:
    """Turn spans in a folded text into spans in its source text (see `fold_with_offsets`)."""
    if offsets is None:
        return spans
    mapped = [(int(offsets[start]), int(offsets[end - 1]) + 1) for start, end in spans]
    return merge_spans(mapped)


def find_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans in `text` where any of the raw query `terms` matches after folding.

    Spans are sorted and merged; each term is expanded into its variants, as search does.
    """
    folded, offsets = fold_with_offsets(text)
    needles = {variant for term in terms for variant in term_variants(term)}
    return map_spans(match_spans_in_folded(folded, needles), offsets)
