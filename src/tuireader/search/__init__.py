"""Finding text: the in-memory index and what it is made of.

- `index`: `SearchIndex`, built at start-up (or mapped from the cache) and searched as you type.
- `plain_scan`: `PlainScan` answers searches until the index is ready.
- `hits`: the result types (`SearchResults`, `Hit`, `Span`), kept free of numpy.
- `query`: `parse_query` (terms, phrases, exclusions, fields, dates).
- `normalize`: folding (Traditional/Simplified, full-width, case) and regional term variants;
  `opencc_native` loads OpenCC's dictionaries without holding the GIL.
- `postings`: the index's numpy arrays. `snippets`: the text shown around a hit.

Nothing is imported here: `index` and `postings` import numpy (~70 ms), which the first frame
does not wait for.
"""
