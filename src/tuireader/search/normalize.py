"""Folding text for search: the same normalization is applied to documents and to queries.

`fold` maps every character on its own (NFKC, case folding, Traditional→Simplified by character,
any whitespace to a space), so folding commutes with concatenation: a term is a substring of a
text exactly when the folded term is a substring of the folded text. Every character folds to
exactly one character, so offsets in the folded text are offsets in the original and match
spans can be reported on the text the reader displays; the few characters whose compatibility
or case-folded form is several characters (… ß ﬁ ㈱) are kept as one character (lowercased
where that is one character) rather than expanded. Regional vocabulary
(软件 / 軟體, 人工智能 / 人工智慧) cannot be folded per character; it is handled by expanding a
query term into variants (`term_variants`), never by rewriting documents.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from tuireader.search.opencc_native import Converter, open_converter

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# numpy is imported where folding first needs it: the UI shows titles and articles without it,
# and its import is a large share of a start (bench/README.md).

_MAX_CODE = 0x110000
_SURROGATES = range(0xD800, 0xE000)


def _fold_char(char: str) -> str:
    if char.isspace():
        return " "
    # NFKC again after casefold: casefold can produce sequences that NFKC composes.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", char).casefold())
    if len(folded) == 1:
        return folded
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


# Table entry of a code point not folded yet; no code point is this large.
_UNKNOWN = 0xFFFFFFFF


class _FoldTable:
    """Per-code-point fold; an entry is computed the first time a text holds its code point.

    Computing every BMP entry up front took ~70 ms of each start (one Python call per code
    point); a corpus uses a few thousand distinct characters. Entries not computed yet hold
    _UNKNOWN, so folding finds them with one pass over its result.
    """

    def __init__(self) -> None:
        import numpy as np

        self.codes: npt.NDArray[np.uint32] = np.full(_MAX_CODE, _UNKNOWN, dtype=np.uint32)
        surrogates = np.arange(_SURROGATES.start, _SURROGATES.stop, dtype=np.uint32)
        self.codes[surrogates] = surrogates  # lone surrogates stay as they are
        self._t2s = open_converter("t2s")

    def fold(self, codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        """The folded code points of `codes`."""
        import numpy as np

        folded = self.codes[codes]
        if folded.size == 0 or folded.max() != _UNKNOWN:
            return folded
        pending = codes[folded == _UNKNOWN]
        if pending.size < 4096:
            missing: list[int] = np.unique(pending).tolist()
        else:  # flags over all code points: cheaper than sorting a large batch's characters
            seen = np.zeros(_MAX_CODE, dtype=np.bool_)
            seen[pending] = True
            missing = np.flatnonzero(seen).tolist()
        self._fill(missing)
        return self.codes[codes]

    def _fill(self, code_points: list[int]) -> None:
        import numpy as np

        folded = [_fold_char(chr(cp)) for cp in code_points]
        # One OpenCC call for all characters; newlines keep its phrase table from spanning them.
        singles = [s for s in folded if s != "\n"]
        converted = self._t2s.convert("\n".join(singles)).split("\n")
        simplified = dict(zip(singles, converted, strict=True))
        targets = [simplified.get(value, value) for value in folded]
        codes = np.fromiter(
            (
                ord(target if len(target) == 1 else value)
                for target, value in zip(targets, folded, strict=True)
            ),
            dtype=np.uint32,
            count=len(folded),
        )
        # Threads fill without a lock: an entry is either _UNKNOWN or its final value (two
        # threads computing the same entry write the same value).
        self.codes[np.array(code_points, dtype=np.int64)] = codes


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
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def fold_codes(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Fold an array of code points."""
    return _fold_table().fold(codes)


def fold(text: str) -> str:
    """Normalize text for search: NFKC, case folding, Traditional→Simplified characters.

    Every whitespace character becomes a plain space, and the result has the same length as
    `text`. Applied to documents and queries alike.
    """
    if text.isascii():
        return text.lower().translate(_ASCII_SPACES)
    return fold_codes(code_points(text)).tobytes().decode("utf-32-le", "surrogatepass")


