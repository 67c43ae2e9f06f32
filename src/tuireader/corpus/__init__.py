"""Reading a folder: finding files, decoding them, parsing them into articles, caching them.

- `walk`: `walk_folder` finds a folder's article files and stamps them (imported alone by the
  process that walks a large folder).
- `parse`: `parse_files` turns a batch of files into articles, one step over the whole batch at
  a time, with `encoding` (bytes to text), `metadata` (frontmatter, with `flatyaml`), `titles`
  and `listings` (a scraped listing page split into posts); `load_file`, `LoadResult`.
- `loader`: `CorpusLoader` loads a whole folder in batches, on every core, through the load
  cache; `load_corpus` does it in one call; `head_start` starts its processes early.
- `cache` and `cachefile`: the load cache, in checksummed files.
- `watch`: `watch_changes` follows the folder, in a process of its own.

Nothing is imported here (see `tuireader.model`).
"""