_ASCII_SPACES = str.maketrans(dict.fromkeys("\t\n\v\f\r\x1c\x1d\x1e\x1f", " "))


_converters: dict[str, Converter] = {}
_converters_lock = threading.Lock()


def _convert(config: str, text: str) -> str:
    return _converter(config).convert(text)


def _converter(config: str) -> Converter:
    converter = _converters.get(config)
    if converter is None:
        with _converters_lock:  # two threads would each load the dictionaries
            converter = _converters.get(config)
            if converter is None:
                converter = _converters[config] = open_converter(config)
    return converter


def load_dictionaries() -> None:
    """Load every OpenCC dictionary that folding and `term_variants` use, if not yet loaded.

    ~0.2 s (most of it the phrases of `s2twp` and `tw2sp`): an app calls this on a thread of its
    own as it starts, so that no search waits for it. Through OpenCC's C API the loading leaves
    the GIL free (see `opencc_native`); otherwise nothing else in the process runs meanwhile.
    The fold table is left to its first use, which imports numpy (~70 ms holding the GIL): on
    this thread, that import fought the first frame and the loading for the GIL.
    """
    for config in ("t2s", "s2twp", "tw2sp"):
        _converter(config)


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
        if not needle or needle not in folded:
            continue
        size = len(needle)
        if _overlaps_itself(needle):
            # Spans are merged, so only the union of the occurrences matters: from a match,
            # jump to the last occurrence that starts inside it or right at its end. Visiting
            # every overlapping occurrence was quadratic (a minute for 10,000 "a" in 100,000).
            position = folded.find(needle)
            while position >= 0:
                start, end = position, position + size
                while (later := folded.rfind(needle, position + 1, end + size)) > position:
                    position, end = later, later + size
                spans.append((start, end))
                position = folded.find(needle, end + 1)
            continue
        # Occurrences cannot overlap, so splitting finds them all, at C speed.
        pieces = folded.split(needle)
        pieces.pop()
        position = 0
        for piece in pieces:
            position += len(piece)
            spans.append((position, position + size))
            position += size
    return merge_spans(spans)


def match_spans_between(
    folded: str, needles: Sequence[str], low: int, high: int
) -> list[tuple[int, int]]:
    """The spans of `match_spans_in_folded(folded, needles)` that overlap folded[low:high]
    (not empty), clipped to it.

    Only folded[low:high] and one needle's length on either side are searched: an occurrence
    that overlaps the window lies within that, and so do the ones merged with it inside it.
    """
    spans: list[tuple[int, int]] = []
    for needle in needles:
        size = len(needle)
        if not size:
            continue
        start, end = max(0, low - size + 1), high + size - 1
        if _overlaps_itself(needle):
            found = match_spans_in_folded(folded[start:end], [needle])
            spans += [(s + start, e + start) for s, e in found]
            continue
        # Occurrences cannot overlap: each search starts where the last one ended.
        position = folded.find(needle, start, end)
        while position >= 0:
            spans.append((position, position + size))
            position = folded.find(needle, position + size, end)
    # Every span found overlaps the window: it starts before `high` and ends after `low`.
    return [(max(s, low), min(e, high)) for s, e in merge_spans(spans)]


@lru_cache(maxsize=1024)
def _overlaps_itself(needle: str) -> bool:
    """Whether two occurrences of `needle` can overlap (it has a border, like "aba")."""
    return any(needle[:size] == needle[-size:] for size in range(1, len(needle)))


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


def find_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans in `text` where any of the raw query `terms` matches after folding.

    Spans are sorted and merged; each term is expanded into its variants, as search does.
    """
    needles = {variant for term in terms for variant in term_variants(term)}
    return match_spans_in_folded(fold(text), needles)
